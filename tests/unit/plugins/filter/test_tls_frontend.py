"""The TLS front-end decision (plugins/plugin_utils/_tls_frontend.py), through the filter as the role loads it: every
row of the decision in one table, Amazon Linux 2023's rows first."""

import importlib

import pytest
from ansible.errors import AnsibleFilterError


def choose(auth_mode, **kwargs):
    plugin = importlib.import_module("ansible_collections.netattest.tls_syslog.plugins.filter.tls_frontend")
    return plugin.FilterModule().filters()["tls_frontend"](auth_mode, **kwargs)


AL2023 = "8.2204.0"  # Amazon Linux 2023's rsyslog; no rsyslog-gnutls there
DEBIAN12 = "8.2302.0"

# (auth mode, rsyslog version, gtls installable, overrides) -> (front end, driver, a phrase of why, refused?)
TABLE = [
    # Amazon Linux 2023: stunnel in both modes, whatever gtls says (the spin is in imtcp's TLS loop)
    ("anon", AL2023, False, {}, "stunnel", "", "#845", False),
    ("x509/name", AL2023, False, {}, "stunnel", "", "#845", False),
    ("x509/name", AL2023, True, {}, "stunnel", "", "#845", False),
    # rsyslog not installed yet (check mode on a fresh host): nothing about its TLS is trusted
    ("anon", "unknown", False, {}, "stunnel", "", "rsyslog unknown", False),
    ("anon", "", False, {}, "stunnel", "", "rsyslog unknown", False),
    # the boundary of the tcpsrv fix
    ("anon", "8.2205.0", False, {}, "stunnel", "", "8.2206.0", False),
    ("anon", "8.2206.0", False, {}, "rsyslog", "ossl", "manual procedure", False),
    # Debian 12: the manual procedure's ossl for anon, gtls for mutual TLS, stunnel where gtls is pinned away
    ("anon", DEBIAN12, False, {}, "rsyslog", "ossl", "manual procedure", False),
    ("anon", DEBIAN12, True, {}, "rsyslog", "ossl", "manual procedure", False),
    ("x509/name", DEBIAN12, True, {}, "rsyslog", "gtls", "gtls driver enforces", False),
    ("x509/name", DEBIAN12, False, {}, "stunnel", "", "#6350", False),
    # ossl enforces the names from 8.2602.0
    ("x509/name", "8.2602.0", False, {}, "rsyslog", "ossl", "enforces PermittedPeer", False),
    ("x509/name", "8.2602.0", True, {}, "rsyslog", "ossl", "enforces PermittedPeer", False),
    # stunnel asked for: always stunnel
    ("anon", DEBIAN12, True, {"anon_frontend": "stunnel"}, "stunnel", "", "rsyslog_tls_anon_frontend=stunnel", False),
    ("x509/name", "8.2602.0", True, {"mtls_frontend": "stunnel"}, "stunnel", "", "mtls_frontend=stunnel", False),
    ("anon", DEBIAN12, True, {"mtls_frontend": "stunnel"}, "rsyslog", "ossl", "manual procedure", False),
    # rsyslog asked for where it holds
    ("anon", DEBIAN12, False, {"anon_frontend": "rsyslog"}, "rsyslog", "ossl", "manual procedure", False),
    ("x509/name", DEBIAN12, True, {"mtls_frontend": "rsyslog"}, "rsyslog", "gtls", "gtls driver enforces", False),
    ("x509/name", DEBIAN12, False, {"driver": "gtls"}, "rsyslog", "gtls", "rsyslog_tls_driver=gtls", False),
    ("anon", DEBIAN12, False, {"driver": "gtls"}, "rsyslog", "gtls", "rsyslog_tls_driver=gtls", False),
    ("x509/name", DEBIAN12, False, {"driver": "ossl", "accept_ossl_bypass": True}, "rsyslog", "ossl", "driver=ossl",
     False),
    # rsyslog asked for where it does not hold: refused, with the reason
    ("anon", AL2023, False, {"anon_frontend": "rsyslog"}, "rsyslog", "ossl", "#845", True),
    ("anon", AL2023, False, {"driver": "ossl"}, "rsyslog", "ossl", "#845", True),
    ("x509/name", AL2023, False, {"mtls_frontend": "rsyslog"}, "rsyslog", "ossl", "#845", True),
    ("x509/name", AL2023, True, {"driver": "gtls"}, "rsyslog", "gtls", "#845", True),
    ("x509/name", DEBIAN12, False, {"mtls_frontend": "rsyslog"}, "rsyslog", "ossl", "#6350", True),
    ("x509/name", DEBIAN12, True, {"driver": "ossl"}, "rsyslog", "ossl", "driver=ossl", True),
    # a CRL (rsyslog_tls_crl_file): rsyslog's drivers read one from 8.2308.0; before, stunnel (CRLfile) or a refusal
    ("x509/name", AL2023, False, {"crl": True}, "stunnel", "", "#845", False),
    ("x509/name", DEBIAN12, True, {"crl": True}, "stunnel", "", "read no certificate revocation list", False),
    ("x509/name", DEBIAN12, False, {"crl": True}, "stunnel", "", "#6350", False),
    ("x509/name", "8.2307.0", True, {"crl": True}, "stunnel", "", "8.2308.0", False),
    ("x509/name", "8.2308.0", True, {"crl": True}, "rsyslog", "gtls", "reads the CRL", False),
    ("x509/name", "8.2602.0", False, {"crl": True}, "rsyslog", "ossl", "reads the CRL", False),
    ("x509/name", "8.2602.0", False, {"crl": True, "mtls_frontend": "stunnel"}, "stunnel", "", "mtls_frontend=stunnel",
     False),
    ("anon", DEBIAN12, False, {"crl": True}, "rsyslog", "ossl", "manual procedure", False),  # no client certificates
    ("x509/name", DEBIAN12, True, {"crl": True, "mtls_frontend": "rsyslog"}, "rsyslog", "gtls", "gtls driver enforces",
     True),
    ("x509/name", DEBIAN12, False, {"crl": True, "driver": "gtls"}, "rsyslog", "gtls", "rsyslog_tls_driver=gtls", True),
    ("x509/name", DEBIAN12, False, {"crl": True, "driver": "ossl", "accept_ossl_bypass": True}, "rsyslog", "ossl",
     "driver=ossl", True),
    ("x509/name", AL2023, True, {"crl": True, "mtls_frontend": "rsyslog"}, "rsyslog", "ossl", "#845", True),
]  # fmt: skip


