# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse and check a certificate bundle as Soliton OneGate's CA hands it out.

Pure functions on bytes, used by the ``pem_bundle`` module: split the PEM blocks (or read a
PKCS#12 file), decrypt the one private key, find the certificate that belongs to it, verify it
against a CA, and check its validity window and names. Nothing here writes files.

Every problem raises ``BundleError`` with a message that names the problem and the fix.
Works with the ``cryptography`` versions of Debian 12 and Amazon Linux 2023.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import datetime
import hashlib
import ipaddress
import re

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised only on hosts without cryptography
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = exc


class BundleError(Exception):
    """A problem with the bundle: the message says what is wrong and how to fix it."""


PEM_BLOCK_RE = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----",
    re.DOTALL,
)
BEGIN_RE = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
KEY_BLOCK_TYPES = (
    "ENCRYPTED PRIVATE KEY",
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
)
CERT_BLOCK_TYPES = ("CERTIFICATE", "X509 CERTIFICATE")


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


def split_pem(text):
    """Return the PEM blocks of ``text`` as (type, full block text) pairs, in order.

    Raises BundleError for input that has no PEM block at all, or a BEGIN without its END
    (a truncated file).
    """
    blocks = []
    for match in PEM_BLOCK_RE.finditer(text):
        blocks.append((match.group(1), match.group(0) + "\n"))
    begins = BEGIN_RE.findall(text)
    if not begins:
        raise BundleError(
            "the input is not PEM: no '-----BEGIN ...-----' block was found. Give the PEM file that OneGate's CA "
            "hands out (private key + server certificate), or a PKCS#12 (.p12/.pfx) file"
        )
    if len(begins) != len(blocks):
        complete = {b[0] for b in blocks}
        broken = [b for b in begins if b not in complete] or begins[len(blocks) :] or begins[-1:]
        raise BundleError(
            "the PEM input is truncated or damaged: a '-----BEGIN %s-----' block has no matching END line. "
            "Download the bundle from OneGate's CA again and pass the whole file" % broken[0]
        )
    return blocks


def _load_key(block_type, block, passphrase):
    data = block.encode("ascii")
    encrypted = block_type == "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" in block
    password = passphrase.encode("utf-8") if passphrase else None
    if encrypted and password is None:
        raise BundleError(
            "the private key in the bundle is encrypted and no passphrase was given: set 'passphrase' to the "
            "passphrase entered when the key pair was issued in OneGate's CA"
        )
    try:
        return serialization.load_pem_private_key(data, password=password if encrypted else None)
    except (ValueError, TypeError) as exc:
        if encrypted:
            raise BundleError(
                "the private key in the bundle is encrypted and the passphrase did not decrypt it: check "
                "'passphrase' (it is the one entered when the key pair was issued in OneGate's CA)"
            ) from exc
        raise BundleError(
            "the private key in the bundle could not be read (%s): the key block is damaged; download the bundle again"
            % exc.__class__.__name__
        ) from exc
    except UnsupportedAlgorithm as exc:
        raise BundleError("the private key in the bundle uses an unsupported algorithm: %s" % exc) from exc


def _load_cert_pem(block, what):
    try:
        return x509.load_pem_x509_certificate(block.encode("ascii"))
    except ValueError as exc:
        raise BundleError("a certificate in %s could not be read: the block is damaged (%s)" % (what, exc)) from exc


def load_certificates(text, what="the CA input"):
    """All certificates in a PEM text (for the CA input)."""
    certs = []
    for block_type, block in split_pem(text):
        if block_type in CERT_BLOCK_TYPES:
            certs.append(_load_cert_pem(block, what))
    if not certs:
        raise BundleError("%s holds no certificate: give the OneGate CA certificate in PEM form" % what)
    return certs


def looks_like_pem(data):
    return b"-----BEGIN " in data


