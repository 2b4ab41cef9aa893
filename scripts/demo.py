#!/usr/bin/env python3
"""The whole job, locally, in one command (`make demo`): no AWS account and no OneGate needed.

1. a moto server on 127.0.0.1 stands in for AWS; a podman systemd container stands in for the EC2 instance
   (a podman volume at /mnt/efs/fs1 stands in for EFS; the receiver's port is published on 127.0.0.1 only);
2. site.yml, first run: the AWS resources are created (in moto); it stops and asks for the server certificate;
3. a local test CA (community.crypto, tests/pki/make_pki.yml) issues the server bundle in OneGate's shape for the
   Elastic IP (encrypted PKCS#8 key + certificate, with a passphrase) and client certificates;
4. site.yml, second run: rsyslog with server TLS on the "instance", verified;
5. the five OneGate log kinds are sent from outside through the published port with syslog_send; the stored lines
   are shown and parsed with the onegate_log filter;
6. enable_mtls.yml: mutual TLS; the aws-syslog client lands, a same-CA client with another name and a client of
   another CA are refused;
7. destroy.yml against moto, the container removed, moto stopped: nothing left running (unless --keep).

Progress is printed as it goes; the ansible output of each step is in demo/logs/. The last line says SUCCESS or
FAILED. It can run again right away: leftovers of an earlier run are removed first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / ".cache" / "collections"))

import motoserver as moto_helper

from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_log import onegate_log

IMAGE = "localhost/netattest-debian-systemd:12"
CONTAINER = "netattest-tls-syslog-demo"
VOLUME = "netattest-tls-syslog-demo-efs"
KINDS = ["admin_login", "user_login", "sso_access", "cert_issue", "sync"]
RECAP = re.compile(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s", re.M)
DEMO_PASSPHRASE = "demo-onegate-passphrase"  # noqa: S105 - the local test CA's bundle only, never a real secret


class StepFailed(Exception):
    pass


class Demo:
    def __init__(self, work: Path, keep: bool, quiet: bool = False, rerun: bool = False):
        self.work = work
        self.keep = keep
        self.rerun = rerun  # tests: run site.yml again right after the receiver is up; it must change nothing
        self.quiet = quiet
        self.logs = work / "logs"
        self.moto: moto_helper.MotoServer | None = None
        self.port: int | None = None
        self.eip: str | None = None
        self.timings: list[tuple[str, float]] = []
        self.results: dict = {}
        self.env = dict(os.environ)
        self.env.update(
            PATH="%s:%s" % (ROOT / ".venv" / "bin", os.environ.get("PATH", "")),
            ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
            ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
            ANSIBLE_LOCAL_TEMP=str(ROOT / ".cache" / "ansible-tmp"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
            CONTAINERS_CONF=str(ROOT / "tests" / "podman" / "containers.conf"),
        )

    # ---- output --------------------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        if not self.quiet:
            print("[demo] %s" % text, flush=True)

    def step(self, title: str, func, *args):
        self.say("%s ..." % title)
        start = time.monotonic()
        try:
            value = func(*args)
        finally:
            took = time.monotonic() - start
            self.timings.append((title, took))
        self.say("%s: done in %.1f s" % (title, took))
        return value

    # ---- helpers -------------------------------------------------------------------------------------------------
    def run(self, cmd: list[str], log: str | None = None, env: dict | None = None, check: bool = True):
        if log:
            self.logs.mkdir(parents=True, exist_ok=True)
            with open(self.logs / log, "w") as out:
                proc = subprocess.run(
                    cmd, cwd=ROOT, env=env or self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
                )
        else:
            proc = subprocess.run(
                cmd, cwd=ROOT, env=env or self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL
            )
        if check and proc.returncode != 0:
            detail = ""
            if log:
                tail = (self.logs / log).read_text(errors="replace").splitlines()[-25:]
                detail = "\n".join("    " + line for line in tail)
                raise StepFailed("%s failed (rc=%d); last lines of %s:\n%s" % (cmd[0], proc.returncode, log, detail))
            raise StepFailed("%s failed (rc=%d): %s" % (" ".join(cmd), proc.returncode, (proc.stderr or "").strip()))
        return proc

    def podman(self, *args: str, check: bool = True):
        return self.run(["podman", *args], check=check)

    def aws_env(self) -> dict:
        assert self.moto is not None
        return moto_helper.aws_env(self.moto.endpoint, self.env)

    def playbook(self, name: str, log: str, *extra: str, inventories=("inventory/hosts.yml",)):
        cmd = ["ansible-playbook"]
        for inv in inventories:
            cmd += ["-i", str(inv)]
        cmd += [name, "-e", "@%s" % (self.work / "vars.yml"), *extra]
        proc = self.run(cmd, log=log, env=self.aws_env())
        recap = (self.logs / log).read_text(errors="replace")
        return proc, recap

    # ---- steps ---------------------------------------------------------------------------------------------------
    def cleanup_leftovers(self) -> None:
        self.podman("rm", "-f", "-t", "0", CONTAINER, check=False)
        self.podman("volume", "rm", "-f", VOLUME, check=False)
        pid_file = self.work / "moto.pid"
        if pid_file.exists():
            subprocess.run(
                [sys.executable, str(ROOT / "tests/integration/motoserver.py"), "stop", "--pid-file", str(pid_file)],
                check=False,
                capture_output=True,
            )
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        self.logs.mkdir()

    def start_moto(self) -> None:
        self.moto = moto_helper.MotoServer(log_file=self.work / "moto.log").start()
        (self.work / "moto.pid").write_text(str(self.moto.proc.pid))
        self.say("moto server at %s" % self.moto.endpoint)

    def start_container(self) -> None:
        if self.podman("image", "exists", IMAGE, check=False).returncode != 0:
            raise StepFailed("image %s is missing: run scripts/setup.sh (make setup)" % IMAGE)
        self.port = moto_helper.free_port()
        self.podman(
            "run", "-d", "--name", CONTAINER, "--hostname", "netattest-tlssyslog-vm",
            "-v", "%s:/mnt/efs/fs1" % VOLUME,
            "-p", "127.0.0.1:%d:6514" % self.port,
            IMAGE, "/sbin/init",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        state = ""
        while time.monotonic() < deadline:
            state = self.podman("exec", CONTAINER, "systemctl", "is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.5)
        else:
            raise StepFailed("the container's systemd did not come up (state %r)" % state)
        fstype = self.podman("exec", CONTAINER, "findmnt", "-n", "-o", "FSTYPE", "/mnt/efs/fs1").stdout.strip()
        self.say("container %s (systemd %s), port 6514 published on 127.0.0.1:%d, EFS stand-in is %s"
                 % (CONTAINER, state, self.port, fstype))  # fmt: skip
        self.write_vars(fstype)

    def write_vars(self, fstype: str) -> None:
        data = {
            # Documentation addresses (RFC 5737): they only go into security group rules in moto.
            "aws_infra_onegate_egress_ips": ["203.0.113.10", "203.0.113.11"],
            "aws_infra_ssh_cidrs": ["198.51.100.7/32"],
            "aws_infra_key_file": str(self.work / "NetAttest-tlsSyslog-key.pem"),
            "aws_infra_wait_for_ssh": False,  # moto boots nothing; the container stands in
            "tls_syslog_inventory_file": str(self.work / "inventory.yml"),
            "tls_syslog_host_override": {
                "ansible_connection": "containers.podman.podman",
                "ansible_host": CONTAINER,
                "ansible_user": "root",
                "ansible_python_interpreter": "/usr/bin/python3",
            },
            # The EFS stand-in is a podman volume, not NFS; accept its file system type for the demo only.
            "rsyslog_tls_mount_fstypes": ["nfs4", "nfs", fstype],
            "rsyslog_tls_kernel_log": False,  # a container cannot read the kernel log
        }
        path = self.work / "vars.yml"
        path.write_text(json.dumps(data, indent=2))
        path.chmod(0o600)

    def site_first_run(self) -> None:
        _proc, out = self.playbook("playbooks/site.yml", "01-site-first-run.log")
        inventory = self.work / "inventory.yml"
        if not inventory.exists():
            raise StepFailed("site.yml did not write %s" % inventory)
        import yaml

        inv = yaml.safe_load(inventory.read_text())
        hosts = inv["all"]["children"]["tls_syslog_servers"]["hosts"]
        self.eip = next(iter(hosts.values()))["aws_infra_eip"]
        if "issue a server certificate" not in out:
            raise StepFailed("site.yml's first run did not ask for the server certificate")
        self.say("Elastic IP (in moto): %s; site.yml now asks for a server certificate for it" % self.eip)

    def make_pki(self) -> None:
        names = json.dumps({"pki_server_names": [self.eip, "127.0.0.1", "localhost"]})
        self.run(
            ["ansible-playbook", "tests/pki/make_pki.yml", "-e", "pki_dir=%s" % (self.work / "pki"),
             "-e", "pki_passphrase=%s" % DEMO_PASSPHRASE, "-e", names],
            log="02-pki.log",
        )  # fmt: skip
        bundle = (self.work / "pki" / "onegate-server.pem").read_text()
        if not bundle.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"):
            raise StepFailed("the test CA's bundle is not in OneGate's shape")
        secret = self.work / "secret.yml"
        secret.write_text(json.dumps({"rsyslog_tls_bundle_passphrase": DEMO_PASSPHRASE}))
        secret.chmod(0o600)
        self.say("test CA issued the server bundle for %s (encrypted PKCS#8 + certificate) and client certificates"
                 % self.eip)  # fmt: skip

    def check_rerun(self) -> None:
        changed = self.site_rerun()
        self.results["rerun_changed"] = changed
        if not changed or set(changed.values()) != {0}:
            raise StepFailed("the re-run of site.yml changed something: %s (logs/06-site-rerun.log)" % changed)
        self.say("re-run of site.yml: changed=0 on %s" % ", ".join(sorted(changed)))

    def receiver_args(self) -> list[str]:
        """The extra variables that give site.yml the test CA's bundle, CA and passphrase."""
        pki = self.work / "pki"
        return [
            "-e", "rsyslog_tls_bundle_file=%s" % (pki / "onegate-server.pem"),
            "-e", "rsyslog_tls_ca_file=%s" % (pki / "ca.cer"),
            "-e", "@%s" % (self.work / "secret.yml"),
        ]  # fmt: skip

    def site_rerun(self) -> dict:
        """site.yml again at once (tests and benchmarks): {host: changed} from its recap."""
        _proc, out = self.playbook("playbooks/site.yml", "06-site-rerun.log", *self.receiver_args())
        return {host: int(changed) for host, changed in RECAP.findall(out)}

    def site_second_run(self) -> None:
        _proc, out = self.playbook("playbooks/site.yml", "03-site-receiver.log", *self.receiver_args())
        if "OneGate-shaped messages landed" not in out:
            raise StepFailed(
                "site.yml's verify step did not report the landed messages (see logs/03-site-receiver.log)"
            )
        for line in out.splitlines():
            if "Forwarding host" in line or "Forwarding port" in line:
                self.say("  " + line.strip().strip('",'))

    def send_from_outside(self, label: str, client: str | None, fields_run: str, count: int = 1, kinds=None):
        """syslog_send on the controller, through the published port, like OneGate over the internet."""
        pki = self.work / "pki"
        results = []
        for kind in kinds or KINDS:
            args = {
                "host": "127.0.0.1",
                "port": self.port,
                "ca_path": str(pki / "ca.cer"),
                "server_name": self.eip,
                "kind": kind,
                "fields": {"demo_run": fields_run},
                "count": count,
                "new_connection_per_message": count > 1,
                "fail_on_error": False,
            }
            if client:
                args["client_cert"] = str(pki / ("%s.cer" % client))
                args["client_key"] = str(pki / ("%s.key" % client))
            proc = self.run(
                ["ansible", "localhost", "-i", "localhost,", "-c", "local", "-o",
                 "-e", "ansible_python_interpreter=%s" % sys.executable,
                 "-m", "netattest.tls_syslog.syslog_send", "-a", json.dumps(args)],
                check=False,
            )  # fmt: skip
            out = proc.stdout
            try:
                results.append(json.loads(out[out.index("{") :]))
            except ValueError as exc:
                raise StepFailed("syslog_send (%s) gave no result: %s %s" % (label, out, proc.stderr)) from exc
        return results

    def stored_lines(self, marker: str) -> list[str]:
        proc = self.podman("exec", CONTAINER, "cat", "/mnt/efs/fs1/local0.log")
        return [line for line in proc.stdout.splitlines() if marker in line]

    def wait_lines(self, marker: str, want: int, timeout: float = 20.0) -> list[str]:
        deadline = time.monotonic() + timeout
        lines = self.stored_lines(marker)
        while len(lines) < want and time.monotonic() < deadline:
            time.sleep(0.2)
            lines = self.stored_lines(marker)
        return lines

    def five_kinds(self) -> None:
        run = "outside-%d" % time.time_ns()
        sent = self.send_from_outside("anon", None, run)
        if any(r.get("sent") != 1 for r in sent):
            raise StepFailed("syslog_send could not send: %s" % [r.get("msg") for r in sent])
        lines = self.wait_lines(run, len(KINDS))
        if len(lines) != len(KINDS):
            raise StepFailed("%d of %d messages landed" % (len(lines), len(KINDS)))
        parsed = [onegate_log(line) for line in lines]
        self.results["anon_lines"] = lines
        self.say("stored lines (/mnt/efs/fs1/local0.log on the receiver):")
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
        pki = self.work / "pki"
        refused = [
            {"name": "intruder", "cert": str(pki / "client-intruder.cer"), "key": str(pki / "client-intruder.key")},
            {"name": "other-ca", "cert": str(pki / "client-otherca-aws-syslog.cer"),
             "key": str(pki / "client-otherca-aws-syslog.key")},
        ]  # fmt: skip
        verify = self.work / "verify.yml"
        verify.write_text(json.dumps({
            "tls_syslog_verify_client_cert": str(pki / "client-aws-syslog.cer"),
            "tls_syslog_verify_client_key": str(pki / "client-aws-syslog.key"),
            "tls_syslog_verify_refused_clients": refused,
            "tls_syslog_verify_refused_connections": 100,
        }))  # fmt: skip
        _proc, out = self.playbook(
            "playbooks/enable_mtls.yml", "04-enable-mtls.log",
            "-e", "rsyslog_tls_bundle_file=%s" % (pki / "onegate-server.pem"),
            "-e", "rsyslog_tls_ca_file=%s" % (pki / "ca.cer"),
            "-e", "@%s" % (self.work / "secret.yml"),
            "-e", "@%s" % verify,
            inventories=("inventory/hosts.yml", self.work / "inventory.yml"),
        )  # fmt: skip
        for name in ("no-certificate", "intruder", "other-ca"):
            if "%s: 0/100 landed" % name not in out:
                raise StepFailed("enable_mtls.yml's verify did not prove %s refused (logs/04-enable-mtls.log)" % name)
        self.say("enable_mtls.yml: x509/name with PermittedPeer [\"aws-syslog\"]; its verify step: "
                 "no-certificate 0/100, intruder 0/100, other-ca 0/100 landed")  # fmt: skip
        conf = self.podman("exec", CONTAINER, "cat", "/etc/rsyslog.d/80-Syslogtls.conf").stdout
        backup = self.podman("exec", CONTAINER, "test", "-f", "/etc/rsyslog.d/80-Syslogtls.conf.org", check=False)
        if "x509/name" not in conf or backup.returncode != 0:
            raise StepFailed("the receiver's configuration is not x509/name with its .org backup")

    def mtls_from_outside(self) -> None:
        run = "mtls-%d" % time.time_ns()
        self.send_from_outside("aws-syslog", "client-aws-syslog", run + "-ok", kinds=["user_login"])
        intruder = self.send_from_outside("intruder", "client-intruder", run + "-intruder", count=100,
                                          kinds=["user_login"])  # fmt: skip
        # a permitted message after the intruder's, as a fence: once it is stored, the others were processed
        self.send_from_outside("aws-syslog", "client-aws-syslog", run + "-fence", kinds=["sync"])
        ok = self.wait_lines(run + "-ok", 1)
        fence = self.wait_lines(run + "-fence", 1)
        bad = self.stored_lines(run + "-intruder")
        self.results.update(mtls_ok=len(ok), mtls_intruder=len(bad), mtls_fence=len(fence))
        self.say("from outside: aws-syslog client %s; intruder client (CN=intruder, same CA): %d/100 landed "
                 "(%d handshakes failed, %d cut off later)"
                 % ("landed" if ok else "did NOT land", len(bad), intruder[0]["connections_failed"],
                    intruder[0]["connections_ok"]))  # fmt: skip
        if len(ok) != 1 or len(fence) != 1 or bad:
            raise StepFailed("mutual TLS from outside: permitted %d/1, intruder %d/100" % (len(ok), len(bad)))

    def destroy(self) -> None:
        self.playbook("playbooks/destroy.yml", "05-destroy.log", "-e", "confirm=yes")
        leftovers = aws_leftovers(self.aws_env())
        self.results["aws_leftovers"] = leftovers
        if leftovers:
            raise StepFailed("destroy.yml left resources in moto: %s" % leftovers)
        self.say("destroy.yml: nothing of ours left in the (moto) account")

    def stop_everything(self) -> None:
        self.podman("rm", "-f", "-t", "0", CONTAINER, check=False)
        self.podman("volume", "rm", "-f", VOLUME, check=False)
        if self.moto is not None:
            self.moto.stop()
            self.moto = None
        (self.work / "moto.pid").unlink(missing_ok=True)

    def main(self) -> int:
        total = time.monotonic()
        ok = False
        try:
            self.step("step 0/7: remove leftovers of an earlier run", self.cleanup_leftovers)
            self.step("step 1/7: start moto (the AWS stand-in)", self.start_moto)
            self.step("step 1/7: start the instance stand-in container", self.start_container)
            self.step("step 2/7: site.yml, first run (AWS resources, Elastic IP)", self.site_first_run)
            self.step("step 3/7: test CA issues the OneGate-shaped server bundle for the Elastic IP", self.make_pki)
            self.step("step 4/7: site.yml, second run (rsyslog TLS receiver, verified)", self.site_second_run)
            if self.rerun:
                self.step("step 4/7: site.yml again at once (must change nothing)", self.check_rerun)
            self.step("step 5/7: OneGate stand-in sends the five log kinds from outside", self.five_kinds)
            self.step("step 6/7: enable_mtls.yml (mutual TLS, verified)", self.enable_mtls)
            self.step("step 6/7: permitted and intruder clients from outside", self.mtls_from_outside)
            if not self.keep:
                self.step("step 7/7: destroy.yml and clean up", self.destroy)
            ok = True
        except StepFailed as exc:
            print("[demo] FAILED: %s" % exc, flush=True)
        except Exception as exc:  # an unexpected error still ends with a clear line
            print("[demo] FAILED: %s: %s" % (exc.__class__.__name__, exc), flush=True)
        finally:
            if not (self.keep and ok):
                self.stop_everything()
        self.say("timings: " + ", ".join("%s %.1f s" % (t.split(":")[0], s) for t, s in self.timings))
        if ok and self.keep:
            print(
                "[demo] kept running: container %s (127.0.0.1:%s), moto %s (pid in %s). Run `make demo` again or "
                "`podman rm -f %s` and kill the moto pid to clean up."
                % (CONTAINER, self.port, self.moto.endpoint if self.moto else "?", self.work / "moto.pid", CONTAINER)
            )
        verdict = "SUCCESS: the whole job ran locally" if ok else "FAILED"
        print("[demo] %s in %.1f s" % (verdict, time.monotonic() - total), flush=True)
        return 0 if ok else 1


