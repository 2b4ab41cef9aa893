#!/usr/bin/python
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ec2_capacity_info
short_description: What an AWS account tells before anything is created (offerings, quotas, permissions)
version_added: 0.1.0
description:
  - Reads, in the region, what decides whether a stack can be built there, so that a run can stop before its first
    creating call rather than half-way.
  - The availability zones that offer O(instance_type) (C(DescribeInstanceTypeOfferings), location type
    C(availability-zone)). AZ names map to different physical zones in each account, so an instance type offered
    in one account's C(ap-northeast-1a) may not be offered in another's.
  - The VPCs in the region and the VPC quota (Service Quotas C(vpc/L-F678F1CE); when it cannot be read, AWS's
    default of 5, and RV(vpc_quota_source) says so).
  - The Elastic IPs in the region and the account's C(vpc-max-elastic-ips) (C(DescribeAccountAttributes)).
  - With O(dry_run), each listed EC2 call is sent with C(DryRun=true); the calls AWS refuses with
    C(UnauthorizedOperation) are returned in RV(denied). Nothing is created on AWS; moto, however, ignores
    C(DryRun) on C(CreateVpc) and creates the VPC, so list only calls whose C(DryRun) the endpoint honours.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  instance_type:
    description: The instance type to look for.
    type: str
    required: true
  dry_run:
    description:
      - EC2 calls to try with C(DryRun=true), as a dictionary of the API name (for example C(CreateVpc)) to its
        arguments.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    details: The module only reads (DryRun calls create nothing); it runs the same in check mode.
  diff_mode:
    support: none
  idempotent:
    support: full
  platform:
    support: full
    platforms: all
extends_documentation_fragment:
  - netattest.tls_syslog._attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What the account can tell
  netattest.tls_syslog.ec2_capacity_info:
    instance_type: t2.micro
    dry_run:
      CreateInternetGateway: {}
      AllocateAddress: {Domain: vpc}
  register: capacity

- name: Stop unless ap-northeast-1a offers the type
  ansible.builtin.assert:
    that: "'ap-northeast-1a' in capacity.instance_type_zones"
"""

RETURN = r"""
instance_type_zones:
  description: The availability zones of the region that offer O(instance_type).
  returned: success
  type: list
  elements: str
  sample: [ap-northeast-1a, ap-northeast-1c, ap-northeast-1d]
zones:
  description: The available availability zones of the region.
  returned: success
  type: list
  elements: str
  sample: [ap-northeast-1a, ap-northeast-1c, ap-northeast-1d]
vpcs:
  description: How many VPCs the region holds (the default VPC included, as it counts against the quota).
  returned: success
  type: int
  sample: 1
vpc_quota:
  description: How many VPCs the region may hold.
  returned: success
  type: int
  sample: 5
vpc_quota_source:
  description: Where RV(vpc_quota) comes from.
  returned: success
  type: str
  sample: Service Quotas vpc/L-F678F1CE
elastic_ips:
  description: How many Elastic IPs (domain vpc) the region holds.
  returned: success
  type: int
  sample: 0
elastic_ip_quota:
  description: The account's C(vpc-max-elastic-ips); null when the account does not report it.
  returned: success
  type: int
  sample: 5
dry_run_ignored:
  description: The calls of O(dry_run) that the endpoint carried out instead of only checking them (never AWS).
  returned: success
  type: list
  elements: str
  sample: []
denied:
  description: The calls of O(dry_run) that AWS refused for lack of permission, with AWS's message.
  returned: success
  type: dict
  sample: {AllocateAddress: "You are not authorized to perform this operation."}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.netattest.tls_syslog.plugins.module_utils._aws_preflight import (
    available_zones,
    dry_run_denied,
    elastic_ip_room,
    offered_zones,
    vpc_room,
)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_type=dict(type="str", required=True),
            dry_run=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    ec2 = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        quotas = module.client("service-quotas")
    except Exception:  # without it, the default quota is used and said
        quotas = None
    try:
        vpcs, vpc_quota, vpc_quota_source = vpc_room(ec2, quotas)
        elastic_ips, elastic_ip_quota = elastic_ip_room(ec2)
        ignored = []
        denied = dry_run_denied(ec2, module.params["dry_run"], ignored)
        module.exit_json(
            changed=False,
            instance_type_zones=offered_zones(ec2, module.params["instance_type"]),
            zones=available_zones(ec2),
            vpcs=vpcs,
            vpc_quota=vpc_quota,
            vpc_quota_source=vpc_quota_source,
            elastic_ips=elastic_ips,
            elastic_ip_quota=elastic_ip_quota,
            denied=denied,
            dry_run_ignored=ignored,
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Reading the account's capacity failed")


if __name__ == "__main__":
    main()
