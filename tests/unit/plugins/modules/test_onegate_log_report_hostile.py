"""onegate_log_report against a hostile sender (issue 21, item 1): lines built to break the report, and fuzzed ones.

Each test fails without the fix it names: re-encoding a value nested ~990 deep (RecursionError), lone surrogates
(ansible-core refuses the result), bidi and control characters (shown as they are), a spray of made-up user names
that hid the attacked account (first come, first kept), made-up kinds that pushed OneGate's own into (other), and an
unexpected exception on one line that failed the whole run. The fuzz test at the end runs the module through
ansible-core itself (``ansible`` ad hoc, with the project's Python and, with NETATTEST_PY39 set, a Python 3.9), so
that ansible-core's own result handling (its UTF-8 check, its JSON) is part of the test.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_counters as lc
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_files as lf
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_schema as ls
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_values as lv
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_report as lr
from ansible_collections.netattest.tls_syslog.plugins.modules import onegate_log_report

ROOT = Path(__file__).resolve().parents[4]
STAMP = "2025-01-15T07:25:36+00:00"
RLO = "\u202e"  # right-to-left override
# A Python 3.9 to run the fuzz test with too, only when asked for (NETATTEST_PY39=/path/to/python3.9): make test must
# run the same everywhere, and a fresh machine has no 3.9. In make test, Python 3.9 is covered by vermin (lint) and
# the receiver-side run of the module on the AL2023 stand-in (molecule al2023).
PY39 = [p for p in (os.environ.get("NETATTEST_PY39", ""),) if p and os.access(p, os.X_OK)]


def stored(message, stamp=STAMP, host="OneGate", tag="manager"):
    return "%s %s %s %s" % (stamp, host, tag, message)


def write(path, lines):
    path.write_bytes(b"".join((x.encode("utf-8", "surrogatepass") if isinstance(x, str) else x) + b"\n" for x in lines))
    return str(path)


def strings(value):
    """Every string in a result, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings(v)


def assert_result_is_safe(res):
    """What ansible-core needs (strict UTF-8, JSON) and what a page or a terminal needs (nothing invisible)."""
    json.dumps(res).encode("utf-8")
    for text in strings(res):
        text.encode("utf-8")  # no lone surrogate
        assert lv.UNSAFE_RE.search(text) is None, repr(text)


def assert_all_lines_accounted(res):
    assert res["lines"] == (
        res["events"]
        + res["excluded_test_records"]["count"]
        + res["filtered_out"]["count"]
        + res["unparsable"]["count"]
    ), res


# ---- row 1: nesting that parses but could not be re-encoded ---------------------------------------------------------


def nested(depth, inner="1"):
    return "[" * depth + inner + "]" * depth


def test_deep_nesting_is_counted_and_never_fails_the_run(tmp_path, run_module):
    """Lines nested around MAX_NESTING and 900..1000 deep, in every place a value is re-encoded as text (a field, a
    params field, the level, the kind, a user name, a problem's code). Before the fix, json.dumps of the deepest that
    still parsed (~990) raised "maximum recursion depth exceeded while encoding" and the module failed; which depth
    parsed also depended on the stack depth of the caller."""
    lines, expected_events = [], 1
    for depth in [*range(480, 521), *range(900, 1001)]:
        v = nested(depth)
        for text, levels in (
            ('{"log_type":"sync","x":%s}', 1),
            ('{"log_type":"login_user","params":{"username":"u","x":%s}}', 2),
            ('{"log_type":"sync","log_level":%s}', 1),
            ('{"log_type":%s}', 1),
            ('{"log_type":"login_user","params":{"username":%s}}', 2),
            ('{"log_type":"sync","log_level":"ERROR","params":{"code":%s}}', 2),
        ):
            lines.append(stored(text % v))
            expected_events += depth + levels <= lv.MAX_NESTING
    lines.append(stored('{"log_type":"sync","message":"after"}'))
    failed, res = run_module(onegate_log_report.main, {"path": write(tmp_path / "local0.log", lines)})
    assert not failed, res.get("msg")
    assert res["lines"] == len(lines)
    assert_all_lines_accounted(res)
    assert res["events"] == expected_events
    assert res["unparsable"]["by_reason"] == {lv.ERROR_TOO_DEEP: len(lines) - expected_events}
    assert res["limits"]["max_json_nesting"] == lv.MAX_NESTING == 500
    assert_result_is_safe(res)
    sync = {f["field"]: f for f in res["schema"]["sync"]["fields"]}
    shown = sync["x"]["examples"][0]
    assert shown.startswith("[" * lv.MAX_DEPTH + "[\u2026]") and len(shown) <= lv.MAX_TEXT, shown


