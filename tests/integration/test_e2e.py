"""End to end, as `make demo` runs it: moto for AWS, the Amazon Linux 2023 stand-in container for the instance (dnf,
rsyslog 8.2204.0, stunnel 5.58), a local test CA.

site.yml (twice: Elastic IP first, then the receiver), the five OneGate kinds landed from outside and parsed,
enable_mtls.yml with its refusals, site.yml again on the mutual TLS receiver (the mode is kept, nothing changes, the
short re-run path), permitted and intruder clients from outside with a fence, destroy.yml. The pipeline is
netattest_local's (one implementation, shared with `make demo` and the benchmarks); this test adds its own checks of
the outcome from outside the pipeline, the teardown's before anything is cleaned up. Each stage's time is printed.

What the other suites prove is not proven again here: the re-run of site.yml right after the first receiver run
(`make demo --rerun` still runs it) repeats what molecule's idempotence proves for the role on the AL2023 stand-in and
test_aws_infra.py's re-run proves for the AWS side; the re-run on the mutual TLS receiver below covers the playbook's
re-run (changed=0 on both plays, the short path) once.

NETATTEST_VERIFY_LOG_FILE (optional, read by the pipeline) is where verify.yml reads its test records on the receiver;
default: verify.yml's own (verify.log, where the role rsyslog_tls routes records tagged tls-syslog-verify).
"""

import json
import os
from pathlib import Path

from netattest_local import Pipeline, instance, leftovers
from netattest_local.pipeline import ONEGATE_LOG, PORT, STEP_NAMES

#: Every step but the teardown (run last, after the checks) and the anon re-run (see above).
STEPS = [s for s in STEP_NAMES[:-1] if s != "site_rerun"]


def test_whole_job_locally(tmp_path):
    # A name of its own (a demo or another run may be up on this machine), and a free published port.
    name = "netattest-e2e-%d" % os.getpid()
    run = Pipeline(tmp_path / "demo", name)
    try:
        # Everything but the teardown; the receiver is still up for the checks below.
        assert run.run(STEPS), "the pipeline failed; see the [demo] FAILED line above and %s" % run.logs

        # The first run stopped at the Elastic IP and printed only the next step, not the OneGate form.
        assert run.results["first_run_printed_form"] is False

        # Five OneGate kinds landed from outside in local0.log, in RSYSLOG_FileFormat:
        # 2025-01-15T07:25:36+00:00 OneGate manager {"log_type":"login_manager",...}
        lines = run.results["anon_lines"]
        assert len(lines) == 5
        types = set()
        for line in lines:
            stamp, host, tag, message = line.split(" ", 3)
            assert host == "OneGate" and tag == "manager"
            assert stamp[4] == "-" and stamp[10] == "T" and stamp.endswith("+00:00")
            types.add(json.loads(message)["log_type"])
        assert len(types) == 5

        # verify.yml's records are unmistakable: its own hostname and tag, a verify_run field, in its own file.
        records = [line for line in run.instance.read(run.verify_log).splitlines() if '"verify_run":"' in line]
        assert records, "no verify_run record in %s" % run.verify_log
        assert all(line.split(" ")[1:3] == ["netattest-verify", "tls-syslog-verify"] for line in records)
        if run.verify_log != ONEGATE_LOG:
            onegate = run.instance.read(ONEGATE_LOG)
            assert "netattest-verify" not in onegate and '"verify_run":"' not in onegate

        # enable_mtls.yml's proof refused no certificate, the same-CA intruder and the other CA, 0/100 each.
        verify_log = (run.logs / "enable_mtls.log").read_text()
        for client in ("no-certificate", "intruder", "other-ca"):
            assert "%s: 0/100 landed" % client in verify_log

        # site.yml again on the mutual TLS receiver: x509/name kept, nothing changed, said so ... The pipeline's
        # instance is the Amazon Linux 2023 stand-in (rsyslog 8.2204.0): stunnel holds 6514 and checks the name.
        # The role's record (its local fact) says so, as the listener file does.
        state = run.results["rerun_mtls_state"]
        assert (state["auth_mode"], state["front_end"], state["driver"], state["port"]) == (
            "x509/name",
            "stunnel",
            "",
            PORT,
        )
        assert state["permitted_peers"] == ["aws-syslog"] and "8.2206" in state["front_end_why"], state
        conf = run.results["rerun_mtls_conf"]
        assert "# rsyslog_tls: auth_mode=x509/name front_end=stunnel " in conf and "StreamDriver" not in conf
        stunnel = run.instance.read("/etc/stunnel/netattest-tls-syslog/stunnel.conf").splitlines()
        assert {"requireCert = yes", "verifyChain = yes", "checkHost = aws-syslog", "accept = %d" % PORT} <= set(
            stunnel
        )
        rerun = run.results["rerun_mtls_changed"]
        assert len(rerun) == 2 and set(rerun.values()) == {0}, rerun
        mtls_log = (run.logs / "site_rerun_mtls.log").read_text()
        # ... and took the short path: one probe found every managed file as wanted, so no write task ran at all.
        assert "rsyslog_tls: every managed file is as wanted, nothing to write" in mtls_log
        assert "rsyslog_tls: to write:" not in mtls_log
        assert "The receiver runs mutual TLS (x509/name" in mtls_log
        assert "intruder: 0/100 landed" in mtls_log
        # ... and after it, from outside: the permitted client landed, the intruder never did over 100 connections
        # (counted once a fence from the permitted client had landed).
        assert run.results["mtls_ok"] == 1
        assert run.results["mtls_intruder"] == 0

        # The report of the received logs (make demo's last step before the teardown): one page, and its data names
        # the five kinds that were sent; the proof's own records are counted apart, never as OneGate's.
        assert Path(run.results["report"]).is_file() and run.results["report"].endswith(".html")
        assert run.results["report_kinds"] == sorted(
            ["login_manager", "login_user", "sso_access", "certificate", "sync"]
        ), run.results["report_kinds"]

        # Teardown, checked before any clean-up: nothing in the account (the full resource list), the stand-ins of
        # the instance and of EFS gone, and the inventory file site.yml wrote removed by destroy.yml.
        assert run.inventory.exists() and instance.volume_exists(run.volume)
        assert run.run(["destroy"]), "destroy failed; see the [demo] FAILED line above and %s" % run.logs
        assert leftovers(run.moto.endpoint) == {}
        assert not instance.container_exists(name)
        assert not instance.volume_exists(run.volume)
        assert not run.inventory.exists()
    finally:
        for title, took in run.timings:
            print("e2e stage %-80s %6.1f s" % (title, took))
        run.close()
