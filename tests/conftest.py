"""pytest set-up shared by every test, and the only place that touches sys.path: the collection is importable as
ansible_collections.netattest.tls_syslog, and the tests' helpers as netattest_local (tests/lib: moto, rsyslogd, the
test PKI, the instance container, the local pipeline). Their shared fixtures are registered here."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "netattest", "tls_syslog")):
    raise RuntimeError("run scripts/setup.sh first: it links this checkout as the collection in .cache/collections")
for path in (COLLECTIONS, os.path.join(ROOT, "tests", "lib")):
    if path not in sys.path:
        sys.path.insert(0, path)

from netattest_local.fixtures import moto_server, rsyslogd_factory  # noqa: F401 (fixtures for every test)


def pytest_configure(config):
    # scripts/run-tests.sh runs the marked tests in a process of their own, beside the rest of their module.
    config.addinivalue_line(
        "markers", "instance_side: needs none of its module's shared servers (run apart: -m instance_side)"
    )
