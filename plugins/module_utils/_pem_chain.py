# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Path validation of a parsed bundle's server certificate up to the given CA certificates (for ``pem_bundle``):
signatures, CA constraints and validity windows of every issuer, on every ``cryptography`` the receivers have
(Debian 12's 38, Amazon Linux 2023's 36.0.1, and newer). Raises ``BundleError`` naming the problem and the fix.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
except ImportError:  # pragma: no cover - _pem_bundle.HAS_CRYPTOGRAPHY tells the module
    pass

from ansible_collections.netattest.tls_syslog.plugins.module_utils._pem_bundle import HAS_CRYPTOGRAPHY, BundleError
from ansible_collections.netattest.tls_syslog.plugins.module_utils._pem_certs import not_after, not_before

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
