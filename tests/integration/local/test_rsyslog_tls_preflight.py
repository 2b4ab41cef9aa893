"""The rsyslog_tls role refuses bad variables before anything changes: its own preflight (tasks_from: preflight), run
by one ansible-playbook on localhost (no mount guard, nothing written), with one bad value per case. Each message must
name the problem and the fix; good values must pass."""

import json
import sys

import pytest
from netattest_local.env import run_local_play


GOOD = {
    "rsyslog_tls_ca_file": "/nonexistent/ca.cer",
    "rsyslog_tls_bundle_file": "/nonexistent/bundle.pem",
    "rsyslog_tls_require_mount": False,
}

REFUSED = [
    # a crafted address that rsyslogd -N1 accepted as an extra UDP input
    (
        {"rsyslog_tls_listen_address": '127.0.0.1")\ninput(type="imudp" port="16599'},
        ["is not an IP address", "leave it empty"],
    ),
    ({"rsyslog_tls_listen_address": "receiver.example"}, ["is not an IP address"]),
    # '*' admits every single-label name: any user certificate of OneGate's CA
    (
        {"rsyslog_tls_auth_mode": "x509/name", "rsyslog_tls_permitted_peers": ["*"]},
        ["would admit more than one client", "any OneGate user", "rsyslog_tls_allow_wildcard_peers=true"],
    ),
    ({"rsyslog_tls_auth_mode": "x509/name", "rsyslog_tls_permitted_peers": ["aws-syslog", "*.com"]}, ['["*.com"]']),
    ({"rsyslog_tls_auth_mode": "x509/name", "rsyslog_tls_permitted_peers": ["aws syslog"]}, ["contains a space"]),
    ({"rsyslog_tls_auth_mode": "x509/name", "rsyslog_tls_permitted_peers": ["aws-syslog\x7f"]}, ["rsyslog_array"]),
    ({"rsyslog_tls_gtls_priority": "NORMAL:+VERS-TLS1.0"}, ["never", "+VERS-TLS1.0/1.1"]),
    ({"rsyslog_tls_gtls_priority": 'NORMAL"\nmodule(load="imudp")'}, ["GnuTLS priority string"]),
    ({"rsyslog_tls_ossl_commands": ["MinProtocol=TLSv1"]}, ["MinProtocol=TLSv1.2 or TLSv1.3"]),
    ({"rsyslog_tls_ossl_commands": ["MinProtocol=TLSv1.2", "Bogus=1"]}, ["Name=Value"]),
    ({"rsyslog_tls_ossl_commands": ["MinProtocol=TLSv1.2", 'CipherString=ALL"\n)']}, ["Name=Value"]),
    ({"rsyslog_tls_stunnel_ciphers": "ALL\ncheckHost = *"}, ["one OpenSSL cipher list"]),
    ({"rsyslog_tls_auth_mode": "x509/name", "rsyslog_tls_permitted_peers": []}, ["x509/name needs a non-empty"]),
    # a CRL revokes client certificates, which anon never asks for
    ({"rsyslog_tls_crl_file": "/srv/onegate.crl"}, ["nothing to revoke", "set it with x509/name"]),
]

ACCEPTED = [
    {},
    {"rsyslog_tls_listen_address": "192.168.200.5"},
    {"rsyslog_tls_listen_address": "::1"},
    {"rsyslog_tls_auth_mode": "x509/name", "rsyslog_tls_permitted_peers": ["aws-syslog", "aws-syslog.example"]},
    {
        "rsyslog_tls_auth_mode": "x509/name",
        "rsyslog_tls_permitted_peers": ["*.example"],
        "rsyslog_tls_allow_wildcard_peers": True,
    },
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    out = tmp_path_factory.mktemp("preflight")
    cases = [extra for extra, _ in REFUSED] + ACCEPTED
    tasks = []
    for i, extra in enumerate(cases):
        result = str(out / ("case-%d.json" % i))
        tasks.append(
            {
                "name": "Case %d" % i,
                "block": [
                    {
                        "name": "The role's preflight, case %d" % i,
                        "ansible.builtin.include_role": {
                            "name": "netattest.tls_syslog.rsyslog_tls",
                            "tasks_from": "preflight",
                        },
                        "vars": {**GOOD, **extra},
                    },
                    {
                        "name": "Passed",
                        "ansible.builtin.copy": {"content": '{"passed": true}', "dest": result, "mode": "0644"},
                    },
                ],
                "rescue": [
                    {
                        "name": "Refused",
                        "ansible.builtin.copy": {
                            "content": "{{ {'passed': false, 'msg': ansible_failed_result.msg} | to_json }}",
                            "dest": result,
                            "mode": "0644",
                        },
                    }
                ],
            }
        )
    play = [
        {
            "name": "rsyslog_tls preflight cases",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {"ansible_python_interpreter": sys.executable},
            "tasks": tasks,
        }
    ]
    proc = run_local_play(play, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [json.loads((out / ("case-%d.json" % i)).read_text()) for i in range(len(cases))]


@pytest.mark.parametrize(("index", "words"), [(i, words) for i, (_, words) in enumerate(REFUSED)])
def test_refused_before_anything_changes(outcomes, index, words):
    outcome = outcomes[index]
    assert outcome["passed"] is False, REFUSED[index][0]
    flat = " ".join(outcome["msg"].split())
    for word in words:
        assert word in flat, (word, flat)


@pytest.mark.parametrize("index", range(len(ACCEPTED)))
def test_accepted(outcomes, index):
    assert outcomes[len(REFUSED) + index] == {"passed": True}, ACCEPTED[index]
