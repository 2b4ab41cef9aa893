# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse a certificate bundle as Soliton OneGate's CA hands it out.

Pure functions on bytes, used by the ``pem_bundle`` module: split the PEM blocks (or read a
PKCS#12 file), decrypt the one private key, and find the certificate that belongs to it. The checks of
the result are in ``_pem_chain`` (path validation against a CA) and ``_pem_certs`` (validity window,
names, descriptions). Nothing here writes files.

Every problem raises ``BundleError`` with a message that names the problem and the fix.
Works with the ``cryptography`` versions of Debian 12 and Amazon Linux 2023.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import re

try:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
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
