# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Aggregates of the received OneGate file, streamed with bounded memory (the work of onegate_log_report).

Every line goes through the one parser (``_onegate_log.parse_line``). Memory does not grow with the file: the files
are read in blocks, a line longer than ``MAX_LINE_BYTES`` is skipped to its end (and counted), and every table that
holds values from the log (log types, levels, users, addresses, agents, fields, examples, time buckets) has a cap;
what goes past a cap is still counted, under ``(other)`` or in a ``*_capped`` counter, never dropped silently.
The log's content is the sender's (attacker-controlled on a receiver reachable from the internet): values are only
counted, truncated and returned, never interpreted (``_log_values``).

This module reads the lines and counts each by type and level; the sections of a counted line are in their own
modules: its time (``_log_time``), the schema (``_log_schema``), logins (``_log_logins``) and problems
(``_log_problems``). Python 3.9 and the standard library only: it runs on the receiver (Amazon Linux 2023 has
Python 3.9).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_counters import (
    MAX_DISTINCT,
    Capped,
    count_level,
)
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_files import MAX_LINE_BYTES, find_files
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_input import Input
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_logins import LOGIN_TYPES, Logins
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_problems import (
    FAILED_RESULTS,
    PROBLEM_CODE_RE,
    PROBLEM_LEVELS,
    Problems,
)
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_schema import (
    MAX_FIELDS,
    SAMPLE_PER_SHAPE,
    Schema,
)
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_time import Timeline, iso, window
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_values import (
    ERROR_TOO_DEEP,
    MAX_NESTING,
    OTHER,
    label,
    safe,
    too_deep,
)
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_kinds
from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_log import parse_line

MAX_LOG_TYPES = 50
MAX_LEVELS = 20

# The delivery proof's own records (verify.yml and the collection's tests), not OneGate's.
TEST_TAG = "tls-syslog-verify"
TEST_HOST = "netattest-verify"
TEST_FIELD = "verify_run"

# OneGate's kinds: each has its own row even when MAX_LOG_TYPES made-up kinds came first.
ONEGATE_TYPES = frozenset(k.log_type for k in _onegate_kinds.TABLE)
KNOWN_LEVELS = PROBLEM_LEVELS | frozenset(
    level for name in ("INFO", "DEBUG", "NOTICE", "TRACE") for level in (name, name.lower(), name.capitalize())
)


class ReportError(Exception):
    """Bad options (the report was not started)."""


class TypeCount:
    """The lines of one log type: how many, their levels (level -> count), the type's label, and the schema group
    of its last line (``_log_schema.LastShape``)."""

    __slots__ = ("count", "last", "levels", "name")

    def __init__(self, name):
        self.count = 0
        self.levels = {}
        self.name = name
        self.last = None


