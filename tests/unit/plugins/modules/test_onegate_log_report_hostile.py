"""onegate_log_report against a hostile sender (issue 21, item 1): lines built to break the report, and fuzzed ones.

Each test fails without the fix it names: re-encoding a value nested ~990 deep (RecursionError), lone surrogates
(ansible-core refuses the result), bidi and control characters (shown as they are), a spray of made-up user names
that hid the attacked account (first come, first kept), made-up kinds that pushed OneGate's own into (other), and an
unexpected exception on one line that failed the whole run. The fuzzed lines come from tests/lib/netattest_local/
onegate_fuzz.py; tests/integration/local/test_onegate_log_report_ansible.py runs the module on them through
ansible-core itself.
"""

from __future__ import annotations

import json
import random

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_counters as lc
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_schema as ls
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_values as lv
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_report as lr
from ansible_collections.netattest.tls_syslog.plugins.modules import onegate_log_report
from netattest_local.onegate_fuzz import (
    assert_all_lines_accounted,
    assert_result_is_safe,
    fuzz_file,
    nested,
    stored,
    write,
)

RLO = "\u202e"  # right-to-left override


# ---- row 1: nesting that parses but could not be re-encoded ---------------------------------------------------------


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
