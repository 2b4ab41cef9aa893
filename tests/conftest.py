"""pytest set-up shared by every test: the collection is importable as ansible_collections.netattest.tls_syslog."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "netattest", "tls_syslog")):
    raise RuntimeError("run scripts/setup.sh first: it links this checkout as the collection in .cache/collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
if os.path.join(ROOT, "tests") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "tests"))
