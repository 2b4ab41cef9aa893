# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Aggregates of the received OneGate file, streamed with bounded memory (the work of onegate_log_report).

Every line goes through the one parser (``_onegate_log.parse_line``). Memory does not grow with the file: the files
are read in blocks, a line longer than ``MAX_LINE_BYTES`` is skipped to its end (and counted), and every table that
holds values from the log (log types, levels, users, addresses, agents, fields, examples, time buckets) has a cap;
what goes past a cap is still counted, under ``(other)`` or in a ``*_capped`` counter, never dropped silently.
The log's content is the sender's (attacker-controlled on a receiver reachable from the internet): values are only
counted, truncated and returned, never interpreted.

Python 3.9 and the standard library only: it runs on the receiver (Amazon Linux 2023 has Python 3.9).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bz2
import calendar
import collections
import json
import lzma
import os
import re
import time
import zlib

from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_log import (
    ERROR_NOT_JSON_PREFIX,
    parse_line,
)

BLOCK = 1 << 20  # bytes read at a time
MAX_LINE_BYTES = 65536  # rsyslog's default maxMessageSize is 8 KiB; a longer "line" is garbage or a missing LF
MAX_TEXT = 300  # characters kept of a value or example
MAX_RAW = 2000  # characters kept of a raw example line
MAX_LOG_TYPES = 50
MAX_LEVELS = 20
MAX_FIELDS = 100  # per log_type
MAX_SHAPES = 1000  # distinct (log_type, keys, params keys) combinations followed exactly
MAX_SHAPE_KEYS = 64  # a line with more keys than this is counted field by field
SAMPLE_PER_SHAPE = 20  # lines of each shape whose values are looked at for examples and types
FIELD_EXAMPLES = 3
MAX_DISTINCT = 10000  # distinct users / addresses / agents / problem kinds counted exactly
MAX_HOUR_KEYS = 20000  # cache of "date-hour + offset" -> UTC hour
MAX_BUCKETS = 20000  # time buckets before they are merged into longer ones
MAX_TIMELINE_POINTS = 400  # buckets returned: hours, else days, else longer
OTHER = "(other)"
NONE = "(none)"

# The delivery proof's own records (verify.yml and the collection's tests), not OneGate's.
TEST_TAG = "tls-syslog-verify"
TEST_HOST = "netattest-verify"
TEST_FIELD = "verify_run"

# Kinds whose params carry username / ip_address / user_agent: administrator and user logins, and SSO access.
LOGIN_TYPES = ("login_manager", "login_user", "sso_access")
# OneGate's kinds: each has its own row even when MAX_LOG_TYPES made-up kinds came first.
ONEGATE_TYPES = frozenset((*LOGIN_TYPES, "certificate", "sync"))
PROBLEM_LEVELS = frozenset(
    level
    for name in ("WARN", "WARNING", "ERROR", "ERR", "FATAL", "CRITICAL", "CRIT", "ALERT", "EMERG", "SEVERE")
    for level in (name, name.lower(), name.capitalize())
)
KNOWN_LEVELS = PROBLEM_LEVELS | frozenset(
    level for name in ("INFO", "DEBUG", "NOTICE", "TRACE") for level in (name, name.lower(), name.capitalize())
)
# OneGate's codes carry a severity letter: IM-605-I-001000 is information; E, W and F are error, warning, fatal.
PROBLEM_CODE_RE = re.compile(r"-[EWF]-")
FAILED_RESULTS = frozenset(["failure", "failed", "fail", "error", "ng", "denied", "rejected"])

TS_RE = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?)?\s*([Zz]|[+-]\d\d:?\d\d)?$",
)
ROTATED_RE = r"^%s(?:\.(\d+)|-(\d{8,10}))(\.gz|\.bz2|\.xz)?$"
DECOMPRESSORS = {
    ".gz": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    ".bz2": bz2.BZ2Decompressor,
    ".xz": lzma.LZMADecompressor,
}
CHUNK = 65536  # compressed bytes read at a time
GRANULARITIES = (("hour", 3600), ("day", 86400), ("week", 7 * 86400), ("month", 30 * 86400), ("year", 365 * 86400))


class ReportError(Exception):
    """Bad options (the report was not started)."""


def parse_time(text, end_of_period=False):
    """RFC 3339 / ISO 8601 date or date-time -> seconds since the epoch (UTC), or None.

    A date alone is its midnight (with ``end_of_period``, the midnight after it); no offset means UTC.
    """
    if not isinstance(text, str):
        return None
    m = TS_RE.match(text.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, offset = m.groups()
    try:
        epoch = calendar.timegm(
            (int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), 0, 0, 0)
        )
    except (ValueError, OverflowError):
        return None
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31 and int(hour or 0) <= 23 and int(minute or 0) <= 59):
        return None
    if int(second or 0) > 60:
        return None
    if frac:
        epoch += float(frac)
    if offset and offset not in "Zz":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        epoch -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    if end_of_period and hour is None:
        epoch += 86400
    return epoch


