"""Tests of netattest.tls_syslog.onegate_log_report and its aggregation (module_utils/_log_report).

Made-up files in a temporary directory, read through the module's real entry point (main() with patched module args)
or through ``report()``. Every bad input the module must survive is here: cut-off lines, text that is not JSON, binary
data, NUL bytes, over-long lines, JSON that is not an object or is nested too deeply, a damaged gzip file, an empty
file, a missing file. Each test checks the good lines around the bad ones are still counted.
"""

from __future__ import annotations

import datetime
import gzip
import json
import lzma
import os
import random
import string
import tracemalloc

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_counters as lc
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_files as lf
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_schema as ls
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_time as lt
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_values as lv
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_report as lr
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_log
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_payloads, _rfc5424
from ansible_collections.netattest.tls_syslog.plugins.modules import onegate_log_report

T0 = datetime.datetime(2025, 1, 15, 7, 25, 36, tzinfo=datetime.timezone.utc)


def line(kind="admin_login", when=T0, index=0, severity="info", host="OneGate", tag="manager", **extra):
    """A stored line as rsyslog's RSYSLOG_FileFormat writes what syslog_send sends."""
    payload = _onegate_payloads.kind_payload(kind, now=when, index=index, severity=severity)
    payload = _onegate_payloads.merge(payload, extra)
    return "%s %s %s %s" % (_rfc5424.rfc3339(when), host, tag, _onegate_payloads.to_json(payload))


def write(path, lines, end="\n"):
    data = "".join(x + end for x in lines).encode() if lines and isinstance(lines[0], str) else b"".join(lines)
    path.write_bytes(data)
    return str(path)


def five_kinds(n_each=1, start=T0, step=60):
    out = []
    i = 0
    for _ in range(n_each):
        for kind in _onegate_payloads.KINDS:
            out.append(line(kind, when=start + datetime.timedelta(seconds=step * i), index=i))
            i += 1
    return out


def types_of(res):
    return {t["log_type"]: t["count"] for t in res["by_log_type"]}


# ---- the module's entry point --------------------------------------------------------------------------------------


def test_module_counts_the_five_kinds(tmp_path, run_module):
    path = write(tmp_path / "local0.log", five_kinds(n_each=3))
    failed, res = run_module(onegate_log_report.main, {"path": path})
    assert not failed, res
    assert res["changed"] is False
    assert res["lines"] == 15 and res["events"] == 15
    assert types_of(res) == {"login_manager": 3, "login_user": 3, "sso_access": 3, "certificate": 3, "sync": 3}
    assert res["by_log_level"] == {"INFO": 15}
    assert res["unparsable"]["count"] == 0 and res["excluded_test_records"]["count"] == 0
    assert res["first_timestamp"] == "2025-01-15T07:25:36+00:00"
    assert res["last_timestamp"] == _rfc5424.rfc3339(T0 + datetime.timedelta(seconds=60 * 14))
    assert res["first_timestamp_utc"] == "2025-01-15T07:25:36Z"
    assert res["files"] == [
        {"path": path, "compressed": None, "bytes": os.path.getsize(path), "lines": 15, "error": None}
    ]
    # 07:25 .. 07:39 -> one hour bucket
    tl = res["timeline"]
    assert tl["granularity"] == "hour" and len(tl["buckets"]) == 1
    assert tl["buckets"][0] == {
        "start": "2025-01-15T07:00:00Z",
        "total": 15,
        "counts": dict.fromkeys(sorted(["certificate", "login_manager", "login_user", "sso_access", "sync"]), 3),
    }


def test_check_mode_gives_the_same_report(tmp_path, run_module):
    path = write(tmp_path / "local0.log", five_kinds(n_each=2))
    _, normal = run_module(onegate_log_report.main, {"path": path})
    failed, checked = run_module(onegate_log_report.main, {"path": path}, check_mode=True)
    assert not failed
    for key in ("lines", "events", "by_log_type", "timeline", "schema", "logins", "problems"):
        assert checked[key] == normal[key], key
    assert checked["changed"] is False


