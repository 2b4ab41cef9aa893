# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificate revocation list (``rsyslog_tls_crl_file``), checked before anything changes, like the CA file.
Used by the crl_check filter (controller side, hence plugin_utils); the rsyslog_tls role calls it once, in
roles/rsyslog_tls/tasks/preflight.yml, on the bytes of the CRL and of the CA file (slurped from the controller, or
from the host with ``rsyslog_tls_remote_src``).

A CRL is accepted when:

* it parses as an X.509 CRL, PEM (``-----BEGIN X509 CRL-----``) or DER; the role installs it as PEM, since stunnel
  reads PEM only (stunnel 5.58 verify.c: ``X509_load_crl_file(..., X509_FILETYPE_PEM)``);
* it is issued and signed by a certificate of the configured CA file (the issuer name is the CA's subject and the
  signature verifies with the CA's key);
* it is within its validity: thisUpdate <= now < nextUpdate. OpenSSL's chain check (stunnel sets
  ``X509_V_FLAG_CRL_CHECK``) refuses every client certificate of that CA once the CRL's nextUpdate has passed
  (``X509_V_ERR_CRL_HAS_EXPIRED``, "CRL has expired"), and before its thisUpdate ("CRL is not yet valid"), so an
  expired CRL would lock OneGate out: it is refused here, and a CRL that expires within ``warn_days`` is named in a
  warning.

Every problem names the file, what is wrong and the fix. Runs with cryptography 36 (Amazon Linux 2023's
python3-cryptography): no ``load_pem_x509_certificates``, and ``next_update`` is a naive UTC datetime there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import datetime
import re

#: A warning is given when the CRL's nextUpdate is less than this many days away.
WARN_DAYS = 7

_CRL_PEM = re.compile(rb"-----BEGIN X509 CRL-----\s+[A-Za-z0-9+/=\s]+?-----END X509 CRL-----")
_CERT_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----")

_FIX_DOWNLOAD = (
    "Download the current CRL of the CA that issues OneGate's client certificates (the CA in rsyslog_tls_ca_file), "
    "set rsyslog_tls_crl_file to it and run again"
)


def _utc(value):
    """cryptography >= 42 has the *_utc attributes; before, the naive value is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def _when(crl, name):
    value = getattr(crl, name + "_utc", None)
    if value is None:
        value = getattr(crl, name)
    return _utc(value) if value is not None else None


def _name(name):
    try:
        return name.rfc4514_string()
    except Exception:  # pragma: no cover - a name cryptography cannot print
        return repr(name)


def _as_bytes(value, what):
    """Bytes from the role's base64 (slurp's content) or raw bytes/text (the unit tests, a caller with text)."""
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise TypeError("%s must be base64 text or bytes, not %s" % (what, type(value).__name__))
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode("utf-8", "surrogateescape")


def _load_cas(ca_bytes):
    from cryptography import x509

    cas = []
    for block in _CERT_PEM.findall(ca_bytes):
        try:
            cas.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            continue
    return cas


def _load_crls(data):
    """[(crl or None, problem)]: every CRL in the file (PEM blocks, or one DER CRL)."""
    from cryptography import x509

    blocks = _CRL_PEM.findall(data)
    if blocks:
        out = []
        for block in blocks:
            try:
                out.append((x509.load_pem_x509_crl(block), ""))
            except ValueError as exc:
                out.append((None, "a -----BEGIN X509 CRL----- block does not parse (%s)" % exc))
        return out
    try:
        return [(x509.load_der_x509_crl(data), "")]
    except ValueError:
        return []


def _signed_by(crl, cas):
    """The CA certificate whose key verifies the CRL's signature, or None."""
    for ca in cas:
        if ca.subject != crl.issuer:
            continue
        try:
            if crl.is_signature_valid(ca.public_key()):
                return ca
        except (TypeError, ValueError):  # pragma: no cover - a key type cryptography cannot verify with
            continue
    return None


