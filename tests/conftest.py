"""pytest set-up shared by every test: the collection is importable as ansible_collections.netattest.tls_syslog, and
the local pipeline (moto, the instance container, the test CA, the steps) as netattest_local (tests/lib)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "netattest", "tls_syslog")):
    raise RuntimeError("run scripts/setup.sh first: it links this checkout as the collection in .cache/collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
for path in (os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "lib")):
    if path not in sys.path:
        sys.path.insert(0, path)
