# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: when a temporary stack ends (aws_infra_expires_after, counted from the stack's creation)
# and what it has cost so far (the price table of _aws_cost, times the hours since creation). Behind the filters
# aws_expiry and aws_lifetime_cost.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from datetime import datetime, timedelta

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._aws_cost import monthly_cost

#: The stack's tags: when it was created, the duration asked for, when it ends.
TAG_CREATED = "netattest:created-at"
TAG_EXPIRES_AFTER = "netattest:expires-after"
TAG_EXPIRES_AT = "netattest:expires-at"

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DURATION = re.compile(r"^([1-9][0-9]{0,4})([hd])$")
UNIT_HOURS = {"h": 1, "d": 24}
#: A first run (instance, SSH, rsyslog) takes minutes: a stack must live at least this long.
MIN_HOURS = 1

#: What still bills after the instance is stopped at expiry.
STILL_BILLING = (
    "Stopping the instance ends its hourly charge and closes the receiver; the Elastic IP (public IPv4 address), the "
    "EBS root volume and the EFS file system (the received logs) still bill until destroy.yml."
)


class ExpiryError(ValueError):
    pass


def parse_time(value):
    """A UTC time as the tags hold it (2026-12-04T16:47:00Z); a datetime passes through (naive, UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else (value - value.utcoffset()).replace(tzinfo=None)
    text = str(value).strip()
    for fmt in (TIME_FORMAT, "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%dT%H:%M:%S.%f+00:00"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ExpiryError("%r is not a UTC time like 2026-12-04T16:47:00Z" % (value,))


def format_time(moment):
    return moment.strftime(TIME_FORMAT)


def duration_problem(expires_after, name="aws_infra_expires_after"):
    """Why ``expires_after`` is not a duration the role takes ('' when it is): a whole number of hours or days."""
    match = DURATION.match(str(expires_after).strip())
    if not match:
        return (
            "%s=%s is not a duration: give a whole number of hours or days, such as 14d or 36h (counted from the "
            "stack's creation; a larger value on a re-run extends the stack)." % (name, expires_after)
        )
    if int(match.group(1)) * UNIT_HOURS[match.group(2)] < MIN_HOURS:
        return "%s=%s is shorter than %d h, less than a first run needs." % (name, expires_after, MIN_HOURS)
    return ""


def parse_duration(expires_after):
    problem = duration_problem(expires_after)
    if problem:
        raise ExpiryError(problem)
    match = DURATION.match(str(expires_after).strip())
    return timedelta(hours=int(match.group(1)) * UNIT_HOURS[match.group(2)])


def _span(delta):
    """A duration for people: '13 d 23 h', '5 h 12 min', '40 s'."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return "%d d %d h" % (days, hours)
    if hours:
        return "%d h %d min" % (hours, minutes)
    if minutes:
        return "%d min" % minutes
    return "%d s" % secs


def expiry(expires_after, created_at, now):
    """When the stack ends: its creation time plus ``expires_after``. The same value on every run gives the same
    time (a re-run changes nothing); a larger one extends the stack, a smaller one brings the end nearer.

    Returns created_at, expires_after, expires_at (tag texts), seconds_left (negative once past), expired, the epoch
    second of the end (for the instance's timer) and ``lines`` to print. An end already past is not refused here:
    ``extend_to`` names the smallest whole number of days that would put it a day ahead."""
    created = parse_time(created_at)
    current = parse_time(now)
    ends = created + parse_duration(expires_after)
    left = ends - current
    seconds_left = int(left.total_seconds())
    expired = seconds_left <= 0
    age_hours = (current - created).total_seconds() / 3600.0
    extend_days = int(age_hours // 24) + 2  # a day ahead at least
    if expired:
        head = "This stack expired %s ago, at %s (created %s, aws_infra_expires_after=%s)." % (
            _span(left),
            format_time(ends),
            format_time(created),
            expires_after,
        )
    else:
        head = "This stack expires in %s, at %s (created %s, aws_infra_expires_after=%s): the instance then stops " % (
            _span(left),
            format_time(ends),
            format_time(created),
            expires_after,
        ) + ("itself (its own timer; no machine of yours needs to run). Run again with a larger value to extend it.")
    return {
        "created_at": format_time(created),
        "expires_after": str(expires_after).strip(),
        "expires_at": format_time(ends),
        "expires_epoch": int((ends - datetime(1970, 1, 1)).total_seconds()),
        "seconds_left": seconds_left,
        "left": _span(left),
        "expired": expired,
        "extend_to": "%dd" % extend_days,
        "lines": [head, STILL_BILLING],
    }


def lifetime_cost(instance_type, created_at, now, expires_at=None, instance_stopped=False, **cost_args):
    """What the stack has cost since ``created_at``: the price table times the hours. When the instance is stopped
    and the stack has expired, the instance is counted until the expiry only (it stopped itself then); everything
    else (public IPv4, EBS, EFS) bills until now."""
    created = parse_time(created_at)
    current = parse_time(now)
    hours = max((current - created).total_seconds() / 3600.0, 0.0)
    instance_hours = hours
    if instance_stopped and expires_at:
        instance_hours = min(hours, max((parse_time(expires_at) - created).total_seconds() / 3600.0, 0.0))
    full = monthly_cost(instance_type, hours=hours, **cost_args)
    if full.get("total_usd") is None:
        return full
    if instance_hours != hours:
        running = monthly_cost(instance_type, hours=instance_hours, **cost_args)
        full["items"][0] = running["items"][0]
        full["total_usd"] = round(sum(item["usd"] for item in full["items"]) + 1e-9, 2)
    lines = [
        "What this stack cost since it was created (%s, %.1f h ago), USD, %s on-demand prices of %s:"
        % (format_time(created), hours, full["region"], full["prices_date"])
    ]
    lines += ["  %-32s %8.2f" % (item["item"], item["usd"]) for item in full["items"]]
    lines.append("  %-32s %8.2f" % ("total", full["total_usd"]))
    if instance_hours != hours:
        lines.append(
            "  (the instance counted for %.1f h, until it stopped itself at %s)" % (instance_hours, expires_at)
        )
    lines.append("  (an estimate from the price table: data transfer, EFS requests and taxes not included)")
    return {
        "items": full["items"],
        "total_usd": full["total_usd"],
        "hours": round(hours, 2),
        "instance_hours": round(instance_hours, 2),
        "prices_date": full["prices_date"],
        "lines": lines,
    }