def decode_content(content):
    """``content`` as given to the module: PEM text, or base64 of a PKCS#12 file. Returns bytes."""
    if "-----BEGIN " in content:
        return content.encode("utf-8")
    compact = "".join(content.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BundleError(
            "'content' is neither PEM (no '-----BEGIN ...-----' block) nor base64 of a PKCS#12 file. Give the PEM "
            "bundle's text, or a PKCS#12 file as base64 (or its path on the host in 'src')"
        ) from exc


class Bundle:
    """The checked result: key, leaf certificate, the other certificates of the bundle."""

    def __init__(self, key, leaf, others, warnings):
        self.key = key
        self.leaf = leaf
        self.others = others
        self.warnings = warnings

    def chain(self):
        """The bundle's other certificates ordered from the leaf's issuer upwards (as far as they link)."""
        ordered = []
        current = self.leaf
        remaining = list(self.others)
        while remaining:
            nxt = None
            for cand in remaining:
                if cand.subject == current.issuer and cand.subject != current.subject:
                    nxt = cand
                    break
            if nxt is None:
                break
            ordered.append(nxt)
            remaining.remove(nxt)
            current = nxt
        return ordered


def parse_bundle(data, passphrase=None, fmt="auto"):
    """Parse bundle bytes (PEM or PKCS#12). Returns a Bundle. Checks: exactly one key, a cert matching it."""
    warnings = []
    if fmt == "pkcs12" or (fmt == "auto" and not looks_like_pem(data)):
        return _parse_pkcs12(data, passphrase)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError("the PEM input is not text: give the PEM file, or set format=pkcs12 for a .p12/.pfx") from exc
    keys = []
    certs = []
    for block_type, block in split_pem(text):
        if block_type in KEY_BLOCK_TYPES:
            keys.append((block_type, block))
        elif block_type in CERT_BLOCK_TYPES:
            certs.append(_load_cert_pem(block, "the bundle"))
        else:
            warnings.append("ignored a PEM block of type %r in the bundle" % block_type)
    if not keys:
        raise BundleError(
            "the bundle holds no private key: OneGate's 'PEM (private key + server certificate)' download starts with "
            "'-----BEGIN ENCRYPTED PRIVATE KEY-----'; give that file, not the certificate alone"
        )
    if len(keys) > 1:
        raise BundleError(
            "the bundle holds %d private keys, expected exactly one: give the bundle of one server key pair" % len(keys)
        )
    if not certs:
        raise BundleError(
            "the bundle holds no certificate: it must carry the server certificate after the private key "
            "(OneGate's 'PEM (private key + server certificate)' download)"
        )
    key = _load_key(keys[0][0], keys[0][1], passphrase)
    if passphrase and keys[0][0] != "ENCRYPTED PRIVATE KEY" and "Proc-Type: 4,ENCRYPTED" not in keys[0][1]:
        warnings.append("a passphrase was given but the private key in the bundle is not encrypted")
    return _pick_leaf(key, certs, warnings)


def _parse_pkcs12(data, passphrase):
    password = passphrase.encode("utf-8") if passphrase else None
    try:
        key, cert, additional = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise BundleError(
            "the PKCS#12 file could not be opened: the passphrase is wrong or missing, or the file is not PKCS#12. "
            "Check 'passphrase' (the one entered when the key pair was issued) and that the file is complete"
        ) from exc
    if key is None:
        raise BundleError("the PKCS#12 file holds no private key: export it with the private key included")
    certs = ([cert] if cert is not None else []) + list(additional or [])
    if not certs:
        raise BundleError("the PKCS#12 file holds no certificate: export it with the server certificate included")
    return _pick_leaf(key, certs, [])


def public_key_der(key_or_cert):
    pub = key_or_cert.public_key()
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _pick_leaf(key, certs, warnings):
    want = public_key_der(key)
    matching = [c for c in certs if public_key_der(c) == want]
    if not matching:
        raise BundleError(
            "no certificate in the bundle matches its private key: the key and the certificate come from different "
            "key pairs. Download the bundle of this key pair again (private key + server certificate together)"
        )
    leaf = matching[0]
    others = [c for c in certs if c is not leaf and public_key_der(c) != want]
    return Bundle(key, leaf, others, warnings)


# OID of RSASSA-PSS signatures. cryptography before 41 (Debian 12 ships 38) reports no hash for them.
_RSA_PSS_OID = "1.2.840.113549.1.1.10"
_HAS_VERIFY_DIRECTLY = HAS_CRYPTOGRAPHY and hasattr(x509.Certificate, "verify_directly_issued_by")


def _rsa_signature_valid(cert, pub):
    if cert.signature_algorithm_oid.dotted_string != _RSA_PSS_OID:
        pub.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
        return
    # RSA-PSS. The parameters (hash, MGF1 hash, salt length) sit in the DER, which old cryptography does not
    # decode; try the hashes a CA uses, with the salt length read from the signature (PSS.AUTO). Each attempt is a
    # full signature check, so trying more than one accepts nothing that the issuer's key did not sign.
    usual = (hashes.SHA256(), hashes.SHA384(), hashes.SHA512())
    try:
        digests = [cert.signature_hash_algorithm]
    except UnsupportedAlgorithm:
        digests = list(usual)
    for digest in digests:
        for mgf_digest in [digest] + [h for h in usual if h.name != digest.name]:
            for salt_length in _pss_salt_lengths(digest):
                try:
                    pub.verify(
                        cert.signature,
                        cert.tbs_certificate_bytes,
                        padding.PSS(mgf=padding.MGF1(mgf_digest), salt_length=salt_length),
                        digest,
                    )
                    return
                except InvalidSignature:
                    continue
    raise InvalidSignature()


def _pss_salt_lengths(digest):
    """PSS.AUTO (cryptography 37 and later) reads the salt length from the signature. cryptography 36.0.1, Amazon Linux
    2023's python3-cryptography, has no AUTO (found by the unit tests' run against 36.0.1): there, the lengths CAs sign
    with - the digest's (OpenSSL's default), the largest, and RFC 4055's default of 20."""
    auto = getattr(padding.PSS, "AUTO", None)
    if auto is not None:
        return [auto]
    return [digest.digest_size, padding.PSS.MAX_LENGTH, 20]


def _signature_valid_fallback(cert, issuer_cert):
    """The signature check of verify_directly_issued_by, for cryptography before 40 (Debian 12 ships 38)."""
    pub = issuer_cert.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        _rsa_signature_valid(cert, pub)
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    elif isinstance(pub, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        pub.verify(cert.signature, cert.tbs_certificate_bytes)
    elif isinstance(pub, dsa.DSAPublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes, cert.signature_hash_algorithm)
    else:
        raise TypeError("unsupported issuer key type %s" % type(pub).__name__)


def signed_by(cert, issuer_cert):
    """True when issuer_cert's name is cert's issuer and issuer_cert's key signed cert. Nothing else is checked."""
    if cert.issuer != issuer_cert.subject:
        return False
    try:
        if _HAS_VERIFY_DIRECTLY:
            cert.verify_directly_issued_by(issuer_cert)
        else:
            _signature_valid_fallback(cert, issuer_cert)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _issuer_problem(issuer, below, now):
    """Why ``issuer`` may not issue in a chain with ``below`` CA certificates between it and the leaf, or None."""
    name = issuer.subject.rfc4514_string()
    try:
        bc = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        bc = None
    if bc is None or not bc.ca:
        return (
            "%s signed the next certificate of the chain but is not a CA certificate (it has no basicConstraints "
            "CA:TRUE), so it may not issue certificates" % name
        )
    if bc.path_length is not None and below > bc.path_length:
        return "%s allows %d CA certificate(s) below it (pathLenConstraint), the chain has %d" % (
            name,
            bc.path_length,
            below,
        )
    try:
        ku = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        ku = None
    if ku is not None and not ku.key_cert_sign:
        return "%s has a keyUsage without keyCertSign, so it may not sign certificates" % name
    if now is not None and not not_before(issuer) <= now <= not_after(issuer):
        return "%s is valid only from %s to %s" % (name, not_before(issuer).isoformat(), not_after(issuer).isoformat())
    return None


def _issuer_paths(current, pool, ca_certs, depth):
    """Every chain of issuers from ``current`` up to one of ``ca_certs``, by name and signature (leaf excluded)."""
    for ca in ca_certs:
        if signed_by(current, ca):
            yield [ca]
    if depth <= 0:
        return
    for cand in pool:
        if cand is not current and signed_by(current, cand):
            rest = [c for c in pool if c is not cand]
            for path in _issuer_paths(cand, rest, ca_certs, depth - 1):
                yield [cand, *path]


def verify_against_ca(bundle, ca_certs, now=None, check_time=True):
    """Path validation of the server certificate up to one of ``ca_certs`` (the trust anchors).

    A path goes from the leaf through the bundle's other certificates to a CA certificate, each certificate signed
    by the next (``verify_directly_issued_by`` where cryptography has it, 40 and later; the same check by hand on
    older ones such as Debian 12's 38). Every issuer on the path, the anchor included, must be a CA
    (basicConstraints CA:TRUE, pathLenConstraint respected), have keyCertSign when it has a keyUsage, and (with
    ``check_time``) be within its validity window. The leaf's own window is check_validity's job.

    ``cryptography.x509.verification`` (43 and later) is not used: the receiver's cryptography may be older, and one
    set of rules on every host (controller and receiver) is worth more than the stricter web-PKI profile on some.

    Returns the anchor; raises BundleError naming the problem and the fix.
    """
    if check_time:
        now = now or datetime.datetime.now(datetime.timezone.utc)
    else:
        now = None
    problems = []
    for path in _issuer_paths(bundle.leaf, list(bundle.others), ca_certs, 8):
        problem = None
        for below, issuer in enumerate(path):
            problem = _issuer_problem(issuer, below, now)
            if problem:
                break
        if problem is None:
            return path[-1]
        problems.append(problem)
    if problems:
        raise BundleError(
            "the chain from the server certificate to the given CA is not valid: %s. Give the bundle that the "
            "OneGate CA issued, with only CA certificates between the server certificate and the CA" % problems[0]
        )
    raise BundleError(
        "the server certificate (issuer %s) was not issued by the given CA (%s): give the CA certificate of the "
        "OneGate CA that issued this server certificate, or the bundle issued by that CA"
        % (bundle.leaf.issuer.rfc4514_string(), ", ".join(c.subject.rfc4514_string() for c in ca_certs))
    )


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
