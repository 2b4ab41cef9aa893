"""The receiver_input_problems filter, through the plugin file as a playbook loads it: every name and path of the role
rsyslog_tls that goes into a configuration file means only what it says (issue 21, rows 8 and 10). Each refusal
names the variable, the problem and the fix; the accepted values are the defaults and what users really write."""

import importlib
import re

import pytest
from ansible.errors import AnsibleFilterError

DEFAULTS = {
    "rsyslog_tls_dir": "/etc/rsyslog.d/tls",
    "rsyslog_tls_log_dir": "/mnt/efs/fs1",
    "rsyslog_tls_log_file": "local0.log",
    "rsyslog_tls_verify_log_file": "verify.log",
    "rsyslog_tls_other_log_file": "remote-other.log",
    "rsyslog_tls_log_group": "adm",
    "rsyslog_tls_permitted_peers": [],
}


def problems(values, **options):
    plugin = importlib.import_module("ansible_collections.netattest.tls_syslog.plugins.filter.receiver_input_problems")
    return plugin.FilterModule().filters()["receiver_input_problems"](values, **options)


def test_the_defaults_pass():
    assert problems(DEFAULTS) == []
    assert problems({}) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("rsyslog_tls_dir", "/etc/rsyslog.d/tls/"),
        ("rsyslog_tls_dir", "/opt/netattest_tls-1.2+x"),
        ("rsyslog_tls_log_dir", "/mnt/efs/fs1/"),
        ("rsyslog_tls_log_dir", "/srv/onegate.logs"),
        ("rsyslog_tls_log_file", "onegate_2026.log"),
        ("rsyslog_tls_log_file", ".hidden-but-plain.log"),
        ("rsyslog_tls_verify_log_file", "netattest-verify.log"),
        ("rsyslog_tls_other_log_file", "other+remote.log"),
        ("rsyslog_tls_log_group", "syslog-readers"),
        ("rsyslog_tls_log_group", "_log.readers"),
        ("rsyslog_tls_permitted_peers", ["aws-syslog"]),
        ("rsyslog_tls_permitted_peers", ["aws-syslog", "onegate.example.com", "user_01", "AWS-Syslog"]),
        ("rsyslog_tls_permitted_peers", ["aws-syslog@example.com"]),
    ],
)
def test_accepted(name, value):
    assert problems(dict(DEFAULTS, **{name: value})) == []


