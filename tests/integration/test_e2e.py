"""End to end, as `make demo` runs it: moto for AWS, a podman systemd container for the instance, a local test CA.

site.yml (twice: Elastic IP first, then the receiver), the five OneGate kinds landed and parsed, enable_mtls.yml with
its refusals, permitted and intruder clients from outside over >= 100 connections, destroy.yml leaving moto empty and
no container. The pipeline is scripts/demo.py itself (one implementation); this test adds its own checks of the
outcome from outside the pipeline. Each stage's time is printed.
"""

import importlib.util
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_demo():
    spec = importlib.util.spec_from_file_location("netattest_demo", ROOT / "scripts" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_whole_job_locally(tmp_path):
    demo = load_demo()
    # rerun=True: site.yml runs a third time right after the receiver is up and must change nothing
    run = demo.Demo(tmp_path / "demo", keep=False, rerun=True)
    rc = run.main()
    for title, took in run.timings:
        print("e2e stage %-80s %6.1f s" % (title, took))
    assert rc == 0, "the demo pipeline failed; see the [demo] FAILED line above and %s" % run.logs

    # the immediate re-run changed nothing on the controller (AWS, in moto) or on the receiver
    rerun = run.results["rerun_changed"]
    assert len(rerun) == 2 and set(rerun.values()) == {0}, rerun
    # ... and took the fast path: one probe found every managed file as wanted, so no write task ran at all
    rerun_log = (run.logs / "06-site-rerun.log").read_text()
    assert "rsyslog_tls: every managed file is as wanted, nothing to write" in rerun_log
    assert "rsyslog_tls: to write:" not in rerun_log

    # five OneGate kinds landed from outside, in RSYSLOG_FileFormat, as SPEC.md section 5 shows
    lines = run.results["anon_lines"]
    assert len(lines) == 5
    types = set()
    for line in lines:
        stamp, host, tag, message = line.split(" ", 3)
        assert host == "OneGate" and tag == "manager"
        assert stamp[4] == "-" and stamp[10] == "T" and stamp.endswith("+00:00")
        types.add(json.loads(message)["log_type"])
    assert len(types) == 5

    # mutual TLS: the permitted client landed, the intruder (same CA, other name) never did over 100 connections
    assert run.results["mtls_ok"] == 1
    assert run.results["mtls_fence"] == 1
    assert run.results["mtls_intruder"] == 0
    verify_log = (run.logs / "04-enable-mtls.log").read_text()
    for name in ("no-certificate", "intruder", "other-ca"):
        assert "%s: 0/100 landed" % name in verify_log

    # destroy.yml left nothing in the account, and nothing is left running here
    assert run.results["aws_leftovers"] == {}
    exists = subprocess.run(["podman", "container", "exists", demo.CONTAINER], check=False)
    assert exists.returncode == 1, "the demo container is still there"
    assert run.moto is None