def test_nesting_limit_ignores_brackets_in_strings():
    assert not lv.too_deep('{"x":"%s"}' % ("[" * 60000))
    assert not lv.too_deep('{"x":%s}' % nested(lv.MAX_NESTING - 1))
    assert lv.too_deep('{"x":%s}' % nested(lv.MAX_NESTING))
    assert lv.too_deep('{"x":"\\"[","y":%s}' % nested(lv.MAX_NESTING, '"]]]]"'))


def test_to_json_is_bounded_in_depth_and_length():
    deep = {"a": [[[[{"b": "c"}]]]]}
    for _ in range(5000):
        deep = [deep]
    text = lv.to_json(deep, 300)
    assert text.startswith("[" * lv.MAX_DEPTH + "[\u2026]")
    flood = {"k%05d" % i: i for i in range(20000)}
    text = lv.to_json(flood, 300)
    assert text.startswith('{"k00000": 0, "k00001": 1') and len(text) < 400
    assert lv.to_json({"x": [1, 2.5, None, True, "\u202e"]}, 300) == '{"x": [1, 2.5, null, true, "\u202e"]}'
    assert lv.label({"x": "\u202e"}) == '({"x": "\\u202e"})'


# ---- rows 2 and 6: surrogates, invalid UTF-8, controls and bidi ------------------------------------------------------


def test_surrogates_controls_and_bidi_are_escaped_where_they_enter(tmp_path, run_module):
    user = "bob" + RLO + "from: 198.51.100.7"
    odd = (
        '{"log_type":"sync\\u2066","log_level":"ER\\u200fROR","message":"m\\u0085\\u2028",'
        '"params":{"code":"IM-1-E-\\ud83d","result":"failure"},"f\\u202eld\\ud800":"v\\u061c"}'
    )
    lines = [
        stored(json.dumps({"log_type": "login_user", "params": {"username": user, "ip_address": "203.0.113.9"}})),
        stored('{"log_type":"login_user","params":{"username":"\\ud800x","user_agent":"a\\udfffb\\u0000c"}}'),
        stored(odd),
        stored('{"log_type":"login_user","params":{"username":"\\ud83d\\ude00 ok"}}'),  # a pair: one character
        "2025-01-15T07:25:36+00:00 OneGate manager " + RLO + "not json",
        b"2025-01-15T07:25:36+00:00 OneGate manager \xff\xfe {\xed\xa0\x80}",  # invalid UTF-8 (an encoded surrogate)
        stored("{}", stamp="2025-01-15T07:25:36+00:00" + RLO, host="h" + RLO),
    ]
    failed, res = run_module(onegate_log_report.main, {"path": write(tmp_path / "local0.log", lines)})
    assert not failed, res.get("msg")
    assert res["lines"] == len(lines)
    assert_all_lines_accounted(res)
    assert_result_is_safe(res)
    users = {u["value"]: u["count"] for u in res["logins"]["users"]}
    assert users == {"bob\\u202efrom: 198.51.100.7": 1, "\\ud800x": 1, "\U0001f600 ok": 1}
    assert [a["value"] for a in res["logins"]["user_agents"]] == ["a\\udfffb\\u0000c"]
    assert "sync\\u2066" in {t["log_type"] for t in res["by_log_type"]}
    assert res["by_log_level"].get("ER\\u200fROR") == 1
    kind = next(k for k in res["problems"]["kinds"] if k["log_type"] == "sync\\u2066")
    assert kind["code"] == "IM-1-E-\\ud83d" and kind["message"] == "m\\u0085\\u2028"
    fields = {f["field"]: f for f in res["schema"]["sync\\u2066"]["fields"]}
    assert fields["f\\u202eld\\ud800"]["examples"] == ["v\\u061c"]
    texts = " ".join(x["text"] for x in res["unparsable"]["examples"])
    assert "\\u202enot json" in texts and "\\xff\\xfe" in texts


