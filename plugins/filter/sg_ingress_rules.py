# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: sg_ingress_rules
short_description: Security group ingress rules from a list of source addresses that cannot widen by accident
version_added: 0.1.0
description:
  - Turns a list of source addresses (for example Soliton OneGate's egress addresses, published in Soliton's customer
    FAQ No.16880) into rules for M(amazon.aws.ec2_security_group), one rule per address, with descriptions
    C(from_SOG1), C(from_SOG2), ...
  - Plain IPv4 addresses become C(/32) (IPv6 C(/128)).
  - Refused, each with a message naming the entry and the fix - invalid addresses, CIDRs with host bits set,
    duplicates, an empty list, more than O(max_rules) entries, prefixes shorter than O(min_prefix) /
    O(min_prefix_ipv6) (unless O(allow_wide_prefixes=true)), and, with O(public_only=true), any entry in or overlapping
    a private, shared, loopback, link-local, multicast or reserved range.
  - Also refused unless O(allow_any=true) - C(0.0.0.0/0) or C(::/0), and any set of entries whose union covers the
    whole address space of its family (such as C(0.0.0.0/1) with C(128.0.0.0/1)) or more than O(max_share) of it.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The source addresses, plain IPs or CIDRs.
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
    description:
      - Allow C(0.0.0.0/0), C(::/0), and sets that cover the whole address space or more than O(max_share) of it.
        Only when you really mean the whole internet. Implies O(allow_wide_prefixes).
    type: bool
    default: false
  allow_wide_prefixes:
    description: Allow prefixes shorter than O(min_prefix) (IPv4) or O(min_prefix_ipv6) (IPv6).
    type: bool
    default: false
  min_prefix:
    description: The shortest IPv4 prefix accepted without O(allow_wide_prefixes).
    type: int
    default: 24
  min_prefix_ipv6:
    description: The shortest IPv6 prefix accepted without O(allow_wide_prefixes).
    type: int
    default: 64
  public_only:
    description:
      - Refuse entries in or overlapping private (RFC 1918, C(fc00::/7)), shared (C(100.64.0.0/10)), loopback,
        link-local, multicast, reserved and "this network" ranges. Documentation ranges are allowed.
    type: bool
    default: false
  max_share:
    description: The largest share (above 0, at most 1) of an address family's space the entries may cover together.
    type: float
    default: 0.01
  max_rules:
    description: The most entries accepted (AWS's default quota is 60 inbound rules per security group).
    type: int
    default: 60
  proto:
    description: Protocol of the rules.
    type: str
    default: tcp
  list_name:
    description: What the messages call the list (for example the variable that holds it).
    type: str
    default: the address list
  option_names:
    description:
      - The names the messages use for O(allow_any) and O(allow_wide_prefixes), for example a role's variables,
        as a dictionary with the keys C(allow_any) and C(allow_wide_prefixes).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Allow syslog over TLS from OneGate only
  amazon.aws.ec2_security_group:
    name: NetAttest-tlsSyslog-nsg
    description: Allow_SyslogAndSSH
    vpc_id: "{{ vpc_id }}"
    rules: >-
      {{ onegate_egress_ips | netattest.tls_syslog.sg_ingress_rules(port=6514, public_only=true)
         + ssh_cidrs | netattest.tls_syslog.sg_ingress_rules(port=22, description_prefix='from_HQ', min_prefix=16,
                                                             min_prefix_ipv6=48) }}
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

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._sg_ingress import sg_ingress_rules


def _sg_ingress_rules(addresses, *args, **options):
    try:
        return sg_ingress_rules(addresses, *args, **options)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("sg_ingress_rules: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"sg_ingress_rules": _sg_ingress_rules}
