# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of a stored OneGate line (RSYSLOG_FileFormat + OneGate's JSON).

Private to the collection: used by the onegate_log filter and by modules that read the received file
(onegate_log_report, through ``parse_line``, which skips building the filter's dictionary for each line).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re


LINE_RE = re.compile(r"^(?P<timestamp>\S+) (?P<host>\S+) (?P<tag>[^\s:]+?):? (?P<message>.*)$", re.DOTALL)
# LINE_RE without its last group: ``(?P<message>.*)$`` with DOTALL always takes the rest of the line, so the message
# is the text after the header's match. Same result, without scanning the message (most of the line) in the regex.
_HEADER_RE = re.compile(r"(\S+) (\S+) ([^\s:]+?):? ")
_loads = json.loads
# The C scanner behind json.loads: a message that it reads to its end from its first character is what json.loads
# returns for it; anything else (leading or trailing text or whitespace, a BOM, bad JSON) goes through json.loads
# itself, for its result and its exact error. Skips json.loads' two whitespace regex passes on every good line.
_scan = json.JSONDecoder().scan_once

ERROR_NOT_FILEFORMAT = "not an RSYSLOG_FileFormat line (timestamp host tag message)"
ERROR_NOT_OBJECT = "the message is JSON but not an object"
ERROR_NOT_JSON_PREFIX = "the message is not JSON: "


def parse_line(raw):
    """A line without its line end -> (timestamp, host, tag, message, data, error).

    ``data`` is the JSON object (a dict) or None; ``error`` says why it is None. The header fields are None when the
    line is not in RSYSLOG_FileFormat (then ``message`` is the whole line).
    """
    # Fast path, the same result as _HEADER_RE: three space-separated tokens of printable ASCII (so no whitespace),
    # the third one (the tag) with at most one colon, at its end. Anything else is left to the regex.
    parts = raw.split(" ", 3)
    fast = False
    if len(parts) == 4:
        timestamp, host, tag, message = parts
        head = timestamp + host + tag
        if timestamp and host and tag and head.isascii() and head.isprintable():
            if tag[-1] == ":":
                tag = tag[:-1]
            fast = tag != "" and ":" not in tag
    if not fast:
        match = _HEADER_RE.match(raw)
        if match is None:
            return None, None, None, raw, None, ERROR_NOT_FILEFORMAT
        timestamp, host, tag = match.groups()
        message = raw[match.end() :]
    try:
        data, end = _scan(message, 0)
    except (StopIteration, ValueError):
        end = -1
    if end != len(message):
        try:
            data = _loads(message)
        except ValueError as exc:
            return timestamp, host, tag, message, None, ERROR_NOT_JSON_PREFIX + str(exc)
    if not isinstance(data, dict):
        return timestamp, host, tag, message, None, ERROR_NOT_OBJECT
    return timestamp, host, tag, message, data, None


def onegate_log(line):
    """A line stored by rsyslog (RSYSLOG_FileFormat) -> dict with the parsed OneGate JSON.

    Never raises for a line that is not OneGate's: it keeps the raw text and says why in ``error``.
    """
    if not isinstance(line, str):
        raise ValueError("expected a log line (string), got %s" % type(line).__name__)
    raw = line.rstrip("\r\n")
    timestamp, host, tag, message, data, error = parse_line(raw)
    result = {
        "raw": raw,
        "timestamp": timestamp,
        "host": host,
        "tag": tag,
        "message": message,
        "is_json": data is not None,
        "data": data,
        "log_type": None,
        "log_level": None,
        "tenantcode": None,
        "log_message": None,
        "params": None,
        "log_timestamp": None,
        "error": error,
    }
    if data is not None:
        result.update(
            log_type=data.get("log_type"),
            log_level=data.get("log_level"),
            tenantcode=data.get("tenantcode"),
            log_message=data.get("message"),
            params=data.get("params"),
            log_timestamp=data.get("timestamp"),
        )
    return result
