# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON payloads that Soliton OneGate forwards, for the five kinds a test or a benchmark sends (the kinds: the
one table in _onegate_kinds).

Private to the collection. Fields as OneGate writes them (documented in docs/procedure.md): log_type, log_level,
tenantcode, message, params{...}, timestamp. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_kinds
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

KINDS = _onegate_kinds.KINDS
USER_AGENT = _onegate_kinds.USER_AGENT


def _params(kind, index):
    """(log_type, message, params) of ``kind``, from the one table of kinds (_onegate_kinds)."""
    if kind not in _onegate_kinds.BY_KIND:
        raise SyslogSendError("unknown kind %r; expected one of %s" % (kind, ", ".join(KINDS)))
    row = _onegate_kinds.BY_KIND[kind]
    return row.log_type, row.message, _onegate_kinds.params(kind, index)


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
