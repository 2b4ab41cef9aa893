"""The receivers of the ingest, restart and switch benchmarks, each in its own netattest-bench-* container:

- ``role``: configured by the collection's role rsyslog_tls (benchmarks/playbooks/role_receiver.yml), mutual TLS as
  enable_mtls.yml leaves it: x509/name, PermittedPeer aws-syslog; on rsyslog 8.2302 the role picks gtls.
- ``reference``: the manual procedure done literally by hand (benchmarks/playbooks/seed_receiver.yml): ossl,
  x509/name, PermittedPeer aws-syslog, Debian's stock rsyslog.conf with RSYSLOG_FileFormat.
- ``stunnel``: the same role and playbook with ``rsyslog_tls_mtls_frontend: stunnel`` (the front end Amazon Linux 2023
  gets): stunnel terminates mutual TLS on 6514 (checkHost aws-syslog, verifyChain, requireCert) and forwards to a
  plain rsyslog imtcp on 127.0.0.1:10514.

- ``role-al2023``: the role and the same playbook on the Amazon Linux 2023 stand-in image (rsyslog 8.2204.0 and
  stunnel 5.58 installed by dnf under AL2023's names). The role chooses stunnel by itself there (``auto``), in both
  modes: 8.2204's TLS input spins on an idle or stalled client (amazon-linux-2023 #845).
- ``reference-al2023``: the manual procedure literally on the same stand-in image
  (benchmarks/playbooks/seed_receiver_al2023.yml): dnf, rsyslog 8.2204.0's ossl imtcp on 6514, AL2023's stock
  rsyslog.conf with RSYSLOG_FileFormat.

All: the receiver's 6514 published on a port of 127.0.0.1 that the kernel picks, /mnt/efs/fs1 a bind mount of a host
directory (the host reads the stored lines directly); the Debian 12 image except the ``-al2023`` kinds. Container
names and log directories carry this run's pid, so two runs on the machine do not meet. Variants of the role's
receiver (other driver, a tuning) are made by editing its files in the container and restarting rsyslog, never by
touching the role.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

import common
from netattest_local import env as local_env

# Tuning candidates, as drop-ins in /etc/rsyslog.d/ of the role's container (loaded before 80-Syslogtls.conf).
TUNINGS = {
    # a bigger main-queue batch: fewer queue round trips and file writes per message
    "batch": 'main_queue(queue.dequeueBatchSize="2048" queue.size="200000")\n',
    # the TLS input bound to its own ruleset that only writes local0 to the EFS file: received messages skip the
    # distribution's local rules (8 selectors, /var/log/syslog), and a remote sender cannot write into local logs
    "ruleset": 'ruleset(name="netattest_tls") {\n'
    '  if prifilt("local0.*") then action(type="omfile" file="/mnt/efs/fs1/local0.log" template="RSYSLOG_FileFormat")\n'
    "}\n",
}
# and the input line of 80-Syslogtls.conf for that tuning
RULESET_SED = 's/^input(type="imtcp" port="%d"/input(type="imtcp" port="%d" ruleset="netattest_tls"/' % (
    common.PORT,
    common.PORT,
)


STUNNEL_UNIT = "netattest-tls-syslog-stunnel.service"  # the role's unit of the stunnel front end
STUNNEL_CONF = "/etc/stunnel/netattest-tls-syslog/stunnel.conf"

# Per kind of receiver (one container each): the variant name it is measured as, the playbook that configures it,
# its inventory group, the playbook's bench_frontend (the role's rsyslog_tls_mtls_frontend) and its platform
# (local_env.PLATFORMS: the image). Other variants (role-ossl, role-ruleset, ...) are edits of the ``role`` container.
KINDS = {
    "role": {"variant": "role", "book": "role_receiver.yml", "frontend": "auto", "platform": "debian"},
    "reference": {"variant": "reference", "book": "seed_receiver.yml", "group": "bench_seed", "platform": "debian"},
    "stunnel": {"variant": "role-stunnel", "book": "role_receiver.yml", "frontend": "stunnel", "platform": "debian"},
    "role-al2023": {"variant": "role-al2023", "book": "role_receiver.yml", "frontend": "auto", "platform": "al2023"},
    "reference-al2023": {"variant": "reference-al2023", "book": "seed_receiver_al2023.yml", "platform": "al2023"},
}
VARIANT_KIND = {spec["variant"]: kind for kind, spec in KINDS.items()}


def kind_of(variant: str) -> str:
    """The container (kind) a variant runs in: its own, or the role's for the variants made by editing it."""
    return VARIANT_KIND.get(variant, "role")


