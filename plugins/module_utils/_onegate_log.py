# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of a stored OneGate line (RSYSLOG_FileFormat + OneGate's JSON).

Private to the collection: used by the onegate_log filter and by modules that read the received file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re


LINE_RE = re.compile(r"^(?P<timestamp>\S+) (?P<host>\S+) (?P<tag>[^\s:]+?):? (?P<message>.*)$", re.DOTALL)


def onegate_log(line):
    """A line stored by rsyslog (RSYSLOG_FileFormat) -> dict with the parsed OneGate JSON.

    Never raises for a line that is not OneGate's: it keeps the raw text and says why in ``error``.
    """
    if not isinstance(line, str):
        raise ValueError("expected a log line (string), got %s" % type(line).__name__)
    raw = line.rstrip("\r\n")
    result = {
        "raw": raw,
        "timestamp": None,
        "host": None,
        "tag": None,
        "message": raw,
        "is_json": False,
        "data": None,
        "log_type": None,
        "log_level": None,
        "tenantcode": None,
        "log_message": None,
        "params": None,
        "log_timestamp": None,
        "error": None,
    }
    match = LINE_RE.match(raw)
    if not match:
        result["error"] = "not an RSYSLOG_FileFormat line (timestamp host tag message)"
        return result
    result.update(timestamp=match.group("timestamp"), host=match.group("host"), tag=match.group("tag"))
    result["message"] = match.group("message")
    try:
        data = json.loads(result["message"])
    except ValueError as exc:
        result["error"] = "the message is not JSON: %s" % exc
        return result
    if not isinstance(data, dict):
        result["error"] = "the message is JSON but not an object"
        return result
    result.update(
        is_json=True,
        data=data,
        log_type=data.get("log_type"),
        log_level=data.get("log_level"),
        tenantcode=data.get("tenantcode"),
        log_message=data.get("message"),
        params=data.get("params"),
        log_timestamp=data.get("timestamp"),
    )
    return result
