# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server certificate's facts and checks (for ``pem_bundle``): its validity window, its names, and the
descriptions and PEM forms of the key and certificate the module returns and writes. Raises ``BundleError`` naming
the problem and the fix.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import ipaddress

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
except ImportError:  # pragma: no cover - _pem_bundle.HAS_CRYPTOGRAPHY tells the module
    pass

from ansible_collections.netattest.tls_syslog.plugins.module_utils._pem_bundle import BundleError, public_key_der


def _utc(dt):
    if dt.tzinfo is None:
        return dt.replace(tzinfo=datetime.timezone.utc)
    return dt


def not_before(cert):
    value = getattr(cert, "not_valid_before_utc", None)
    return value if value is not None else _utc(cert.not_valid_before)


def not_after(cert):
    value = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else _utc(cert.not_valid_after)


def check_validity(cert, now=None):
    """Raise BundleError when the server certificate is expired or not yet valid."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if now < not_before(cert):
        raise BundleError(
            "the server certificate is not valid yet (valid from %s): check the host's clock, or set "
            "allow_expired=true to install it anyway" % not_before(cert).isoformat()
        )
    if now > not_after(cert):
        raise BundleError(
            "the server certificate expired on %s: issue a new one in OneGate's CA, or set allow_expired=true to "
            "install it anyway" % not_after(cert).isoformat()
        )


def subject_alt_names(cert):
    """The SAN entries as strings: 'IP:203.0.113.10', 'DNS:syslog.example.com'."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    names = ["DNS:%s" % n for n in ext.get_values_for_type(x509.DNSName)]
    names += ["IP:%s" % ip for ip in ext.get_values_for_type(x509.IPAddress)]
    return names


def check_names(cert, expected):
    """Raise BundleError unless every name (IP address or DNS name) in expected is in the cert's SAN."""
    sans = subject_alt_names(cert)
    dns = {s[4:].lower() for s in sans if s.startswith("DNS:")}
    ips = set()
    for s in sans:
        if s.startswith("IP:"):
            ips.add(ipaddress.ip_network(s[3:], strict=False) if "/" in s else ipaddress.ip_address(s[3:]))
    missing = []
    for name in expected:
        try:
            if ipaddress.ip_address(name) not in ips:
                missing.append(name)
        except ValueError:
            if name.lower().rstrip(".") not in dns:
                missing.append(name)
    if missing:
        raise BundleError(
            "the server certificate does not name %s in its subjectAltName (it has: %s): issue the server certificate "
            "in OneGate's CA with the receiver's address (the Elastic IP) as CN, DNS name and IP address"
            % (", ".join(missing), ", ".join(sans) or "no subjectAltName")
        )


def key_description(key):
    if isinstance(key, rsa.RSAPrivateKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "EC", key.curve.key_size
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PrivateKey):
        return "Ed448", 456
    if isinstance(key, dsa.DSAPrivateKey):
        return "DSA", key.key_size
    return key.__class__.__name__, None


def key_pem(key):
    """The key as unencrypted PKCS#8 PEM (deterministic for the same key)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def fingerprint_sha256(cert):
    digest = cert.fingerprint(hashes.SHA256())
    return ":".join("%02X" % b for b in bytearray(digest))


def public_key_fingerprint(key_or_cert):
    return hashlib.sha256(public_key_der(key_or_cert)).hexdigest()


def describe_cert(cert, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "san": subject_alt_names(cert),
        "not_before": not_before(cert).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": not_after(cert).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "days_left": int((not_after(cert) - now).total_seconds() // 86400),
        "fingerprint_sha256": fingerprint_sha256(cert),
        "serial_number": "%X" % cert.serial_number,
    }
