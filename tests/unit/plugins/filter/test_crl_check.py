"""The CRL check (plugins/plugin_utils/_crl.py) through the crl_check filter as the role calls it (base64, as slurp
gives it): every kind of CRL file in one table (issue 21, item 5). Also run against cryptography 36.0.1 (run-tests.sh
unit)."""

import base64
import datetime
import importlib

import pytest
from ansible.errors import AnsibleFilterError
from netattest_local.pki import CA, NOW, cert_pem, key_plain, rsa_key
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization


def check(crl_bytes, ca_pem, **kwargs):
    plugin = importlib.import_module("ansible_collections.netattest.tls_syslog.plugins.filter.crl_check")
    b64 = base64.b64encode(crl_bytes).decode("ascii")
    return plugin.FilterModule().filters()["crl_check"](b64, base64.b64encode(ca_pem).decode("ascii"), **kwargs)


def make_crl(ca, this_days=-1, next_days=30, revoked=(), der=False):
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(NOW + datetime.timedelta(days=this_days))
        .next_update(NOW + datetime.timedelta(days=next_days))
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW).build()
        )
    crl = builder.sign(ca.key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER if der else serialization.Encoding.PEM)


ONEGATE = CA("Test OneGate CA")
OTHER = CA("Test Other CA")
TWIN = CA("Test OneGate CA")  # another CA with the same name (another key)
_key, CLIENT = ONEGATE.issue("aws-syslog", server=False, client=True)

# (name, CRL bytes, CA file) -> (accepted, phrases of the problem or warning)
TABLE = [
    ("good", make_crl(ONEGATE, revoked=[CLIENT.serial_number]), ONEGATE.pem, True, []),
    ("good DER", make_crl(ONEGATE, der=True), ONEGATE.pem, True, []),
    ("good, CA file with two CAs", make_crl(ONEGATE), OTHER.pem + ONEGATE.pem, True, []),
    ("good, two CRLs", make_crl(OTHER) + make_crl(ONEGATE), OTHER.pem + ONEGATE.pem, True, []),
    ("wrong signer", make_crl(OTHER), ONEGATE.pem, False, ["was not signed by the CA", "its issuer is CN=Test Other"]),
    ("same name, other key", make_crl(TWIN), ONEGATE.pem, False, ["signature does not verify"]),
    ("expired", make_crl(ONEGATE, this_days=-40, next_days=-1), ONEGATE.pem, False,
     ["has expired", "refuse every client certificate", "Download the current CRL"]),
    ("not yet valid", make_crl(ONEGATE, this_days=2, next_days=30), ONEGATE.pem, False, ["not valid yet", "clock"]),
    ("a certificate", cert_pem(CLIENT), ONEGATE.pem, False, ["is a certificate, not a certificate revocation list"]),
    ("a key", key_plain(rsa_key()), ONEGATE.pem, False, ["a private key"]),
    ("garbage", b"\x00\x01not a crl at all\xff", ONEGATE.pem, False, ["neither a PEM nor a DER X.509 CRL"]),
    ("broken PEM block", b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", ONEGATE.pem, False,
     ["does not parse"]),
    ("empty", b"\n", ONEGATE.pem, False, ["is empty"]),
    ("no CA certificate", make_crl(ONEGATE), b"nothing", False, ["holds no PEM certificate"]),
]  # fmt: skip


@pytest.mark.parametrize("name,crl,ca,accepted,phrases", TABLE, ids=[row[0] for row in TABLE])
def test_every_row(name, crl, ca, accepted, phrases):
    got = check(crl, ca, crl_path="/srv/onegate.crl")
    assert (got["problems"] == []) is accepted, got["problems"]
    text = " ".join(got["problems"])
    for phrase in phrases:
        assert phrase in text
    if accepted:
        assert got["pem"].startswith("-----BEGIN X509 CRL-----")
        # what the role installs is the same CRL(s), as PEM (stunnel reads PEM only)
        blocks = got["pem"].count("-----BEGIN X509 CRL-----")
        assert blocks == len(got["crls"]) >= 1
        assert got["warning"] == ""
    else:
        assert got["pem"] == ""
        assert "/srv/onegate.crl" in text or "rsyslog_tls_ca_file" in text


def test_the_installed_pem_is_the_signed_crl():
    got = check(make_crl(ONEGATE, revoked=[CLIENT.serial_number], der=True), ONEGATE.pem)
    crl = x509.load_pem_x509_crl(got["pem"].encode("ascii"))
    assert crl.is_signature_valid(ONEGATE.cert.public_key())
    assert crl.get_revoked_certificate_by_serial_number(CLIENT.serial_number) is not None
    assert got["crls"][0]["revoked"] == 1
    assert 29 < got["crls"][0]["days_left"] <= 30


def test_a_crl_that_expires_soon_is_accepted_with_a_warning():
    got = check(make_crl(ONEGATE, next_days=2), ONEGATE.pem, crl_path="onegate.crl")
    assert got["problems"] == []
    assert "expires in 2.0 days" in got["warning"] or "expires in 1.9 days" in got["warning"]
    assert "run the role again" in got["warning"]
    assert check(make_crl(ONEGATE, next_days=2), ONEGATE.pem, warn_days=1)["warning"] == ""


def test_wrong_input_types_are_filter_errors():
    plugin = importlib.import_module("ansible_collections.netattest.tls_syslog.plugins.filter.crl_check")
    with pytest.raises(AnsibleFilterError, match="crl_check: crl must be"):
        plugin.FilterModule().filters()["crl_check"](None, "")
