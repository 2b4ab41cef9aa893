# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: the price table behind the filter aws_monthly_cost, and the estimate.
#
# Prices in USD, on-demand, Linux, region ap-northeast-1 (Tokyo), as AWS's public price pages give them:
#   EC2 instances      https://aws.amazon.com/ec2/pricing/on-demand/   (per instance-hour)
#   public IPv4        https://aws.amazon.com/vpc/pricing/             (per address-hour, attached or not, since
#                                                                       2024-02-01; all regions)
#   EBS gp3            https://aws.amazon.com/ebs/pricing/             (per GB-month provisioned)
#   EFS Standard       https://aws.amazon.com/efs/pricing/             (per GB-month stored)
# Recorded: PRICES_DATE. Prices change; the estimate says so and names the date. Not included: data transfer out
# (OneGate's logs come in, which is free), EFS requests, snapshots, taxes, the free tier.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PRICES_DATE = "2026-12-04"
PRICES_REGION = "ap-northeast-1"
HOURS_PER_MONTH = 730  # AWS's own convention in its price pages and calculator

INSTANCE_HOURLY = {
    # x86_64 (the role's AMI, Amazon Linux 2023 x86_64)
    "t2.nano": 0.0076,
    "t2.micro": 0.0152,
    "t2.small": 0.0304,
    "t3.nano": 0.0068,
    "t3.micro": 0.0136,
    "t3.small": 0.0272,
    # arm64 (Graviton): needs an arm64 AMI, which the role does not select today
    "t4g.nano": 0.0054,
    "t4g.micro": 0.0108,
}
ARM64 = ("t4g.",)
PUBLIC_IPV4_HOURLY = 0.005
EBS_GP3_GB_MONTH = 0.096
EFS_STANDARD_GB_MONTH = 0.36

#: Cheaper choices the estimate compares with.
ALTERNATIVES = ("t3.micro", "t3.nano", "t4g.nano")


class CostError(ValueError):
    pass


def _money(value):
    return round(value + 1e-9, 2)


def monthly_cost(
    instance_type, root_volume_gb, efs_gb=1.0, public_ipv4=1, region=PRICES_REGION, hours=None, strict=True
):
    """The estimated monthly cost of the stack, broken down, with the cheaper choices compared.

    ``hours`` (optional): the cost of that many hours instead of a month (a stack's lifetime so far).
    A region or instance type the table does not hold raises CostError; with ``strict=False`` the result says so
    instead (total_usd None)."""
    try:
        return _monthly_cost(instance_type, root_volume_gb, efs_gb, public_ipv4, region, hours)
    except CostError as e:
        if strict:
            raise
        return {"items": [], "total_usd": None, "alternatives": [], "prices_date": PRICES_DATE,
                "lines": ["No cost estimate: %s." % e]}  # fmt: skip


def _monthly_cost(instance_type, root_volume_gb, efs_gb, public_ipv4, region, hours):
    if region != PRICES_REGION:
        raise CostError(
            "no prices recorded for region %s (the table holds %s only, recorded %s)"
            % (region, PRICES_REGION, PRICES_DATE)
        )
    if instance_type not in INSTANCE_HOURLY:
        raise CostError(
            "no price recorded for instance type %s (the table holds %s)" % (instance_type, ", ".join(INSTANCE_HOURLY))
        )
    span = HOURS_PER_MONTH if hours is None else float(hours)
    month_share = span / HOURS_PER_MONTH
    items = [
        ("instance %s" % instance_type, INSTANCE_HOURLY[instance_type] * span),
        ("public IPv4 address x%d" % public_ipv4, PUBLIC_IPV4_HOURLY * public_ipv4 * span),
        ("EBS gp3 root volume %d GB" % root_volume_gb, EBS_GP3_GB_MONTH * root_volume_gb * month_share),
        ("EFS Standard %g GB stored" % efs_gb, EFS_STANDARD_GB_MONTH * efs_gb * month_share),
    ]
    total = sum(cost for _label, cost in items)
    others = []
    for alt in ALTERNATIVES:
        if alt == instance_type:
            continue
        alt_total = total + (INSTANCE_HOURLY[alt] - INSTANCE_HOURLY[instance_type]) * span
        note = " (arm64: needs an arm64 AMI, not supported by the role)" if alt.startswith(ARM64) else ""
        others.append({"instance_type": alt, "total_usd": _money(alt_total), "note": note.strip(" ()")})
    return {
        "items": [{"item": k, "usd": _money(v)} for k, v in items],
        "total_usd": _money(total),
        "hours": span,
        "region": region,
        "prices_date": PRICES_DATE,
        "per_gb_month_efs_usd": EFS_STANDARD_GB_MONTH,
        "alternatives": others,
        "lines": _lines(items, total, others, span, efs_gb),
    }


def _lines(items, total, others, span, efs_gb):
    what = "a month (%d h)" % HOURS_PER_MONTH if span == HOURS_PER_MONTH else "%.1f h" % span
    lines = ["Estimated cost for %s, USD, %s on-demand prices of %s:" % (what, PRICES_REGION, PRICES_DATE)]
    lines += ["  %-32s %8.2f" % (k, _money(v)) for k, v in items]
    lines.append("  %-32s %8.2f" % ("total", _money(total)))
    lines.append(
        "  (EFS: %.2f per GB-month stored, %g GB assumed; data transfer, requests and taxes not included)"
        % (EFS_STANDARD_GB_MONTH, efs_gb)
    )
    if others:
        lines.append(
            "  cheaper choices: "
            + "; ".join(
                "%s %.2f%s" % (o["instance_type"], o["total_usd"], (" (" + o["note"] + ")") if o["note"] else "")
                for o in others
            )
        )
    return lines