def test_the_window_echoes_the_kinds_asked_for_made_safe(tmp_path):
    lines = [stored(json.dumps({"log_type": "sync" + RLO}, ensure_ascii=False)), stored('{"log_type":"sync"}')]
    res = lr.report(write(tmp_path / "local0.log", lines), log_types=["sync" + RLO])
    assert res["window"]["log_types"] == ["sync\\u202e"]
    assert res["events"] == 1 and res["filtered_out"]["by_log_type"] == {"sync": 1}
    assert_result_is_safe(res)


def test_safe_keeps_ordinary_text_and_is_idempotent():
    for text in ("admin", "山田 太郎", "DOMAIN\\user", "Mozilla/5.0 (X11; Linux x86_64)", "\U0001f600", "עברית"):
        assert lv.safe(text) is text
    hostile = "a\u202eb\x00c\x1b[31m\ud800\ufeff\u2067"
    once = lv.safe(hostile)
    assert once == "a\\u202eb\\u0000c\\u001b[31m\\ud800\\ufeff\\u2067"
    assert lv.safe(once) == once


def test_a_cut_never_splits_an_escape():
    for n in range(280, 300):
        text = lv.short("x" * n + RLO * 10)
        assert len(text) <= lv.MAX_TEXT and text.endswith("\u2026")
        assert all(part.startswith("202e") for part in text[:-1].split("\\u")[1:]), text[-20:]


# ---- row 5: heavy hitters ------------------------------------------------------------------------------------------


def login(user, i=0):
    return stored(json.dumps({"log_type": "login_user", "log_level": "WARN", "message": "Login failed.",
                              "params": {"username": user, "ip_address": "198.51.100.%d" % (i % 250),
                                         "code": "IM-605-W-002001"}}))  # fmt: skip


def test_a_spray_of_made_up_names_does_not_hide_the_attacked_account(tmp_path):
    """10,000 failed logins with made-up user names, then 500 for one real account: before, the table kept the first
    10,000 names and the real account was only (other) = 500."""
    rnd = random.Random(21)
    lines = [login("spray-%08x" % rnd.getrandbits(32), i) for i in range(lc.MAX_DISTINCT)]
    lines += [login("taro.yamada", i) for i in range(500)]
    res = lr.report(write(tmp_path / "local0.log", lines), top=10)
    top = res["logins"]["users"]
    assert top[0]["value"] == "taro.yamada", top[:3]
    assert top[0]["count"] - top[0]["error"] <= 500 <= top[0]["count"]
    assert top[0]["error"] <= len(lines) // (lc.MAX_DISTINCT + 1)
    assert res["logins"]["capped"] is True
    hh = res["logins"]["heavy_hitters"]["users"]
    assert hh == {"counted": len(lines), "counters": lc.MAX_DISTINCT, "error": top[0]["error"]}
    assert "(other)" not in {u["value"] for u in top}
    # the problem kinds are a heavy-hitters table too
    assert res["problems"]["kinds"][0]["message"] == "Login failed." and res["problems"]["kinds"][0]["count"] == 10500


@pytest.mark.parametrize("seed", range(6))
def test_heavy_hitters_guarantee_on_random_streams(seed):
    """Misra-Gries with cap counters: a true count is within [count - error, count]; every value seen more than
    N / (k + 1) times is among the first k; error <= N / (cap + 1); the work is linear."""
    rnd = random.Random(seed)
    cap = rnd.choice([5, 20, 100])
    hh = lc.HeavyHitters(cap)
    truth = {}
    heavy = ["H%d" % i for i in range(rnd.randrange(1, 6))]
    stream = []
    for _ in range(rnd.randrange(2000, 6000)):
        value = rnd.choice(heavy) if rnd.random() < 0.4 else "x%d" % rnd.randrange(100000)
        stream.append(value)
    if seed % 2:
        stream.sort(key=lambda v: v in heavy)  # the spray first, the heavy values last
    for value in stream:
        hh.add(value)
        truth[value] = truth.get(value, 0) + 1
    n = len(stream)
    assert hh.total() == n
    assert hh.decrements <= n // (cap + 1)
    everything = hh.top(cap)
    for row in everything:
        assert row["count"] - row["error"] <= truth[row["value"]] <= row["count"], row
    for k in (1, 3, 5, 10, 20):
        if k > cap:  # the guarantee is for the first k <= cap
            continue
        listed = {row["value"] for row in hh.top(k)}
        for value, f in truth.items():
            if f > n / (k + 1):
                assert value in listed, (value, f, n, k, hh.top(k))


