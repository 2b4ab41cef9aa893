"""Lines built to break onegate_log_report (a hostile sender, issue 21 item 1), fuzzed ones, and the checks of its
result: shared by its unit tests (in process) and the test that runs it through ansible-core."""

from __future__ import annotations

import json
import random

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_files as lf
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_values as lv

STAMP = "2025-01-15T07:25:36+00:00"


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


def nested(depth, inner="1"):
    return "[" * depth + inner + "]" * depth


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
