#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onegate_log_report
short_description: Report what Soliton OneGate sent, from the receiver's log file
version_added: 0.1.0
description:
  - Runs on the receiver and reads the file where rsyslog stores what OneGate forwards (by default
    C(/mnt/efs/fs1/local0.log)), and with O(include_rotated) its rotated siblings, plain or compressed
    (C(local0.log.1), C(local0.log.2.gz), ... or C(local0.log-20250115.gz)), oldest first.
  - Every line is parsed by the same parser as the P(netattest.tls_syslog.onegate_log#filter) filter
    (RSYSLOG_FileFormat, then OneGate's JSON message).
  - Returns aggregates, not lines. These are counts by C(log_type) and C(log_level), and counts over time per kind
    (per hour, or per day or longer for long spans). They also cover the fields each kind carries with example values
    (the observed schema), and the top users, source addresses and user agents of the login kinds. Also returned are
    the WARN/ERROR and failed events with their codes and messages, the lines that could not be parsed (count, reasons
    and a few examples), and the first and last timestamps.
  - The delivery proof's own test records are not OneGate's and are counted apart, as RV(excluded_test_records).
    These are lines with the tag C(tls-syslog-verify) or the host name C(netattest-verify), or whose JSON has a
    C(verify_run) field (what C(playbooks/verify.yml) sends).
  - Bad input never fails the module and never hides the good lines around it. This covers truncated lines, text
    that is not JSON, binary data, over-long lines, JSON nested more than 500 levels, a damaged compressed file, an
    empty file or a missing file. Each is counted and shown in RV(unparsable) or RV(files). A line that could not be
    summarised for any other reason (an exception) is counted there too, with the exception as its reason.
  - Every value from the log is made safe once, where it enters the report. Control characters, bidi controls
    (U+202E and the like), other invisible format characters and lone surrogates (JSON's C(\ud800)) are shown as
    escapes such as C(\u202e); values re-encoded as JSON text are shown to 20 levels of nesting and cut to a few
    hundred characters. So the result is always valid UTF-8 for ansible-core, and no value can reorder or hide the
    text around it on a page or a terminal.
  - The files are streamed in blocks and every table has a cap, so memory stays bounded whatever the size of the
    files (16 to 18 MB, interpreter included, for one or three million lines). Values past a cap are still counted,
    under C((other)). The login values (users, addresses, agents) and the problem kinds are heavy-hitters tables
    (Misra-Gries, 10,000 counters each). Whatever came first, every value seen more than N / (k + 1) times of N is
    among the first k, with its count's error bound.
  - Reads only. Python 3.9 standard library on the receiver.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  path:
    description: The received log file on the receiver.
    type: path
    default: /mnt/efs/fs1/local0.log
  include_rotated:
    description:
      - Also read the rotated files next to O(path), oldest first.
      - Both logrotate naming styles are read, numbered (C(.1), C(.2.gz)) and dated (C(-YYYYMMDD)). C(.gz),
        C(.bz2) and C(.xz) files are decompressed while they are read.
    type: bool
    default: false
  since:
    description:
      - Only lines whose rsyslog timestamp is at or after this time.
      - A date (V(2025-01-15), its midnight) or an RFC 3339 date-time (V(2025-01-15T09:00:00+09:00)). Without an
        offset, UTC is assumed.
    type: str
  until:
    description:
      - Only lines whose rsyslog timestamp is before this time.
      - A date means the end of that day (V(2025-01-15) includes all of the 15th).
    type: str
  log_types:
    description:
      - Only these C(log_type) values, for example V([login_manager, login_user]). Lines of other types are counted
        in RV(filtered_out).
    type: list
    elements: str
  top:
    description: How many users, addresses and user agents to return in RV(logins).
    type: int
    default: 10
  examples:
    description: How many example lines to return of the unparsable lines (and per kind, up to 3).
    type: int
    default: 5
attributes:
  check_mode:
    support: full
    details: The module only reads, so a check-mode run returns the same report.
  diff_mode:
    support: none
    details: Nothing changes, so there is no diff.
  idempotent:
    support: full
  platform:
    support: full
    platforms: posix
extends_documentation_fragment:
  - netattest.tls_syslog._attributes
notes:
  - The times are the timestamps that rsyslog stored, which are the sender's (OneGate's) RFC 5424 header times. They
    are converted to UTC for the time buckets and the window. OneGate's own C(timestamp) field is part of the
    observed schema.
  - Log content comes from the network. It is returned as data (text, truncated). A page that shows it must escape
    it, as C(playbooks/report.yml)'s template does.
  - Every line is parsed, in one process, with the standard library only. Measured on a 2-core test machine with
    OneGate-shaped lines of about 440 bytes, it reads about 150,000 lines per second with Python 3.9 (Amazon Linux
    2023's C(python3)) and about 190,000 with Python 3.11. A week of a large tenant's audit log (1,000,000 lines)
    takes a few seconds; a small instance type may take longer.
seealso:
  - plugin: netattest.tls_syslog.onegate_log
    plugin_type: filter
  - module: netattest.tls_syslog.syslog_send
"""

EXAMPLES = r"""
- name: Report on everything received, rotated files included
  netattest.tls_syslog.onegate_log_report:
    include_rotated: true
  register: report

- name: Logins of one day, Japan time
  netattest.tls_syslog.onegate_log_report:
    path: /mnt/efs/fs1/local0.log
    since: "2025-01-15T00:00:00+09:00"
    until: "2025-01-16T00:00:00+09:00"
    log_types: [login_manager, login_user]

- name: Show the counts by kind
  ansible.builtin.debug:
    msg: "{{ report.by_log_type | items2dict(key_name='log_type', value_name='count') }}"
"""

RETURN = r"""
files:
  description: The files read, oldest first, with what happened to each.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
    compressed:
      description: V(gz), V(bz2), V(xz), or null for a plain file.
      type: str
    bytes:
      description: Its size on disk.
      type: int
    lines:
      description: Lines read from it.
      type: int
    error:
      description: V(not found), why it could not be opened, or why reading stopped (a damaged compressed file). Null
        when it was read to the end.
      type: str
  sample: [{"path": "/mnt/efs/fs1/local0.log", "compressed": null, "bytes": 2130, "lines": 5, "error": null}]
lines:
  description: All lines read, of every kind (events + excluded + filtered out + unparsable).
  returned: always
  type: int
events:
  description: OneGate events counted in the report (parsed, not test records, inside the window and type filter).
  returned: always
  type: int
excluded_test_records:
  description: The delivery proof's own records (not OneGate's), by what marked them.
  returned: always
  type: dict
  sample: {"count": 5, "by_reason": {"tag": 0, "hostname": 0, "verify_run": 5}}
filtered_out:
  description: Parsed lines left out by O(log_types) (per type) or by O(since) / O(until) (or with no usable
    timestamp while a window is set).
  returned: always
  type: dict
  sample: {"count": 0, "by_log_type": {}, "outside_window": 0}
window:
  description: The window and type filter in effect, in UTC.
  returned: always
  type: dict
  sample: {"since": "2025-01-15T00:00:00Z", "until": null, "log_types": null}
unparsable:
  description: Lines that are not OneGate's JSON in RSYSLOG_FileFormat. They are counted by reason and a few are
    returned as examples (text with invalid UTF-8 shown as backslash escapes, shortened).
  returned: always
  type: dict
  contains:
    count:
      description: How many.
      type: int
    by_reason:
      description: Count per reason, for example V(the message is not JSON) or V(not UTF-8 text (binary data?)).
      type: dict
    examples:
      description: The first few, with file, line number, reason, the JSON error (detail) and text.
      type: list
      elements: dict
  sample: {"count": 1, "by_reason": {"the message is not JSON": 1}, "examples": [{"file": "/mnt/efs/fs1/local0.log",
    "line": 3, "reason": "the message is not JSON", "detail": "Expecting value: line 1 column 1 (char 0)",
    "text": "2025-01-15T07:25:36+00:00 host app: hello"}]}
unterminated_last_lines:
  description: Files whose last line had no line end (rsyslog writing it at that moment, or a cut-off file). Such a
    line is still counted, as an event when it parses.
  returned: always
  type: int
first_timestamp:
  description: The earliest rsyslog timestamp among the events, as stored.
  returned: always
  type: str
  sample: "2025-01-15T07:25:36+00:00"
last_timestamp:
  description: The latest rsyslog timestamp among the events, as stored.
  returned: always
  type: str
first_timestamp_utc:
  description: RV(first_timestamp) in UTC.
  returned: always
  type: str
  sample: "2025-01-15T07:25:36Z"
last_timestamp_utc:
  description: RV(last_timestamp) in UTC.
  returned: always
  type: str
no_timestamp:
  description: Events whose rsyslog timestamp is not a date-time (counted, but on no time bucket).
  returned: always
  type: int
by_log_type:
  description: Events per C(log_type), most first, with their C(log_level) counts. A missing or non-text
    C(log_type) shows as V((none)) or as its JSON in parentheses.
  returned: always
  type: list
  elements: dict
  sample: [{"log_type": "login_manager", "count": 2, "levels": {"INFO": 2}}]
by_log_level:
  description: Events per C(log_level), all kinds together.
  returned: always
  type: dict
  sample: {"INFO": 5}
timeline:
  description:
    - Events over time per C(log_type), at most 400 points. Hours when the span allows it, else days, weeks,
      months (30 days) or years (365 days). It is dense, so periods without events are present with 0.
  returned: always
  type: dict
  contains:
    granularity:
      description: V(hour), V(day), V(week), V(month) or V(year); null when no event had a timestamp.
      type: str
    bucket_seconds:
      description: Length of a bucket in seconds.
      type: int
    log_types:
      description: The kinds of the buckets' counts, most first.
      type: list
      elements: str
    buckets:
      description: One per period, with its start (UTC), total and C(counts) per kind.
      type: list
      elements: dict
  sample: {"granularity": "hour", "bucket_seconds": 3600, "log_types": ["sync"],
    "buckets": [{"start": "2025-01-15T07:00:00Z", "total": 1, "counts": {"sync": 1}}]}
schema:
  description:
    - The observed schema per C(log_type). It lists the fields seen (top-level keys, and the keys of C(params) as
      C(params.<key>)), how many events carry each, the JSON types and up to 3 example values. Types and examples are
      taken from the first 20 events of each combination of keys; the counts are exact.
    - Per kind also its count, C(fields_capped) (fields past the cap of 100 per kind) and C(raw_examples), its first
      lines as stored.
  returned: always
  type: dict
  sample: {"sync": {"count": 1, "fields_capped": 0, "raw_examples": ["2025-01-15T07:25:36+00:00 OneGate manager {...}"],
    "fields": [{"field": "params.result", "count": 1, "types": ["string"], "examples": ["success"]}]}}
logins:
  description:
    - The login kinds (C(login_manager), C(login_user), C(sso_access)). Gives their event count, the top O(top)
      C(params.username), C(params.ip_address) and C(params.user_agent) values with counts, and the number of
      distinct values of each (the values kept, when C(capped)).
    - Each table keeps at most 10,000 values (Misra-Gries), whatever came first. Of the N values counted
      (C(heavy_hitters.<table>.counted)), every value seen more than N / (k + 1) times is among the first k rows.
      C(count) is an upper bound of the true count and C(error) how far above it may be (the true count is between
      C(count) - C(error) and C(count)); C(error) is 0 while the table has held every value, and at most
      N / 10,001.
    - C(capped) is true when a table was full and a new value came.
  returned: always
  type: dict
  sample: {"log_types": ["login_manager", "login_user", "sso_access"], "count": 3,
    "users": [{"value": "admin", "count": 2, "error": 0}], "ip_addresses": [{"value": "203.0.113.10", "count": 3,
    "error": 0}], "user_agents": [{"value": "Mozilla/5.0 ...", "count": 3, "error": 0}], "distinct": {"users": 2,
    "ip_addresses": 1, "user_agents": 1}, "capped": false, "heavy_hitters": {"users": {"counted": 3,
    "counters": 10000, "error": 0}}}
problems:
  description:
    - Events with a WARN, ERROR or FATAL C(log_level), or a code whose severity letter is E, W or F
      (C(IM-605-E-...)). Also events with a failed C(params.result), or a message that says it failed.
    - C(kinds) groups them by kind, level, code and message with counts (the most frequent first), a heavy-hitters
      table like those of RV(logins) (C(count) an upper bound, C(error) its bound; C(error) at the top level is the
      table's). C(latest) holds the last few, with their raw lines.
  returned: always
  type: dict
  sample: {"count": 1, "kinds_total": 1, "error": 0, "kinds": [{"log_type": "login_user", "log_level": "WARN",
    "code": "IM-605-W-002001", "message": "Login failed.", "count": 1, "error": 0}], "latest": []}
limits:
  description: The caps in effect (line length, JSON nesting, kinds, fields, distinct values, lines sampled per key
    combination).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_report import ReportError, report


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/mnt/efs/fs1/local0.log"),
            include_rotated=dict(type="bool", default=False),
            since=dict(type="str"),
            until=dict(type="str"),
            log_types=dict(type="list", elements="str"),
            top=dict(type="int", default=10),
            examples=dict(type="int", default=5),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        result = report(
            p["path"],
            include_rotated=p["include_rotated"],
            since=p["since"],
            until=p["until"],
            log_types=p["log_types"],
            top=p["top"],
            examples=p["examples"],
        )
    except ReportError as exc:
        module.fail_json(msg="onegate_log_report: %s" % exc)
    for info in result["files"]:
        if info["error"]:
            module.warn("%s: %s" % (info["path"], info["error"]))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
