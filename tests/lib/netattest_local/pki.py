"""The tests' one PKI builder, made with `cryptography` at test time (nothing is stored): CAs, certificates with any
extensions a test needs (RSA-PSS signatures too, on every cryptography release), OneGate's server bundle (encrypted
PKCS#8 key + certificate), PKCS#12, and make_pki(), the local test CA standing in for OneGate's (the receiver's
bundle and the client certificates) for the demo, the integration tests, the benchmarks and molecule."""

from __future__ import annotations

import datetime
import ipaddress
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


NOW = datetime.datetime.now(datetime.timezone.utc)


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class CA:
    def __init__(self, cn="Test OneGate CA", key=None):
        self.key = key or rsa_key()
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(_name(cn))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, cn, names=(), key=None, days=365, start_days=-1, server=True, client=False):
        """A certificate for cn with SAN entries from names (IPs become IP SANs). Returns (key, cert)."""
        key = key or rsa_key()
        sans = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        usages = []
        if server:
            usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
        if client:
            usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW + datetime.timedelta(days=start_days))
            .not_valid_after(NOW + datetime.timedelta(days=start_days + days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pkcs8_encrypted(key, passphrase):
    """`-----BEGIN ENCRYPTED PRIVATE KEY-----`, as OneGate's CA hands it out."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def key_pkcs1_encrypted(key, passphrase):
    """Legacy OpenSSL `-----BEGIN RSA PRIVATE KEY-----` with `Proc-Type: 4,ENCRYPTED`."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def key_plain(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def onegate_bundle(key, cert, passphrase, extra=()):
    """OneGate's 'PEM (private key + server certificate)' file: encrypted PKCS#8 key, then the certificate."""
    return key_pkcs8_encrypted(key, passphrase) + cert_pem(cert) + b"".join(cert_pem(c) for c in extra)


def p12(key, cert, passphrase, cas=()):
    return pkcs12.serialize_key_and_certificates(
        b"server", key, cert, list(cas), serialization.BestAvailableEncryption(passphrase.encode())
    )


def write(path, data, mode=0o600):
    path.write_bytes(data)
    path.chmod(mode)
    return str(path)


def build(
    cn,
    issuer_cert,
    issuer_key,
    ca=False,
    path_length=None,
    key_cert_sign=True,
    pss=False,
    days=365,
    start_days=-1,
    names=(),
    key=None,
):
    """A certificate for cn signed by issuer_key (self-signed without an issuer; any certificate may sign here: the
    code under test must tell which may), with IP SANs from names. Returns (key, cert)."""
    key = key or rsa_key()
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_cert.subject if issuer_cert is not None else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=start_days))
        .not_valid_after(now + datetime.timedelta(days=start_days + days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, key_cert_sign, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
        )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(n)) for n in names]), critical=False
        )
    signer = issuer_key if issuer_key is not None else key
    if pss:
        return key, sign_pss(builder, signer)
    return key, builder.sign(signer, hashes.SHA256())


# RSASSA-PSS, SHA-256, MGF1 with SHA-256, salt length 32 (RFC 4055), as an AlgorithmIdentifier in DER.
_PSS_SHA256 = bytes.fromhex(
    "3041"
    "06092a864886f70d01010a"  # id-RSASSA-PSS
    "3034"
    "a00f300d06096086480165030402010500"  # hashAlgorithm sha256
    "a11c301a06092a864886f70d010108300d06096086480165030402010500"  # maskGenAlgorithm mgf1 with sha256
    "a203020120"  # saltLength 32
)


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(content)) + content


def _der_elements(data: bytes) -> list[bytes]:
    """The TLV elements (whole, header included) of a DER SEQUENCE's content."""
    out, i = [], 0
    while i < len(data):
        length, j = data[i + 1], i + 2
        if length & 0x80:
            count = length & 0x7F
            length, j = int.from_bytes(data[j : j + count], "big"), j + count
        out.append(data[i : j + length])
        i = j + length
    return out


def sign_pss(builder: x509.CertificateBuilder, issuer_key) -> x509.Certificate:
    """``builder`` signed with RSASSA-PSS (SHA-256, salt 32) by ``issuer_key``. cryptography before 41 (Amazon Linux
    2023's 36.0.1, which the suite also runs the modules against) cannot sign one itself, so the certificate is put
    together here: the TBS part of an ordinary signature with the PSS algorithm put in, signed with key.sign()."""
    tbs = builder.sign(issuer_key, hashes.SHA256()).tbs_certificate_bytes
    header = 2 + (tbs[1] & 0x7F if tbs[1] & 0x80 else 0)
    parts = _der_elements(tbs[header:])
    parts[2] = _PSS_SHA256  # version [0], serialNumber, signature (the algorithm), ...
    new_tbs = _der(0x30, b"".join(parts))
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    signature = issuer_key.sign(new_tbs, pss, hashes.SHA256())
    return x509.load_der_x509_certificate(_der(0x30, new_tbs + _PSS_SHA256 + _der(0x03, b"\x00" + signature)))


