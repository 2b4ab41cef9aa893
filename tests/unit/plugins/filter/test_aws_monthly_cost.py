"""Unit tests of the filter aws_monthly_cost (plugins/plugin_utils/_aws_cost.py's price table)."""

from __future__ import annotations


import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.filter.aws_monthly_cost import aws_monthly_cost
from ansible_collections.netattest.tls_syslog.plugins.plugin_utils import _aws_cost


def test_default_stack_month_broken_down():
    cost = aws_monthly_cost("t2.micro", root_volume_gb=8, efs_gb=1)
    items = {i["item"]: i["usd"] for i in cost["items"]}
    # 730 h x 0.0152; 730 h x 0.005; 8 GB x 0.096; 1 GB x 0.36
    assert items == {
        "instance t2.micro": 11.10,
        "public IPv4 address x1": 3.65,
        "EBS gp3 root volume 8 GB": 0.77,
        "EFS Standard 1 GB stored": 0.36,
    }
    assert cost["total_usd"] == 15.87  # 15.874, summed before rounding
    assert cost["prices_date"] == _aws_cost.PRICES_DATE and cost["region"] == "ap-northeast-1"
    assert cost["lines"][0].startswith("Estimated cost for a month (730 h), USD, ap-northeast-1 on-demand prices of")
    alternatives = {a["instance_type"]: a for a in cost["alternatives"]}
    assert alternatives["t3.micro"]["total_usd"] == 14.71  # 15.874 - 730 x (0.0152 - 0.0136)
    assert "arm64" in alternatives["t4g.nano"]["note"]
    assert any(line.startswith("  cheaper choices: t3.micro 14.71") for line in cost["lines"])


def test_hours_instead_of_a_month():
    cost = aws_monthly_cost("t3.micro", root_volume_gb=8, efs_gb=0, hours=73)
    assert cost["total_usd"] == round(73 * (0.0136 + 0.005) + 0.1 * 8 * 0.096, 2)
    assert "73.0 h" in cost["lines"][0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"instance_type": "m7i.48xlarge"}, "no price recorded for instance type m7i.48xlarge"),
        ({"instance_type": "t2.micro", "region": "us-east-1"}, "no prices recorded for region us-east-1"),
    ],
)
def test_unknown_prices_are_refused(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        aws_monthly_cost(**args)


def test_not_strict_says_there_is_no_estimate():
    cost = aws_monthly_cost("m7i.48xlarge", strict=False)
    assert cost["total_usd"] is None
    assert cost["lines"] == ["No cost estimate: no price recorded for instance type m7i.48xlarge (the table holds "
                             + ", ".join(_aws_cost.INSTANCE_HOURLY) + ")."]  # fmt: skip
