# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: aws_monthly_cost
short_description: The estimated monthly cost of the receiver's AWS stack, broken down
version_added: 0.1.0
description:
  - From a price table in the collection (USD, on-demand, Linux, ap-northeast-1, with the date it was recorded and
    AWS's price pages as the source), the cost of a month (730 hours) of the stack - the instance, its public IPv4
    address (billed per hour since February 2024, attached or not), the EBS gp3 root volume and the EFS Standard
    storage (per GB stored) - and how cheaper instance types compare.
  - Not included - data transfer out, EFS requests, snapshots, taxes, the free tier.
  - Fails for a region or instance type the table does not hold, unless O(strict=false).
author:
  - netattest.tls_syslog developers (@netattest)
extends_documentation_fragment:
  - netattest.tls_syslog._aws_stack_size
options:
  hours:
    description: The cost of that many hours instead of a month.
    type: float
  strict:
    description: Fail for a region or instance type the table does not hold; with V(false), the result says so.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Show the estimate
  ansible.builtin.debug:
    msg: "{{ (aws_infra_instance_type | netattest.tls_syslog.aws_monthly_cost(root_volume_gb=8)).lines }}"
"""

RETURN = r"""
_value:
  description: The estimate - C(items) (item, usd), C(total_usd), C(alternatives), C(prices_date), C(lines) to print.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._aws_cost import CostError, monthly_cost


def aws_monthly_cost(instance_type, root_volume_gb=8, efs_gb=1.0, region="ap-northeast-1", hours=None, strict=True):
    try:
        return monthly_cost(
            instance_type, int(root_volume_gb), float(efs_gb), region=region, hours=hours, strict=strict
        )
    except CostError as e:
        raise AnsibleFilterError(str(e)) from e


class FilterModule:
    def filters(self):
        return {"aws_monthly_cost": aws_monthly_cost}
