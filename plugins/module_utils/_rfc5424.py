# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RFC 5424 syslog messages and their framing on a TCP stream (RFC 6587).

Private to the collection. Standard library only, Python 3.9+ (Amazon Linux 2023 has 3.9):

- ``build_message``: ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG``, with the header fields checked;
- ``frame``: LF-terminated (non-transparent) or octet-counted (``LEN SP MSG``) bytes;
- ``rfc3339`` / ``utcnow``: the UTC timestamps of the header (and of OneGate's payloads).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.netattest.tls_syslog.plugins.module_utils._syslog_errors import SyslogSendError

# Facility names as Python's logging.handlers.SysLogHandler spells them (RFC 5424 codes).
FACILITIES = {
    "kern": 0,
    "user": 1,
    "mail": 2,
    "daemon": 3,
    "auth": 4,
    "syslog": 5,
    "lpr": 6,
    "news": 7,
    "uucp": 8,
    "cron": 9,
    "authpriv": 10,
    "ftp": 11,
    "ntp": 12,
    "security": 13,
    "console": 14,
    "solaris-cron": 15,
    "local0": 16,
    "local1": 17,
    "local2": 18,
    "local3": 19,
    "local4": 20,
    "local5": 21,
    "local6": 22,
    "local7": 23,
}

SEVERITIES = {
    "emerg": 0,
    "alert": 1,
    "crit": 2,
    "err": 3,
    "warning": 4,
    "notice": 5,
    "info": 6,
    "debug": 7,
}

FRAMINGS = ("lf", "octet")

# RFC 5424 header field limits (PRINTUSASCII, no space).
HEADER_LIMITS = {"hostname": 255, "app_name": 48, "procid": 128, "msgid": 32}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)  # not datetime.UTC: that is Python 3.11+


def rfc3339(dt, millis=False):
    """``2025-01-15T07:25:36+00:00`` (or with ``.523`` milliseconds), in UTC."""
    dt = dt.astimezone(datetime.timezone.utc)  # not datetime.UTC: that is Python 3.11+
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        text += ".%03d" % (dt.microsecond // 1000)
    return text + "+00:00"


def pri(facility, severity):
    """The RFC 5424 PRI value: facility code * 8 + severity code."""
    try:
        return FACILITIES[facility] * 8 + SEVERITIES[severity]
    except KeyError as exc:
        raise SyslogSendError("unknown syslog facility or severity: %s" % exc) from None


def check_header_field(name, value):
    """RFC 5424: PRINTUSASCII (33..126), at most HEADER_LIMITS[name] characters, or '-'."""
    limit = HEADER_LIMITS[name]
    if not value or len(value) > limit or any(not 33 <= ord(c) <= 126 for c in value):
        raise SyslogSendError(
            "%s %r is not a valid RFC 5424 header field (1..%d printable ASCII characters, no spaces)"
            % (name, value, limit)
        )
    return value


def build_message(
    msg,
    facility="local0",
    severity="info",
    hostname="OneGate",
    app_name="manager",
    procid="-",
    msgid="-",
    timestamp=None,
):
    """``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`` (no structured data, no BOM)."""
    for name, value in (("hostname", hostname), ("app_name", app_name), ("procid", procid), ("msgid", msgid)):
        check_header_field(name, value)
    timestamp = timestamp or utcnow()
    return "<%d>1 %s %s %s %s %s - %s" % (
        pri(facility, severity),
        rfc3339(timestamp),
        hostname,
        app_name,
        procid,
        msgid,
        msg,
    )


def frame(line, framing="lf"):
    """Bytes on the wire: ``line LF`` (non-transparent framing) or ``LEN SP line`` (RFC 6587 octet counting)."""
    data = line.encode("utf-8")
    if framing == "lf":
        if b"\n" in data:
            raise SyslogSendError("a message with a line feed cannot be sent with framing=lf; use framing=octet")
        return data + b"\n"
    if framing == "octet":
        return ("%d " % len(data)).encode("ascii") + data
    raise SyslogSendError("unknown framing %r; expected lf or octet" % (framing,))
