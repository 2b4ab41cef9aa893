# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON payloads that Soliton OneGate forwards, for the five kinds a test or a benchmark sends.

Private to the collection. Fields as OneGate writes them (documented in docs/procedure.md): log_type, log_level,
tenantcode, message, params{...}, timestamp. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netattest.tls_syslog.plugins.module_utils._rfc5424 import rfc3339, utcnow
from ansible_collections.netattest.tls_syslog.plugins.module_utils._syslog_errors import SyslogSendError

# log_level as OneGate writes it (upper case), per syslog severity.
LOG_LEVELS = {
    "emerg": "FATAL",
    "alert": "FATAL",
    "crit": "FATAL",
    "err": "ERROR",
    "warning": "WARN",
    "notice": "INFO",
    "info": "INFO",
    "debug": "DEBUG",
}

KINDS = ("admin_login", "user_login", "sso_access", "cert_issue", "sync")

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def _params(kind, index):
    """Realistic params for each kind. Addresses are documentation addresses (RFC 5737).

    Only the administrator login code (IM-605-I-001000) is taken from a real OneGate line
    (the sample line quoted in docs/procedure.md); the other codes follow its pattern and are illustrative.
    """
    n = index + 1
    ip = "203.0.113.%d" % (10 + index % 200)
    user = "user%02d" % (1 + index % 99)
    if kind == "admin_login":
        return (
            "login_manager",
            "Successfully logged in.",
            {"code": "IM-605-I-001000", "ip_address": ip, "user_agent": USER_AGENT, "username": "admin"},
        )
    if kind == "user_login":
        return (
            "login_user",
            "Successfully logged in.",
            {
                "code": "IM-605-I-002000",
                "ip_address": ip,
                "user_agent": USER_AGENT,
                "username": user,
                "authentication": "password+certificate",
            },
        )
    if kind == "sso_access":
        return (
            "sso_access",
            "SSO access succeeded.",
            {
                "code": "IM-610-I-001000",
                "ip_address": ip,
                "user_agent": USER_AGENT,
                "username": user,
                "service_name": "Microsoft 365",
                "sp_entity_id": "urn:federation:MicrosoftOnline",
                "protocol": "SAML2.0",
            },
        )
    if kind == "cert_issue":
        return (
            "certificate",
            "Certificate issued.",
            {
                "code": "IM-620-I-001000",
                "username": user,
                "subject": "CN=%s" % user,
                "issuer": "CN=OneGate CA",
                "serial_number": "%032X" % (0x5F3A0000 + n),
                "not_after": "2026-01-15T07:25:36+00:00",
                "device": "Windows",
            },
        )
    if kind == "sync":
        return (
            "sync",
            "Synchronization completed.",
            {
                "code": "IM-630-I-001000",
                "source": "Microsoft Entra ID",
                "added": 2,
                "updated": 5,
                "deleted": 0,
                "result": "success",
            },
        )
    raise SyslogSendError("unknown kind %r; expected one of %s" % (kind, ", ".join(KINDS)))


def kind_payload(kind, now=None, index=0, tenantcode="tenant01", severity="info"):
    """A OneGate-shaped payload (a dict) for one of ``KINDS``; ``index`` varies user and address."""
    now = now or utcnow()
    log_type, message, params = _params(kind, index)
    return {
        "log_type": log_type,
        "log_level": LOG_LEVELS.get(severity, "INFO"),
        "tenantcode": tenantcode,
        "message": message,
        "params": params,
        "timestamp": rfc3339(now, millis=True),
    }


def merge(base, extra):
    """Deep-merge ``extra`` into a copy of ``base`` (dicts merge, anything else replaces)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def to_json(obj):
    """Compact JSON, UTF-8 text kept as is (OneGate writes Japanese as UTF-8)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def build_payload(message=None, kind=None, fields=None, now=None, index=0, severity="info", sequence_field=None):
    """The MSG part: ``message`` (text, or a dict as compact JSON) or a ``kind`` payload.

    ``fields`` are merged into the JSON object; ``sequence_field`` adds the 1-based message
    number under that key. Both need a JSON object: a text message that is not one is refused.
    """
    if (message is None) == (kind is None):
        raise SyslogSendError("give exactly one of message and kind")
    extra = dict(fields or {})
    if sequence_field:
        extra[sequence_field] = index + 1
    if kind is not None:
        obj = kind_payload(kind, now=now, index=index, severity=severity)
    elif isinstance(message, dict):
        obj = message
    else:
        text = str(message)
        if not extra:
            return text
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            raise SyslogSendError("fields and sequence_field need a JSON object message (a dict or a kind)")
    return to_json(merge(obj, extra))
