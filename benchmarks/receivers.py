"""The two receivers of the ingest and restart benchmarks, each in its own netattest-bench-* container:

- ``role``: configured by the collection's role rsyslog_tls (benchmarks/playbooks/role_receiver.yml), mutual TLS as
  enable_mtls.yml leaves it: x509/name, PermittedPeer aws-syslog; on rsyslog 8.2302 the role picks gtls.
- ``reference``: the manual procedure done literally by hand (benchmarks/playbooks/seed_receiver.yml): ossl,
  x509/name, PermittedPeer aws-syslog, Debian's stock rsyslog.conf with RSYSLOG_FileFormat.
- ``stunnel``: the same role and playbook with ``rsyslog_tls_mtls_frontend: stunnel`` (the front end Amazon Linux 2023
  gets): stunnel terminates mutual TLS on 6514 (checkHost aws-syslog, verifyChain, requireCert) and forwards to a
  plain rsyslog imtcp on 127.0.0.1:10514.

Both: the same image, the receiver's 6514 published on 127.0.0.1:<17000-17100>, /mnt/efs/fs1 a bind mount of a host
directory (the host reads the stored lines directly). Variants of the role's receiver (other driver, a tuning) are
made by editing its files in the container and restarting rsyslog, never by touching the role.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import common

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
RULESET_SED = 's/^input(type="imtcp" port="6514"/input(type="imtcp" port="6514" ruleset="netattest_tls"/'


STUNNEL_UNIT = "netattest-tls-syslog-stunnel.service"  # the role's unit of the stunnel front end
STUNNEL_CONF = "/etc/stunnel/netattest-tls-syslog/stunnel.conf"
# the playbook's bench_frontend (rsyslog_tls_mtls_frontend) per kind of role receiver
FRONTENDS = {"role": "auto", "stunnel": "stunnel"}


class Receiver:
    def __init__(self, kind: str, name: str, port: int, log_dir: Path):
        self.kind = kind
        self.name = name
        self.port = port
        self.log_dir = log_dir
        self.log_file = log_dir / "local0.log"
        self.variant = "role-stunnel" if kind == "stunnel" else kind

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
        # Debian's stock rules also copy local0 into /var/log/syslog (the reference keeps them): empty it too
        self.exec("sh", "-c", "test -f /var/log/syslog && truncate -s 0 /var/log/syslog || true", check=False)

    def rsyslog_version(self) -> str:
        return self.exec("dpkg-query", "-W", "-f", "${Version}", "rsyslog", check=False).stdout.strip()

    def config(self) -> str:
        text = self.exec("sh", "-c", "cat /etc/rsyslog.d/80-Syslogtls.conf").stdout
        if self.has_stunnel():
            text += "--- %s\n" % STUNNEL_CONF + self.exec("cat", STUNNEL_CONF).stdout
        return text

    def has_stunnel(self) -> bool:
        return self.exec("systemctl", "is-active", "--quiet", STUNNEL_UNIT, check=False).returncode == 0

    def stunnel_version(self) -> str:
        return self.exec("dpkg-query", "-W", "-f", "${Version}", "stunnel4", check=False).stdout.strip()


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

    def setup(self):
        self.work.mkdir(parents=True, exist_ok=True)
        common.make_pki(self.pki)
        for kind in self.kinds:
            name = common.PREFIX + kind
            log_dir = self.work / ("efs-" + kind)
            if log_dir.exists():
                for item in log_dir.iterdir():
                    item.unlink()
            rcv = Receiver(kind, name, common.free_port(), log_dir)
            rcv.instance = common.start_container(name, rcv.port, log_dir)
            self.by_kind[kind] = rcv
        inventory = self.work / "inventory.json"
        inventory.write_text(
            json.dumps(
                {
                    "all": {
                        "children": {
                            "bench_%s" % ("seed" if kind == "reference" else kind): {
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
        fstype = next(iter(self.by_kind.values())).instance.fstype()
        self.fstype = fstype
        procs = {}
        for kind in self.by_kind:
            log = open(self.work / ("setup-%s.log" % kind), "w")
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
        book = "seed_receiver.yml" if kind == "reference" else "role_receiver.yml"
        extra = {
            "bench_pki": str(self.pki),
            "bench_passphrase": common.PKI_PASSPHRASE,
            "bench_fstypes": [self.fstype],
            "bench_auth_mode": auth_mode,
            "bench_hosts": "bench_%s" % ("seed" if kind == "reference" else kind),
            "bench_frontend": FRONTENDS.get(kind, "auto"),
        }
        return subprocess.Popen(
            [
                "ansible-playbook",
                "-i",
                str(self.work / "inventory.json"),
                str(common.BENCH / "playbooks" / book),
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
        """role | role-ossl | role-<tuning> | role-ossl-<tuning> | reference | role-stunnel."""
        if variant == "reference":
            return self.by_kind["reference"]
        if variant == "role-stunnel":
            return self.by_kind["stunnel"]
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