@pytest.mark.parametrize("mode,version,gtls,overrides,frontend,driver,why,refused", TABLE)
def test_every_row(mode, version, gtls, overrides, frontend, driver, why, refused):
    got = choose(mode, rsyslog_version=version, gtls_installable=gtls, **overrides)
    assert (got["frontend"], got["driver"]) == (frontend, driver)
    assert why in got["why"]
    assert bool(got["refusal"]) is refused
    if refused:
        assert "No configuration was changed" in got["refusal"]
        assert "=auto" in got["refusal"]  # the fix is named


def test_the_refusals_cite_their_issue():
    assert "#845" in choose("anon", rsyslog_version=AL2023, anon_frontend="rsyslog")["refusal"]
    assert "#6350" in choose("x509/name", rsyslog_version=DEBIAN12, mtls_frontend="rsyslog")["refusal"]
    refused = choose("x509/name", rsyslog_version=DEBIAN12, mtls_frontend="rsyslog")["refusal"]
    assert "rsyslog-gnutls cannot be installed" in refused


@pytest.mark.parametrize(
    "mode,kwargs",
    [
        ("x509", {}),
        ("anon", {"driver": "openssl"}),
        ("anon", {"mtls_frontend": "nginx"}),
        ("anon", {"anon_frontend": ""}),
    ],
)
def test_unknown_values_are_errors(mode, kwargs):
    with pytest.raises(AnsibleFilterError, match=r"tls_frontend: .* must be one of"):
        choose(mode, rsyslog_version=DEBIAN12, **kwargs)


def test_a_crl_refusal_names_its_reason_and_the_fixes():
    refused = choose("x509/name", rsyslog_version=DEBIAN12, gtls_installable=True, mtls_frontend="rsyslog", crl=True)
    assert "read no certificate revocation list" in refused["refusal"]
    assert "leave rsyslog_tls_crl_file empty" in refused["refusal"]
    assert "8.2308.0 or later" in refused["refusal"]


def test_an_accepted_risk_is_written_down():
    accepted = choose("x509/name", rsyslog_version=DEBIAN12, driver="ossl", accept_ossl_bypass=True)
    assert "#6350" in accepted["warning"] and not accepted["refusal"]
    assert choose("x509/name", rsyslog_version="8.2602.0", driver="ossl", accept_ossl_bypass=True)["warning"] == ""
    assert choose("x509/name", rsyslog_version=DEBIAN12, gtls_installable=True)["warning"] == ""
