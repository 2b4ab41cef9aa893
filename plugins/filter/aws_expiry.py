# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: aws_expiry
short_description: When a temporary AWS stack ends, counted from its creation
version_added: 0.1.0
description:
  - The end of the stack is its creation time plus the duration (V(14d), V(36h)). The same duration on every run
    gives the same end; a larger one extends the stack.
  - Returns C(created_at), C(expires_after), C(expires_at) (UTC, as the stack's tags hold them), C(expires_epoch),
    C(seconds_left) (negative once past), C(left), C(expired), C(extend_to) (a duration that puts the end a day
    ahead) and C(lines) to print, which say what still bills after the instance stops.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The duration, a whole number of hours or days (V(14d), V(36h)); at least one hour.
    type: str
    required: true
  created_at:
    description: When the stack was created, UTC (V(2026-12-04T16:47:00Z)). Required unless O(problem=true).
    type: str
  now:
    description: The time now, UTC. Required unless O(problem=true).
    type: str
  problem:
    description: Only check the duration; return why it is not one the role takes (an empty string when it is).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: How long is left
  ansible.builtin.debug:
    msg: "{{ ('14d' | netattest.tls_syslog.aws_expiry(created_at='2026-12-04T16:47:00Z', now=right_now)).lines }}"
  vars:
    right_now: "{{ now(utc=true).strftime('%Y-%m-%dT%H:%M:%SZ') }}"
"""

RETURN = r"""
_value:
  description: The end of the stack and how long is left (see the description).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._aws_expiry import (
    ExpiryError,
    duration_problem,
    expiry,
)


def aws_expiry(expires_after, created_at=None, now=None, problem=False):
    if problem:
        return duration_problem(expires_after)
    if created_at is None or now is None:
        raise AnsibleFilterError("aws_expiry needs created_at and now")
    try:
        return expiry(expires_after, created_at, now)
    except ExpiryError as e:
        raise AnsibleFilterError(str(e)) from e


class FilterModule:
    def filters(self):
        return {"aws_expiry": aws_expiry}