def test_made_up_kinds_first_do_not_push_onegate_kinds_into_other(tmp_path):
    lines = [stored(json.dumps({"log_type": "fake-%d" % i})) for i in range(lr.MAX_LOG_TYPES + 10)]
    lines += [login("taro.yamada")] * 3
    res = lr.report(write(tmp_path / "local0.log", lines))
    counts = {t["log_type"]: t["count"] for t in res["by_log_type"]}
    assert counts["login_user"] == 3 and counts["(other)"] == 10
    assert res["logins"]["users"][0]["value"] == "taro.yamada"


def test_made_up_levels_first_do_not_push_the_real_ones_into_other(tmp_path):
    lines = [stored(json.dumps({"log_type": "sync", "log_level": "L%d" % i})) for i in range(lr.MAX_LEVELS + 5)]
    lines += [stored('{"log_type":"sync","log_level":"ERROR"}'), stored('{"log_type":"sync","log_level":"INFO"}')]
    res = lr.report(write(tmp_path / "local0.log", lines))
    levels = res["by_log_type"][0]["levels"]
    assert levels["ERROR"] == 1 and levels["INFO"] == 1 and levels["(other)"] == 5
    assert res["by_log_level"]["ERROR"] == 1 and res["problems"]["count"] == 1


# ---- a line that cannot be summarised ------------------------------------------------------------------------------


def test_a_line_that_raises_is_a_counted_problem_not_a_failed_run(tmp_path, run_module, monkeypatch):
    """Whatever goes wrong with one line (here: an injected bug in the schema code) is counted with its reason, and
    the lines after it are still counted."""
    original = ls.Schema.shape

    def broken(self, rec, log_type, data, params):
        if "boom" in data:
            raise RuntimeError("injected\u202e")
        return original(self, rec, log_type, data, params)

    monkeypatch.setattr(ls.Schema, "shape", broken)
    lines = [stored(json.dumps({"log_type": "sync", "n": i})) for i in range(3)]
    lines += [stored(json.dumps({"log_type": "sync", "boom": i})) for i in range(2)]
    lines += [stored(json.dumps({"log_type": "sync", "n": i})) for i in range(3, 6)]
    failed, res = run_module(onegate_log_report.main, {"path": write(tmp_path / "local0.log", lines)})
    assert not failed, res.get("msg")
    assert res["lines"] == 8 and res["events"] == 6
    assert res["unparsable"]["by_reason"] == {"could not be summarised (RuntimeError: injected\\u202e)": 2}
    assert [x["line"] for x in res["unparsable"]["examples"]] == [4, 5]
    assert_all_lines_accounted(res)
    assert_result_is_safe(res)


# ---- fuzz -----------------------------------------------------------------------------------------------------------

PIECES = [
    '"\\ud800"', '"\\udc00x"', '"\\u0000"', '"\\u202e"', '"\\u2066\\u2069"', '"\\u0085"', '"\\ufeff"', "1e999",
    "-1e999", "1" * 4000, "1" * 5000, "0.%s" % ("9" * 500), "null", "true", "[]", "{}", '"\\"', '"\\\\"',
    '"<script>x</script>"', '"{{ lookup(\'env\',\'HOME\') }}"', '"\U0001f600"', '"a\\tb\\nc"',
]  # fmt: skip


