"""The three filters, through Ansible's filter loader (as a playbook would use them) and their errors."""

import importlib
import json

import pytest

from ansible.errors import AnsibleFilterError


def f(name):
    """The filter function as the plugin file registers it (the file name is the filter name)."""
    plugin = importlib.import_module("ansible_collections.netattest.tls_syslog.plugins.filter." + name)
    return plugin.FilterModule().filters()[name]


# ---- rsyslog_array -------------------------------------------------------------------------------------------


def test_rsyslog_array_renders_and_escapes():
    ra = f("rsyslog_array")
    assert ra(["aws-syslog"]) == '["aws-syslog"]'
    assert ra(["aws-syslog", "b.example.com"]) == '["aws-syslog","b.example.com"]'
    assert ra(['a"b', "c\\d"]) == '["a\\"b","c\\\\d"]'
    assert ra(("x", "*.example.com")) == '["x","*.example.com"]'


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ([], "the list is empty"),
        (["ok", "bad\nname"], "newline or control character"),
        (["bad\rname"], "newline or control character"),
        (["tab\tname"], "newline or control character"),
        (["nul\x00"], "newline or control character"),
        (["del\x7f"], "newline or control character"),
        (["esc\x1b[0m"], "newline or control character"),
        ([""], "empty string"),
        ([1], "not a string"),
        ("aws-syslog", "expected a list"),
        ({"a": 1}, "expected a list"),
    ],
)
def test_rsyslog_array_refuses(value, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        f("rsyslog_array")(value)


def test_rsyslog_array_injection_attempt_with_a_newline_is_refused():
    with pytest.raises(AnsibleFilterError, match="newline or control character"):
        f("rsyslog_array")(['x"]\nmodule(load="omprog")'])


@pytest.mark.parametrize(
    ("name", "literal"),
    [
        # a quote that would close the string and the array, then a new statement on the same line
        ('x"] module(load="omprog") #', '["x\\"] module(load=\\"omprog\\") #"]'),
        # a backslash before the quote: escaping the quote alone would leave \\" , an escaped backslash + a quote
        ('x\\"]', '["x\\\\\\"]"]'),
    ],
)
def test_rsyslog_array_quotes_cannot_end_the_string(name, literal):
    out = f("rsyslog_array")([name])
    assert out == literal
    # One string: between the outer quotes, every quote is escaped (preceded by an odd number of backslashes).
    inner = out[2:-2]
    for i, c in enumerate(inner):
        if c == '"':
            run = len(inner[:i]) - len(inner[:i].rstrip("\\"))
            assert run % 2 == 1, (out, i)


# ---- onegate_log ---------------------------------------------------------------------------------------------

LINE = (
    '2025-01-15T07:25:36+00:00 OneGate manager {"log_type":"login_manager","log_level":"INFO","tenantcode":"xxxx",'
    '"message":"Successfully logged in.","params":{"code":"IM-605-I-001000","ip_address":"xxx.xxx.xxx.xxxx",'
    '"user_agent":"Mozilla/5.0 ...","username":"xxxxx"},"timestamp":"2025-01-15T07:25:36.523+00:00"}\n'
)


def test_onegate_log_parses_a_onegate_line():
    r = f("onegate_log")(LINE)
    assert r["timestamp"] == "2025-01-15T07:25:36+00:00"
    assert r["host"] == "OneGate" and r["tag"] == "manager"
    assert r["is_json"] is True and r["error"] is None
    assert r["log_type"] == "login_manager" and r["log_level"] == "INFO" and r["tenantcode"] == "xxxx"
    assert r["log_message"] == "Successfully logged in."
    assert r["params"]["code"] == "IM-605-I-001000" and r["params"]["username"] == "xxxxx"
    assert r["log_timestamp"] == "2025-01-15T07:25:36.523+00:00"
    assert r["raw"] == LINE.rstrip("\n")
    # data: the whole JSON object, the fields above and any others
    assert r["data"] == json.loads(LINE.split(" ", 3)[3])
    assert r["data"]["params"]["user_agent"] == "Mozilla/5.0 ..."


def test_onegate_log_tag_with_colon():
    r = f("onegate_log")('2025-01-15T07:25:36+00:00 OneGate sync: {"log_type":"sync"}')
    assert r["tag"] == "sync" and r["log_type"] == "sync" and r["message"] == '{"log_type":"sync"}'


def test_onegate_log_tag_with_colon_and_pid():
    # RSYSLOG_FileFormat writes the syslog tag as the sender gave it: APP-NAME[PROCID]: (PROCID 4711 here)
    r = f("onegate_log")('2025-01-15T07:25:36+00:00 OneGate manager[4711]: {"log_type":"sync","params":{}}')
    assert r["tag"] == "manager[4711]"
    assert r["message"] == '{"log_type":"sync","params":{}}'
    assert r["is_json"] is True and r["log_type"] == "sync" and r["data"] == {"log_type": "sync", "params": {}}


def test_onegate_log_non_json_keeps_raw():
    r = f("onegate_log")("2025-01-15T07:25:36+00:00 host sshd[12]: Accepted publickey for ec2-user")
    assert r["is_json"] is False and r["data"] is None
    assert r["tag"] == "sshd[12]"
    assert r["message"] == "Accepted publickey for ec2-user"
    assert "not JSON" in r["error"]
    assert r["log_type"] is None


def test_onegate_log_json_array_and_garbage():
    assert "not an object" in f("onegate_log")("2025-01-15T07:25:36+00:00 h t [1,2]")["error"]
    r = f("onegate_log")("garbage")
    assert r["raw"] == "garbage" and "RSYSLOG_FileFormat" in r["error"]
    with pytest.raises(AnsibleFilterError):
        f("onegate_log")(42)


# ---- stale_paths ---------------------------------------------------------------------------------------------


def _found(path, **kw):
    entry = {"path": path, "isreg": True, "isdir": False, "islnk": False, "mode": "0644", "uid": 0, "gid": 0}
    entry.update(kw)
    return entry


WANT_FILE = {"path": "/etc/rsyslog.d/local0.conf", "state": "file", "mode": "0644", "checksum": "a" * 40}
WANT_DIR = {"path": "/etc/rsyslog.d/tls", "state": "directory", "mode": "0755"}


def test_stale_paths_none_when_everything_matches():
    sp = f("stale_paths")
    found = [
        _found("/etc/rsyslog.d/local0.conf", checksum="a" * 40),
        _found("/etc/rsyslog.d/tls", isreg=False, isdir=True, mode="0755"),
        _found("/etc/rsyslog.d/other.conf", checksum="b" * 40),  # not managed: ignored
    ]
    assert sp(found, [WANT_FILE, WANT_DIR]) == []


@pytest.mark.parametrize(
    "change",
    [
        {"checksum": "c" * 40},
        {"mode": "0666"},
        {"uid": 1000},
        {"gid": 4},
        {"islnk": True},  # a symbolic link, even one that find also reports as a regular file
        {"isreg": False, "isdir": True},
    ],
)
def test_stale_paths_any_difference_makes_a_file_stale(change):
    sp = f("stale_paths")
    found = [_found("/etc/rsyslog.d/local0.conf", **{"checksum": "a" * 40, **change})]
    assert sp(found, [WANT_FILE]) == ["/etc/rsyslog.d/local0.conf"]


def test_stale_paths_a_link_where_a_directory_is_wanted_is_stale():
    sp = f("stale_paths")
    found = [_found("/etc/rsyslog.d/tls", isreg=False, isdir=True, islnk=True, mode="0755")]
    assert sp(found, [WANT_DIR]) == ["/etc/rsyslog.d/tls"]
    assert sp([dict(found[0], islnk=False)], [WANT_DIR]) == []


def test_stale_paths_missing_entries_and_wrong_types_are_stale():
    sp = f("stale_paths")
    found = [_found("/etc/rsyslog.d/tls", checksum="a" * 40)]  # a file where a directory is wanted
    assert sp(found, [WANT_FILE, WANT_DIR]) == ["/etc/rsyslog.d/local0.conf", "/etc/rsyslog.d/tls"]
    assert sp([], [WANT_DIR, WANT_FILE]) == ["/etc/rsyslog.d/tls", "/etc/rsyslog.d/local0.conf"]


@pytest.mark.parametrize(
    ("found", "wanted", "fragment"),
    [
        ("nope", [WANT_FILE], "expects the list"),
        ([], [{"path": "/x", "state": "link"}], "needs a path and a state"),
        ([], [{"path": "/x", "state": "file", "mode": "0644"}], "has no checksum"),
    ],
)
def test_stale_paths_errors(found, wanted, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        f("stale_paths")(found, wanted)
