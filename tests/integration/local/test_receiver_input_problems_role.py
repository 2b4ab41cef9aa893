"""The receiver_input_problems filter through the role rsyslog_tls: the role asks it once, in its preflight, before
anything changes (ansible-playbook on localhost; the filter's own table is tests/unit/plugins/filter/
test_receiver_input_problems.py)."""

import json
import sys

import pytest
from netattest_local.env import run_local_play

# The role asks the filter once, in its preflight, before anything changes: rows 8 and 10 of issue 21 as a user would
# set them, through the role's own preflight (tasks_from: preflight) on localhost (no mount guard, nothing written).
ROLE_GOOD = {
    "rsyslog_tls_ca_file": "/nonexistent/ca.cer",
    "rsyslog_tls_bundle_file": "/nonexistent/bundle.pem",
    "rsyslog_tls_require_mount": False,
}
MTLS = {"rsyslog_tls_auth_mode": "x509/name"}
ROLE_CASES = [
    ({**MTLS, "rsyslog_tls_permitted_peers": [".example"]}, ['item 1 (".example") starts with a dot']),
    ({**MTLS, "rsyslog_tls_permitted_peers": ["aws-syslog", "example."]}, ["item 2", "ends with a dot"]),
    ({**MTLS, "rsyslog_tls_permitted_peers": ["aws..syslog"]}, ["has an empty label"]),
    (
        {"rsyslog_tls_other_log_file": "../../var/log/x"},
        ['rsyslog_tls_other_log_file="../../var/log/x" is not a plain'],
    ),
    ({"rsyslog_tls_verify_log_file": 'verify".log'}, ["rsyslog_tls_verify_log_file=", "a double quote"]),
    ({"rsyslog_tls_verify_log_file": "verify .log"}, ["rsyslog_tls_verify_log_file=", "a space"]),
    ({"rsyslog_tls_log_group": 'adm"'}, ["rsyslog_tls_log_group=", "not a plain group name"]),
    ({"rsyslog_tls_log_group": "adm x"}, ["rsyslog_tls_log_group=", "a space"]),
    ({"rsyslog_tls_dir": '/etc/rsyslog.d/tls"'}, ["rsyslog_tls_dir=", "a double quote"]),
    ({"rsyslog_tls_dir": "/etc/rsyslog.d/my tls"}, ["rsyslog_tls_dir=", "a space"]),
    ({"rsyslog_tls_log_dir": "/mnt/efs/fs1/../.."}, ["rsyslog_tls_log_dir=", "'..' component"]),
    ({}, None),
    ({**MTLS, "rsyslog_tls_permitted_peers": ["aws-syslog", "onegate.example.com"]}, None),
    ({**MTLS, "rsyslog_tls_permitted_peers": ["*"], "rsyslog_tls_allow_wildcard_peers": "true"}, None),
]


@pytest.fixture(scope="module")
def role_outcomes(tmp_path_factory):
    out = tmp_path_factory.mktemp("role-preflight")
    tasks = []
    for i, (extra, _) in enumerate(ROLE_CASES):
        result = str(out / ("case-%d.json" % i))
        preflight = {
            "name": "The role's preflight, case %d" % i,
            "ansible.builtin.include_role": {"name": "netattest.tls_syslog.rsyslog_tls", "tasks_from": "preflight"},
            "vars": {**ROLE_GOOD, **extra},
        }
        passed = {"name": "Passed", "ansible.builtin.copy": {"content": "{}", "dest": result, "mode": "0644"}}
        refused = {
            "name": "Refused",
            "ansible.builtin.copy": {
                "content": "{{ ansible_failed_result | to_json }}",
                "dest": result,
                "mode": "0644",
            },
        }
        tasks.append({"name": "Case %d" % i, "block": [preflight, passed], "rescue": [refused]})
    play = [{"name": "preflight", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": sys.executable}, "tasks": tasks}]  # fmt: skip
    proc = run_local_play(play, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [json.loads((out / ("case-%d.json" % i)).read_text()) for i in range(len(ROLE_CASES))]


@pytest.mark.parametrize("index", range(len(ROLE_CASES)), ids=[repr(c[0])[:70] for c in ROLE_CASES])
def test_the_role_refuses_in_preflight(role_outcomes, index):
    extra, words = ROLE_CASES[index]
    outcome = role_outcomes[index]
    if words is None:
        assert outcome == {}, (extra, outcome)
        return
    msg = " ".join(outcome.get("msg", "").split())
    assert outcome.get("failed") and msg.endswith("Nothing was changed."), (extra, outcome)
    for word in words:
        assert word in msg, (word, msg)