def reference_of(variant: str) -> str:
    """The manual procedure's receiver on the same platform (and so the same rsyslog) as ``variant``."""
    return "reference-al2023" if KINDS[kind_of(variant)]["platform"] == "al2023" else "reference"


def group_of(kind: str) -> str:
    """The inventory group of a kind (Ansible group names: no dashes)."""
    return KINDS[kind].get("group", "bench_" + kind.replace("-", "_"))


class Receiver:
    def __init__(self, kind: str, name: str, port: int, log_dir: Path):
        self.kind = kind
        self.name = name
        self.port = port
        self.log_dir = log_dir
        self.log_file = log_dir / "local0.log"
        self.variant = KINDS[kind]["variant"]
        self.platform = KINDS[kind]["platform"]
        self.image = local_env.PLATFORMS[self.platform]

    def exec(self, *args, check=True):
        return common.podman("exec", self.name, *args, check=check)

    def restart(self, pki: Path) -> float:
        """As the role's handlers: rsyslog first, then the stunnel front end if this receiver has one."""
        self.exec("systemctl", "restart", "rsyslog")
        if self.has_stunnel():
            self.exec("systemctl", "restart", STUNNEL_UNIT)
        return self.wait_listener(pki)

    def wait_listener(self, pki: Path) -> float:
        """Seconds until the published port completes a handshake with the permitted client."""
        return common.wait_tls(
            self.port, pki / "ca.cer", client=(pki / "client-aws-syslog.cer", pki / "client-aws-syslog.key")
        )

    def truncate(self) -> None:
        if self.log_file.exists():
            os.truncate(self.log_file, 0)
        # The stock rules also copy local0 into /var/log/syslog (Debian) or /var/log/messages (Amazon Linux 2023's
        # *.info); the references keep them: empty those too
        self.exec(
            "sh",
            "-c",
            "for f in /var/log/syslog /var/log/messages; do test -f $f && truncate -s 0 $f; done; true",
            check=False,
        )

    def package_version(self, name: str) -> str:
        """The installed version of a package: rpm on the AL2023 stand-in (dnf installed it), else dpkg."""
        if self.platform == "al2023":
            cmd = ("rpm", "-q", "--qf", "%{VERSION}-%{RELEASE}", name)
        else:
            cmd = ("dpkg-query", "-W", "-f", "${Version}", name)
        return self.exec(*cmd, check=False).stdout.strip()

    def rsyslog_version(self) -> str:
        return self.package_version("rsyslog")

    def config(self) -> str:
        text = self.exec("sh", "-c", "cat /etc/rsyslog.d/80-Syslogtls.conf").stdout
        if self.has_stunnel():
            text += "--- %s\n" % STUNNEL_CONF + self.exec("cat", STUNNEL_CONF).stdout
        return text

    def has_stunnel(self) -> bool:
        return self.exec("systemctl", "is-active", "--quiet", STUNNEL_UNIT, check=False).returncode == 0

    def stunnel_version(self) -> str:
        return self.package_version("stunnel" if self.platform == "al2023" else "stunnel4")


