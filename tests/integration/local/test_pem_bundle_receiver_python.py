"""pem_bundle's CA check (path validation) under Debian 12's python3 and python3-cryptography, as on the receiver: a
separate interpreter (the in-process tests are tests/unit/plugins/modules/test_pem_bundle.py)."""

import json
import subprocess
from pathlib import Path

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _pem_chain as pvu
from netattest_local import pki as certs
from netattest_local.pki import build

EIP = "203.0.113.10"


@pytest.fixture(scope="module")
def pki():
    return {"ca": certs.CA("OneGate Test CA")}


SYSTEM_PYTHON = "/usr/bin/python3"  # Debian 12's, with python3-cryptography 38: what the receiver runs the module with


def test_path_validation_with_the_receivers_cryptography(pki, tmp_path):
    """The same checks under Debian 12's python3 and python3-cryptography, as on the receiver."""
    ca = pki["ca"]
    mid_key, mid = build("not-a-ca.example", ca.cert, ca.key, ca=False)
    _bad_key, bad = build(EIP, mid, mid_key, names=[EIP])
    _good_key, good = build(EIP, ca.cert, ca.key, names=[EIP], pss=True)
    for name, cert in (("ca", ca.cert), ("mid", mid), ("bad", bad), ("good", good)):
        (tmp_path / (name + ".pem")).write_bytes(certs.cert_pem(cert))
    script = """
import json, sys
import cryptography
from cryptography import x509
sys.path.insert(0, sys.argv[1])
from ansible_collections.netattest.tls_syslog.plugins.module_utils._pem_bundle import Bundle, BundleError
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _pem_chain
load = lambda n: x509.load_pem_x509_certificate(open(sys.argv[2] + "/" + n + ".pem", "rb").read())
out = {"version": cryptography.__version__, "verify_directly": _pem_chain._HAS_VERIFY_DIRECTLY}
for name, others in (("bad", [load("mid")]), ("good", [])):
    try:
        _pem_chain.verify_against_ca(Bundle(None, load(name), others, []), [load("ca")])
        out[name] = "accepted"
    except BundleError as exc:
        out[name] = str(exc)
print(json.dumps(out))
"""
    # the collection as the tests import it (tests/conftest.py puts it first on sys.path)
    collections = Path(pvu.__file__).parents[5]
    assert (collections / "ansible_collections" / "netattest" / "tls_syslog").is_dir(), collections
    run = subprocess.run(
        [SYSTEM_PYTHON, "-c", script, str(collections), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["good"] == "accepted", out
    assert "is not a CA certificate" in out["bad"], out
    print("checked with cryptography %s (verify_directly_issued_by: %s)" % (out["version"], out["verify_directly"]))