def test_missing_file_is_reported_not_fatal(tmp_path, run_module):
    failed, res = run_module(onegate_log_report.main, {"path": str(tmp_path / "nothing.log")})
    assert not failed, res
    assert res["files"][0]["error"] == "not found"
    assert res["lines"] == 0 and res["events"] == 0
    # the module also warns (module.warn); tests/integration/test_report.py checks that a playbook shows it
    assert res["timeline"]["buckets"] == [] and res["first_timestamp"] is None


def test_empty_file(tmp_path, run_module):
    path = tmp_path / "local0.log"
    path.write_bytes(b"")
    failed, res = run_module(onegate_log_report.main, {"path": str(path)})
    assert not failed
    assert res["files"][0]["error"] is None and res["files"][0]["bytes"] == 0
    assert res["lines"] == 0 and res["events"] == 0 and res["unparsable"]["count"] == 0


def test_unreadable_path_is_reported(tmp_path, run_module):
    failed, res = run_module(onegate_log_report.main, {"path": str(tmp_path)})  # a directory
    assert not failed
    assert res["files"][0]["error"].startswith("cannot open")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"since": "yesterday"}, "since='yesterday' is not a date"),
        ({"until": "2025-13-01"}, "until='2025-13-01' is not a date"),
        ({"since": "2025-01-16", "until": "2025-01-15"}, "must be later than since"),
        ({"top": 0}, "top must be at least 1"),
    ],
)
def test_bad_options_fail_clearly(tmp_path, run_module, args, fragment):
    path = write(tmp_path / "local0.log", five_kinds())
    failed, res = run_module(onegate_log_report.main, dict(path=path, **args))
    assert failed
    assert fragment in res["msg"]


# ---- bad input -----------------------------------------------------------------------------------------------------