def crl_check(crl, ca, crl_path="rsyslog_tls_crl_file", ca_path="rsyslog_tls_ca_file", now=None, warn_days=WARN_DAYS):
    """Check a CRL against the CA file. ``crl`` and ``ca``: base64 (slurp's content) or bytes.

    Returns {problems: [..] (empty: the CRL may be installed), pem: the CRL(s) as PEM text (to install), crls: [{issuer,
    this_update, next_update, revoked, days_left}], warning: '' or the nextUpdate that comes within ``warn_days``}.
    """
    from cryptography.hazmat.primitives import serialization

    now = now or datetime.datetime.now(datetime.timezone.utc)
    now = _utc(now)
    data = _as_bytes(crl, "crl")
    ca_bytes = _as_bytes(ca, "ca")
    result = {"problems": [], "pem": "", "crls": [], "warning": ""}
    problems = result["problems"]
    where = "rsyslog_tls_crl_file (%s)" % crl_path

    if not data.strip():
        problems.append("%s is empty. %s." % (where, _FIX_DOWNLOAD))
        return result
    loaded = _load_crls(data)
    if not loaded:
        if _CERT_PEM.search(data) or b"-----BEGIN CERTIFICATE-----" in data:
            what = "a certificate, not a certificate revocation list"
        elif b"PRIVATE KEY-----" in data:
            what = "a private key, not a certificate revocation list"
        elif b"-----BEGIN " in data:
            what = "PEM, but has no -----BEGIN X509 CRL----- block"
        else:
            what = "neither a PEM nor a DER X.509 CRL"
        problems.append("%s is %s. %s." % (where, what, _FIX_DOWNLOAD))
        return result
    for _crl, problem in loaded:
        if problem:
            problems.append("%s: %s. %s." % (where, problem, _FIX_DOWNLOAD))
    if problems:
        return result

    cas = _load_cas(ca_bytes)
    if not cas:
        problems.append(
            "rsyslog_tls_ca_file (%s) holds no PEM certificate, so the CRL cannot be checked against it. Give the CA "
            "certificate of OneGate's CA." % ca_path
        )
        return result
    ca_names = "; ".join(_name(c.subject) for c in cas)
    pems = []
    for one, _problem in loaded:
        issuer = _name(one.issuer)
        this_update = _when(one, "last_update")
        next_update = _when(one, "next_update")
        days_left = None if next_update is None else (next_update - now).total_seconds() / 86400.0
        result["crls"].append(
            {
                "issuer": issuer,
                "this_update": this_update.isoformat(),
                "next_update": next_update.isoformat() if next_update else "",
                "revoked": len(one),
                "days_left": round(days_left, 1) if days_left is not None else None,
            }
        )
        if _signed_by(one, cas) is None:
            named = any(ca.subject == one.issuer for ca in cas)
            problems.append(
                "%s was not signed by the CA in %s (%s): %s. A client certificate is only checked against a CRL of "
                "its own CA. Give the CRL that OneGate's CA published, or the CA file of the CA that issued it."
                % (
                    where,
                    ca_path,
                    ca_names,
                    (
                        "its issuer is named %s, but its signature does not verify with that CA's key (another CA with "
                        "the same name, or an altered file)" % issuer
                    )
                    if named
                    else "its issuer is %s" % issuer,
                )
            )
            continue
        if this_update > now:
            problems.append(
                "%s is not valid yet: its thisUpdate is %s, after now (%s). stunnel would refuse every client "
                "certificate of this CA until then. Check this host's clock and the controller's, or give the "
                "previous CRL." % (where, this_update.isoformat(), now.isoformat(timespec="seconds"))
            )
        elif next_update is None:
            problems.append(
                "%s has no nextUpdate, so nobody can tell when it is stale. Give a CRL with a nextUpdate (every CA's "
                "published CRL has one)." % where
            )
        elif next_update <= now:
            problems.append(
                "%s has expired: its nextUpdate was %s (now %s). stunnel would refuse every client certificate of "
                "this CA (OpenSSL: CRL has expired), which locks OneGate out. %s."
                % (where, next_update.isoformat(), now.isoformat(timespec="seconds"), _FIX_DOWNLOAD)
            )
        elif days_left < warn_days:
            result["warning"] = (
                "%s expires in %.1f days (nextUpdate %s). After that stunnel refuses every client certificate of "
                "this CA: download the next CRL and run the role again before then."
                % (where, days_left, next_update.isoformat())
            )
        pems.append(one.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    if not problems:
        result["pem"] = "".join(pems)
    return result
