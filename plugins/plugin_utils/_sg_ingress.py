# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security group ingress rules from a list of source addresses, refusing every list that could open a port wider
than meant. Used by the sg_ingress_rules filter only (controller side, hence plugin_utils).

Each check names the offending entry and the way out, and every check runs before a rule is returned, so a bad list
fails before any AWS call:

* every entry is an IP address or a CIDR without host bits, and no entry repeats another;
* a prefix shorter than ``min_prefix`` (IPv4) / ``min_prefix_ipv6`` is refused unless ``allow_wide_prefixes``;
* with ``public_only`` (OneGate's egress addresses are public), private, shared, loopback, link-local, multicast and
  "this network" ranges are refused, also when a wider entry merely overlaps them;
* the union of the entries, per address family, may cover neither the whole address space (0.0.0.0/0 written as two
  /1, say) nor more than ``max_share`` of it, unless ``allow_any``;
* at most ``max_rules`` entries (AWS allows 60 inbound rules per security group and address family by default).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import PORT

#: AWS's default quota of inbound rules per security group (per address family).
AWS_RULES_PER_GROUP = 60

#: Ranges that no public egress address can be in (IANA special-purpose registries). Documentation ranges
#: (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are deliberately not listed: they are what
#: examples and tests use, and they are not routed, so they open nothing.
NOT_PUBLIC = [
    (ipaddress.ip_network(net), why)
    for net, why in (
        ("0.0.0.0/8", "'this network'"),
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "shared address space (carrier-grade NAT, RFC 6598)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "the unspecified address"),
        ("::1/128", "loopback"),
        ("::ffff:0:0/96", "IPv4-mapped"),
        ("fc00::/7", "unique local (private)"),
        ("fe80::/10", "link-local"),
        ("ff00::/8", "multicast"),
    )
]


def _opt(names, key):
    return (names or {}).get(key, key)


def sg_ingress_rules(
    addresses,
    port=PORT,
    description_prefix="from_SOG",
    allow_any=False,
    proto="tcp",
    min_prefix=24,
    min_prefix_ipv6=64,
    allow_wide_prefixes=False,
    public_only=False,
    max_share=0.01,
    max_rules=AWS_RULES_PER_GROUP,
    list_name="the address list",
    option_names=None,
):
    """Source addresses -> rules for amazon.aws.ec2_security_group, one per address, in the order given.

    ``option_names`` maps ``allow_any`` / ``allow_wide_prefixes`` to the names the caller's user knows (the role's
    variables), so that a message tells which variable to set.
    """
    if isinstance(addresses, str):
        addresses = [a for a in re.split(r"[\s,]+", addresses) if a]
    if addresses is None or not hasattr(addresses, "__iter__") or isinstance(addresses, Mapping):
        raise ValueError("%s: expected a list of IP addresses or CIDRs" % list_name)
    addresses = list(addresses)
    if not addresses:
        raise ValueError("%s is empty: give at least one address" % list_name)
    try:
        port = int(port)
    except (TypeError, ValueError) as exc:
        raise ValueError("port must be a number from 1 to 65535, got %r" % (port,)) from exc
    if not 1 <= port <= 65535:
        raise ValueError("port must be a number from 1 to 65535, got %d" % port)
    max_rules = int(max_rules)
    if len(addresses) > max_rules:
        raise ValueError(
            "%s has %d entries, more than the %d rules a security group holds (AWS's default quota): merge "
            "neighbouring addresses into CIDRs, or raise the quota in AWS first and the limit with it"
            % (list_name, len(addresses), max_rules)
        )
    try:
        max_share = float(max_share)
    except (TypeError, ValueError) as exc:
        raise ValueError("max_share must be a number from 0 to 1, got %r" % (max_share,)) from exc
    if not 0 < max_share <= 1:
        raise ValueError("max_share must be a number above 0 and at most 1, got %r" % (max_share,))
    any_name = _opt(option_names, "allow_any")
    wide_name = _opt(option_names, "allow_wide_prefixes")

    nets = []
    seen = {}
    for i, item in enumerate(addresses):
        text = str(item).strip()
        where = "%s item %d (%s)" % (list_name, i + 1, text)
        try:
            net = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            raise ValueError(
                "%s is not a valid IP address or CIDR (%s): give addresses like 203.0.113.5 or 203.0.113.0/28 "
                "with no host bits set" % (where, exc)
            ) from exc
        if net in seen:
            raise ValueError("%s duplicates item %d: remove one of them" % (where, seen[net]))
        seen[net] = i + 1
        if net.prefixlen == 0:
            if not allow_any:
                raise ValueError(
                    "%s opens the port to the whole internet: refused. List the exact addresses; if you really "
                    "mean any address, set %s=true" % (where, any_name)
                )
        if public_only and net.prefixlen > 0:
            for bad, why in NOT_PUBLIC:
                if bad.version == net.version and net.overlaps(bad):
                    raise ValueError(
                        "%s %s %s range %s, which is never a public egress address: remove it (OneGate reaches the "
                        "receiver from the public addresses its vendor publishes)"
                        % (where, "is in the" if net.subnet_of(bad) else "overlaps the", why, bad)
                    )
        limit = min_prefix if net.version == 4 else min_prefix_ipv6
        if 0 < net.prefixlen < int(limit) and not (allow_wide_prefixes or allow_any):
            raise ValueError(
                "%s is wider than /%d (%d addresses): refused. Give the exact addresses or narrower CIDRs; if you "
                "really mean the whole range, set %s=true" % (where, int(limit), net.num_addresses, wide_name)
            )
        nets.append(net)

    for version, bits in ((4, 32), (6, 128)):
        family = [n for n in nets if n.version == version]
        if not family:
            continue
        union = list(ipaddress.collapse_addresses(family))
        covered = sum(n.num_addresses for n in union)
        share = covered / float(2**bits)
        if allow_any:
            continue
        if union[0].prefixlen == 0:
            raise ValueError(
                "%s: together, the IPv%d entries %s cover the whole IPv%d internet: refused. List the exact "
                "addresses; if you really mean any address, set %s=true"
                % (list_name, version, ", ".join(str(n) for n in family), version, any_name)
            )
        if share > max_share:
            widest = max(family, key=lambda n: n.num_addresses)
            raise ValueError(
                "%s: together, the IPv%d entries cover %.4g %% of the IPv%d address space, more than the %.4g %% "
                "allowed (the widest is %s): give narrower CIDRs; if you really mean that much, set %s=true"
                % (list_name, version, share * 100, version, max_share * 100, widest, any_name)
            )

    rules = []
    for i, net in enumerate(nets):
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