# (variable, value, what the message must say). Every message also starts with the variable's name and ends in a fix.
REFUSED = [
    # Row 10 of issue 21, as reported.
    ("rsyslog_tls_other_log_file", "../../var/log/x",
     r"is not a plain file name: .*onto the root disk.* Give the name only, for example x"),
    ("rsyslog_tls_verify_log_file", 'verify.log" file="/tmp/x', r'contains a double quote \("\), a space, a \'=\''),
    ("rsyslog_tls_verify_log_file", "verify log", "contains a space"),
    ("rsyslog_tls_log_group", 'adm"', r"not a plain group name \(it contains a double quote"),
    ("rsyslog_tls_log_group", "adm wheel", "not a plain group name \\(it contains a space"),
    ("rsyslog_tls_dir", '/etc/rsyslog.d/tls"', r"contains a double quote \(\"\)"),
    ("rsyslog_tls_dir", "/etc/rsyslog.d/my tls", "contains a space"),
    # Directories.
    ("rsyslog_tls_dir", "etc/rsyslog.d/tls", "is not an absolute path.*Give the full path from /"),
    ("rsyslog_tls_log_dir", "mnt/efs/fs1", "is not an absolute path"),
    ("rsyslog_tls_dir", "", "is empty: give an absolute directory"),
    ("rsyslog_tls_dir", "/", "is the root directory"),
    ("rsyslog_tls_log_dir", "//", "is the root directory"),
    ("rsyslog_tls_log_dir", "/mnt/efs/fs1/../../var/log", r"has a '\.' or '\.\.' component"),
    ("rsyslog_tls_log_dir", "/mnt/efs/./fs1", r"has a '\.' or '\.\.' component"),
    ("rsyslog_tls_log_dir", "/mnt/efs//fs1", "has an empty component"),
    ("rsyslog_tls_dir", "/etc/-tls", "starts with '-'"),
    ("rsyslog_tls_dir", "/etc/rsyslog.d/tls\nDefaultNetstreamDriver", r"a control character \(\\x0a\)"),
    ("rsyslog_tls_dir", "/etc/rsyslog.d\\tls", "a backslash"),
    ("rsyslog_tls_log_dir", "/mnt/efs/*", "a '\\*' \\(logrotate reads the path as a glob pattern\\)"),
    ("rsyslog_tls_log_dir", "/mnt/efs/fs[12]", "logrotate reads the path as a glob pattern"),
    ("rsyslog_tls_log_dir", "/mnt/%h", "a '%' \\(systemd and rsyslog expand it\\)"),
    ("rsyslog_tls_log_dir", "/mnt/$HOME", "a '\\$'"),
    ("rsyslog_tls_log_dir", "/mnt/efs/fs1 }", "a '}'"),
    ("rsyslog_tls_dir", "/etc/tls\u00e9", r"a non-ASCII character \(U\+00E9\)"),
    ("rsyslog_tls_dir", "/etc/tls\u2028x", r"U\+2028"),
    ("rsyslog_tls_dir", 5, "must be a string"),
    # File names.
    ("rsyslog_tls_log_file", "", "is empty: give a file name"),
    ("rsyslog_tls_log_file", None, "is empty: give a file name"),
    ("rsyslog_tls_log_file", ".", "is not a plain file name"),
    ("rsyslog_tls_log_file", "..", "is not a plain file name"),
    ("rsyslog_tls_log_file", "sub/local0.log", "is not a plain file name.*for example local0.log"),
    ("rsyslog_tls_log_file", "/var/log/messages", "is not a plain file name.*for example messages"),
    ("rsyslog_tls_verify_log_file", "-verify.log", "starts with '-'"),
    ("rsyslog_tls_verify_log_file", "verify\tlog", r"a control character \(\\x09\)"),
    ("rsyslog_tls_verify_log_file", "verify'.log", r"a single quote \('\)"),
    ("rsyslog_tls_other_log_file", "other.log;x", "a ';'"),
    ("rsyslog_tls_other_log_file", "other#.log", "a '#'"),
    ("rsyslog_tls_other_log_file", "*.log", "glob pattern"),
    ("rsyslog_tls_other_log_file", ["a.log"], "must be a string"),
    # The group.
    ("rsyslog_tls_log_group", "", "is empty: give the group"),
    ("rsyslog_tls_log_group", "1adm", "not a plain group name \\(it is not a group name\\)"),
    ("rsyslog_tls_log_group", "a" * 33, "not a plain group name"),
    ("rsyslog_tls_log_group", "adm+x", "not a plain group name \\(it contains the character '\\+'"),
    ("rsyslog_tls_log_group", "adm\n", "a control character"),
    # Permitted peer names: row 8 of issue 21, and every other pattern of OpenSSL's host check or rsyslog.
    ("rsyslog_tls_permitted_peers", [".example"],
     r"item 1 \(\"\.example\"\) starts with a dot: OpenSSL's host check .*'any name under example'"),
    ("rsyslog_tls_permitted_peers", ["aws-syslog", ".onegate.example.com"], r"item 2 .* starts with a dot"),
    ("rsyslog_tls_permitted_peers", ["example."], "ends with a dot: a certificate name never does.*Remove the dot"),
    ("rsyslog_tls_permitted_peers", ["aws..syslog"], "has an empty label"),
    ("rsyslog_tls_permitted_peers", ["."], "starts with a dot"),
    ("rsyslog_tls_permitted_peers", ["..."], "has an empty label"),
    ("rsyslog_tls_permitted_peers", [""], "is empty: remove it"),
    ("rsyslog_tls_permitted_peers", ["*"],
     r'\["\*"\] would admit more than one client.*any OneGate user.*set rsyslog_tls_allow_wildcard_peers=true'),
    ("rsyslog_tls_permitted_peers", ["aws-syslog", "*.example", "a*"],
     r'\["\*\.example", "a\*"\] would admit more than one client'),
    ("rsyslog_tls_permitted_peers", ["aws-*"], "as a pattern"),
    ("rsyslog_tls_permitted_peers", ["aws syslog"], "contains a space"),
    ("rsyslog_tls_permitted_peers", ["aws;syslog"], "contains a ';'"),
    ("rsyslog_tls_permitted_peers", ["aws#syslog"], "contains a '#'"),
    ("rsyslog_tls_permitted_peers", ["CN=aws-syslog"], "contains a '='"),
    ("rsyslog_tls_permitted_peers", ['aws"syslog'], "contains a double quote"),
    ("rsyslog_tls_permitted_peers", ["aws\\syslog"], "contains a backslash"),
    ("rsyslog_tls_permitted_peers", ["aws-syslog\n"], r"contains a control character \(\\x0a\)"),
    ("rsyslog_tls_permitted_peers", [5], "is not a name"),
    ("rsyslog_tls_permitted_peers", "aws-syslog", "must be a list of names.*\\[aws-syslog\\]"),
    ("rsyslog_tls_permitted_peers", None, "must be a list of names"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "fragment"), REFUSED, ids=["%s=%r" % (n, v)[:60] for n, v, _ in REFUSED])
