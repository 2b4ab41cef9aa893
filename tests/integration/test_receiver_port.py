"""One set of receiver settings (issue 22): the port OneGate is allowed to reach is the port the receiver listens on.

- site.yml with tls_syslog_port=16514 opens 16514, and not the default port, in the security group (moto), and the
  receiver listens there: the OneGate stand-in's five kinds, sent from outside to the container's 16514, are stored.
  Its second run (the receiver) is given the port as the role variable alone (rsyslog_tls_port=16514): followed
  everywhere, the security group is unchanged and the listener, the proof and the role's record say 16514.
- tls_syslog_port and a role variable of the same setting that differ stop site.yml before any AWS call, naming both.
"""

import json
import os
import subprocess

from netattest_local import MotoServer, Pipeline, leftovers
from netattest_local.env import ROOT, project_env
from netattest_local.moto import aws_env, clients
from netattest_local.pipeline import PORT

OTHER_PORT = 16514


def syslog_rule_ports(endpoint: str) -> set:
    """The ports of the inbound rules of the stack's syslog security group (NetAttest-tlsSyslog-nsg) in moto."""
    (ec2,) = clients(endpoint, "ec2")
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["NetAttest-tlsSyslog-nsg"]}])
    return {(p["FromPort"], p["ToPort"]) for g in groups["SecurityGroups"] for p in g["IpPermissions"]}


def test_tls_syslog_port_opens_that_port_and_the_receiver_listens_there(tmp_path):
    assert OTHER_PORT != PORT
    run = Pipeline(
        tmp_path / "demo", "netattest-port-%d" % os.getpid(), receiver_port=OTHER_PORT,
        site_vars={"tls_syslog_port": OTHER_PORT},
    )  # fmt: skip
    try:
        assert run.run(["cleanup_leftovers", "start_moto", "start_instance", "site_first_run"]), run.logs
        ports = syslog_rule_ports(run.moto.endpoint)
        assert (OTHER_PORT, OTHER_PORT) in ports and (PORT, PORT) not in ports, ports

        # The second run names the port only as the role's own variable: followed everywhere.
        data = json.loads((run.work / "vars.yml").read_text())
        data.pop("tls_syslog_port")
        data["rsyslog_tls_port"] = OTHER_PORT
        run.write_json("vars.yml", data)
        assert run.run(["make_pki", "site_receiver", "five_kinds"]), run.logs
        assert syslog_rule_ports(run.moto.endpoint) == ports
        log = (run.logs / "site_receiver.log").read_text()
        assert "Forwarding port (転送先ポート): %d" % OTHER_PORT in log
        assert "OneGate-shaped messages landed" in log  # verify.yml, to the receiver's 127.0.0.1:16514
        assert len(run.results["anon_lines"]) == 5  # from outside, published 127.0.0.1 port -> container 16514
        state = run.state()
        assert state["port"] == OTHER_PORT, state
        assert run.instance.exec("ss", "-Htln", "sport = :%d" % PORT, check=False).stdout.strip() == ""
    finally:
        run.close()


def test_differing_port_settings_stop_before_any_aws_call(tmp_path):
    moto = MotoServer(log_file=tmp_path / "moto.log").start()
    try:
        extra = {
            "tls_syslog_port": OTHER_PORT,
            "rsyslog_tls_port": PORT,
            "aws_infra_onegate_egress_ips": ["203.0.113.10"],
            "aws_infra_ssh_cidrs": ["198.51.100.7/32"],
            "aws_infra_key_file": str(tmp_path / "key.pem"),
            "aws_infra_wait_for_ssh": False,
            "tls_syslog_inventory_file": str(tmp_path / "inventory.yml"),
        }
        cmd = ["ansible-playbook", "-i", "inventory/hosts.yml", "playbooks/site.yml", "-e", json.dumps(extra)]
        proc = subprocess.run(
            cmd, cwd=ROOT, env=aws_env(moto.endpoint, project_env()), capture_output=True, text=True, check=False
        )
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert "tls_syslog_port is %d but rsyslog_tls_port is %d" % (OTHER_PORT, PORT) in out, out[-3000:]
        assert "Nothing was changed" in out
        assert leftovers(moto.endpoint) == {}
        assert not (tmp_path / "key.pem").exists()
    finally:
        moto.stop()