def aws_leftovers(env: dict) -> dict:
    """Anything of ours (or anything billable at all) still in the account moto stands in for."""
    import boto3

    kw = {"region_name": moto_helper.REGION, "endpoint_url": env["AWS_ENDPOINT_URL"],
          "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # fmt: skip
    ec2 = boto3.client("ec2", **kw)
    efs = boto3.client("efs", **kw)
    left = {}
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    if vpcs:
        left["vpcs"] = vpcs
    running = [
        i["InstanceId"]
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    ]
    if running:
        left["instances"] = running
    if ec2.describe_addresses()["Addresses"]:
        left["eips"] = [a.get("PublicIp") for a in ec2.describe_addresses()["Addresses"]]
    keys = [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]]
    if keys:
        left["key_pairs"] = keys
    fss = [f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]]
    if fss:
        left["file_systems"] = fss
    return left


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the receiver and moto running at the end")
    parser.add_argument("--work", default=str(ROOT / "demo"), help="working directory (default: demo/)")
    parser.add_argument("--rerun", action="store_true", help="run site.yml a third time and check it changes nothing")
    args = parser.parse_args(argv)
    return Demo(Path(args.work).resolve(), keep=args.keep, rerun=args.rerun).main()


if __name__ == "__main__":
    sys.exit(main())
