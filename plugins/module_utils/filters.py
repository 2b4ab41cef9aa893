# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic behind the collection's filter plugins, as plain functions raising ValueError."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict


def sg_ingress_rules(addresses, port=6514, description_prefix="from_SOG", allow_any=False, proto="tcp"):
    """OneGate egress addresses -> rules for amazon.aws.ec2_security_group, one per address."""
    if isinstance(addresses, str):
        addresses = [a for a in re.split(r"[\s,]+", addresses) if a]
    if addresses is None or not hasattr(addresses, "__iter__") or isinstance(addresses, Mapping):
        raise ValueError("expected a list of IP addresses or CIDRs")
    addresses = list(addresses)
    if not addresses:
        raise ValueError(
            "the list of OneGate egress addresses is empty: take the addresses from Soliton's customer FAQ "
            "No.16880 (OneGate's egress IP addresses) and set them"
        )
    try:
        port = int(port)
    except (TypeError, ValueError) as exc:
        raise ValueError("port must be a number from 1 to 65535, got %r" % (port,)) from exc
    if not 1 <= port <= 65535:
        raise ValueError("port must be a number from 1 to 65535, got %d" % port)
    rules = []
    seen = {}
    for i, item in enumerate(addresses):
        text = str(item).strip()
        try:
            net = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            raise ValueError(
                "item %d (%r) is not a valid IP address or CIDR (%s): give addresses like 203.0.113.5 or "
                "203.0.113.0/28 with no host bits set" % (i + 1, text, exc)
            ) from exc
        if net.prefixlen == 0 and not allow_any:
            raise ValueError(
                "item %d (%s) opens the port to the whole internet: refused. Give OneGate's egress addresses; if you "
                "really mean any address, set allow_any=true" % (i + 1, text)
            )
        if net in seen:
            raise ValueError("item %d (%s) duplicates item %d: remove one of them" % (i + 1, text, seen[net]))
        seen[net] = i + 1
        rule = {
            "proto": proto,
            "from_port": port,
            "to_port": port,
            "rule_desc": "%s%d" % (description_prefix, i + 1),
        }
        if net.version == 4:
            rule["cidr_ip"] = str(net)
        else:
            rule["cidr_ipv6"] = str(net)
        rules.append(rule)
    return rules
