# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OneGate's forwarded log kinds, in one table: the kind's name (syslog_send's O(kind)), the log_type OneGate writes,
its message and params, whether it is a login (its params carry username, ip_address, user_agent: the report counts
them), the label of OneGate's forwarding form (転送するログ) in Japanese and English, and the message of a failed
login (benchmarks/report.py writes some).

Private to the collection. Used by _onegate_payloads (the payloads), syslog_send (its choices), the report's login
kinds (_log_report), verify.yml and summary.yml (the filter onegate_kinds), the local pipeline and the benchmarks.
Only the administrator login code (IM-605-I-001000) is taken from a real OneGate line (the sample line quoted in
docs/procedure.md); the other codes follow its pattern and are illustrative. Addresses are documentation addresses
(RFC 5737). Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

Kind = namedtuple("Kind", "kind log_type message params login label_ja label_en failure_message")


def _admin_login(ip, user, n):
    return {"code": "IM-605-I-001000", "ip_address": ip, "user_agent": USER_AGENT, "username": "admin"}


def _user_login(ip, user, n):
    return {"code": "IM-605-I-002000", "ip_address": ip, "user_agent": USER_AGENT, "username": user,
            "authentication": "password+certificate"}  # fmt: skip


def _sso_access(ip, user, n):
    return {"code": "IM-610-I-001000", "ip_address": ip, "user_agent": USER_AGENT, "username": user,
            "service_name": "Microsoft 365", "sp_entity_id": "urn:federation:MicrosoftOnline",
            "protocol": "SAML2.0"}  # fmt: skip


def _cert_issue(ip, user, n):
    return {"code": "IM-620-I-001000", "username": user, "subject": "CN=%s" % user, "issuer": "CN=OneGate CA",
            "serial_number": "%032X" % (0x5F3A0000 + n), "not_after": "2026-01-15T07:25:36+00:00",
            "device": "Windows"}  # fmt: skip


def _sync(ip, user, n):
    return {"code": "IM-630-I-001000", "source": "Microsoft Entra ID", "added": 2, "updated": 5, "deleted": 0,
            "result": "success"}  # fmt: skip


#: The five kinds OneGate forwards, in the order of its forwarding form.
TABLE = (
    Kind("admin_login", "login_manager", "Successfully logged in.", _admin_login, True,
         "管理者ログイン", "administrator login", "Login failed."),
    Kind("user_login", "login_user", "Successfully logged in.", _user_login, True,
         "利用者ログイン", "user login", "Login failed."),
    Kind("sso_access", "sso_access", "SSO access succeeded.", _sso_access, True,
         "SSOアクセスログ", "SSO access", None),
    Kind("cert_issue", "certificate", "Certificate issued.", _cert_issue, False,
         "証明書発行ログ", "certificate issuance", None),
    Kind("sync", "sync", "Synchronization completed.", _sync, False,
         "同期実行ログ", "sync runs", None),
)  # fmt: skip

BY_KIND = {k.kind: k for k in TABLE}
KINDS = tuple(k.kind for k in TABLE)
#: log_type values whose params carry username / ip_address / user_agent (the report's login kinds).
LOGIN_LOG_TYPES = tuple(k.log_type for k in TABLE if k.login)


def params(kind, index=0):
    """Realistic params of ``kind`` (one of KINDS); ``index`` varies user and address."""
    ip = "203.0.113.%d" % (10 + index % 200)
    user = "user%02d" % (1 + index % 99)
    return BY_KIND[kind].params(ip, user, index + 1)


def table():
    """The table without its params builders, and each kind's form label in both languages (label): a list of
    dicts (the onegate_kinds filter)."""
    rows = []
    for k in TABLE:
        row = {f: getattr(k, f) for f in Kind._fields if f != "params"}
        row["label"] = "%s (%s)" % (k.label_ja, k.label_en)
        rows.append(row)
    return rows