def test_every_bad_line_is_counted_and_good_lines_survive(tmp_path):
    good = five_kinds(n_each=2)
    full = line("sync", index=99)
    bad = [
        full[: len(full) // 2].encode(),  # cut off in the middle of the JSON
        b"2025-01-15T07:25:36+00:00 host sshd[12]: Accepted publickey for ec2-user",  # text, not JSON
        b"\xff\xfe\x01binary\x9c garbage",  # not UTF-8
        b'2025-01-15T07:25:36+00:00 OneGate manager {"a":\x00}',  # NUL in the JSON
        b"2025-01-15T07:25:36+00:00 OneGate manager [1,2,3]",  # JSON, not an object
        b"justoneword",  # not RSYSLOG_FileFormat
        b"",  # an empty line
        b"2025-01-15T07:25:36+00:00 OneGate manager " + b"[" * 100000 + b"]" * 100000,  # nested too deeply
    ]
    lines = []
    for i, g in enumerate(good):
        lines.append(g.encode() + b"\n")
        if i < len(bad):
            lines.append(bad[i] + b"\n")
    path = tmp_path / "local0.log"
    path.write_bytes(b"".join(lines))
    res = lr.report(str(path), examples=20)
    assert res["events"] == len(good)
    assert sum(types_of(res).values()) == len(good)
    assert res["lines"] == len(good) + len(bad)
    reasons = res["unparsable"]["by_reason"]
    assert res["unparsable"]["count"] == len(bad)
    assert reasons["the message is not JSON"] == 2
    assert reasons["not UTF-8 text (binary data?)"] == 1
    assert reasons["the message is not JSON, with NUL bytes"] == 1
    assert reasons["the message is JSON but not an object"] == 1
    assert reasons["not an RSYSLOG_FileFormat line (timestamp host tag message)"] == 2  # the word and the empty line
    assert reasons[lv.ERROR_TOO_DEEP] == 1
    ex = res["unparsable"]["examples"]
    assert [e["line"] for e in ex] == [2 * i + 2 for i in range(len(bad))]
    assert ex[0]["detail"].startswith("Unterminated string") or ex[0]["detail"].startswith("Expecting")
    assert "\\xff\\xfe" in ex[2]["text"]  # shown as escapes, not raw bytes
    assert all(len(e["text"]) <= lv.MAX_RAW for e in ex)


def test_line_longer_than_the_limit_is_skipped_to_its_end(tmp_path):
    path = tmp_path / "local0.log"
    huge = b"x" * (lf.BLOCK * 3 + 17)  # crosses several read blocks
    path.write_bytes(b"\n".join([five_kinds()[0].encode(), huge, five_kinds()[1].encode(), b""]))
    res = lr.report(str(path))
    assert res["events"] == 2
    assert res["unparsable"]["by_reason"] == {"line longer than %d bytes" % lf.MAX_LINE_BYTES: 1}
    assert res["lines"] == 3
    assert res["unparsable"]["examples"][0]["line"] == 2
    assert len(res["unparsable"]["examples"][0]["text"]) <= lv.MAX_RAW


def test_last_line_without_line_end(tmp_path):
    good = five_kinds()
    path = tmp_path / "local0.log"
    path.write_bytes(("\n".join(good)).encode())  # the last good line has no LF: still counted
    res = lr.report(str(path))
    assert res["events"] == 5 and res["unterminated_last_lines"] == 1 and res["unparsable"]["count"] == 0

    path.write_bytes(("\n".join(good) + "\n" + good[0][:60]).encode())  # rsyslog was writing, or the file was cut
    res = lr.report(str(path))
    assert res["events"] == 5
    assert res["unparsable"]["by_reason"] == {
        "the message is not JSON (the last line, without a line end: cut off?)": 1
    }


def test_crlf_line_ends(tmp_path):
    path = tmp_path / "local0.log"
    path.write_bytes(("\r\n".join(five_kinds()) + "\r\n").encode())
    res = lr.report(str(path))
    assert res["events"] == 5 and res["unparsable"]["count"] == 0
    assert not any(r.endswith("\r") for s in res["schema"].values() for r in s["raw_examples"])


def test_damaged_gzip_keeps_what_was_read(tmp_path):
    many = five_kinds(n_each=400)
    data = gzip.compress(("\n".join(many) + "\n").encode())
    rotated = tmp_path / "local0.log.2.gz"
    rotated.write_bytes(data[: len(data) // 2])  # cut in the middle
    write(tmp_path / "local0.log", five_kinds())
    res = lr.report(str(tmp_path / "local0.log"), include_rotated=True)
    damaged, current = res["files"]
    assert damaged["path"] == str(rotated) and damaged["compressed"] == "gz"
    assert damaged["error"].startswith("read stopped")
    assert 0 < damaged["lines"] < len(many)
    assert current["error"] is None and current["lines"] == 5
    assert res["events"] >= 5 + damaged["lines"] - 1  # the line cut by the damage may be partial


# ---- rotated files -------------------------------------------------------------------------------------------------


def test_rotated_files_oldest_first_and_only_when_asked(tmp_path):
    day = datetime.timedelta(days=1)
    (tmp_path / "local0.log.3.xz").write_bytes(lzma.compress(("\n".join(five_kinds(start=T0)) + "\n").encode()))
    (tmp_path / "local0.log.2.gz").write_bytes(gzip.compress(("\n".join(five_kinds(start=T0 + day)) + "\n").encode()))
    write(tmp_path / "local0.log.1", five_kinds(start=T0 + 2 * day))
    write(tmp_path / "local0.log", five_kinds(start=T0 + 3 * day))
    write(tmp_path / "local0.log.old", five_kinds(start=T0))  # not a logrotate name: ignored
    write(tmp_path / "other.log.1", five_kinds(start=T0))  # another file's rotation: ignored

    only = lr.report(str(tmp_path / "local0.log"))
    assert [f["path"] for f in only["files"]] == [str(tmp_path / "local0.log")] and only["events"] == 5

    res = lr.report(str(tmp_path / "local0.log"), include_rotated=True)
    names = [os.path.basename(f["path"]) for f in res["files"]]
    assert names == ["local0.log.3.xz", "local0.log.2.gz", "local0.log.1", "local0.log"]
    assert [f["compressed"] for f in res["files"]] == ["xz", "gz", None, None]
    assert res["events"] == 20 and all(f["error"] is None for f in res["files"])
    assert res["first_timestamp"] == "2025-01-15T07:25:36+00:00"
    assert res["last_timestamp"].startswith("2025-01-18T07:29")
    # a span of 4 days is still shown by the hour, zeros included
    tl = res["timeline"]
    assert tl["granularity"] == "hour"
    assert len(tl["buckets"]) == 3 * 24 + 1
    assert sum(b["total"] for b in tl["buckets"]) == 20
    assert sum(1 for b in tl["buckets"] if b["total"]) == 4


def test_dateext_names(tmp_path):
    write(tmp_path / "local0.log-20250115.gz", [])
    (tmp_path / "local0.log-20250115.gz").write_bytes(gzip.compress(("\n".join(five_kinds()) + "\n").encode()))
    write(tmp_path / "local0.log-20250116", five_kinds())
    write(tmp_path / "local0.log", five_kinds())
    res = lr.report(str(tmp_path / "local0.log"), include_rotated=True)
    assert [os.path.basename(f["path"]) for f in res["files"]] == [
        "local0.log-20250115.gz",
        "local0.log-20250116",
        "local0.log",
    ]
    assert res["events"] == 15


# ---- the delivery proof's records ----------------------------------------------------------------------------------


def test_test_records_are_excluded_and_counted(tmp_path):
    lines = [
        *five_kinds(),
        line("sync", tag="tls-syslog-verify"),
        line("sync", host="netattest-verify"),
        line("user_login", verify_run="verify-20250115T072536-1"),
        line("user_login", verify_run="verify-20250115T072536-1-refused-intruder"),
        "2025-01-15T07:25:36+00:00 netattest-verify app: not even JSON",
    ]
    res = lr.report(write(tmp_path / "local0.log", lines))
    assert res["events"] == 5
    assert res["excluded_test_records"] == {"count": 5, "by_reason": {"tag": 1, "hostname": 2, "verify_run": 2}}
    assert res["unparsable"]["count"] == 0
    assert res["lines"] == 10


# ---- window and filter ---------------------------------------------------------------------------------------------


def test_since_until_and_log_types(tmp_path):
    lines = [line("user_login", when=T0 + datetime.timedelta(minutes=30 * i), index=i) for i in range(10)]
    lines += [line("sync", when=T0 + datetime.timedelta(minutes=30 * i), index=i) for i in range(10)]
    path = write(tmp_path / "local0.log", lines)
    # 07:25:36 + 30 min steps: 07:25, 07:55, 08:25, 08:55, 09:25, ...; in JST (+09:00) that is 16:25, ...
    res = lr.report(path, since="2025-01-15T17:00:00+09:00", until="2025-01-15T09:30:00Z")
    assert res["events"] == 2 * 3  # 08:25, 08:55, 09:25 UTC
    assert res["filtered_out"]["outside_window"] == 14
    assert res["window"]["since"] == "2025-01-15T08:00:00Z" and res["window"]["until"] == "2025-01-15T09:30:00Z"
    assert (
        res["first_timestamp"] == "2025-01-15T08:25:36+00:00" and res["last_timestamp"] == "2025-01-15T09:25:36+00:00"
    )

    res = lr.report(path, log_types=["sync"])
    assert types_of(res) == {"sync": 10}
    assert res["filtered_out"]["by_log_type"] == {"login_user": 10}
    assert res["logins"]["count"] == 0

    res = lr.report(path, until="2025-01-15")  # a date: the whole day
    assert res["events"] == 20
    res = lr.report(path, since="2025-01-16")
    assert res["events"] == 0 and res["filtered_out"]["outside_window"] == 20


def test_window_boundary_inside_an_hour_is_exact(tmp_path):
    lines = [
        line("sync", when=T0.replace(minute=0, second=0) + datetime.timedelta(seconds=s)) for s in range(0, 3600, 60)
    ]
    path = write(tmp_path / "local0.log", lines)
    res = lr.report(path, since="2025-01-15T07:10:00Z", until="2025-01-15T07:20:00Z")
    assert res["events"] == 10  # 07:10 .. 07:19, until excluded


def test_a_repeated_second_keeps_its_own_hour(tmp_path):
    """The hot loop reuses the hour of the last counted line when a line has the same timestamp: a line of another
    hour in between (counted, or outside the window) must not make the repeat land in that other hour."""
    at = T0.replace(minute=30, second=0)  # 07:30
    other = at + datetime.timedelta(hours=3)  # 10:30
    lines = [line("sync", when=w) for w in (at, at, other, at, other, other, at)]
    path = write(tmp_path / "local0.log", lines)

    def hours(res):
        return {b["start"]: b["total"] for b in res["timeline"]["buckets"] if b["total"]}

    res = lr.report(path)
    assert hours(res) == {"2025-01-15T07:00:00Z": 4, "2025-01-15T10:00:00Z": 3}

    res = lr.report(path, until="2025-01-15T09:00:00Z")  # 10:30 is outside: the 07:30 after it is still counted
    assert hours(res) == {"2025-01-15T07:00:00Z": 4}
    assert res["filtered_out"]["outside_window"] == 3
    assert res["last_timestamp"] == "2025-01-15T07:30:00+00:00"


# ---- what the report says ------------------------------------------------------------------------------------------


def test_schema_lists_every_field_with_exact_counts(tmp_path):
    lines = five_kinds(n_each=30)
    # one line of 150 with an extra field, past the sampled first lines of its shape
    lines.append(line("user_login", index=7, params={"mfa": "totp"}))
    lines.append(line("user_login", index=8, extra_top=[1, 2]))
    res = lr.report(write(tmp_path / "local0.log", lines))
    schema = res["schema"]["login_user"]
    assert schema["count"] == 32
    fields = {f["field"]: f for f in schema["fields"]}
    assert fields["params.username"]["count"] == 32
    assert fields["params.mfa"] == {"field": "params.mfa", "count": 1, "types": ["string"], "examples": ["totp"]}
    assert fields["extra_top"]["count"] == 1 and fields["extra_top"]["types"] == ["array"]
    assert fields["extra_top"]["examples"] == ["[1, 2]"]
    assert set(fields) >= {"log_type", "log_level", "tenantcode", "message", "params", "timestamp", "params.code"}
    assert len(fields["params.username"]["examples"]) == ls.FIELD_EXAMPLES
    sync = {f["field"]: f for f in res["schema"]["sync"]["fields"]}
    assert sync["params.added"]["types"] == ["number"] and sync["params.added"]["examples"] == ["2"]
    assert res["schema"]["sync"]["raw_examples"][0].startswith("2025-01-15T07:")


def test_logins_top_values(tmp_path):
    lines = []
    for i in range(30):
        lines.append(line("admin_login", index=i))  # username admin, addresses 203.0.113.10..39
    for _ in range(12):
        lines.append(line("user_login", index=0))  # user01 from 203.0.113.10
    lines.append(line("cert_issue", index=0))  # not a login kind: its user is not counted
    res = lr.report(write(tmp_path / "local0.log", lines), top=3)
    lg = res["logins"]
    assert lg["count"] == 42
    assert lg["users"] == [{"value": "admin", "count": 30, "error": 0}, {"value": "user01", "count": 12, "error": 0}]
    assert lg["ip_addresses"][0] == {"value": "203.0.113.10", "count": 13, "error": 0}
    assert len(lg["ip_addresses"]) == 3
    assert lg["user_agents"] == [{"value": _onegate_payloads.USER_AGENT, "count": 42, "error": 0}]
    assert lg["distinct"] == {"users": 2, "ip_addresses": 30, "user_agents": 1}
    assert lg["capped"] is False


def test_problems_by_level_code_result_and_message(tmp_path):
    lines = five_kinds()
    lines.append(line("user_login", severity="warning", params={"code": "IM-605-W-002001"}, message="Login failed."))
    lines.append(line("user_login", severity="warning", params={"code": "IM-605-W-002001"}, message="Login failed."))
    lines.append(line("sync", params={"code": "IM-630-E-001001", "result": "failure"}, message="Sync stopped."))
    lines.append(line("sso_access", message="SSO access failed."))  # INFO level, but it failed
    lines.append(line("sync", params={"result": "Failed"}))
    lines.append(line("cert_issue", severity="err"))
    res = lr.report(write(tmp_path / "local0.log", lines))
    pr = res["problems"]
    assert pr["count"] == 6
    kinds = {(k["log_type"], k["log_level"], k["code"], k["message"]): k["count"] for k in pr["kinds"]}
    assert kinds[("login_user", "WARN", "IM-605-W-002001", "Login failed.")] == 2
    assert kinds[("sync", "INFO", "IM-630-E-001001", "Sync stopped.")] == 1
    assert kinds[("sso_access", "INFO", "IM-610-I-001000", "SSO access failed.")] == 1
    assert kinds[("sync", "INFO", "IM-630-I-001000", "Synchronization completed.")] == 1
    assert kinds[("certificate", "ERROR", "IM-620-I-001000", "Certificate issued.")] == 1
    assert pr["kinds_total"] == 5
    assert [p["log_type"] for p in pr["latest"]] == [
        "login_user",
        "login_user",
        "sync",
        "sso_access",
        "sync",
        "certificate",
    ]
    assert res["by_log_level"] == {"INFO": 8, "WARN": 2, "ERROR": 1}


def test_odd_json_values_do_not_break_the_tables(tmp_path):
    lines = [
        '2025-01-15T07:25:36+00:00 OneGate manager {"log_type":["a"],"log_level":{"x":1},"params":{"username":["u"],'
        '"ip_address":7,"user_agent":null,"code":5,"result":false},"message":12}',
        '2025-01-15T07:25:36+00:00 OneGate manager {"log_type":null,"params":"text"}',
        "2025-01-15T07:25:36+00:00 OneGate manager {}",
        '2025-01-15T07:25:36+00:00 OneGate manager {"log_type":"login_user","params":{"username":{"a":1}}}',
    ]
    res = lr.report(write(tmp_path / "local0.log", lines))
    assert res["events"] == 4 and res["unparsable"]["count"] == 0
    assert types_of(res) == {'(["a"])': 1, "(none)": 2, "login_user": 1}
    assert res["logins"]["users"] == [{"value": '({"a": 1})', "count": 1, "error": 0}]
    json.dumps(res)  # everything returned is JSON


def test_timestamps_with_offsets_and_fractions(tmp_path):
    lines = [
        "2025-01-15T16:25:36.123456+09:00 OneGate manager " + json.dumps({"log_type": "sync"}),  # 07:25:36 UTC
        "2025-01-15T07:10:00Z OneGate manager " + json.dumps({"log_type": "sync"}),
        "2025-01-15T06:59:59.5-00:00 OneGate manager " + json.dumps({"log_type": "sync"}),
        "yesterday OneGate manager " + json.dumps({"log_type": "sync"}),
    ]
    res = lr.report(write(tmp_path / "local0.log", lines))
    assert res["events"] == 4 and res["no_timestamp"] == 1
    assert res["first_timestamp"] == "2025-01-15T06:59:59.5-00:00"
    assert res["last_timestamp"] == "2025-01-15T16:25:36.123456+09:00"
    assert res["last_timestamp_utc"] == "2025-01-15T07:25:36.123456Z"
    tl = res["timeline"]
    assert [(b["start"], b["total"]) for b in tl["buckets"]] == [
        ("2025-01-15T06:00:00Z", 1),
        ("2025-01-15T07:00:00Z", 2),
    ]


def test_long_span_is_shown_by_day(tmp_path):
    lines = [line("sync", when=T0 + datetime.timedelta(days=d)) for d in range(0, 60, 3)]
    res = lr.report(write(tmp_path / "local0.log", lines))
    tl = res["timeline"]
    assert tl["granularity"] == "day" and tl["bucket_seconds"] == 86400
    assert len(tl["buckets"]) == 58
    assert tl["buckets"][0]["start"] == "2025-01-15T00:00:00Z"
    assert sum(b["total"] for b in tl["buckets"]) == 20


# ---- bounded memory ------------------------------------------------------------------------------------------------


def test_caps_hold_against_forged_variety(tmp_path):
    """Every value different on every line: the tables stay at their caps and everything is still counted."""
    rnd = random.Random(7)
    path = tmp_path / "local0.log"
    n = 30000
    with open(path, "w") as out:
        for i in range(n):
            when = datetime.datetime(1 + rnd.randrange(9000), 1 + rnd.randrange(12), 1 + rnd.randrange(28),
                                     tzinfo=datetime.timezone.utc)  # fmt: skip
            word = "".join(rnd.choice(string.ascii_letters) for _ in range(12))
            payload = {
                "log_type": "login_user" if i % 2 else "t-" + word,
                "log_level": "L" + word,
                "params": {"username": "u" + word, "ip_address": word, "user_agent": "a" + word, "k" + word: 1},
                "f" + word: i,
            }
            stamp = "%04d-%02d-%02dT00:00:00+00:00" % (when.year, when.month, when.day)  # strftime: no zero-padded %Y
            out.write("%s OneGate manager %s\n" % (stamp, json.dumps(payload)))
    tracemalloc.start()
    try:
        res = lr.report(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res["events"] == n and res["unparsable"]["count"] == 0
    assert len(res["by_log_type"]) == lr.MAX_LOG_TYPES + 1  # the cap + (other)
    assert types_of(res)["(other)"] + types_of(res)["login_user"] + lr.MAX_LOG_TYPES - 1 == n
    assert res["logins"]["capped"] is True
    assert 0 < res["logins"]["distinct"]["users"] <= lc.MAX_DISTINCT
    assert res["logins"]["heavy_hitters"]["users"]["counted"] == n // 2
    assert max(len(s["fields"]) for s in res["schema"].values()) <= ls.MAX_FIELDS
    assert res["schema"]["login_user"]["fields_capped"] > 0
    assert len(res["timeline"]["buckets"]) <= lt.MAX_TIMELINE_POINTS
    assert sum(b["total"] for b in res["timeline"]["buckets"]) == n and res["no_timestamp"] == 0
    assert res["first_timestamp"] < "0010" and res["last_timestamp"] > "8990"
    assert peak < 40 * 1024 * 1024, "peak %.1f MB" % (peak / 1e6)


# ---- the one parser ------------------------------------------------------------------------------------------------


def reference(raw):
    """The parser as it was before its fast path: LINE_RE, then json.loads."""
    m = _onegate_log.LINE_RE.match(raw)
    if not m:
        return None, None, None, raw, None, _onegate_log.ERROR_NOT_FILEFORMAT
    try:
        data = json.loads(m.group("message"))
    except ValueError as exc:
        return (
            m.group("timestamp"),
            m.group("host"),
            m.group("tag"),
            m.group("message"),
            None,
            (_onegate_log.ERROR_NOT_JSON_PREFIX + str(exc)),
        )
    if not isinstance(data, dict):
        return (
            m.group("timestamp"),
            m.group("host"),
            m.group("tag"),
            m.group("message"),
            None,
            (_onegate_log.ERROR_NOT_OBJECT),
        )
    return m.group("timestamp"), m.group("host"), m.group("tag"), m.group("message"), data, None


def test_parse_line_fast_path_equals_the_regex():
    rnd = random.Random(42)
    alphabet = ["a", "T", "0", ":", " ", " ", " ", "\t", "\x1c", "\xa0", "\u3000", "\x00", "é", "{", "}", '"', "1",
                "\x7f", "\x85", "\n", "\r", "[", "]", ","]  # fmt: skip
    samples = [
        "2025-01-15T07:25:36+00:00 OneGate manager {}",
        '2025-01-15T07:25:36+00:00 OneGate manager: {"a": 1}',
        "a b c:: {}",
        "a b :c {}",
        "a b : {}",
        "a  b c {}",
        "a b c  {}",
        "a b c ",
        "a b c",
        "a b c {} ",
        " a b c {}",
        "a b c \ufeff{}",
        "a\x00 b c {}",
        "a b c\x7f {}",
        'ts host tag {"a":1}\n',
        "ts h\xe9 tag {}",
        "a b c",
        "a  b",
        "ab",
        "a b  ",
        " ",
        "",
        "a b c:",
        "a b c: ",
        "a b c:: ",
    ]
    for _ in range(20000):
        head = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 14)))
        tail = rnd.choice(["{}", '{"a":1}', "[1]", '{"a":', " {} ", "x", "", '{"k":"v"}\n'])
        samples.append(head + " " + tail)
    for raw in samples:
        assert _onegate_log.parse_line(raw) == reference(raw), repr(raw)
