# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logins in onegate_log_report: who logged in, from where, with what, among OneGate's login kinds, in heavy-hitters
tables (a spray of made-up names cannot hide the attacked account). Python 3.9 and the standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_counters import HeavyHitters
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_values import MAX_TEXT, label
from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_kinds import LOGIN_LOG_TYPES

# Kinds whose params carry username / ip_address / user_agent (the one table of kinds, _onegate_kinds).
LOGIN_TYPES = LOGIN_LOG_TYPES
LIMITS = {"users": 200, "addresses": 100, "agents": MAX_TEXT}  # characters kept of a value


class Logins:
    """The login tables of a report. The report's hot loop counts a value a table holds into its ``counts`` itself
    (HeavyHitters keeps the same dict) and the lines in ``count``; ``add`` takes any other value."""

    __slots__ = ("addresses", "agents", "count", "users")

    def __init__(self):
        self.count = 0
        self.users = HeavyHitters()
        self.addresses = HeavyHitters()
        self.agents = HeavyHitters()

    def add(self, table, value):
        """A value the table ("users", "addresses" or "agents") does not hold as it is: made safe, then counted."""
        getattr(self, table).add(label(value, LIMITS[table]))

    def result(self, top):
        tables = (("users", self.users), ("ip_addresses", self.addresses), ("user_agents", self.agents))
        return {
            "log_types": list(LOGIN_TYPES),
            "count": self.count,
            "users": self.users.top(top),
            "ip_addresses": self.addresses.top(top),
            "user_agents": self.agents.top(top),
            "distinct": {key: len(table.counts) for key, table in tables},
            "capped": any(table.decrements for _key, table in tables),
            "heavy_hitters": {
                key: {"counted": table.total(), "counters": table.cap, "error": table.decrements}
                for key, table in tables
            },
        }
