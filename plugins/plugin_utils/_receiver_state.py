# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a receiver runs, as the playbooks read it: the rsyslog_tls role's local fact (netattest_tls_syslog), or, on a
receiver configured before the role wrote that fact, the same answer read from its listener file (80-Syslogtls.conf).
Used by the receiver_state filter only (controller side, hence plugin_utils).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import (
    LOG_DIR,
    LOG_FILE,
    PORT,
    TLS_DIR,
    VERIFY_LOG_FILE,
)

FACT = "netattest_tls_syslog"
# The role's record line (every version that wrote one), and its reason line.
_MARK = re.compile(r"(?m)^# rsyslog_tls: auth_mode=(\S+) front_end=([a-z]+)")
_WHY = re.compile(r"(?m)^# Why: (.*?)\.?$")
_STUNNEL_PORT = re.compile(r"(?m)^# Auth mode \S+: TLS on port (\d+) is terminated by stunnel")
_IMTCP_PORT = re.compile(r'(?m)^input\(type="imtcp" port="(\d+)"')
_DRIVER = re.compile(r'(?m)StreamDriver[.]Name="([a-z]+)"')
_PEER = re.compile(r"PermittedPeer=\[([^\]]*)\]")


def from_conf(conf, settings=None):
    """The state a receiver configured before the local fact existed runs, read from its 80-Syslogtls.conf text
    (``{}`` when there is none). Paths the file does not name come from ``settings`` (the playbooks' receiver
    settings: log_dir, log_file), else the collection's defaults."""
    if not conf:
        return {}
    settings = settings or {}
    mark = _MARK.search(conf)
    if mark:
        auth_mode, front_end = mark.group(1), mark.group(2)
    else:  # before the record line: rsyslog's own TLS, its mode in StreamDriver.Authmode
        auth_mode = "x509/name" if 'StreamDriver.Authmode="x509/name"' in conf else "anon"
        front_end = "rsyslog"
    why = _WHY.search(conf)
    port = _STUNNEL_PORT.search(conf) if front_end == "stunnel" else _IMTCP_PORT.search(conf)
    driver = _DRIVER.search(conf) if front_end == "rsyslog" else None
    peers = _PEER.search(conf)
    log_dir = str(settings.get("log_dir") or LOG_DIR).rstrip("/")
    return {
        "auth_mode": auth_mode,
        "permitted_peers": re.findall(r'"([^"]*)"', peers.group(1)) if peers else [],
        "front_end": front_end,
        "front_end_why": why.group(1) if why else "",
        "driver": driver.group(1) if driver else "",
        "port": int(port.group(1)) if port else int(settings.get("port") or PORT),
        "tls_files": {"ca": TLS_DIR + "/ca.cer", "cert": TLS_DIR + "/server.cer", "key": TLS_DIR + "/server.key"},
        "log_dir": log_dir,
        "log_files": {
            "onegate": log_dir + "/" + str(settings.get("log_file") or LOG_FILE),
            "verify": log_dir + "/" + VERIFY_LOG_FILE,
        },
    }


def receiver_state(local_facts, conf=None, settings=None):
    """The receiver's state: the role's local fact when the host has it (``local_facts``: ansible_local), else what
    its listener file ``conf`` says (``from_conf``), else ``{}`` (not configured yet). ``source`` says which."""
    fact = (local_facts or {}).get(FACT)
    if isinstance(fact, dict) and fact.get("auth_mode"):
        return dict(fact, source="fact")
    state = from_conf(conf, settings)
    if state:
        state["source"] = "config"
    return state
