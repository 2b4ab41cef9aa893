# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: what the cost filters (aws_monthly_cost, aws_lifetime_cost) price, said once.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  _input:
    description: The instance type.
    type: str
    required: true
  root_volume_gb:
    description: The root volume, GB.
    type: int
    default: 8
  efs_gb:
    description: The GB the EFS file system holds (or, for an estimate, is expected to hold).
    type: float
    default: 1.0
  region:
    description: The region.
    type: str
    default: ap-northeast-1
"""
