"""The whole job on the local stand-ins, step by step (`make demo` is its command line, scripts/demo.py):

1. a moto server on 127.0.0.1 stands in for AWS; a podman systemd container stands in for the EC2 instance (a podman
   volume at /mnt/efs/fs1 stands in for EFS; the receiver's port is published on 127.0.0.1 only);
2. site.yml, first run: the AWS resources are created (in moto); it stops and asks for the server certificate;
3. the local test CA issues the server bundle in OneGate's shape for the Elastic IP and client certificates;
4. site.yml, second run: rsyslog with server TLS on the "instance", proven by verify.yml;
5. the OneGate stand-in sends the five log kinds from outside, through the published port; the stored lines are
   shown, parsed with the onegate_log filter;
6. enable_mtls.yml: mutual TLS; from outside, the aws-syslog client lands and a same-CA intruder is refused;
7. destroy.yml against moto, and the stand-ins of what it deleted (the container, the volume).

Every proof of delivery is the collection's role prove_delivery (through verify.yml, or outside.yml here). The
ansible output of each step is in <work>/logs/<step>.log.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import moto
from .env import AL2023_IMAGE, PLATFORMS, ROOT, free_port, import_collection, project_env, recap
from .instance import EFS_MOUNT, Instance, StandInError
from .pki import BUNDLE, make_pki

import_collection()
from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_kinds import KINDS
from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import PORT


DEMO_PASSPHRASE = "demo-onegate-passphrase"  # the local test CA's bundle only, never a real secret
OUTSIDE = Path(__file__).resolve().parent / "outside.yml"
ONEGATE_LOG = EFS_MOUNT + "/local0.log"
CONF = "/etc/rsyslog.d/80-Syslogtls.conf"
# The role's record of what the receiver runs (roles/rsyslog_tls/tasks/state.yml), the same with either front end.
STATE_FACT = "/etc/ansible/facts.d/netattest_tls_syslog.fact"

#: Every step, in order: (method, what it does). A run takes any ordered selection (the demo, the e2e test and the
#: benchmarks each take theirs); a step needs the ones before it that it builds on.
STEPS = [
    ("cleanup_leftovers", "remove leftovers of an earlier run"),
    ("start_moto", "start moto (the AWS stand-in)"),
    ("start_instance", "start the instance stand-in container"),
    ("site_first_run", "site.yml, first run (AWS resources, Elastic IP)"),
    ("make_pki", "test CA issues the OneGate-shaped server bundle for the Elastic IP"),
    ("site_receiver", "site.yml, second run (rsyslog TLS receiver, verified)"),
    ("site_rerun", "site.yml again at once (must change nothing)"),
    ("five_kinds", "OneGate stand-in sends the five log kinds from outside"),
    ("enable_mtls", "enable_mtls.yml (mutual TLS, verified)"),
    ("site_rerun_mtls", "site.yml again on mutual TLS (keeps it, changes nothing)"),
    ("mtls_from_outside", "permitted and intruder clients from outside"),
    ("report", "report.yml (what OneGate sent, as one HTML page)"),
    ("destroy", "destroy.yml, and the stand-ins of what it deleted"),
]
STEP_NAMES = [name for name, _ in STEPS]
DEMO_STEPS = [s for s in STEP_NAMES if s not in ("site_rerun", "site_rerun_mtls")]
#: Up to the first OneGate lines read back from outside (the first-line benchmark).
FIRST_LINE_STEPS = STEP_NAMES[: STEP_NAMES.index("five_kinds") + 1]
FIRST_LINE_STEPS.remove("site_rerun")


class StepFailed(Exception):
    pass


class Pipeline:
    """The local pipeline under the container name ``name`` (its EFS volume is ``name``-efs), in ``work``.

    ``port``: the host port the receiver's port is published on, ``moto_port`` moto's (default: free ones).
    ``receiver_port``: the receiver's own port (default: the collection's, _receiver.PORT); ``site_vars``: more
    variables for every playbook (tls_syslog_port=..., say).
    ``verify_log_file``: where verify.yml reads its test records on the receiver (default: the environment variable
    NETATTEST_VERIFY_LOG_FILE, else verify.yml's own, verify.log next to local0.log).
    """

    def __init__(
        self,
        work: Path,
        name: str = "netattest-tls-syslog-demo",
        *,
        image: str = AL2023_IMAGE,
        port: int | None = None,
        moto_port: int | None = None,
        quiet: bool = False,
        verify_log_file: str | None = None,
        env: dict[str, str] | None = None,
        receiver_port: int = PORT,
        site_vars: dict | None = None,
    ):
        self.work = Path(work)
        self.logs = self.work / "logs"
        self.name = name
        self.volume = name + "-efs"
        self.image = image
        self.port = port or free_port()
        self.moto_port = moto_port
        self.quiet = quiet
        self.verify_log_file = verify_log_file or os.environ.get("NETATTEST_VERIFY_LOG_FILE") or None
        self.site_vars = dict(site_vars or {})
        self.instance = Instance(
            name, self.port, self.volume, image=image, hostname="netattest-tlssyslog-vm", container_port=receiver_port
        )
        self.moto: moto.MotoServer | None = None
        self.eip: str | None = None
        self.timings: list[tuple[str, float]] = []
        self.results: dict = {}
        self.env = project_env(ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks")
        self.env.update(env or {})

    # ---- paths -------------------------------------------------------------------------------------------------
    @property
    def pki(self) -> Path:
        return self.work / "pki"

    @property
    def inventory(self) -> Path:
        return self.work / "inventory.yml"

    @property
    def verify_log(self) -> str:
        """The file on the receiver that verify.yml reads."""
        return self.verify_log_file or EFS_MOUNT + "/verify.log"

    # ---- output ------------------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        if not self.quiet:
            print("[demo] %s" % text, flush=True)

    # ---- running things ----------------------------------------------------------------------------------------
    def run_cmd(self, cmd: list[str], log: str) -> str:
        """Run ``cmd`` in the checkout with the pipeline's environment, output to logs/<log>; its output."""
        self.logs.mkdir(parents=True, exist_ok=True)
        path = self.logs / log
        with open(path, "w") as out:
            proc = subprocess.run(
                cmd, cwd=ROOT, env=self.aws_env(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        text = path.read_text(errors="replace")
        if proc.returncode != 0:
            tail = "\n".join("    " + line for line in text.splitlines()[-25:])
            raise StepFailed("%s failed (rc=%d); last lines of %s:\n%s" % (cmd[0], proc.returncode, path, tail))
        return text

    def aws_env(self) -> dict:
        return moto.aws_env(self.moto.endpoint, self.env) if self.moto else self.env

    def playbook(self, name: str, log: str, *extra: str, generated: bool = False) -> str:
        """ansible-playbook ``name`` with the pipeline's variables (and the generated inventory); its output."""
        cmd = ["ansible-playbook", "-i", "inventory/hosts.yml"]
        if generated:
            cmd += ["-i", str(self.inventory)]
        cmd += [str(name), "-e", "@%s" % (self.work / "vars.yml"), *extra]
        return self.run_cmd(cmd, log)

    def write_json(self, name: str, data: dict) -> Path:
        path = self.work / name
        path.write_text(json.dumps(data, indent=2))
        path.chmod(0o600)
        return path

    def conf(self) -> str:
        return self.instance.read(CONF)

    def state(self) -> dict:
        """What the receiver runs, as the role recorded it ({} before it is configured)."""
        text = self.instance.read(STATE_FACT)
        return json.loads(text) if text else {}

    # ---- steps -------------------------------------------------------------------------------------------------
    def cleanup_leftovers(self) -> None:
        self.instance.remove(volume=True)
        moto.stop_pid_file(self.work / "moto.pid")
        if self.work.exists():
            shutil.rmtree(self.work)
        self.logs.mkdir(parents=True)

    def start_moto(self) -> None:
        self.moto = moto.MotoServer(port=self.moto_port, log_file=self.work / "moto.log").start()
        (self.work / "moto.pid").write_text(str(self.moto.proc.pid))
        self.say("moto server at %s" % self.moto.endpoint)

    def start_instance(self) -> None:
        try:
            state = self.instance.start()
        except StandInError as exc:
            raise StepFailed(str(exc)) from exc
        fstype = self.instance.fstype()
        self.say("container %s (systemd %s), port %d published on 127.0.0.1:%d, EFS stand-in is %s"
                 % (self.name, state, self.instance.container_port, self.port, fstype))  # fmt: skip
        data = {
            # Documentation addresses (RFC 5737): they only go into security group rules in moto.
            "aws_infra_onegate_egress_ips": ["203.0.113.10", "203.0.113.11"],
            "aws_infra_ssh_cidrs": ["198.51.100.7/32"],
            "aws_infra_key_file": str(self.work / "NetAttest-tlsSyslog-key.pem"),
            "aws_infra_wait_for_ssh": False,  # moto boots nothing; the container stands in
            "tls_syslog_inventory_file": str(self.inventory),
            "tls_syslog_host_override": self.instance.connection_vars(),
            # The EFS stand-in is a podman volume, not NFS; accept its file system type for the local run only.
            "rsyslog_tls_mount_fstypes": ["nfs4", "nfs", fstype],
            "rsyslog_tls_kernel_log": False,  # a container cannot read the kernel log
        }
        if self.verify_log_file:
            data["tls_syslog_verify_log_file"] = self.verify_log_file
        data.update(self.site_vars)
        self.write_json("vars.yml", data)

    def site_first_run(self) -> None:
        out = self.playbook("playbooks/site.yml", "site_first_run.log")
        if not self.inventory.exists():
            raise StepFailed("site.yml did not write %s" % self.inventory)
        import yaml

        hosts = yaml.safe_load(self.inventory.read_text())["all"]["children"]["tls_syslog_servers"]["hosts"]
        self.eip = next(iter(hosts.values()))["aws_infra_eip"]
        if "issue a server certificate" not in out:
            raise StepFailed("site.yml's first run did not ask for the server certificate")
        self.results["first_run_printed_form"] = "Enter this in OneGate's log forwarding form" in out
        self.say("Elastic IP (in moto): %s; site.yml now asks for a server certificate for it" % self.eip)

    def make_pki(self) -> None:
        make_pki(self.pki, DEMO_PASSPHRASE, [self.eip, "127.0.0.1", "localhost"])
        self.write_json("secret.yml", {"rsyslog_tls_bundle_passphrase": DEMO_PASSPHRASE})
        refused = [
            {"name": "intruder", "cert": str(self.pki / "client-intruder.cer"),
             "key": str(self.pki / "client-intruder.key")},
            {"name": "other-ca", "cert": str(self.pki / "client-otherca-aws-syslog.cer"),
             "key": str(self.pki / "client-otherca-aws-syslog.key")},
        ]  # fmt: skip
        self.write_json("verify-clients.yml", {
            "tls_syslog_verify_client_cert": str(self.pki / "client-aws-syslog.cer"),
            "tls_syslog_verify_client_key": str(self.pki / "client-aws-syslog.key"),
            "tls_syslog_verify_refused_clients": refused,
            "tls_syslog_verify_refused_connections": 100,
        })  # fmt: skip
        self.say("test CA issued the server bundle for %s (encrypted PKCS#8 + certificate) and client certificates"
                 % self.eip)  # fmt: skip

    def receiver_args(self, mtls: bool = False) -> list[str]:
        """The extra variables that give site.yml the test CA's bundle, CA and passphrase (and, once the receiver
        runs mutual TLS, the client certificates its proof sends with)."""
        args = [
            "-e", "rsyslog_tls_bundle_file=%s" % (self.pki / BUNDLE),
            "-e", "rsyslog_tls_ca_file=%s" % (self.pki / "ca.cer"),
            "-e", "@%s" % (self.work / "secret.yml"),
        ]  # fmt: skip
        return args + (["-e", "@%s" % (self.work / "verify-clients.yml")] if mtls else [])

    def site_receiver(self) -> None:
        out = self.playbook("playbooks/site.yml", "site_receiver.log", *self.receiver_args())
        if "OneGate-shaped messages landed" not in out:
            raise StepFailed("site.yml's verify step did not report the landed messages (logs/site_receiver.log)")
        for line in out.splitlines():
            if "Forwarding host" in line or "Forwarding port" in line:
                self.say("  " + line.strip().strip('",'))

    def rerun(self, log: str, mtls: bool = False) -> dict[str, int]:
        """site.yml again: {host: changed} from its recap."""
        out = self.playbook("playbooks/site.yml", log, *self.receiver_args(mtls), generated=mtls)
        return {host: r["changed"] for host, r in recap(out).items()}

    def site_rerun(self) -> None:
        changed = self.results["rerun_changed"] = self.rerun("site_rerun.log")
        if len(changed) != 2 or set(changed.values()) != {0}:
            raise StepFailed("the re-run of site.yml changed something: %s (logs/site_rerun.log)" % changed)
        self.say("re-run of site.yml: changed=0 on %s" % ", ".join(sorted(changed)))

    def site_rerun_mtls(self) -> None:
        changed = self.results["rerun_mtls_changed"] = self.rerun("site_rerun_mtls.log", mtls=True)
        self.results["rerun_mtls_conf"] = self.conf()
        state = self.results["rerun_mtls_state"] = self.state()
        if state.get("auth_mode") != "x509/name":
            raise StepFailed("site.yml turned mutual TLS off (logs/site_rerun_mtls.log)")
        if len(changed) != 2 or set(changed.values()) != {0}:
            raise StepFailed("site.yml on the mutual TLS receiver changed something: %s" % changed)
        self.say(
            "site.yml again on the mutual TLS receiver: x509/name kept, changed=0 on %s" % ", ".join(sorted(changed))
        )

    def outside(self, label: str, probes: list[dict], fence: dict) -> list[dict]:
        """The OneGate stand-in: ``probes`` sent from the controller through the published port, a fence from
        ``fence``, counted in local0.log (outside.yml, the role prove_delivery). Its report, one item per probe."""
        report = self.work / ("outside-%s.json" % label)
        extra = self.write_json("outside-%s-vars.json" % label, {
            "outside_probes": probes, "outside_fence": fence, "outside_port": self.port,
            "outside_ca": str(self.pki / "ca.cer"), "outside_log_file": ONEGATE_LOG,
            "outside_report_file": str(report),
        })  # fmt: skip
        self.playbook(OUTSIDE, "outside-%s.log" % label, "-e", "@%s" % extra, generated=True)
        return json.loads(report.read_text())

    def client(self, name: str) -> dict:
        return {"client_cert": str(self.pki / ("%s.cer" % name)), "client_key": str(self.pki / ("%s.key" % name))}

    def five_kinds(self) -> None:
        (five,) = self.outside("five-kinds", [{"name": "five kinds", "kind": KINDS, "expect": len(KINDS)}], {})
        lines = self.results["anon_lines"] = five["lines"]
        if five["landed"] != len(KINDS):
            raise StepFailed("%d of %d messages landed: %s" % (five["landed"], len(KINDS), five["sent"].get("msg")))
        import_collection()
        from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_log import onegate_log

        parsed = [onegate_log(line) for line in lines]
        self.say("stored lines (%s on the receiver):" % ONEGATE_LOG)
        for line in lines:
            self.say("  " + (line if len(line) <= 160 else line[:157] + "..."))
        self.say("parsed with netattest.tls_syslog.onegate_log:")
        self.say("  %-25s %-8s %-8s %-16s %-5s %s" % ("timestamp", "host", "tag", "log_type", "level", "message"))
        for p in parsed:
            self.say("  %-25s %-8s %-8s %-16s %-5s %s" % (p["timestamp"], p["host"], p["tag"], p["log_type"],
                                                           p["log_level"], p["log_message"]))  # fmt: skip
        if (
            not all(p["is_json"] and p["host"] == "OneGate" for p in parsed)
            or len({p["log_type"] for p in parsed}) != 5
        ):
            raise StepFailed("the stored lines are not the five OneGate kinds: %s" % lines)

    def enable_mtls(self) -> None:
        out = self.playbook(
            "playbooks/enable_mtls.yml", "enable_mtls.log", *self.receiver_args(mtls=True), generated=True
        )
        for name in ("no-certificate", "intruder", "other-ca"):
            if "%s: 0/100 landed" % name not in out:
                raise StepFailed("enable_mtls.yml's verify did not prove %s refused (logs/enable_mtls.log)" % name)
        self.say("enable_mtls.yml: x509/name with PermittedPeer [\"aws-syslog\"]; its verify step: "
                 "no-certificate 0/100, intruder 0/100, other-ca 0/100 landed")  # fmt: skip
        backup = self.instance.exec("test", "-f", CONF + ".org", check=False)
        if self.state().get("auth_mode") != "x509/name" or backup.returncode != 0:
            raise StepFailed("the receiver's configuration is not x509/name with its .org backup")

    def mtls_from_outside(self) -> None:
        ok, intruder = self.outside(
            "mtls",
            [
                {"name": "aws-syslog", "kind": ["user_login"], "expect": 1, **self.client("client-aws-syslog")},
                {
                    "name": "intruder",
                    "kind": ["user_login"],
                    "count": 100,
                    "new_connection_per_message": True,
                    "expect": 0,
                    **self.client("client-intruder"),
                },
            ],
            self.client("client-aws-syslog"),
        )
        self.results.update(mtls_ok=ok["landed"], mtls_intruder=intruder["landed"])
        self.say("from outside: aws-syslog client %s; intruder client (CN=intruder, same CA): %d/100 landed "
                 "(%s handshakes failed, %s cut off later), after a fence from aws-syslog"
                 % ("landed" if ok["landed"] else "did NOT land", intruder["landed"],
                    intruder["sent"].get("connections_failed"), intruder["sent"].get("connections_ok")))  # fmt: skip
        if ok["landed"] != 1 or intruder["landed"]:
            raise StepFailed(
                "mutual TLS from outside: permitted %d/1, intruder %d/100" % (ok["landed"], intruder["landed"])
            )

    def report(self) -> None:
        out_dir = "tls_syslog_report_dir=%s" % self.work
        self.playbook("playbooks/report.yml", "report.log", "-e", out_dir, generated=True)
        pages = sorted(self.work.glob("onegate-report-*.html"))
        data = sorted(self.work.glob("onegate-report-*.json"))
        if not pages or not data:
            raise StepFailed("report.yml wrote no page (logs/report.log)")
        report = json.loads(data[0].read_text())
        kinds = {row["log_type"] for row in report.get("by_log_type", [])}
        self.results.update(report=str(pages[0]), report_kinds=sorted(kinds), report_events=report.get("events"))
        import_collection()
        from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_payloads

        sent = {_onegate_payloads.kind_payload(kind)["log_type"] for kind in KINDS}
        missing = sent - kinds
        if missing:
            raise StepFailed("the report of the received logs lacks the kinds %s (%s)" % (sorted(missing), data[0]))
        self.say("report of the received logs: %s (%s events; the proof's records counted apart: %s)"
                 % (pages[0], report.get("events"), report.get("excluded_test_records", {}).get("count")))  # fmt: skip

    def destroy(self) -> None:
        self.playbook("playbooks/destroy.yml", "destroy.yml.log", "-e", "confirm=yes")
        left = self.results["aws_leftovers"] = moto.leftovers(self.moto.endpoint)
        # The stand-ins of what destroy.yml deleted: the instance (the container) and EFS with its logs (the volume).
        self.instance.remove(volume=True)
        if left:
            raise StepFailed("destroy.yml left resources in moto: %s" % left)
        self.say("destroy.yml: nothing of ours left in the (moto) account; container and EFS volume removed")

    # ---- the whole run -----------------------------------------------------------------------------------------
    def run(self, steps: list[str] = DEMO_STEPS) -> bool:
        """Run ``steps`` in order; True when all passed. Leaves everything as it is (see close())."""
        titles = dict(STEPS)
        try:
            for i, name in enumerate(steps, 1):
                title = "step %d/%d: %s" % (i, len(steps), titles[name])
                self.say("%s ..." % title)
                start = time.monotonic()
                try:
                    getattr(self, name)()
                finally:
                    self.timings.append((title, time.monotonic() - start))
                self.say("%s: done in %.1f s" % (title, self.timings[-1][1]))
            return True
        except StepFailed as exc:
            print("[demo] FAILED: %s" % exc, flush=True)
        except Exception as exc:  # an unexpected error still ends with a clear line
            print("[demo] FAILED: %s: %s" % (exc.__class__.__name__, exc), flush=True)
        return False

    def close(self) -> None:
        """Remove the container and its volume, stop moto: nothing of the run is left running."""
        self.instance.remove(volume=True)
        if self.moto is not None:
            self.moto.stop()
            self.moto = None
        (self.work / "moto.pid").unlink(missing_ok=True)

    def main(self, steps: list[str] = DEMO_STEPS, keep: bool = False) -> int:
        total = time.monotonic()
        ok = self.run(steps)
        if not (keep and ok):
            self.close()
        self.say("timings: " + ", ".join("%s %.1f s" % (t.split(":")[0], s) for t, s in self.timings))
        if ok and keep:
            print(
                "[demo] kept running: container %s (127.0.0.1:%s), moto %s (pid in %s). Run `make demo` again, or "
                "`podman rm -f %s; podman volume rm %s` and kill the moto pid to clean up."
                % (self.name, self.port, self.moto.endpoint if self.moto else "?", self.work / "moto.pid", self.name,
                   self.volume)
            )  # fmt: skip
        if ok and "report" in self.results:
            print("[demo] the report of what OneGate sent: %s" % self.results["report"], flush=True)
        verdict = "SUCCESS: the whole job ran locally" if ok else "FAILED"
        print("[demo] %s in %.1f s" % (verdict, time.monotonic() - total), flush=True)
        return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """The command line of scripts/demo.py."""
    import argparse

    parser = argparse.ArgumentParser(description="The whole job on local stand-ins: moto, a container, a test CA.")
    parser.add_argument("--keep", action="store_true", help="leave the receiver and moto running at the end")
    parser.add_argument(
        "--platform",
        choices=sorted(PLATFORMS),
        default="al2023",
        help="the instance's stand-in: al2023 (default: Amazon Linux 2023's dnf, rsyslog 8.2204, stunnel) or debian",
    )
    parser.add_argument("--work", default=str(ROOT / "demo"), help="working directory (default: demo/)")
    parser.add_argument("--name", default="netattest-tls-syslog-demo", help="container name (volume: NAME-efs)")
    parser.add_argument("--rerun", action="store_true", help="also run site.yml again after each receiver change")
    parser.add_argument(
        "--verify-log-file", help="where verify.yml reads its records (default: $NETATTEST_VERIFY_LOG_FILE, verify.log)"
    )
    args = parser.parse_args(argv)
    steps = STEP_NAMES if args.rerun else DEMO_STEPS
    if args.keep:
        steps = [s for s in steps if s != "destroy"]
    pipeline = Pipeline(
        Path(args.work).resolve(), args.name, image=PLATFORMS[args.platform], verify_log_file=args.verify_log_file
    )
    return pipeline.main(steps, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