class Receivers:
    """Set up (in parallel) the containers of the requested kinds; remove them with ``close``."""

    def __init__(self, kinds=("role", "reference"), tag="bench", role_auth_mode="x509/name"):
        self.kinds = kinds
        self.role_auth_mode = role_auth_mode
        self.work = common.WORK / tag
        self.pki = self.work / "pki"
        self.by_kind: dict[str, Receiver] = {}
        self.setup_seconds: dict[str, float] = {}

    def __enter__(self):
        try:
            self.setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for rcv in self.by_kind.values():
            common.remove_container(rcv.name)
            if rcv.log_file.exists():
                rcv.log_file.unlink()  # up to 1,000,000 lines of test traffic
            with contextlib.suppress(OSError):
                rcv.log_dir.rmdir()  # this run's own directory (its name carries the pid)
        inventory = getattr(self, "inventory", None)
        if inventory is not None and inventory.exists():
            inventory.unlink()

    def setup(self):
        self.work.mkdir(parents=True, exist_ok=True)
        common.make_pki(self.pki)
        for kind in self.kinds:
            name = common.unique_name(kind)
            log_dir = self.work / ("efs-" + name[len(common.PREFIX) :])
            if log_dir.exists():
                for item in log_dir.iterdir():
                    item.unlink()
            rcv = Receiver(kind, name, common.os_port(), log_dir)
            self.by_kind[kind] = rcv
            rcv.instance = common.start_container(name, rcv.port, log_dir, image=rcv.image)
        inventory = self.inventory = self.work / ("inventory-%d.json" % os.getpid())
        inventory.write_text(
            json.dumps(
                {
                    "all": {
                        "children": {
                            group_of(kind): {
                                "hosts": {
                                    rcv.name: {
                                        "ansible_connection": "containers.podman.podman",
                                        "ansible_host": rcv.name,
                                        "ansible_python_interpreter": "/usr/bin/python3",
                                    }
                                }
                            }
                            for kind, rcv in self.by_kind.items()
                        }
                    }
                }
            )
        )
        self.fstypes = sorted({rcv.instance.fstype() for rcv in self.by_kind.values()})
        procs = {}
        for kind in self.by_kind:
            log = open(self.work / ("setup-%s-%d.log" % (kind, os.getpid())), "w")
            procs[kind] = (self.playbook_popen(kind, log, self.role_auth_mode), log, time.monotonic())
        failed = []
        for kind, (proc, log, start) in procs.items():
            rc = proc.wait(timeout=900)
            log.close()
            self.setup_seconds[kind] = round(time.monotonic() - start, 1)
            if rc != 0:
                failed.append("%s (see %s)" % (kind, log.name))
        if failed:
            raise RuntimeError("setting up the receivers failed: %s" % ", ".join(failed))
        for rcv in self.by_kind.values():
            common.wait_tls(
                rcv.port,
                self.pki / "ca.cer",
                client=(self.pki / "client-aws-syslog.cer", self.pki / "client-aws-syslog.key"),
            )

    def role_run(self, kind: str, log_name: str, auth_mode: str = "x509/name") -> dict:
        """The real role run against the running receiver of ``kind`` (restart and switch benchmarks); its recap."""
        log_path = self.work / log_name
        with open(log_path, "w") as log:
            rc = self.playbook_popen(kind, log, auth_mode).wait(timeout=600)
        if rc != 0:
            raise RuntimeError("the role run failed; see %s" % log_path)
        return {"ansible_rc": rc, "recap": common.recap(log_path.read_text())}

    def playbook_popen(self, kind, log, auth_mode="x509/name"):
        spec = KINDS[kind]
        extra = {
            "bench_pki": str(self.pki),
            "bench_passphrase": common.PKI_PASSPHRASE,
            "bench_fstypes": self.fstypes,
            "bench_auth_mode": auth_mode,
            "bench_hosts": group_of(kind),
            "bench_frontend": spec.get("frontend", "auto"),
            "bench_platform": spec["platform"],
        }
        return subprocess.Popen(
            [
                "ansible-playbook",
                "-i",
                str(self.inventory),
                str(common.BENCH / "playbooks" / spec["book"]),
                "-e",
                json.dumps(extra),
            ],
            cwd=common.ROOT,
            env=common.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    # ---- variants of the role's receiver -------------------------------------------------------------------------
    def set_variant(self, variant: str) -> Receiver:
        """role | role-ossl | role-<tuning> | role-ossl-<tuning> | reference | role-stunnel | role-al2023 |
        reference-al2023."""
        if kind_of(variant) != "role":
            return self.by_kind[kind_of(variant)]
        rcv = self.by_kind["role"]
        if rcv.variant == variant:
            return rcv
        parts = variant.split("-")[1:]
        driver = "ossl" if "ossl" in parts else "gtls"
        tuning = [p for p in parts if p != "ossl"]
        conf = "/etc/rsyslog.d/80-Syslogtls.conf"
        if driver == "ossl":
            rcv.exec(
                "sh",
                "-c",
                "dpkg -s rsyslog-openssl >/dev/null 2>&1 || "
                "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsyslog-openssl >/dev/null",
            )
        # keep the role's file once, derive each variant from it
        rcv.exec("sh", "-c", "test -f /root/80-Syslogtls.conf.role || cp %s /root/80-Syslogtls.conf.role" % conf)
        script = "cp /root/80-Syslogtls.conf.role %s" % conf
        if driver == "ossl":
            script += (
                ' && sed -i -e \'s/"gtls"/"ossl"/g\' -e \'s/gnutlsPriorityString="[^"]*"/'
                'gnutlsPriorityString="MinProtocol=TLSv1.2"/\' %s' % conf
            )
        if "ruleset" in tuning:
            script += " && sed -i '%s' %s" % (RULESET_SED, conf)
        script += " && rm -f /etc/rsyslog.d/05-bench-tuning.conf"
        rcv.exec("sh", "-c", script)
        if tuning:
            text = "".join(TUNINGS[t] for t in tuning)
            rcv.exec("sh", "-c", "cat > /etc/rsyslog.d/05-bench-tuning.conf <<'EOF'\n%sEOF" % text)
        rcv.exec("rsyslogd", "-N1")
        rcv.restart(self.pki)
        rcv.variant = variant
        return rcv