def iso(epoch):
    """Seconds since the epoch -> ``2025-01-15T07:00:00Z``."""
    if epoch is None:
        return None
    whole = int(epoch // 1)
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % time.gmtime(whole)[:6]
    frac = epoch - whole
    if frac:
        text += ("%.6f" % frac)[1:].rstrip("0")
    return text + "Z"


# Characters a log value must not carry as they are into a result or a page: C0 and C1 controls and DEL, the bidi
# controls (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069) and the other invisible format characters around them
# (zero-width spaces and joiners, line and paragraph separators, U+2060-U+206F, the BOM, U+FFF9-U+FFFB), and lone
# surrogates (JSON's "\ud800" decodes to one; ansible-core refuses a result that carries it, as it is not UTF-8).
# Each is shown as its escape, e.g. U+202E -> \u202e, so that it is seen and cannot reorder or hide the text.
UNSAFE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_CUT_ESCAPE_RE = re.compile(r"\\u[0-9a-f]{0,3}$")  # the start of an escape left at the end of a cut text
MAX_DEPTH = 20  # nesting levels of a log value shown when it is re-encoded as JSON text; deeper ones are {…} / […]
# JSON nested deeper than this is not parsed (an unparsable line): the same line gets the same verdict whatever the
# interpreter's stack depth where it is parsed (json's C scanner stops at the recursion limit, about 1,000 levels,
# minus the frames already used), and nothing nested that deep is OneGate's.
MAX_NESTING = 500
ERROR_TOO_DEEP = "the message is JSON nested too deeply (more than %d levels)" % MAX_NESTING
_BRACKETS_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]')


def _too_deep(text):
    """Whether the text's brackets (outside JSON strings) nest deeper than MAX_NESTING. Cheap for a line with few
    brackets; a line full of them is scanned once (at most MAX_LINE_BYTES)."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return False
    depth = 0
    for token in _BRACKETS_RE.findall(text):
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def _escape(match):
    return "\\u%04x" % ord(match.group())


def safe(text):
    """Text fit for a result and a page: every character of UNSAFE_RE shown as its escape (``\\u202e``).
    Text without any is returned as it is (the same object), so safe(safe(x)) == safe(x)."""
    if UNSAFE_RE.search(text) is None:
        return text
    return UNSAFE_RE.sub(_escape, text)


def _short(text, limit=MAX_TEXT):
    """Safe text of at most ``limit`` characters (cut ones end with an ellipsis, never inside an escape)."""
    text = safe(text)
    if len(text) <= limit:
        return text
    return _CUT_ESCAPE_RE.sub("", text[: limit - 1]) + "\u2026"


def to_json(value, limit):
    """A log value as JSON text of about ``limit`` characters at most, keys sorted, nesting shown to MAX_DEPTH levels
    (deeper containers as ``[…]`` / ``{…}``). Unlike json.dumps it cannot exceed the interpreter's recursion limit
    (a line nested 990 deep parses, and its re-encoding must not fail), and it stops once the text is long enough
    (a key flood is not encoded in full to be cut). Not yet safe(): the caller's _short() does that."""
    out = []
    size = [0]

    def put(text):
        out.append(text)
        size[0] += len(text)

    def walk(item, depth):
        if size[0] > limit:
            return
        if isinstance(item, dict):
            if depth >= MAX_DEPTH:
                put("{\u2026}" if item else "{}")
                return
            put("{")
            for i, key in enumerate(sorted(item, key=str)):
                if size[0] > limit:
                    return
                put((", " if i else "") + _scalar(str(key)) + ": ")
                walk(item[key], depth + 1)
            put("}")
        elif isinstance(item, (list, tuple)):
            if depth >= MAX_DEPTH:
                put("[\u2026]" if item else "[]")
                return
            put("[")
            for i, element in enumerate(item):
                if size[0] > limit:
                    return
                if i:
                    put(", ")
                walk(element, depth + 1)
            put("]")
        else:
            put(_scalar(item))

    walk(value, 0)
    return "".join(out)


def _scalar(value):
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # not a JSON value, or an int too long for str() (3.11's digit limit)
        return "(%s)" % type(value).__name__


def label(value, limit=100):
    """A log value as a table key, made safe: text as it is (shortened), anything else as its JSON in parentheses,
    None as (none)."""
    if value is None:
        return NONE
    if isinstance(value, str):
        return safe(value)[:limit] if value else '""'
    return "(%s)" % _short(to_json(value, limit), limit)


