# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: aws_lifetime_cost
short_description: What the receiver's AWS stack has cost since it was created
version_added: 0.1.0
description:
  - The price table of P(netattest.tls_syslog.aws_monthly_cost#filter) times the hours since the stack's creation,
    broken down (instance, public IPv4, EBS, EFS).
  - When the instance is stopped and the stack has expired, the instance is counted until the expiry only (it
    stopped itself then); the rest bills until now.
  - A region or instance type the table does not hold gives a result that says so (C(total_usd) null).
author:
  - netattest.tls_syslog developers (@netattest)
extends_documentation_fragment:
  - netattest.tls_syslog._aws_stack_size
options:
  created_at:
    description: When the stack was created, UTC (V(2026-12-04T16:47:00Z)).
    type: str
    required: true
  now:
    description: The time now, UTC.
    type: str
    required: true
  expires_at:
    description: When the stack expired or expires, UTC.
    type: str
  instance_stopped:
    description: Whether the instance is stopped now.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: What the stack cost
  ansible.builtin.debug:
    msg: "{{ ('t2.micro' | netattest.tls_syslog.aws_lifetime_cost(created_at=created, now=later)).lines }}"
  vars:
    created: "2026-12-01T00:00:00Z"
    later: "2026-12-04T00:00:00Z"
"""

RETURN = r"""
_value:
  description: C(items) (item, usd), C(total_usd), C(hours), C(instance_hours), C(prices_date), C(lines) to print.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._aws_expiry import ExpiryError, lifetime_cost


def aws_lifetime_cost(
    instance_type,
    created_at,
    now,
    expires_at=None,
    instance_stopped=False,
    root_volume_gb=8,
    efs_gb=1.0,
    region="ap-northeast-1",
):
    try:
        return lifetime_cost(
            instance_type,
            created_at,
            now,
            expires_at=expires_at or None,
            instance_stopped=bool(instance_stopped),
            root_volume_gb=int(root_volume_gb),
            efs_gb=float(efs_gb),
            region=region,
            strict=False,
        )
    except ExpiryError as e:
        raise AnsibleFilterError(str(e)) from e


class FilterModule:
    def filters(self):
        return {"aws_lifetime_cost": aws_lifetime_cost}