def fuzz_line(rnd):
    """One random, often adversarial, stored line (bytes)."""
    roll = rnd.random()
    if roll < 0.05:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 200))).replace(b"\n", b"")
    if roll < 0.08:  # a 64 KB line, just under or over the limit
        size = lf.MAX_LINE_BYTES + rnd.choice([-200, 10])
        return stored('{"log_type":"sync","x":"%s"}' % ("y" * size))[: size + 60].encode()
    if roll < 0.12:  # a key flood
        keys = ",".join('"k%d\\u202e":%d' % (i, i) for i in range(rnd.randrange(100, 5000)))
        return stored('{"log_type":"login_user","params":{%s,"username":"u"}}' % keys).encode()[: lf.MAX_LINE_BYTES]
    if roll < 0.2:
        depth = rnd.randrange(10, 1100)
        return stored('{"log_type":"sync","d":%s}' % nested(depth, rnd.choice(PIECES))).encode()
    fields = {
        "log_type": rnd.choice(['"login_user"', '"sso_access"', '"sync"', *PIECES]),
        "log_level": rnd.choice(['"INFO"', '"ERROR"', *PIECES]),
        "message": rnd.choice(['"Login failed."', *PIECES]),
    }
    params = {
        "username": rnd.choice(['"admin"', '"user%d"' % rnd.randrange(50), *PIECES]),
        "ip_address": rnd.choice(['"203.0.113.%d"' % rnd.randrange(5), *PIECES]),
        "user_agent": rnd.choice(PIECES),
        "code": rnd.choice(['"IM-605-E-1"', *PIECES]),
        "result": rnd.choice(['"failure"', *PIECES]),
    }
    text = "{%s,%s}" % (
        ",".join('"%s":%s' % kv for kv in fields.items()),
        '"params":{%s}' % ",".join('"%s":%s' % kv for kv in params.items() if rnd.random() < 0.7),
    )
    if rnd.random() < 0.1:
        text = text[: rnd.randrange(len(text))]
    stamp = rnd.choice([STAMP, "2025-01-15T07:25:36.5+09:00", "9999-12-31T23:59:59Z", "x\u202e", "0000-01-01"])
    line = stored(text, stamp=stamp, host=rnd.choice(["OneGate", "h\u2067", "netattest-verify"]))
    if rnd.random() < 0.05:
        line = line.replace(":", "\x00", 1)
    return line.encode("utf-8", "surrogatepass")


def fuzz_file(path, seed, n):
    rnd = random.Random(seed)
    return write(path, [fuzz_line(rnd) for _ in range(n)])


@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_lines_in_process(tmp_path, seed):
    path = fuzz_file(tmp_path / "local0.log", seed, 1500)
    res = lr.report(path, include_rotated=True, top=5)
    assert res["lines"] == 1500
    assert_all_lines_accounted(res)
    assert_result_is_safe(res)
    assert not [r for r in res["unparsable"]["by_reason"] if r.startswith("could not be summarised")], res[
        "unparsable"
    ]["by_reason"]


def test_fuzzed_lines_through_ansible_core(tmp_path):
    """The module run by ansible-core (ad hoc, local connection), its result taken through ansible-core's own
    handling: with the project's Python, and with a Python 3.9 when NETATTEST_PY39 names one."""
    path = fuzz_file(tmp_path / "local0.log", 2026, 1200)
    hosts = {"py-project": sys.executable}
    if PY39:
        hosts["py39"] = PY39[0]
    inv = tmp_path / "inventory.json"
    inv.write_text(json.dumps({"all": {"hosts": {
        name: {"ansible_connection": "local", "ansible_python_interpreter": python} for name, python in hosts.items()
    }}}))  # fmt: skip
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",  # ad hoc: the json callback, its output one JSON document
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
    )
    ansible = str(Path(sys.executable).with_name("ansible"))
    proc = subprocess.run(
        [ansible, "all", "-i", str(inv), "-m", "netattest.tls_syslog.onegate_log_report", "-a",
         json.dumps({"path": path, "top": 5})],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # the document, without the lines of ansible.cfg's profile_tasks around it
    out, _end = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{\n") :])
    results = out["plays"][0]["tasks"][0]["hosts"]
    assert set(results) == set(hosts), proc.stdout[-2000:]
    for res in results.values():
        assert not res.get("failed") and not res.get("exception"), str(res)[:3000]
    expected = lr.report(path, top=5)
    for res in results.values():
        assert res["lines"] == 1200 and res["events"] == expected["events"]
        assert res["unparsable"]["by_reason"] == expected["unparsable"]["by_reason"]
        assert_all_lines_accounted(res)
        assert_result_is_safe(res)