def example(value):
    """A field's value as an example: JSON text, made safe and shortened."""
    return _short(value if isinstance(value, str) else to_json(value, MAX_TEXT))


def field_name(name):
    """A field name (a JSON key) as shown: made safe, a long or odd one labelled."""
    return safe(name) if isinstance(name, str) and len(name) <= 100 else label(name)


def json_type(value):
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


class Capped:
    """Counts of at most ``cap`` distinct keys (plus those of ``always``); keys past the cap are counted together
    under ``(other)``."""

    __slots__ = ("always", "cap", "counts", "other_keys")

    def __init__(self, cap=MAX_DISTINCT, always=frozenset()):
        self.cap = cap
        self.always = always
        self.counts = {}
        self.other_keys = 0  # how many lines were counted under (other) because the table was full

    def add(self, key, n=1):
        counts = self.counts
        if key in counts:
            counts[key] += n
        elif len(counts) < self.cap or key in self.always:
            counts[key] = n
        else:
            self.other_keys += n
            counts[OTHER] = counts.get(OTHER, 0) + n

    def as_dict(self):
        return dict(sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])))


class HeavyHitters:
    """The most frequent values of a stream in at most ``cap`` counters, whatever came first (Misra-Gries).

    While fewer than ``cap`` distinct values came, the counts are exact. When a new value finds the table full, every
    counter goes down by one, counters at zero are dropped, and the new value is not kept (``decrements`` counts these
    steps). So a true count is between a kept count and the kept count + ``decrements``, and ``decrements`` is at most
    N / (cap + 1) for N values counted: every value seen more than N / (cap + 1) times is kept. Sorted by their
    counts, every value seen more than N / (k + 1) times is among the first k (Misra-Gries with cap counters is
    Space-Saving with cap + 1 counters, whose counts add up to N). Each decrement step costs one pass over the table
    and removes cap + 1 from the counts' total, so the work stays linear in N.

    The hot loop adds to ``counts`` itself for a kept value (one look-up) and calls ``add`` on a miss.
    """

    __slots__ = ("cap", "counts", "decrements", "dropped")

    def __init__(self, cap=MAX_DISTINCT):
        self.cap = cap
        self.counts = {}
        self.decrements = 0
        self.dropped = 0  # values that left the table (or were not kept)

    def add(self, key):
        counts = self.counts
        if key in counts:
            counts[key] += 1
        elif len(counts) < self.cap:
            counts[key] = 1
        else:
            self.decrements += 1
            kept = {k: c - 1 for k, c in counts.items() if c > 1}
            self.dropped += len(counts) - len(kept) + 1
            counts.clear()  # the same dict: the hot loop holds it
            counts.update(kept)

    def total(self):
        """N, the values counted: what the counters hold plus what each decrement step took (cap + 1 each)."""
        return sum(self.counts.values()) + self.decrements * (self.cap + 1)

    def top(self, n):
        """The first n by count, each with its count as an upper bound (kept count + decrements) and ``error``,
        how far above the true count it may be (0 while the counts are exact)."""
        d = self.decrements
        items = sorted(self.counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        return [{"value": k, "count": c + d, "error": d} for k, c in items[:n]]


def find_files(path, include_rotated):
    """The received file, and with ``include_rotated`` its rotated siblings, oldest first.

    logrotate's names: ``local0.log.1``, ``local0.log.2.gz`` (numbered), or ``local0.log-20250115[.gz]`` (dateext).
    """
    files = []
    if include_rotated:
        directory, name = os.path.split(path)
        pattern = re.compile(ROTATED_RE % re.escape(name))
        try:
            entries = os.listdir(directory or ".")
        except OSError:
            entries = []
        numbered, dated = [], []
        for entry in entries:
            m = pattern.match(entry)
            if m:
                full = os.path.join(directory, entry)
                if m.group(1) is not None:
                    numbered.append((-int(m.group(1)), full))
                else:
                    dated.append((m.group(2), full))
        files += [full for _key, full in sorted(dated)] + [full for _key, full in sorted(numbered)]
    files.append(path)
    return files


def plain(handle):
    """The file's bytes in blocks of BLOCK."""
    while True:
        block = handle.read(BLOCK)
        if not block:
            return
        yield block


def decompressed(handle, factory):
    """The decompressed bytes of a gzip / bzip2 / xz file in blocks of at most BLOCK (so a small file that expands
    a thousandfold cannot fill memory), every stream of a multi-stream file in turn. Everything before a damage is
    yielded; then the damage raises (EOFError for a cut-off file)."""
    data = b""
    while True:
        dec = factory()
        gz = isinstance(dec, type(zlib.decompressobj()))
        while not dec.eof:
            if gz:
                if not data:
                    data = handle.read(CHUNK)
                    if not data:
                        raise EOFError("the compressed file ends before its end-of-stream marker (cut off?)")
                out = dec.decompress(data, BLOCK)
                data = dec.unconsumed_tail
            else:
                if dec.needs_input:
                    if not data:
                        data = handle.read(CHUNK)
                        if not data:
                            raise EOFError("the compressed file ends before its end-of-stream marker (cut off?)")
                else:
                    data = b""
                out = dec.decompress(data, BLOCK)
                data = b""
            if out:
                yield out
        data = dec.unused_data + data
        if not data.strip(b"\0"):
            data = handle.read(CHUNK)
            if not data.strip(b"\0"):
                return  # the end (gzip allows zero padding after the last member)


class Report:
    """Feed it files (``add_file``) or lines (``add_lines``); ``result()`` gives the aggregates."""

    def __init__(self, since=None, until=None, log_types=None, top=10, examples=5):
        self.since_text, self.until_text = since, until
        self.since = self.until = None
        if since:
            self.since = parse_time(since)
            if self.since is None:
                raise ReportError(
                    "since=%r is not a date or date-time (use e.g. 2025-01-15 or 2025-01-15T09:00:00+09:00)" % since
                )
        if until:
            self.until = parse_time(until, end_of_period=True)
            if self.until is None:
                raise ReportError(
                    "until=%r is not a date or date-time (use e.g. 2025-01-15 or 2025-01-15T18:00:00+09:00)" % until
                )
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ReportError("until (%s) must be later than since (%s)" % (until, since))
        if log_types is not None and not isinstance(log_types, (list, tuple)):
            raise ReportError("log_types must be a list of log_type names")
        self.log_types = frozenset(log_types) if log_types else None
        if top < 1 or examples < 0:
            raise ReportError("top must be at least 1 and examples at least 0")
        self.top = top
        self.n_examples = examples
        self.windowed = self.since is not None or self.until is not None

        self.files = []
        self._file = None
        self._file_start = 0
        self.lines = 0
        self.events = 0
        self.excluded = {"tag": 0, "hostname": 0, "verify_run": 0}
        self.filtered_type = Capped(MAX_LOG_TYPES)
        self.outside_window = 0
        self.unparsable = {}
        self.unparsable_examples = []
        self.unterminated = 0
        # (log_type label) -> [count, Capped(levels)]
        self.types = {}
        self.levels = Capped(MAX_LEVELS, always=KNOWN_LEVELS)
        self.hour_cache = {}  # "YYYY-MM-DDTHH" + offset -> [utc hour epoch, min timestamp text, max timestamp text]
        self.first = self.last = None  # (epoch, text) folded in from evicted cache entries
        self.bucket_seconds = 3600
        self.buckets = {}  # bucket start epoch -> {log_type label: count}
        self.no_timestamp = 0
        self.shapes = {}  # (type, keys, params keys) -> [count, type label]
        self.shape_overflow = 0
        self.fields = {}  # type label -> {field: [count, {json types}, [examples]]}
        self.fields_capped = {}
        self.raw_examples = {}
        self.users = HeavyHitters()
        self.addresses = HeavyHitters()
        self.agents = HeavyHitters()
        self.login_events = 0
        self.problems = HeavyHitters()
        self.problem_count = 0
        self.problem_examples = collections.deque(maxlen=max(examples * 4, 1))

    # ---- input -------------------------------------------------------------------------------------------------
    def add_file(self, path):
        """Read one file (plain or compressed) to the end; problems with it are recorded, never raised."""
        ext = os.path.splitext(path)[1]
        factory = DECOMPRESSORS.get(ext)
        # the path as shown: a rotated file's name comes from the directory (undecodable bytes, controls)
        info = {"path": safe(path), "compressed": ext[1:] if factory else None, "bytes": 0, "lines": 0, "error": None}
        self.files.append(info)
        try:
            info["bytes"] = os.stat(path).st_size
            handle = open(path, "rb")
        except FileNotFoundError:
            info["error"] = "not found"
            return info
        except OSError as exc:
            info["error"] = _short("cannot open: %s" % (exc.strerror or exc))
            return info
        self._file = info
        self._file_start = self.lines
        try:
            with handle:
                self._read(decompressed(handle, factory) if factory else plain(handle))
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
            # a truncated or corrupt compressed file: every line decompressed before the damage has been counted
            info["error"] = _short("read stopped: %s" % (getattr(exc, "strerror", None) or exc))
        info["lines"] = self.lines - self._file_start
        return info

    def _read(self, blocks):
        """Lines of MAX_LINE_BYTES at most are kept across blocks; a longer one is counted and skipped to its end."""
        carry = b""
        skipping = False
        for block in blocks:
            parts = block.split(b"\n")
            if skipping:
                if len(parts) == 1:
                    continue
                skipping = False
                parts = parts[1:]
            else:
                parts[0] = carry + parts[0]
            carry = parts.pop()
            if parts:
                self.add_lines(parts, crlf=b"\r" in block)
            if len(carry) > MAX_LINE_BYTES:
                self.lines += 1
                self._bad(carry[:MAX_RAW], "line longer than %d bytes" % MAX_LINE_BYTES)
                carry = b""
                skipping = True
        if carry and not skipping:
            self.unterminated += 1
            self.add_lines([carry], last_unterminated=True)

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
        """The hot loop of the module: names are bound to locals, and the common case (a known log type, hour, shape
        and value) costs a few dictionary look-ups; everything new or rare goes to a method. Returns False at the
        end, True after a line that raised (counted by _unsummarised)."""
        types = self.types
        hour_cache = self.hour_cache
        log_type_filter = self.log_types
        windowed = self.windowed
        excluded = self.excluded
        users = self.users.counts
        addresses = self.addresses.counts
        agents = self.agents.counts
        login_types = LOGIN_TYPES
        problem_levels = PROBLEM_LEVELS
        test_tag, test_host, test_field = TEST_TAG, TEST_HOST, TEST_FIELD
        sample_per_shape = SAMPLE_PER_SHAPE
        parse = parse_line
        nesting_chars = 2 * MAX_NESTING  # a line shorter than this cannot nest deeper
        too_deep = _too_deep
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
                            entry = self._hour_entry(timestamp)
                        if entry is not None and len(timestamp) >= 19:
                            prefix, suffix = timestamp[:13], timestamp[-6:]
                        else:
                            prefix = None
                    if entry is not None:
                        if windowed:
                            if not self._in_window(entry[0], timestamp):
                                self.outside_window += 1
                                same_second = None
                                continue
                            # the entry was made with the hour's first line, which may be outside the window
                            if entry[1] is None or timestamp < entry[1]:
                                entry[1] = timestamp
                            if entry[2] is None or timestamp > entry[2]:
                                entry[2] = timestamp
                        elif timestamp < entry[1]:
                            entry[1] = timestamp
                        elif timestamp > entry[2]:
                            entry[2] = timestamp
                    elif windowed:
                        self.outside_window += 1
                        same_second = None
                        continue
                    same_second = timestamp

                events += 1
                counted = n
                rec = types.get(log_type)
                if rec is None:
                    rec = self._new_type(log_type, raw)
                    log_type = rec[2]
                rec[0] += 1
                if entry is not None:
                    bucket = entry[4]
                    if bucket is None:
                        bucket = self._bucket(entry)
                    try:
                        bucket[log_type] += 1
                    except KeyError:
                        bucket[log_type] = 1
                else:
                    self.no_timestamp += 1
                # counted where the table has it already (a str key); anything else (new, long, not a string, not
                # hashable) is labelled and counted by _count_level
                level = data.get("log_level")
                levels = rec[1]
                try:
                    levels[level] += 1
                except (KeyError, TypeError):
                    level = self._count_level(levels, level)

                # observed schema: lines are grouped by their keys (a line with the keys of the last line of its type
                # joins that line's group at once); values are looked at for the first lines of each group
                params = data.get("params")
                if not isinstance(params, dict):
                    params = None
                last = rec[3]
                if (
                    last is not None
                    and last[0] == data.keys()
                    and last[1] == (None if params is None else params.keys())
                ):
                    shape = last[2]
                    shape[0] += 1
                    if shape[0] <= sample_per_shape:
                        self._sample(log_type, data, params)
                else:
                    self._shape(rec, log_type, data, params)

                if params is not None:
                    if log_type in login_types:
                        logins += 1
                        # as for the level: the common case is a value the table has, counted at once (written out
                        # three times on purpose: a loop over the three fields measured 0.12 µs more per line on 3.11,
                        # 0.15 on 3.9)
                        value = params.get("username")
                        if value is not None:
                            try:
                                users[value] += 1
                            except (KeyError, TypeError):
                                self._value(self.users, value, 200)
                        value = params.get("ip_address")
                        if value is not None:
                            try:
                                addresses[value] += 1
                            except (KeyError, TypeError):
                                self._value(self.addresses, value, 100)
                        value = params.get("user_agent")
                        if value is not None:
                            try:
                                agents[value] += 1
                            except (KeyError, TypeError):
                                self._value(self.agents, value, MAX_TEXT)
                    code = params.get("code")
                    result = params.get("result")
                else:
                    code = result = None
                if (
                    level in problem_levels
                    or (isinstance(code, str) and "-I-" not in code and PROBLEM_CODE_RE.search(code) is not None)
                    or (isinstance(result, str) and result != "success" and result.lower() in FAILED_RESULTS)
                ):
                    self._problem(log_type, level, code, data, timestamp, raw)
                else:
                    message = data.get("message")
                    if isinstance(message, str) and "ail" in message and "fail" in message.lower():
                        self._problem(log_type, level, code, data, timestamp, raw)
        except Exception as exc:  # see add_lines: one line never fails the report
            if counted == n:
                events -= 1
            self.lines = n
            self.events += events
            self.login_events += logins
            self._unsummarised(line, exc, last_unterminated)
            return True
        self.lines = n
        self.events += events
        self.login_events += logins
        return False

    # ---- the less frequent paths (new keys, bad lines, problems) -------------------------------------------------
    def _unsummarised(self, line, exc, truncated):
        if isinstance(line, bytes):
            line = line.decode("utf-8", "backslashreplace")
        reason = "could not be summarised (%s: %s)" % (type(exc).__name__, _short(str(exc), 100))
        self._bad("" if line is None else line, reason, truncated)

    def _bad(self, line, reason, truncated=False):
        text = line.decode("utf-8", "backslashreplace") if isinstance(line, bytes) else line
        detail = None
        if reason.startswith(ERROR_NOT_JSON_PREFIX):
            detail = _short(reason[len(ERROR_NOT_JSON_PREFIX) :])
            reason = "the message is not JSON"
        if "\x00" in text and isinstance(line, str):
            reason += ", with NUL bytes"
        if truncated:
            reason += " (the last line, without a line end: cut off?)"
        self.unparsable[reason] = self.unparsable.get(reason, 0) + 1
        if len(self.unparsable_examples) < self.n_examples:
            self.unparsable_examples.append(
                {
                    "file": self._file["path"] if self._file else None,  # made safe in add_file
                    "line": self.lines - self._file_start,
                    "reason": reason,
                    "detail": detail,
                    "text": _short(text, MAX_RAW),
                }
            )

    def _hour_entry(self, timestamp):
        """[UTC hour, lowest and highest timestamp text seen, bucket start] for a new date-hour + offset."""
        epoch = parse_time(timestamp)
        if epoch is None:
            return None
        hour = int(epoch - epoch % 3600)
        if len(self.hour_cache) >= MAX_HOUR_KEYS:
            self._flush_hour_cache()
        seen = None if self.windowed else timestamp
        entry = [hour, seen, seen, hour - hour % self.bucket_seconds, None]
        self.hour_cache[timestamp[:13] + timestamp[-6:]] = entry
        return entry

    @staticmethod
    def _count_level(levels, level):
        """Count a level that is not (yet) a key of the table as it is; returns the level as counted."""
        if not isinstance(level, str) or UNSAFE_RE.search(level) is not None:
            level = label(level, 40)
        if level in levels:
            levels[level] += 1
            return level
        return Report._new_level(levels, level)

    @staticmethod
    def _new_level(levels, level):
        if len(level) > 40:
            level = label(level, 40)
            if level in levels:
                levels[level] += 1
                return level
        if len(levels) < MAX_LEVELS or level in KNOWN_LEVELS:
            # made-up levels that came first cannot push the real ones (ERROR, WARN, ...) into (other)
            levels[level] = 1
        else:
            levels[OTHER] = levels.get(OTHER, 0) + 1
        return level

    @staticmethod
    def _value(counter, value, limit):
        """A login value the table does not hold as it is: made safe, then counted."""
        counter.add(label(value, limit))

    def _flush_hour_cache(self):
        """Fold the cache's first and last timestamps into self.first / self.last, then empty it."""
        for _hour, low, high, _start, _bucket in self.hour_cache.values():
            for text in (low, high):
                epoch = parse_time(text) if text is not None else None
                if epoch is None:
                    continue
                if self.first is None or epoch < self.first[0]:
                    self.first = (epoch, text)
                if self.last is None or epoch > self.last[0]:
                    self.last = (epoch, text)
        self.hour_cache.clear()

    def _in_window(self, hour, timestamp):
        since, until = self.since, self.until
        if (since is None or hour >= since) and (until is None or hour + 3600 <= until):
            return True
        if (since is not None and hour + 3600 <= since) or (until is not None and hour >= until):
            return False
        epoch = parse_time(timestamp)
        return epoch is not None and (since is None or epoch >= since) and (until is None or epoch < until)

    def _bucket(self, entry):
        """The bucket (counts per log type) of an hour entry. When there are too many buckets, all of them are merged
        into longer periods (days, weeks, ...), so that a forged spread of timestamps cannot grow memory."""
        buckets = self.buckets
        if entry[3] not in buckets and len(buckets) >= MAX_BUCKETS:
            for _name, seconds in GRANULARITIES:
                if seconds <= self.bucket_seconds:
                    continue
                merged = {}
                for begin, counts in buckets.items():
                    target = merged.setdefault(begin - begin % seconds, {})
                    for key, n in counts.items():
                        target[key] = target.get(key, 0) + n
                buckets.clear()
                buckets.update(merged)
                self.bucket_seconds = seconds
                if len(buckets) < MAX_BUCKETS // 2:
                    break
            for cached in self.hour_cache.values():
                cached[3] = cached[0] - cached[0] % self.bucket_seconds
                cached[4] = None
        bucket = buckets.get(entry[3])
        if bucket is None:
            bucket = buckets[entry[3]] = {}
        entry[4] = bucket
        return bucket

    def _new_type(self, log_type, raw):
        log_type = label(log_type)
        if log_type not in self.types and len(self.types) >= MAX_LOG_TYPES and log_type not in ONEGATE_TYPES:
            # made-up kinds that came first cannot push OneGate's own kinds (and their logins) into (other)
            log_type = OTHER
        rec = self.types.get(log_type)
        if rec is None:
            rec = self.types[log_type] = [0, {}, log_type, None]
            self.fields[log_type] = {}
            self.fields_capped[log_type] = 0
            self.raw_examples[log_type] = []
        if len(self.raw_examples[log_type]) < max(1, min(self.n_examples, 3)):
            self.raw_examples[log_type].append(_short(raw, MAX_RAW))
        return rec

    def _shape(self, rec, log_type, data, params):
        """The group of a line whose keys differ from the last line's of its type: found or made, then counted."""
        size = len(data) + (len(params) if params is not None else 0)
        if size > MAX_SHAPE_KEYS:
            # too many keys to follow as a group: its fields are counted one by one (bounded by MAX_FIELDS)
            self.shape_overflow += 1
            self._sample(log_type, data, params, count=True)
            return
        key = (log_type, tuple(data), None if params is None else tuple(params))
        shape = self.shapes.get(key)
        if shape is None:
            if len(self.shapes) >= MAX_SHAPES:
                self.shape_overflow += 1
                self._sample(log_type, data, params, count=True)
                return
            shape = self.shapes[key] = [0, log_type]
        shape[0] += 1
        rec[3] = (data.keys(), None if params is None else params.keys(), shape)
        if shape[0] <= SAMPLE_PER_SHAPE:
            self._sample(log_type, data, params)

    def _sample(self, log_type, data, params, count=False):
        """Types and example values of a line's fields (and, for lines outside the shapes, their counts)."""
        fields = self.fields.get(log_type)
        if fields is None:
            return
        items = [(k, v) for k, v in data.items() if k != "params" or not isinstance(v, dict)]
        if isinstance(params, dict):
            items.append(("params", params))
            items += [("params." + str(k), v) for k, v in params.items()]
        for name, value in items:
            rec = fields.get(name)  # a safe name is its own key
            if rec is None:
                name = field_name(name)
                rec = fields.get(name)
            if rec is None:
                if len(fields) >= MAX_FIELDS:
                    if count:
                        self.fields_capped[log_type] += 1
                    continue
                rec = fields[name] = [0, set(), []]
            if count:
                rec[0] += 1
            rec[1].add(json_type(value))
            if len(rec[2]) < FIELD_EXAMPLES and not isinstance(value, dict):
                text = example(value)
                if text not in rec[2]:
                    rec[2].append(text)

    def _problem(self, log_type, level, code, data, timestamp, raw):
        self.problem_count += 1
        message = data.get("message")
        message = _short(message, 200) if isinstance(message, str) else label(message, 200)
        code = None if code is None else label(code, 60)
        self.problems.add((log_type, level, code, message))
        self.problem_examples.append(
            {
                "timestamp": None if timestamp is None else _short(timestamp, 100),
                "log_type": log_type,
                "log_level": level,
                "code": code,
                "message": message,
                "raw": _short(raw, MAX_RAW),
            }
        )

    # ---- the result --------------------------------------------------------------------------------------------
    def _field_counts(self):
        """Per type: field -> lines carrying it, from the shapes (exact) plus the lines counted directly."""
        counts = {t: {} for t in self.fields}
        for (_shape_type, keys, pkeys), (n, log_type) in self.shapes.items():
            per = counts[log_type]
            names = [k for k in keys if k != "params" or pkeys is None]
            if pkeys is not None:
                names.append("params")
                names += ["params." + str(k) for k in pkeys]
            for name in names:
                name = field_name(name)
                per[name] = per.get(name, 0) + n
        return counts

    def _timeline(self):
        """Dense buckets from the first to the last period, at most MAX_TIMELINE_POINTS of them: hours if the span
        allows it, else days, weeks, months (30 days), years (365 days), or several years each."""
        if not self.buckets:
            return {"granularity": None, "bucket_seconds": None, "log_types": [], "buckets": []}
        starts = sorted(self.buckets)
        for granularity, size in GRANULARITIES:
            if size < self.bucket_seconds:
                continue
            first = starts[0] - starts[0] % size
            points = (starts[-1] - starts[-1] % size - first) // size + 1
            name = granularity
            if points <= MAX_TIMELINE_POINTS:
                break
        if points > MAX_TIMELINE_POINTS:  # forged timestamps over millennia: years, several per bucket
            size *= -(-points // MAX_TIMELINE_POINTS)
            first = starts[0] - starts[0] % size
            points = (starts[-1] - starts[-1] % size - first) // size + 1
        merged = {}
        for begin in starts:
            target = merged.setdefault(begin - begin % size, {})
            for key, n in self.buckets[begin].items():
                target[key] = target.get(key, 0) + n
        totals = {}
        for counts in merged.values():
            for key, n in counts.items():
                totals[key] = totals.get(key, 0) + n
        order = [k for k, _n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
        out = []
        for begin in range(first, first + points * size, size):
            counts = merged.get(begin, {})
            out.append(
                {"start": iso(begin), "total": sum(counts.values()), "counts": {k: counts.get(k, 0) for k in order}}
            )
        return {"granularity": name, "bucket_seconds": size, "log_types": order, "buckets": out}

    def result(self):
        self._flush_hour_cache()
        field_counts = self._field_counts()
        by_type = []
        schema = {}
        for log_type, (count, levels, _name, _last) in sorted(self.types.items(), key=lambda kv: (-kv[1][0], kv[0])):
            by_type.append(
                {
                    "log_type": log_type,
                    "count": count,
                    "levels": dict(sorted(levels.items(), key=lambda kv: (-kv[1], kv[0]))),
                }
            )
            for level, n in levels.items():
                self.levels.add(level, n)
            fields = []
            for name, (direct, kinds, examples) in self.fields[log_type].items():
                seen = field_counts[log_type].get(name, 0) + direct
                fields.append({"field": name, "count": seen, "types": sorted(kinds), "examples": examples})
            fields.sort(key=lambda f: (-f["count"], f["field"]))
            schema[log_type] = {
                "count": count,
                "fields": fields,
                "fields_capped": self.fields_capped[log_type],
                "raw_examples": self.raw_examples[log_type],
            }
        problems = [
            {"log_type": k[0], "log_level": k[1], "code": k[2], "message": k[3], "count": c, "error": e}
            for k, c, e in ((x["value"], x["count"], x["error"]) for x in self.problems.top(len(self.problems.counts)))
        ]
        unparsable = sum(self.unparsable.values())
        excluded = sum(self.excluded.values())
        return {
            "files": self.files,
            "lines": self.lines,
            "events": self.events,
            "excluded_test_records": {"count": excluded, "by_reason": dict(self.excluded)},
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
            "unparsable": {
                "count": unparsable,
                "by_reason": dict(sorted(self.unparsable.items(), key=lambda kv: (-kv[1], kv[0]))),
                "examples": self.unparsable_examples,
            },
            "unterminated_last_lines": self.unterminated,
            # timestamps that matched TS_RE (digits, which may be any script's): made safe all the same
            "first_timestamp": safe(self.first[1]) if self.first else None,
            "last_timestamp": safe(self.last[1]) if self.last else None,
            "first_timestamp_utc": iso(self.first[0]) if self.first else None,
            "last_timestamp_utc": iso(self.last[0]) if self.last else None,
            "no_timestamp": self.no_timestamp,
            "by_log_type": by_type,
            "by_log_level": self.levels.as_dict(),
            "timeline": self._timeline(),
            "schema": schema,
            "logins": {
                "log_types": list(LOGIN_TYPES),
                "count": self.login_events,
                "users": self.users.top(self.top),
                "ip_addresses": self.addresses.top(self.top),
                "user_agents": self.agents.top(self.top),
                "distinct": {
                    "users": len(self.users.counts),
                    "ip_addresses": len(self.addresses.counts),
                    "user_agents": len(self.agents.counts),
                },
                "capped": bool(self.users.decrements or self.addresses.decrements or self.agents.decrements),
                "heavy_hitters": {
                    key: {"counted": table.total(), "counters": table.cap, "error": table.decrements}
                    for key, table in (
                        ("users", self.users),
                        ("ip_addresses", self.addresses),
                        ("user_agents", self.agents),
                    )
                },
            },
            "problems": {
                "count": self.problem_count,
                "kinds": problems[: max(self.top, 20)],
                "kinds_total": len(problems),
                "error": self.problems.decrements,
                "latest": list(self.problem_examples),
            },
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
