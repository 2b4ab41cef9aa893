# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The receiver's settings, each stated once: its defaults, and which role variables carry each one.

Private to the collection. The playbooks take one set of tls_syslog_* values (port, log directory and file, permitted
peers, auth mode) and map them onto the roles' own variables (playbooks/tasks/receiver_settings.yml, through the
filter receiver_settings), so that the security group, the listener, the proof, the summary and the report cannot
disagree. The roles' defaults read the same values (the filter receiver_default), and so do syslog_send and
sg_ingress_rules. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# TLS syslog (RFC 5425).
PORT = 6514
# The EFS mount, where the received messages are written.
LOG_DIR = "/mnt/efs/fs1"
LOG_FILE = "local0.log"
# The delivery proof's records (tag tls-syslog-verify), next to LOG_FILE; and the receiver's TLS files.
VERIFY_LOG_FILE = "verify.log"
TLS_DIR = "/etc/rsyslog.d/tls"
# The client certificate name the manual procedure issues for OneGate.
PERMITTED_PEERS = ("aws-syslog",)
AUTH_MODES = ("anon", "x509/name")

DEFAULTS = {
    "port": PORT,
    "log_dir": LOG_DIR,
    "log_file": LOG_FILE,
    "permitted_peers": list(PERMITTED_PEERS),
    # None: keep the mode the receiver runs (site.yml), anon on a new receiver.
    "auth_mode": None,
}

#: setting -> the role variables that carry it (the playbooks set them all from the one value).
ROLE_VARIABLES = {
    "port": ("aws_infra_syslog_port", "rsyslog_tls_port", "prove_delivery_port"),
    "log_dir": ("rsyslog_tls_log_dir", "aws_infra_efs_mount_point"),
    "log_file": ("rsyslog_tls_log_file",),
    "permitted_peers": ("rsyslog_tls_permitted_peers",),
    "auth_mode": ("rsyslog_tls_auth_mode",),
}

SETTINGS = tuple(DEFAULTS)


def playbook_variable(setting):
    return "tls_syslog_" + setting


#: Every variable the resolution reads: the tls_syslog_* ones first, then the roles'.
VARIABLES = tuple(playbook_variable(s) for s in SETTINGS) + tuple(v for s in SETTINGS for v in ROLE_VARIABLES[s])


def _port(value):
    try:
        port = int(str(value).strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ValueError("must be a TCP port number (1-65535), not %r" % (value,))
    return port


def _log_dir(value):
    text = str(value).strip()
    if not text.startswith("/") or text.rstrip("/") == "":
        raise ValueError("must be an absolute directory path (not /), not %r" % (value,))
    return text.rstrip("/")


def _log_file(value):
    text = str(value).strip()
    if not text or "/" in text:
        raise ValueError("must be a file name without a directory, not %r" % (value,))
    return text


def _peers(value):
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError("must be a list of names, e.g. [aws-syslog], not %r" % (value,))
    return [str(name) for name in value]


def _auth_mode(value):
    if value not in AUTH_MODES:
        raise ValueError("must be anon or x509/name, not %r" % (value,))
    return value


NORMALIZE = {"port": _port, "log_dir": _log_dir, "log_file": _log_file, "permitted_peers": _peers,
             "auth_mode": _auth_mode}  # fmt: skip


def receiver_default(setting):
    """The collection's default for ``setting`` (the roles' defaults read it)."""
    if setting not in DEFAULTS:
        raise ValueError("unknown receiver setting %r; expected one of %s" % (setting, ", ".join(SETTINGS)))
    value = DEFAULTS[setting]
    return list(value) if isinstance(value, list) else value


def _given(variables, setting):
    """[(name, normalized value)] of the variables set for ``setting`` (the tls_syslog_* one first)."""
    out = []
    for name in (playbook_variable(setting),) + ROLE_VARIABLES[setting]:
        if name not in variables or variables[name] is None:
            continue
        value = variables[name]
        if setting == "auth_mode" and value == "" and name == playbook_variable(setting):
            continue  # tls_syslog_auth_mode='' is "keep the receiver's mode"
        if setting == "permitted_peers" and name == "rsyslog_tls_permitted_peers" and value == []:
            continue  # the role's anon form ([] in anon mode), not a list of names
        try:
            out.append((name, NORMALIZE[setting](value)))
        except ValueError as exc:
            raise ValueError("%s %s" % (name, exc)) from None
    return out


def receiver_settings(variables, controller=None):
    """One value per setting from the variables the user set (``variables``: a mapping such as a host's hostvars,
    holding only what the user set, never the roles' defaults).

    A setting comes from tls_syslog_<setting>, else from the one role variable set for it (followed everywhere),
    else from the default. Two variables of one setting set to different values are refused: ValueError naming both,
    raised before anything changes. ``controller``: the settings already resolved on the controller (site.yml's
    first play, which opened the security group); a port or log directory that differs from them is refused too.
    """
    out = {}
    problems = []
    for setting in SETTINGS:
        try:
            given = _given(variables, setting)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        values = []
        for _name, value in given:
            if value not in values:
                values.append(value)
        if len(values) > 1:
            problems.append(
                "%s: they are one setting of the receiver and must not differ. Set only %s (the playbooks map it "
                "onto %s)"
                % (" but ".join("%s is %r" % (name, value) for name, value in given), playbook_variable(setting),
                   ", ".join(ROLE_VARIABLES[setting]))
            )  # fmt: skip
            continue
        out[setting] = values[0] if values else receiver_default(setting)
    for setting in ("port", "log_dir"):
        if controller and setting in out and setting in controller and controller[setting] != out[setting]:
            problems.append(
                "the receiver's %s is %r but the controller's (the AWS resources made for it) is %r: set %s for both "
                "(e.g. in group_vars/all)" % (setting, out[setting], controller[setting], playbook_variable(setting))
            )
    if problems:
        raise ValueError("; ".join(problems) + ". Nothing was changed.")
    out["log_path"] = out["log_dir"] + "/" + out["log_file"]
    return out
