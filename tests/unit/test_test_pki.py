"""make_pki (tests/lib/netattest_local/pki.py), the test CA that molecule, the e2e, the demo and the benchmarks use:
what it issues, with which modes, and that it keeps a directory made from the same inputs."""

from __future__ import annotations

import datetime
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from netattest_local.pki import BUNDLE, PKI_CLIENTS, make_pki


def cert(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def utc(crl, field):
    """A CRL's date, aware, on cryptography 36 (naive UTC) and on releases with the *_utc properties."""
    value = getattr(crl, field + "_utc", None)
    return value if value is not None else getattr(crl, field).replace(tzinfo=datetime.timezone.utc)


def cn(c):
    return c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki") / "pki", "test-pass", ["192.0.2.9", "127.0.0.1", "localhost"])


def test_modes_keys_0600_certificates_0644_directories_0700(pki):
    assert stat.S_IMODE(pki.stat().st_mode) == 0o700
    for f in pki.rglob("*"):
        mode = stat.S_IMODE(f.stat().st_mode)
        if f.is_dir():
            assert mode == 0o700, f
        elif f.suffix in (".key", ".pem"):
            assert mode == 0o600, f
        else:
            assert mode == 0o644, f


def test_the_bundle_parts_apart_are_the_bundle(pki):
    for server in ("onegate-server", "onegate-server-2"):
        parts = (pki / "work" / (server + ".key")).read_bytes() + (pki / "work" / (server + ".cer")).read_bytes()
        assert parts == (pki / (server + ".pem")).read_bytes()


def test_bundle_is_onegate_shaped_and_needs_the_passphrase(pki):
    text = (pki / BUNDLE).read_bytes()
    assert text.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    key_pem, cert_part = text.split(b"-----END ENCRYPTED PRIVATE KEY-----\n")
    key_pem += b"-----END ENCRYPTED PRIVATE KEY-----\n"
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(key_pem, password=None)
    key = serialization.load_pem_private_key(key_pem, password=b"test-pass")
    server = x509.load_pem_x509_certificate(cert_part)
    assert server.public_key().public_numbers() == key.public_key().public_numbers()
    assert cn(server) == "192.0.2.9"
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(a) for a in sans.get_values_for_type(x509.IPAddress)] == ["192.0.2.9", "127.0.0.1"]
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert server.issuer == cert(pki / "ca.cer").subject
    # the renewal: another key, the same CA
    assert (pki / "onegate-server-2.pem").read_bytes() != text


def test_clients_their_names_and_issuers(pki):
    ca, other = cert(pki / "ca.cer"), cert(pki / "other-ca.cer")
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    issued = {name: (c_n, issuer, dns) for name, c_n, issuer, dns in PKI_CLIENTS}
    assert set(issued) >= {"client-aws-syslog", "client-intruder", "client-otherca-aws-syslog",
                           "client-aws-syslog-othersan", "client-aws-syslog-revoked"}  # fmt: skip
    for name, (c_n, issuer, dns) in issued.items():
        c = cert(pki / (name + ".cer"))
        key = serialization.load_pem_private_key((pki / (name + ".key")).read_bytes(), password=None)
        assert c.public_key().public_numbers() == key.public_key().public_numbers()
        assert cn(c) == c_n
        assert c.issuer == (ca if issuer == "ca" else other).subject
        eku = c.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
        if dns:
            sans = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            assert sans.get_values_for_type(x509.DNSName) == list(dns)


def test_crls_revoke_the_revoked_client_only_and_one_has_expired(pki):
    ca = cert(pki / "ca.cer")
    crl = x509.load_pem_x509_crl((pki / "ca.crl").read_bytes())
    assert crl.is_signature_valid(ca.public_key())
    revoked = cert(pki / "client-aws-syslog-revoked.cer").serial_number
    assert [r.serial_number for r in crl] == [revoked]
    assert crl.get_revoked_certificate_by_serial_number(cert(pki / "client-aws-syslog.cer").serial_number) is None
    other = x509.load_pem_x509_crl((pki / "other-ca.crl").read_bytes())
    assert not other.is_signature_valid(ca.public_key()) and len(other) == 0
    expired = x509.load_pem_x509_crl((pki / "expired.crl").read_bytes())
    assert expired.is_signature_valid(ca.public_key())
    now = datetime.datetime.now(datetime.timezone.utc)
    assert utc(expired, "next_update") < now - datetime.timedelta(hours=23)
    assert utc(crl, "last_update") < now < utc(crl, "next_update") - datetime.timedelta(days=29)


def test_same_inputs_keep_the_directory_other_inputs_make_it_anew(pki):
    before = (pki / "ca.cer").read_bytes()
    make_pki(pki, "test-pass", ["192.0.2.9", "127.0.0.1", "localhost"])
    assert (pki / "ca.cer").read_bytes() == before
    make_pki(pki, "test-pass", ["192.0.2.10"])
    assert (pki / "ca.cer").read_bytes() != before
    server_pem = (pki / BUNDLE).read_bytes().split(b"-----END ENCRYPTED PRIVATE KEY-----\n")[1]
    assert cn(x509.load_pem_x509_certificate(server_pem)) == "192.0.2.10"