class Report(Input):
    """Feed it files (``add_file``) or lines (``add_lines``); ``result()`` gives the aggregates."""

    def __init__(self, since=None, until=None, log_types=None, top=10, examples=5):
        self.since_text, self.until_text = since, until
        try:
            self.since, self.until = window(since, until)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
        if log_types is not None and not isinstance(log_types, (list, tuple)):
            raise ReportError("log_types must be a list of log_type names")
        self.log_types = frozenset(log_types) if log_types else None
        if top < 1 or examples < 0:
            raise ReportError("top must be at least 1 and examples at least 0")
        self.top = top
        Input.__init__(self, examples)
        self.events = 0
        self.excluded = {"tag": 0, "hostname": 0, "verify_run": 0}
        self.filtered_type = Capped(MAX_LOG_TYPES)
        self.outside_window = 0
        self.types = {}  # log_type label -> TypeCount
        self.levels = Capped(MAX_LEVELS, always=KNOWN_LEVELS)
        self.no_timestamp = 0
        self.time = Timeline(self.since, self.until)
        self.schema = Schema(examples)
        self.logins = Logins()
        self.problems = Problems(examples)

    # ---- the per-line work -------------------------------------------------------------------------------------
    def add_lines(self, lines, last_unterminated=False, crlf=True):
        """Aggregate these lines (bytes without the line end; a trailing CR is dropped unless ``crlf`` is false,
        which says that the lines have no CR at all).

        A line that cannot be summarised (any exception while it is counted: there should be none, as every value is
        bounded and made safe where it enters) is counted in ``unparsable`` with the exception as its reason, and
        the next line goes on: never a failed run. It moves from ``events`` to ``unparsable``; what it had added to
        the other tables before the exception stays there.
        """
        lines = iter(lines)
        while self._add_lines(lines, last_unterminated, crlf):
            pass  # the line that raised is counted; the same iterator goes on with the next one

    def _add_lines(self, lines, last_unterminated, crlf):
        """The hot loop of the module, in its sections: the line (parsed, set aside, filtered), its time, its type and
        level, then the schema, logins and problems. Names are bound to locals, and the common case (a known log
        type, hour, shape and value) costs a few dictionary look-ups; everything new or rare goes to a method.
        Returns False at the end, True after a line that raised (counted by _unsummarised)."""
        types = self.types
        clock = self.time
        hour_cache = clock.hour_cache
        log_type_filter = self.log_types
        windowed = clock.windowed
        excluded = self.excluded
        schema = self.schema
        sample_per_shape = SAMPLE_PER_SHAPE
        login_types = LOGIN_TYPES
        users, addresses, agents = self.logins.users.counts, self.logins.addresses.counts, self.logins.agents.counts
        add_login = self.logins.add
        problem_levels = PROBLEM_LEVELS
        add_problem = self.problems.add
        test_tag, test_host, test_field = TEST_TAG, TEST_HOST, TEST_FIELD
        parse = parse_line
        nesting_chars = 2 * MAX_NESTING  # a line shorter than this cannot nest deeper
        events = logins = 0
        n = self.lines
        # the hour of the previous line: consecutive lines mostly share it (and often its second)
        prefix = suffix = None
        entry = None
        same_second = None
        counted = -1  # the line number last counted as an event
        line = None
        try:
            for line in lines:
                # the line: decoded, parsed, the delivery proof's records and bad lines set aside, the type filter
                n += 1
                if crlf and line.endswith(b"\r"):
                    line = line[:-1]
                try:
                    raw = line.decode("utf-8")
                except UnicodeDecodeError:
                    self.lines = n
                    self._bad(line, "not UTF-8 text (binary data?)", last_unterminated)
                    continue
                try:
                    if len(raw) > nesting_chars and too_deep(raw):
                        raise RecursionError
                    timestamp, host, tag, _message, data, error = parse(raw)
                except RecursionError:
                    timestamp = host = tag = data = None
                    error = ERROR_TOO_DEEP
                if tag == test_tag:
                    excluded["tag"] += 1
                    continue
                if host == test_host:
                    excluded["hostname"] += 1
                    continue
                if data is None:
                    self.lines = n
                    self._bad(raw, error, last_unterminated)
                    continue
                if test_field in data:
                    excluded["verify_run"] += 1
                    continue
                log_type = data.get("log_type")
                if not isinstance(log_type, str):
                    log_type = label(log_type)
                if log_type_filter is not None and log_type not in log_type_filter:
                    self.filtered_type.add(label(log_type))
                    continue

                # time: the receiver's timestamp of the line, bucketed by its UTC hour. A line with the timestamp of
                # the last line counted has its hour entry, its window decision and nothing new for the first/last.
                if timestamp != same_second:
                    if prefix is None or not (timestamp.startswith(prefix) and timestamp.endswith(suffix)):
                        entry = hour_cache.get(timestamp[:13] + timestamp[-6:])
                        if entry is None:
                            entry = clock.hour_entry(timestamp)
                        if entry is not None and len(timestamp) >= 19:
                            prefix, suffix = timestamp[:13], timestamp[-6:]
                        else:
                            prefix = None
                    if entry is not None:
                        if windowed:
                            if not clock.in_window(entry.hour, timestamp):
                                self.outside_window += 1
                                same_second = None
                                continue
                            # the entry was made with the hour's first line, which may be outside the window
                            if entry.low is None or timestamp < entry.low:
                                entry.low = timestamp
                            if entry.high is None or timestamp > entry.high:
                                entry.high = timestamp
                        elif timestamp < entry.low:
                            entry.low = timestamp
                        elif timestamp > entry.high:
                            entry.high = timestamp
                    elif windowed:
                        self.outside_window += 1
                        same_second = None
                        continue
                    same_second = timestamp

                # type and level: the line is counted under its type, in its time bucket, and by its level
                events += 1
                counted = n
                rec = types.get(log_type)
                if rec is None:
                    rec = self._new_type(log_type, raw)
                    log_type = rec.name
                rec.count += 1
                if entry is not None:
                    bucket = entry.bucket
                    if bucket is None:
                        bucket = clock.bucket(entry)
                    try:
                        bucket[log_type] += 1
                    except KeyError:
                        bucket[log_type] = 1
                else:
                    self.no_timestamp += 1
                # counted where the table has it already (a str key); anything else (new, long, not a string, not
                # hashable) is labelled and counted by count_level
                level = data.get("log_level")
                levels = rec.levels
                try:
                    levels[level] += 1
                except (KeyError, TypeError):
                    level = count_level(levels, level, MAX_LEVELS, KNOWN_LEVELS)

                # the schema (_log_schema): lines are grouped by their keys; a line with the keys of the last line of
                # its type joins that line's group at once, the first lines of each group are looked at
                params = data.get("params")
                if not isinstance(params, dict):
                    params = None
                last = rec.last
                if (
                    last is not None
                    and last.keys == data.keys()
                    and last.params_keys == (None if params is None else params.keys())
                ):
                    shape = last.shape
                    shape.count += 1
                    if shape.count <= sample_per_shape:
                        schema.sample(log_type, data, params)
                else:
                    schema.shape(rec, log_type, data, params)

                # logins (_log_logins) and problems (_log_problems): the common case is a value the table has,
                # counted at once (written out three times on purpose: a loop over the three fields, or a call per
                # section, measured slower), anything else is made safe by the section's method
                if params is not None:
                    if log_type in login_types:
                        logins += 1
                        value = params.get("username")
                        if value is not None:
                            try:
                                users[value] += 1
                            except (KeyError, TypeError):
                                add_login("users", value)
                        value = params.get("ip_address")
                        if value is not None:
                            try:
                                addresses[value] += 1
                            except (KeyError, TypeError):
                                add_login("addresses", value)
                        value = params.get("user_agent")
                        if value is not None:
                            try:
                                agents[value] += 1
                            except (KeyError, TypeError):
                                add_login("agents", value)
                    code = params.get("code")
                    result = params.get("result")
                else:
                    code = result = None
                if (
                    level in problem_levels
                    or (isinstance(code, str) and "-I-" not in code and PROBLEM_CODE_RE.search(code) is not None)
                    or (isinstance(result, str) and result != "success" and result.lower() in FAILED_RESULTS)
                ):
                    add_problem(log_type, level, code, data, timestamp, raw)
                else:
                    message = data.get("message")
                    if isinstance(message, str) and "ail" in message and "fail" in message.lower():
                        add_problem(log_type, level, code, data, timestamp, raw)
        except Exception as exc:  # see add_lines: one line never fails the report
            if counted == n:
                events -= 1
            self.lines = n
            self.events += events
            self.logins.count += logins
            self._unsummarised(line, exc, last_unterminated)
            return True
        self.lines = n
        self.events += events
        self.logins.count += logins
        return False

    # ---- the less frequent paths (new keys, bad lines) ---------------------------------------------------------
    def _new_type(self, log_type, raw):
        """The record of a type not (yet) a key of the table as it is; its line's text is kept as an example."""
        log_type = label(log_type)
        if log_type not in self.types and len(self.types) >= MAX_LOG_TYPES and log_type not in ONEGATE_TYPES:
            # made-up kinds that came first cannot push OneGate's own kinds (and their logins) into (other)
            log_type = OTHER
        rec = self.types.get(log_type)
        if rec is None:
            rec = self.types[log_type] = TypeCount(log_type)
        self.schema.new_type(log_type, raw)
        return rec

    # ---- the result --------------------------------------------------------------------------------------------
    def result(self):
        clock = self.time
        clock.flush()
        by_type = []
        counts = {}
        for log_type, rec in sorted(self.types.items(), key=lambda kv: (-kv[1].count, kv[0])):
            levels = dict(sorted(rec.levels.items(), key=lambda kv: (-kv[1], kv[0])))
            by_type.append({"log_type": log_type, "count": rec.count, "levels": levels})
            for level, n in rec.levels.items():
                self.levels.add(level, n)
            counts[log_type] = rec.count
        first, last = clock.first, clock.last
        return {
            "files": self.files,
            "lines": self.lines,
            "events": self.events,
            "excluded_test_records": {"count": sum(self.excluded.values()), "by_reason": dict(self.excluded)},
            "filtered_out": {
                "count": sum(self.filtered_type.counts.values()) + self.outside_window,
                "by_log_type": self.filtered_type.as_dict(),
                "outside_window": self.outside_window,
            },
            "window": {
                "since": iso(self.since) if self.since is not None else None,
                "until": iso(self.until) if self.until is not None else None,
                "log_types": sorted(safe(t) for t in self.log_types) if self.log_types else None,
            },
            "unparsable": self.unparsable_result(),
            "unterminated_last_lines": self.unterminated,
            # timestamps that matched TS_RE (digits, which may be any script's): made safe all the same
            "first_timestamp": safe(first[1]) if first else None,
            "last_timestamp": safe(last[1]) if last else None,
            "first_timestamp_utc": iso(first[0]) if first else None,
            "last_timestamp_utc": iso(last[0]) if last else None,
            "no_timestamp": self.no_timestamp,
            "by_log_type": by_type,
            "by_log_level": self.levels.as_dict(),
            "timeline": clock.result(),
            "schema": self.schema.result(counts),
            "logins": self.logins.result(self.top),
            "problems": self.problems.result(self.top),
            "limits": {
                "max_line_bytes": MAX_LINE_BYTES,
                "max_json_nesting": MAX_NESTING,
                "max_log_types": MAX_LOG_TYPES,
                "max_fields_per_type": MAX_FIELDS,
                "max_distinct_values": MAX_DISTINCT,
                "example_lines_per_shape": SAMPLE_PER_SHAPE,
            },
        }


def report(path, include_rotated=False, **options):
    """Aggregate the received file (and its rotated siblings): the whole job of the module."""
    rep = Report(**options)
    for name in find_files(path, include_rotated):
        rep.add_file(name)
    return rep.result()
