# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time in onegate_log_report: the received lines' timestamps, the report's window, and the timeline (counts per log
type in hour buckets, merged into longer ones when a forged spread of timestamps would grow them). Python 3.9 and the
standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import re
import time

MAX_HOUR_KEYS = 20000  # cache of "date-hour + offset" -> UTC hour
MAX_BUCKETS = 20000  # time buckets before they are merged into longer ones
MAX_TIMELINE_POINTS = 400  # buckets returned: hours, else days, else longer
TS_RE = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?)?\s*([Zz]|[+-]\d\d:?\d\d)?$",
)
GRANULARITIES = (("hour", 3600), ("day", 86400), ("week", 7 * 86400), ("month", 30 * 86400), ("year", 365 * 86400))


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


def window(since, until):
    """The report's window from its options (texts or None) as epochs (since, until), each None when not given.
    Raises ValueError naming the problem and the fix."""
    start = end = None
    if since:
        start = parse_time(since)
        if start is None:
            raise ValueError(
                "since=%r is not a date or date-time (use e.g. 2025-01-15 or 2025-01-15T09:00:00+09:00)" % since
            )
    if until:
        end = parse_time(until, end_of_period=True)
        if end is None:
            raise ValueError(
                "until=%r is not a date or date-time (use e.g. 2025-01-15 or 2025-01-15T18:00:00+09:00)" % until
            )
    if start is not None and end is not None and end <= start:
        raise ValueError("until (%s) must be later than since (%s)" % (until, since))
    return start, end


class HourEntry:
    """One date-hour + offset of the timestamps seen: its UTC hour, the lowest and highest timestamp text seen in it
    (inside the window), the start of its bucket, and the bucket (counts per log type) once a line was counted."""

    __slots__ = ("bucket", "high", "hour", "low", "start")

    def __init__(self, hour, seen, start):
        self.hour = hour
        self.low = self.high = seen
        self.start = start
        self.bucket = None


class Timeline:
    """The time tables of a report: the hour cache, the first and last timestamps, the window and the buckets.

    The report's hot loop reads ``hour_cache`` itself (one look-up for a known hour) and calls ``hour_entry`` for a
    new one, ``in_window`` when a window is set, and ``bucket`` for an entry's first counted line."""

    __slots__ = ("bucket_seconds", "buckets", "first", "hour_cache", "last", "since", "until", "windowed")

    def __init__(self, since, until):
        self.since, self.until = since, until
        self.windowed = since is not None or until is not None
        self.hour_cache = {}  # "YYYY-MM-DDTHH" + offset -> HourEntry
        self.first = self.last = None  # (epoch, text) folded in from evicted cache entries
        self.bucket_seconds = 3600
        self.buckets = {}  # bucket start epoch -> {log_type label: count}

    def hour_entry(self, timestamp):
        """The entry of a new date-hour + offset, or None when the text is not a timestamp."""
        epoch = parse_time(timestamp)
        if epoch is None:
            return None
        hour = int(epoch - epoch % 3600)
        if len(self.hour_cache) >= MAX_HOUR_KEYS:
            self.flush()
        entry = HourEntry(hour, None if self.windowed else timestamp, hour - hour % self.bucket_seconds)
        self.hour_cache[timestamp[:13] + timestamp[-6:]] = entry
        return entry

    def flush(self):
        """Fold the cache's first and last timestamps into self.first / self.last, then empty it."""
        for entry in self.hour_cache.values():
            for text in (entry.low, entry.high):
                epoch = parse_time(text) if text is not None else None
                if epoch is None:
                    continue
                if self.first is None or epoch < self.first[0]:
                    self.first = (epoch, text)
                if self.last is None or epoch > self.last[0]:
                    self.last = (epoch, text)
        self.hour_cache.clear()

    def in_window(self, hour, timestamp):
        since, until = self.since, self.until
        if (since is None or hour >= since) and (until is None or hour + 3600 <= until):
            return True
        if (since is not None and hour + 3600 <= since) or (until is not None and hour >= until):
            return False
        epoch = parse_time(timestamp)
        return epoch is not None and (since is None or epoch >= since) and (until is None or epoch < until)

    def bucket(self, entry):
        """The bucket (counts per log type) of an hour entry. When there are too many buckets, all of them are merged
        into longer periods (days, weeks, ...), so that a forged spread of timestamps cannot grow memory."""
        buckets = self.buckets
        if entry.start not in buckets and len(buckets) >= MAX_BUCKETS:
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
                cached.start = cached.hour - cached.hour % self.bucket_seconds
                cached.bucket = None
        bucket = buckets.get(entry.start)
        if bucket is None:
            bucket = buckets[entry.start] = {}
        entry.bucket = bucket
        return bucket

    def result(self):
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
