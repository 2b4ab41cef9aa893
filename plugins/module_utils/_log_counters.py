# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bounded count tables of onegate_log_report: counts of at most a fixed number of distinct keys, whatever the log
holds. Python 3.9 and the standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_values import OTHER, UNSAFE_RE, label

MAX_DISTINCT = 10000  # distinct users / addresses / agents / problem kinds counted exactly


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


def count_level(levels, level, cap, always):
    """Count a log level that is not (yet) a key of ``levels`` as it is: labelled, up to ``cap`` distinct ones plus
    those of ``always`` (the rest under (other)). Returns the level as counted."""
    if not isinstance(level, str) or UNSAFE_RE.search(level) is not None:
        level = label(level, 40)
    if level in levels:
        levels[level] += 1
        return level
    if len(level) > 40:
        level = label(level, 40)
        if level in levels:
            levels[level] += 1
            return level
    if len(levels) < cap or level in always:
        # made-up levels that came first cannot push the real ones (ERROR, WARN, ...) into (other)
        levels[level] = 1
    else:
        levels[OTHER] = levels.get(OTHER, 0) + 1
    return level
