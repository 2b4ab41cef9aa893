# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: sg_ingress_rules
short_description: Security group ingress rules for OneGate's egress addresses
version_added: 0.1.0
description:
  - Turns the list of Soliton OneGate egress addresses (published in Soliton's customer FAQ No.16880) into rules
    for M(amazon.aws.ec2_security_group), one rule per address, with descriptions C(from_SOG1), C(from_SOG2), ...
  - Plain IPv4 addresses become C(/32) (IPv6 C(/128)). Invalid addresses, addresses with host bits set in a CIDR,
    duplicates, an empty list, and C(0.0.0.0/0) or C(::/0) (unless O(allow_any=true)) fail with a clear error.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: OneGate's egress addresses, plain IPs or CIDRs.
    type: list
    elements: str
    required: true
  port:
    description: The TCP port to open.
    type: int
    default: 6514
  description_prefix:
    description: Prefix of each rule's description; the rule's position (from 1) follows it.
    type: str
    default: from_SOG
  allow_any:
    description: Allow C(0.0.0.0/0) or C(::/0). Only when you really mean the whole internet.
    type: bool
    default: false
  proto:
    description: Protocol of the rules.
    type: str
    default: tcp
"""

EXAMPLES = r"""
- name: Allow syslog over TLS from OneGate only
  amazon.aws.ec2_security_group:
    name: NetAttest-tlsSyslog-nsg
    description: Allow_SyslogAndSSH
    vpc_id: "{{ vpc_id }}"
    rules: "{{ onegate_egress_ips | netattest.tls_syslog.sg_ingress_rules(port=6514) }}"
  # [{"proto": "tcp", "from_port": 6514, "to_port": 6514, "cidr_ip": "203.0.113.5/32", "rule_desc": "from_SOG1"}, ...]
"""

RETURN = r"""
_value:
  description: One rule per address, in the order given.
  type: list
  elements: dict
  sample:
    - proto: tcp
      from_port: 6514
      to_port: 6514
      cidr_ip: 203.0.113.5/32
      rule_desc: from_SOG1
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.module_utils.filters import sg_ingress_rules


def _sg_ingress_rules(addresses, port=6514, description_prefix="from_SOG", allow_any=False, proto="tcp"):
    try:
        return sg_ingress_rules(addresses, port, description_prefix, allow_any, proto)
    except ValueError as exc:
        raise AnsibleFilterError("sg_ingress_rules: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"sg_ingress_rules": _sg_ingress_rules}
