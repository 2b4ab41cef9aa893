# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problems in onegate_log_report: the lines that report a failure (a problem level, an error / warning / fatal code,
a failed result, or "fail" in the message), by kind in a heavy-hitters table, with the latest ones as examples.
Python 3.9 and the standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import re

from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_counters import HeavyHitters
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_values import MAX_RAW, label, short

PROBLEM_LEVELS = frozenset(
    level
    for name in ("WARN", "WARNING", "ERROR", "ERR", "FATAL", "CRITICAL", "CRIT", "ALERT", "EMERG", "SEVERE")
    for level in (name, name.lower(), name.capitalize())
)
# OneGate's codes carry a severity letter: IM-605-I-001000 is information; E, W and F are error, warning, fatal.
PROBLEM_CODE_RE = re.compile(r"-[EWF]-")
FAILED_RESULTS = frozenset(["failure", "failed", "fail", "error", "ng", "denied", "rejected"])


class Problems:
    """The problem tables of a report. The report's hot loop tests each counted line (PROBLEM_LEVELS, PROBLEM_CODE_RE,
    FAILED_RESULTS, "fail" in the message) and ``add``s a problem."""

    __slots__ = ("count", "kinds", "latest")

    def __init__(self, examples):
        self.count = 0
        self.kinds = HeavyHitters()
        self.latest = collections.deque(maxlen=max(examples * 4, 1))

    def add(self, log_type, level, code, data, timestamp, raw):
        self.count += 1
        message = data.get("message")
        message = short(message, 200) if isinstance(message, str) else label(message, 200)
        code = None if code is None else label(code, 60)
        self.kinds.add((log_type, level, code, message))
        self.latest.append(
            {
                "timestamp": None if timestamp is None else short(timestamp, 100),
                "log_type": log_type,
                "log_level": level,
                "code": code,
                "message": message,
                "raw": short(raw, MAX_RAW),
            }
        )

    def result(self, top):
        kinds = []
        for row in self.kinds.top(len(self.kinds.counts)):
            log_type, level, code, message = row["value"]  # the key made by add
            kind = {"log_type": log_type, "log_level": level, "code": code, "message": message}
            kind.update(count=row["count"], error=row["error"])
            kinds.append(kind)
        return {
            "count": self.count,
            "kinds": kinds[: max(top, 20)],
            "kinds_total": len(kinds),
            "error": self.kinds.decrements,
            "latest": list(self.latest),
        }