def test_refused_with_the_variable_the_problem_and_the_fix(name, value, fragment):
    found = problems(dict(DEFAULTS, **{name: value}))
    assert found, "%s=%r was accepted" % (name, value)
    assert all(p.startswith(name) for p in found), found
    assert any(re.search(fragment, p, re.S) for p in found), found
    # A message never carries a raw control character: it is shown escaped.
    assert not any(c in p for p in found for c in "\n\t\r"), found


def test_wildcards_only_when_asked_and_never_a_leading_dot():
    assert problems({"rsyslog_tls_permitted_peers": ["*", "*.example"]}, allow_wildcard_peers=True) == []
    assert problems({"rsyslog_tls_permitted_peers": ["*"]}, allow_wildcard_peers="yes") == []
    (dot,) = problems({"rsyslog_tls_permitted_peers": [".*.example"]}, allow_wildcard_peers=True)
    assert "starts with a dot" in dot
    (named,) = problems({"rsyslog_tls_permitted_peers": ["*"]}, wildcard_option="tls_syslog_allow_wildcards")
    assert "set tls_syslog_allow_wildcards=true" in named


def test_every_problem_is_reported_at_once_in_order():
    found = problems(
        dict(
            DEFAULTS,
            rsyslog_tls_dir="tls dir",
            rsyslog_tls_other_log_file="../../var/log/x",
            rsyslog_tls_permitted_peers=[".example", "ok", "b."],
        )
    )
    assert [p.split(" ")[0] for p in found] == [
        'rsyslog_tls_dir="tls',
        'rsyslog_tls_dir="tls',
        'rsyslog_tls_other_log_file="../../var/log/x"',
        "rsyslog_tls_permitted_peers",
        "rsyslog_tls_permitted_peers",
    ]
    assert "item 1" in found[3] and "item 3" in found[4]


@pytest.mark.parametrize(
    ("values", "options", "fragment"),
    [
        ({"rsyslog_tls_port": 6514}, {}, "unknown variable 'rsyslog_tls_port'"),
        (["rsyslog_tls_dir"], {}, "expected a dictionary"),
        (DEFAULTS, {"allow_wildcard_peers": "maybe"}, "maybe"),
    ],
)
def test_misuse_is_an_error_of_the_filter(values, options, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        problems(values, **options)
