"""Unit tests of the filters aws_expiry and aws_lifetime_cost (plugins/plugin_utils/_aws_expiry.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
if str(ROOT / ".cache" / "collections") not in sys.path:
    sys.path.insert(0, str(ROOT / ".cache" / "collections"))

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.filter.aws_expiry import aws_expiry
from ansible_collections.netattest.tls_syslog.plugins.filter.aws_lifetime_cost import aws_lifetime_cost

CREATED = "2026-12-04T16:00:00Z"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("14d", ""),
        ("36h", ""),
        ("1h", ""),
        (" 2d ", ""),
        ("0h", "is not a duration"),
        ("14", "is not a duration"),
        ("2w", "is not a duration"),
        ("1.5d", "is not a duration"),
        ("-1d", "is not a duration"),
        ("never", "is not a duration"),
        ("", "is not a duration"),
    ],
)
def test_duration_problem_table(value, problem):
    said = aws_expiry(value, problem=True)
    assert (problem in said) if problem else said == ""
    if problem:
        assert "such as 14d or 36h" in said and f"aws_infra_expires_after={value}" in said


@pytest.mark.parametrize(
    ("after", "now", "expires_at", "seconds_left", "left", "expired"),
    [
        ("14d", CREATED, "2026-12-18T16:00:00Z", 14 * 86400, "14 d 0 h", False),
        ("14d", "2026-12-05T17:30:00Z", "2026-12-18T16:00:00Z", 12 * 86400 + 22 * 3600 + 1800, "12 d 22 h", False),
        ("36h", "2026-12-06T03:00:00Z", "2026-12-06T04:00:00Z", 3600, "1 h 0 min", False),
        ("1h", "2026-12-04T16:59:20Z", "2026-12-04T17:00:00Z", 40, "40 s", False),
        ("1h", "2026-12-04T17:00:00Z", "2026-12-04T17:00:00Z", 0, "0 s", True),
        ("14d", "2026-12-20T18:00:00Z", "2026-12-18T16:00:00Z", -(2 * 86400 + 2 * 3600), "2 d 2 h", True),
        # a larger value on a re-run extends the same stack (same creation time)
        ("21d", "2026-12-20T18:00:00Z", "2026-12-25T16:00:00Z", 4 * 86400 + 22 * 3600, "4 d 22 h", False),
    ],
)
def test_expiry_table(after, now, expires_at, seconds_left, left, expired):
    got = aws_expiry(after, created_at=CREATED, now=now)
    assert (got["expires_at"], got["seconds_left"], got["left"], got["expired"]) == (
        expires_at,
        seconds_left,
        left,
        expired,
    )
    assert got["created_at"] == CREATED and got["expires_after"] == after
    assert ("expired" in got["lines"][0]) == expired and expires_at in got["lines"][0]
    assert "still bill until destroy.yml" in got["lines"][1] and "EFS" in got["lines"][1]
    assert "public IPv4" in got["lines"][1]


def test_expiry_epoch_and_extend_to():
    got = aws_expiry("14d", created_at=CREATED, now="2026-12-20T18:00:00Z")
    assert got["expires_epoch"] == 1797609600  # date -d 2026-12-18T16:00:00Z +%s
    assert got["extend_to"] == "18d"  # 16.1 days old: 18d puts the end more than a day ahead
    assert not aws_expiry(got["extend_to"], created_at=CREATED, now="2026-12-20T18:00:00Z")["expired"]


def test_expiry_refuses_bad_times_and_durations():
    with pytest.raises(AnsibleFilterError, match="is not a UTC time"):
        aws_expiry("14d", created_at="yesterday", now=CREATED)
    with pytest.raises(AnsibleFilterError, match="is not a duration"):
        aws_expiry("14x", created_at=CREATED, now=CREATED)


def test_lifetime_cost_running_instance():
    cost = aws_lifetime_cost("t2.micro", created_at=CREATED, now="2026-12-05T16:00:00Z", root_volume_gb=8, efs_gb=1)
    items = {i["item"]: i["usd"] for i in cost["items"]}
    # 24 h x 0.0152; 24 h x 0.005; 8 GB x 0.096 x 24/730; 1 GB x 0.36 x 24/730
    assert items == {
        "instance t2.micro": 0.36,
        "public IPv4 address x1": 0.12,
        "EBS gp3 root volume 8 GB": 0.03,
        "EFS Standard 1 GB stored": 0.01,
    }
    assert cost["hours"] == 24 and cost["instance_hours"] == 24 and cost["total_usd"] == 0.52
    assert "24.0 h ago" in cost["lines"][0]


def test_lifetime_cost_stopped_at_expiry_counts_the_instance_until_then():
    cost = aws_lifetime_cost(
        "t2.micro",
        created_at=CREATED,
        now="2026-12-14T16:00:00Z",  # 240 h
        expires_at="2026-12-05T16:00:00Z",  # stopped itself after 24 h
        instance_stopped=True,
    )
    items = {i["item"]: i["usd"] for i in cost["items"]}
    assert items["instance t2.micro"] == 0.36 and items["public IPv4 address x1"] == 1.2
    assert cost["instance_hours"] == 24 and cost["hours"] == 240
    assert any("until it stopped itself at 2026-12-05T16:00:00Z" in line for line in cost["lines"])
    running = aws_lifetime_cost("t2.micro", created_at=CREATED, now="2026-12-14T16:00:00Z")
    assert running["total_usd"] > cost["total_usd"]


def test_lifetime_cost_unknown_type_says_so():
    cost = aws_lifetime_cost("m7i.48xlarge", created_at=CREATED, now="2026-12-05T16:00:00Z")
    assert cost["total_usd"] is None and "no price recorded for instance type m7i.48xlarge" in cost["lines"][0]
