"""The playbooks refuse bad input from the user before anything changes on the receiver:

- a relative path of a file on the controller (Ansible would look next to the playbook, not where the user is);
- for mutual TLS, a client certificate for the proof whose name is not in tls_syslog_permitted_peers.

The receiver in the inventory is an SSH host nobody listens for (127.0.0.1, a closed port): any task that reached it
would end the run UNREACHABLE instead of with the message, so a passing test also shows that nothing was attempted
on it. A permitted certificate passes the check and the run goes on to the receiver (and is unreachable there).
"""

import json
import subprocess

from netattest_local import pki as certs
import pytest
from netattest_local import ROOT, free_port, project_env


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca = certs.CA()
    out = {}
    for cn in ("aws-syslog", "intruder"):
        key, cert = ca.issue(cn, server=False, client=True)
        certs.write(d / (cn + ".cer"), certs.cert_pem(cert))
        certs.write(d / (cn + ".key"), certs.key_plain(key))
        out[cn] = (d / (cn + ".cer"), d / (cn + ".key"))
    return out


def enable_mtls(tmp_path, cwd, **extra):
    inventory = tmp_path / "inventory.json"
    host = {
        "ansible_host": "127.0.0.1",
        "ansible_port": free_port(),
        "ansible_connection": "ssh",
        "aws_infra_eip": "192.0.2.7",
    }
    inventory.write_text(json.dumps({"all": {"children": {"tls_syslog_servers": {"hosts": {"receiver": host}}}}}))
    cmd = ["ansible-playbook", "-i", str(ROOT / "inventory" / "hosts.yml"), "-i", str(inventory),
           str(ROOT / "playbooks" / "enable_mtls.yml"), "-e", json.dumps(extra)]  # fmt: skip
    env = project_env(PWD=str(cwd), ANSIBLE_SSH_ARGS="-o ConnectTimeout=2")
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_relative_client_certificate_is_refused_with_the_absolute_path(tmp_path, pki):
    cert, key = pki["aws-syslog"]
    rc, out = enable_mtls(
        tmp_path, cert.parent, tls_syslog_verify_client_cert=cert.name, tls_syslog_verify_client_key=str(key)
    )
    assert rc != 0
    assert "tls_syslog_verify_client_cert: aws-syslog.cer is a relative path" in out
    assert "-e tls_syslog_verify_client_cert=%s" % cert in out  # resolved where the user is
    assert "UNREACHABLE" not in out


def test_missing_file_is_refused(tmp_path, pki):
    _cert, key = pki["aws-syslog"]
    missing = tmp_path / "nowhere.cer"
    rc, out = enable_mtls(
        tmp_path, tmp_path, tls_syslog_verify_client_cert=str(missing), tls_syslog_verify_client_key=str(key)
    )
    assert rc != 0
    assert "%s does not exist or is not a file on the controller" % missing in out
    assert "UNREACHABLE" not in out


def test_client_certificate_with_a_name_not_permitted_stops_before_the_switch(tmp_path, pki):
    cert, key = pki["intruder"]
    rc, out = enable_mtls(
        tmp_path, tmp_path, tls_syslog_verify_client_cert=str(cert), tls_syslog_verify_client_key=str(key)
    )
    assert rc != 0
    assert "names intruder" in out and "which is not in tls_syslog_permitted_peers" in out
    assert "Nothing was changed" in out
    assert "UNREACHABLE" not in out


def test_permitted_client_certificate_passes_and_the_run_goes_on(tmp_path, pki):
    cert, key = pki["aws-syslog"]
    rc, out = enable_mtls(
        tmp_path, tmp_path, tls_syslog_verify_client_cert=str(cert), tls_syslog_verify_client_key=str(key)
    )
    assert "The client certificate aws-syslog.cer names aws-syslog: permitted." in out
    assert rc != 0 and "UNREACHABLE" in out  # it went on to the receiver, which is not there
