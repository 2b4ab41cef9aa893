"""Test certificates made with `cryptography`: CAs, server bundles in OneGate's shape, client certificates.

Used by the unit tests (pem_bundle, syslog_send). Everything is generated at test time; nothing is stored.
"""

import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
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
