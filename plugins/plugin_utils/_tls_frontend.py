# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who terminates TLS on the receiver's port, and with which driver: the security-critical choice, in one function.
Used by the tls_frontend filter (the rsyslog_tls role calls it once, in roles/rsyslog_tls/tasks/install.yml).

The choice is made per host, from what the host has, not from its OS name:

* rsyslog's own TLS is only trusted where its version is known to hold:
  - before 8.2206.0, imtcp's TLS loop (tcpsrv.c) spins at 100 % CPU and stops all reception as soon as one client
    idles after its handshake, or pauses in the middle of a TLS record (fixed upstream by commit 6ffc14fd4, first
    released in 8.2206.0; Amazon Linux 2023 ships 8.2204.0 and AWS confirmed the bug in amazon-linux-2023 issue #845;
    rsyslog issues #5095 and #4818). A OneGate connection that idles between events is the normal case, so such a
    host gets stunnel in front of a loopback-only plain rsyslog input, in both modes;
  - for mutual TLS (x509/name), the ossl driver before 8.2602.0 lets a certificate of the trusted CA with a name that
    is not permitted through on a share of connections (rsyslog issue #6350, fixed by commit 73aec9305); the gtls driver
    enforces the names, where its package can be installed (Amazon Linux 2023 has no rsyslog-gnutls: issues #384, #617);
* with a certificate revocation list (``crl``, x509/name only): rsyslog's TLS drivers read a CRL only from 8.2308.0
  (global ``DefaultNetstreamDriverCRLFile``, imtcp ``streamDriver.CRLFile``); 8.2204.0 (Amazon Linux 2023) and
  8.2302.0 (Debian 12) have none (runtime/nsd_ossl.c and nsd_gtls.c only define an unused ``CRLFILE``), so a revoked
  client would get in. Such a host gets stunnel (``CRLfile``), and an override that puts rsyslog there is refused;
* anon on a sound rsyslog keeps the manual procedure's configuration: imtcp with the ossl driver;
* the overrides: ``driver`` (ossl or gtls: rsyslog terminates TLS with that driver), ``mtls_frontend`` and
  ``anon_frontend`` (rsyslog or stunnel). An override that would put an unsound rsyslog on the port is refused,
  with the reason and the fix; so is ossl with x509/name before 8.2602.0 unless ``accept_ossl_bypass``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

#: First release whose imtcp TLS loop does not spin on an idle or stalled client (commit 6ffc14fd4).
TCPSRV_FIXED = "8.2206.0"
#: First release whose ossl driver enforces PermittedPeer on every connection (rsyslog #6350, commit 73aec9305).
OSSL_PEERS_FIXED = "8.2602.0"
#: First release whose TLS drivers read a CRL (imtcp streamDriver.CRLFile: "Introduced 8.2308.0" in its docs).
CRL_FIXED = "8.2308.0"

AUTH_MODES = ("anon", "x509/name")
DRIVERS = ("auto", "ossl", "gtls")
FRONTENDS = ("auto", "rsyslog", "stunnel")

_SPIN = (
    "rsyslog {v} < " + TCPSRV_FIXED + ": its TLS input spins at 100 % CPU and stops receiving while one client idles "
    "after its handshake (amazon-linux-2023 #845, fixed upstream in " + TCPSRV_FIXED + ")"
)
_NO_CRL = (
    "rsyslog {v} < " + CRL_FIXED + ": its TLS drivers read no certificate revocation list (streamDriver.CRLFile "
    "came in " + CRL_FIXED + "), so a revoked client certificate would be accepted"
)
_BYPASS = (
    "its ossl driver before " + OSSL_PEERS_FIXED + " lets a same-CA certificate with a name not on the list through "
    "(rsyslog #6350)"
)


def _version_tuple(version):
    """'8.2204.0' -> (8, 2204, 0); None for 'unknown', '' or anything that is not a dotted number."""
    if not isinstance(version, str) or not re.match(r"^[0-9]+(\.[0-9]+)*$", version):
        return None
    return tuple(int(p) for p in version.split("."))


def _at_least(version, fixed):
    have = _version_tuple(version)
    return have is not None and have >= _version_tuple(fixed)


def _result(frontend, driver, why, refusal="", warning=""):
    return {
        "frontend": frontend,
        "driver": driver if frontend == "rsyslog" else "",
        "why": why,
        "refusal": refusal,
        "warning": warning,
    }


def tls_frontend(
    auth_mode,
    rsyslog_version,
    gtls_installable=False,
    driver="auto",
    mtls_frontend="auto",
    anon_frontend="auto",
    accept_ossl_bypass=False,
    gtls_package="rsyslog-gnutls",
    crl=False,
):
    """Return {frontend: rsyslog|stunnel, driver: ossl|gtls|'' (stunnel), why: text, refusal: '' or text,
    warning: '' or the risk an override accepted}.

    ``rsyslog_version`` is the installed version ('unknown' before it is installed: then nothing about rsyslog's TLS
    is trusted). ``gtls_installable``: the gtls driver package is installed or the package manager can install it.
    ``crl``: a CRL is configured (rsyslog_tls_crl_file; only x509/name reads it).
    """
    choice = _choose(auth_mode, rsyslog_version, gtls_installable, driver, mtls_frontend, anon_frontend,
                     accept_ossl_bypass, gtls_package)  # fmt: skip
    if not crl or auth_mode != "x509/name" or choice["frontend"] != "rsyslog" or choice["refusal"]:
        return choice
    version = rsyslog_version if _version_tuple(rsyslog_version) else "unknown"
    if _at_least(version, CRL_FIXED):
        choice["why"] += "; its driver reads the CRL (streamDriver.CRLFile, rsyslog >= %s)" % CRL_FIXED
        return choice
    no_crl = _NO_CRL.format(v=version)
    forced = driver != "auto" or mtls_frontend == "rsyslog"
    if not forced:
        return _result("stunnel", "", "%s; stunnel checks the CRL (CRLfile)" % no_crl)
    what = ("rsyslog_tls_driver=%s" % driver) if driver != "auto" else "rsyslog_tls_mtls_frontend=rsyslog"
    return _result(
        choice["frontend"],
        choice["driver"],
        choice["why"],
        "%s with rsyslog_tls_crl_file on rsyslog %s: %s. Use rsyslog_tls_mtls_frontend=auto and "
        "rsyslog_tls_driver=auto (stunnel terminates mutual TLS and checks the CRL), upgrade rsyslog to %s or later, "
        "or leave rsyslog_tls_crl_file empty. No configuration was changed." % (what, version, no_crl, CRL_FIXED),
    )


def _choose(auth_mode, rsyslog_version, gtls_installable, driver, mtls_frontend, anon_frontend, accept_ossl_bypass,
            gtls_package):  # fmt: skip
    """The choice without a CRL."""
    if auth_mode not in AUTH_MODES:
        raise ValueError("auth_mode must be one of %s, not %r" % (", ".join(AUTH_MODES), auth_mode))
    if driver not in DRIVERS:
        raise ValueError("driver must be one of %s, not %r" % (", ".join(DRIVERS), driver))
    for name, value in (("mtls_frontend", mtls_frontend), ("anon_frontend", anon_frontend)):
        if value not in FRONTENDS:
            raise ValueError("%s must be one of %s, not %r" % (name, ", ".join(FRONTENDS), value))

    version = rsyslog_version if _version_tuple(rsyslog_version) else "unknown"
    loop_sound = _at_least(version, TCPSRV_FIXED)
    spin = _SPIN.format(v=version)
    override = anon_frontend if auth_mode == "anon" else mtls_frontend
    override_name = "rsyslog_tls_anon_frontend" if auth_mode == "anon" else "rsyslog_tls_mtls_frontend"

    if override == "stunnel":
        return _result("stunnel", "", "%s=stunnel" % override_name)

    forced = override == "rsyslog" or driver != "auto"
    if not loop_sound:
        why = "%s; stunnel terminates TLS and rsyslog reads plain TCP on 127.0.0.1" % spin
        if not forced:
            return _result("stunnel", "", why)
        what = ("rsyslog_tls_driver=%s" % driver) if driver != "auto" else "%s=rsyslog" % override_name
        return _result(
            "rsyslog",
            driver if driver != "auto" else "ossl",
            why,
            "%s on rsyslog %s: %s. Use %s=auto and rsyslog_tls_driver=auto (stunnel terminates TLS), or "
            "upgrade rsyslog to %s or later. No configuration was changed."
            % (what, version, spin, override_name, TCPSRV_FIXED),
        )

    if auth_mode == "anon":
        chosen = driver if driver != "auto" else "ossl"
        if driver != "auto":
            return _result("rsyslog", chosen, "rsyslog_tls_driver=%s was set" % driver)
        why = "anon on rsyslog %s: rsyslog's ossl listener, as the manual procedure" % version
        return _result("rsyslog", "ossl", why)

    # x509/name on an rsyslog whose TLS loop holds: who enforces the permitted names?
    ossl_enforces = _at_least(version, OSSL_PEERS_FIXED)
    if driver != "auto":
        why = "rsyslog_tls_driver=%s was set" % driver
        if driver == "ossl" and not ossl_enforces and not accept_ossl_bypass:
            return _result(
                "rsyslog",
                "ossl",
                why,
                "rsyslog_tls_driver=ossl with auth mode x509/name on rsyslog %s: %s; a client with a certificate of "
                "the trusted CA but a name not on the list gets its messages written on a share of its connections, "
                "and nothing is logged about it. Use rsyslog_tls_driver=auto (gtls where it can be installed, else the "
                "stunnel front end), upgrade rsyslog, or set rsyslog_tls_accept_ossl_permittedpeer_bypass=true to "
                "accept that risk. No configuration was changed." % (version, _BYPASS),
            )
        if driver == "ossl" and not ossl_enforces:
            return _result(
                "rsyslog",
                "ossl",
                why,
                warning="%s; accepted through rsyslog_tls_accept_ossl_permittedpeer_bypass" % _BYPASS,
            )
        return _result("rsyslog", driver, why)
    if ossl_enforces:
        why = "rsyslog %s >= %s: its ossl driver enforces PermittedPeer" % (version, OSSL_PEERS_FIXED)
        return _result("rsyslog", "ossl", why)
    if gtls_installable:
        return _result("rsyslog", "gtls", "%s can be installed: the gtls driver enforces PermittedPeer" % gtls_package)
    why = "rsyslog %s: %s, and %s cannot be installed (as on Amazon Linux 2023)" % (version, _BYPASS, gtls_package)
    if mtls_frontend == "rsyslog":
        return _result(
            "rsyslog",
            "ossl",
            why,
            "rsyslog_tls_mtls_frontend=rsyslog on rsyslog %s: this host's rsyslog cannot enforce PermittedPeer. %s "
            "cannot be installed (Amazon Linux 2023 does not ship it), and %s. Use rsyslog_tls_mtls_frontend=auto or "
            "stunnel (stunnel terminates mutual TLS and checks the names), or upgrade rsyslog. No configuration was "
            "changed." % (version, gtls_package, _BYPASS),
        )
    return _result("stunnel", "", why)