BUNDLE = "onegate-server.pem"
#: make_pki()'s CAs, server bundles and clients (name, CN, issuing CA, DNS SANs).
PKI_CAS = (("ca", "NetAttest Test OneGate CA"), ("other-ca", "NetAttest Test Other CA"))
# onegate-server is the receiver's bundle; onegate-server-2 a second one of the same CA (a certificate renewal).
PKI_SERVERS = ("onegate-server", "onegate-server-2")
PKI_CLIENTS = (
    ("client-aws-syslog", "aws-syslog", "ca", ()),  # permitted
    ("client-intruder", "intruder", "ca", ()),  # same CA, not permitted
    ("client-otherca-aws-syslog", "aws-syslog", "other-ca", ()),
    # The permitted name as CN, and a DNS SAN with another name: X509_check_host (stunnel's checkHost) uses the DNS
    # SANs when there are any, so this one is refused there; gtls also accepts the CN.
    ("client-aws-syslog-othersan", "aws-syslog", "ca", ("other-user",)),
    # The permitted name, revoked by the CA (ca.crl): refused where the receiver has rsyslog_tls_crl_file.
    ("client-aws-syslog-revoked", "aws-syslog", "ca", ()),
)
STAMP = "pki.json"


def _key_pem(key, passphrase: str | None = None) -> bytes:
    if passphrase is None:  # an RSA key as openssl writes it (community.crypto's default too)
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    return key_pkcs8_encrypted(key, passphrase)


def _issued(cn, issuer: tuple | None, key, days: int, ca=False, sans=(), usage=None):
    """A certificate as community.crypto's x509_certificate makes one from a CSR (selfsigned or ownca): subject and
    authority key identifiers, basicConstraints and keyUsage on CAs, the extended key usage and SANs asked for."""
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_cert.subject if issuer_cert else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _crl(ca_cert, ca_key, last_days: int, next_days: int, revoked=()) -> bytes:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now + datetime.timedelta(days=last_days))
        .next_update(now + datetime.timedelta(days=next_days))
    )
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(now).build()
        )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _san(name: str):
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def make_pki(pki_dir: Path, passphrase: str, server_names: Iterable[str]) -> Path:
    """The local test CA standing in for OneGate's, issued into ``pki_dir`` (directories 0700, keys 0600):

    - ca.cer, ca.key: the CA; other-ca.cer, other-ca.key: another CA
    - onegate-server.pem, onegate-server-2.pem: OneGate's bundle shape, the key encrypted (PKCS#8) with
      ``passphrase``, then the server certificate (CN the first of ``server_names``, SANs all of them; IPs as IP SANs)
    - work/onegate-server{,-2}.key and .cer: the same key (encrypted) and certificate, as two files
    - client-<name>.cer/.key for PKI_CLIENTS
    - ca.crl (30 days, revoking client-aws-syslog-revoked), other-ca.crl (the wrong signer for ca.cer), expired.crl
      (the CA's, its nextUpdate a day ago)

    Made with cryptography in this process. A directory already made from the same inputs is kept as it is (a
    scenario re-run keeps its CA); other inputs make everything anew. Returns ``pki_dir``."""
    names = list(server_names)
    if not names or not passphrase:
        raise ValueError("make_pki needs at least one server name and a passphrase")
    stamp = json.dumps(
        {"names": names, "passphrase": hashlib.sha256(passphrase.encode()).hexdigest(), "version": 1}, sort_keys=True
    )
    expected = ["ca.cer", "ca.key", "other-ca.cer", "other-ca.key", "ca.crl", "other-ca.crl", "expired.crl"]
    expected += ["%s.pem" % s for s in PKI_SERVERS] + [
        "work/%s.%s" % (s, e) for s in PKI_SERVERS for e in ("key", "cer")
    ]
    expected += ["%s.%s" % (c[0], ext) for c in PKI_CLIENTS for ext in ("cer", "key")]
    if (pki_dir / STAMP).is_file() and (pki_dir / STAMP).read_text() == stamp:
        if all((pki_dir / f).is_file() for f in expected):
            return pki_dir
    for d in (pki_dir, pki_dir / "work"):
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o700)
    (pki_dir / STAMP).unlink(missing_ok=True)
    cas = {}
    for name, cn in PKI_CAS:
        key = rsa_key()
        cert = _issued(cn, None, key, 3650, ca=True)
        write(pki_dir / ("%s.key" % name), _key_pem(key))
        write(pki_dir / ("%s.cer" % name), cert_pem(cert), 0o644)
        cas[name] = (cert, key)
    sans = [_san(n) for n in names]
    for server in PKI_SERVERS:
        key = rsa_key()
        cert = _issued(names[0], cas["ca"], key, 825, sans=sans, usage=ExtendedKeyUsageOID.SERVER_AUTH)
        encrypted = _key_pem(key, passphrase)
        write(pki_dir / ("%s.pem" % server), encrypted + cert_pem(cert))
        write(pki_dir / "work" / ("%s.key" % server), encrypted)  # the two parts apart
        write(pki_dir / "work" / ("%s.cer" % server), cert_pem(cert), 0o644)
    revoked = []
    for name, cn, ca, dns in PKI_CLIENTS:
        key = rsa_key()
        cert = _issued(
            cn, cas[ca], key, 825, sans=[x509.DNSName(d) for d in dns], usage=ExtendedKeyUsageOID.CLIENT_AUTH
        )
        write(pki_dir / ("%s.key" % name), _key_pem(key))
        write(pki_dir / ("%s.cer" % name), cert_pem(cert), 0o644)
        if name == "client-aws-syslog-revoked":
            revoked.append(cert)
    write(pki_dir / "ca.crl", _crl(*cas["ca"], -1, 30, revoked), 0o644)
    write(pki_dir / "other-ca.crl", _crl(*cas["other-ca"], -1, 30), 0o644)
    write(pki_dir / "expired.crl", _crl(*cas["ca"], -10, -1), 0o644)
    write(pki_dir / STAMP, stamp.encode(), 0o644)
    return pki_dir
