"""What a receiver runs, as the playbooks read it: the role's local fact, or, on a receiver configured before the role
wrote it, the same keys from its listener file. Table of listener files of every shape the role wrote."""

import pytest

from ansible_collections.netattest.tls_syslog.plugins.filter.receiver_state import _receiver_state

STUNNEL_MTLS = """# Managed by Ansible (netattest.tls_syslog.rsyslog_tls): TLS syslog receiver for Soliton OneGate.
# rsyslog_tls: auth_mode=x509/name front_end=stunnel (read by site.yml, which keeps the mode)
# Auth mode x509/name: TLS on port 16514 is terminated by stunnel, not by rsyslog:
#   config /etc/stunnel/netattest-tls-syslog/stunnel.conf, unit netattest-tls-syslog-stunnel.service.
# Why: rsyslog 8.2204.0 < 8.2206.0: its TLS input spins (amazon-linux-2023 #845).
module(load="imtcp" MaxSessions="2000")
input(type="imtcp" port="10514" address="127.0.0.1" ruleset="netattest_remote")
"""
RSYSLOG_ANON = """# rsyslog_tls: auth_mode=anon front_end=rsyslog (read by site.yml, which keeps the mode)
# Auth mode anon, stream driver ossl, TLS 1.2 minimum
# Why: rsyslog 8.2302.0: its own TLS holds.
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.Authmode="anon")
input(type="imtcp" port="6514" ruleset="netattest_remote")
"""
# An older role: no record line, no reason.
OLD_MTLS = """module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.Authmode="x509/name"
       PermittedPeer=["aws-syslog","other"])
input(type="imtcp" port="6514")
"""

CASES = [
    ("stunnel x509/name", STUNNEL_MTLS, {"auth_mode": "x509/name", "front_end": "stunnel", "driver": "", "port": 16514,
     "front_end_why": "rsyslog 8.2204.0 < 8.2206.0: its TLS input spins (amazon-linux-2023 #845)",
     "permitted_peers": []}),
    ("rsyslog anon", RSYSLOG_ANON, {"auth_mode": "anon", "front_end": "rsyslog", "driver": "ossl", "port": 6514,
     "front_end_why": "rsyslog 8.2302.0: its own TLS holds"}),
    ("older role, x509/name", OLD_MTLS, {"auth_mode": "x509/name", "front_end": "rsyslog", "driver": "gtls",
     "port": 6514, "front_end_why": "", "permitted_peers": ["aws-syslog", "other"]}),
]  # fmt: skip


@pytest.mark.parametrize(("conf", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_from_the_listener_file(conf, want):
    state = _receiver_state({}, conf=conf, settings={"log_dir": "/srv/efs/", "log_file": "og.log"})
    assert {k: state[k] for k in want} == want
    assert state["source"] == "config"
    assert state["log_files"] == {"onegate": "/srv/efs/og.log", "verify": "/srv/efs/verify.log"}
    assert state["tls_files"]["key"] == "/etc/rsyslog.d/tls/server.key"


def test_the_fact_wins_over_the_file():
    fact = {"auth_mode": "anon", "front_end": "stunnel", "port": 6514}
    assert _receiver_state({"netattest_tls_syslog": fact}, conf=STUNNEL_MTLS) == dict(fact, source="fact")


def test_not_configured():
    assert _receiver_state({}, conf="") == {}
    assert _receiver_state({"other_fact": {}}) == {}


def test_defaults_without_settings():
    state = _receiver_state({}, conf=RSYSLOG_ANON)
    assert state["log_files"]["onegate"] == "/mnt/efs/fs1/local0.log"
