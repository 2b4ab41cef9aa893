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
    """A line without its line end -> (timestamp, host, tag, start, data, error).

    The message is ``raw[start:]`` (not sliced here: a reader of a large file does not need it). ``data`` is the JSON
    object (a dict) or None, and then ``error`` says why. The header fields are None and ``start`` is 0 when the line
    is not in RSYSLOG_FileFormat.
    """
    # Fast path, the same result as _HEADER_RE: the first three spaces end three tokens of printable ASCII (so no
    # other whitespace), the third one (the tag) with at most one colon, at its end. Anything else goes to the regex.
    i = raw.find(" ")
    j = raw.find(" ", i + 1)
    k = raw.find(" ", j + 1)
    fast = False
    if 0 < i < j - 1 and j < k - 1:
        head = raw[:k]
        if head.isascii() and head.isprintable():
            timestamp = raw[:i]
            host = raw[i + 1 : j]
            tag = raw[j + 1 : k]
            if tag[-1] == ":":
                tag = tag[:-1]
            fast = tag != "" and ":" not in tag
            start = k + 1
    if not fast:
        match = _HEADER_RE.match(raw)
        if match is None:
            return None, None, None, 0, None, ERROR_NOT_FILEFORMAT
        timestamp, host, tag = match.groups()
        start = match.end()
    try:
        data, end = _scan(raw, start)
    except (StopIteration, ValueError):
        end = -1
    if end != len(raw):
        try:
            data = _loads(raw[start:])
        except ValueError as exc:
            return timestamp, host, tag, start, None, ERROR_NOT_JSON_PREFIX + str(exc)
    if type(data) is not dict:
        return timestamp, host, tag, start, None, ERROR_NOT_OBJECT
    return timestamp, host, tag, start, data, None


def onegate_log(line):
    """A line stored by rsyslog (RSYSLOG_FileFormat) -> dict with the parsed OneGate JSON.

    Never raises for a line that is not OneGate's: it keeps the raw text and says why in ``error``.
    """
    if not isinstance(line, str):
        raise ValueError("expected a log line (string), got %s" % type(line).__name__)
    raw = line.rstrip("\r\n")
    timestamp, host, tag, start, data, error = parse_line(raw)
    result = {
        "raw": raw,
        "timestamp": timestamp,
        "host": host,
        "tag": tag,
        "message": raw[start:],
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
