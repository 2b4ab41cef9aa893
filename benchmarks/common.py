"""Shared helpers of the benchmarks: machine description, ports, containers, test PKI, CPU readings, result files.
The local stand-ins themselves (environment, image, free ports, the instance container, the test CA, the pipeline)
are tests/lib/netattest_local's. Nothing here talks to anything but 127.0.0.1 and our own containers
(netattest-bench-*).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lib"))

import netattest_local
from netattest_local import env as local_env
from netattest_local.instance import Instance
from netattest_local.pki import make_pki as make_test_pki

local_env.import_collection()
from ansible_collections.netattest.tls_syslog.plugins.module_utils import (  # noqa: F401 - sender.py takes them here
    _onegate_payloads,
    _rfc5424,
    _tls_client,
)
from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import PORT  # noqa: F401 - the receivers'

BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
WORK = ROOT / ".cache" / "bench"  # scratch space (keys, bind-mounted log dirs); .cache is ignored by git
PREFIX = "netattest-bench-"
PORTS = range(17000, 17101)  # the only ports we publish or listen on
PKI_PASSPHRASE = "bench-onegate-passphrase"  # noqa: S105 - the local test CA's bundle only, never a real secret
env = netattest_local.project_env


def say(tag: str, text: str) -> None:
    print("[%s] %s" % (tag, text), flush=True)


def run(cmd, check=True, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("env", env())
    kw.setdefault("cwd", ROOT)
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("stdin", subprocess.DEVNULL)
    proc = subprocess.run(cmd, check=False, **kw)
    if check and proc.returncode != 0:
        raise RuntimeError(
            "%s failed (rc=%d): %s"
            % (" ".join(map(str, cmd)), proc.returncode, (proc.stderr or proc.stdout or "")[-2000:])
        )
    return proc


def podman(*args, check=True) -> subprocess.CompletedProcess:
    return run(["podman", *args], check=check)


# ---- machine -------------------------------------------------------------------------------------------------------
def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _first_line(cmd) -> str:
    try:
        out = run(cmd, check=False).stdout.strip().splitlines()
        return out[0] if out else "?"
    except OSError:
        return "?"


def machine() -> dict:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    versions = {
        "python": platform.python_version(),
        "ansible-core": _first_line(["ansible", "--version"]),
        "podman": _first_line(["podman", "--version"]),
        "openssl(host)": _first_line(["openssl", "version"]),
    }
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": platform.node(),
        "kernel": platform.release(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gib": round(int(mem) / 1024 / 1024, 1),
        "loadavg_start": loadavg(),
        "versions": versions,
    }


def print_machine(tag: str, info: dict) -> None:
    say(
        tag,
        "machine: %s, %s cores (%s), %s GiB, kernel %s, load average %s"
        % (info["host"], info["cores"], info["cpu"], info["mem_gib"], info["kernel"], info["loadavg_start"]),
    )
    say(tag, "versions: " + ", ".join("%s %s" % kv for kv in info["versions"].items()))


class CpuTimes:
    """Whole-host CPU time from /proc/stat (jiffies), to tell how busy the 2 cores were during a run."""

    def __init__(self):
        self.start = self._read()

    @staticmethod
    def _read():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields), idle

    def busy_share(self) -> float:
        total, idle = self._read()
        dt = total - self.start[0]
        return 0.0 if dt <= 0 else 1.0 - (idle - self.start[1]) / dt


def proc_cpu_seconds(hpid: int) -> float:
    """utime + stime of a process (all its threads, also exited ones) from /proc/<pid>/stat, in seconds."""
    text = Path("/proc/%d/stat" % hpid).read_text()
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def thread_cpu_seconds(hpid: int) -> dict:
    """CPU seconds per thread name (rsyslog names them: in:imtcp, rs:main Q:Reg, ...) of a live process."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for task in Path("/proc/%d/task" % hpid).iterdir():
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ---- ports and containers ------------------------------------------------------------------------------------------
_used: set[int] = set()


def free_port() -> int:
    """A port of 17000-17100 that nothing listens on and that this process has not handed out yet."""
    return netattest_local.free_port(PORTS, _used)


def os_port() -> int:
    """A port of 127.0.0.1 that the kernel picks (bind to port 0) and that this process has not handed out yet: the
    receivers' published ports, so that runs of other people on the same machine cannot pick the same one."""
    while True:
        port = netattest_local.free_port()
        if port not in _used:
            _used.add(port)
            return port


def unique_name(base: str) -> str:
    """``netattest-bench-<base>-<pid>``: a container name that no other run on the machine uses (the pid of this run,
    and a counter if a container of that name exists anyway)."""
    name = "%s%s-%d" % (PREFIX, base, os.getpid())
    n = 1
    while podman("container", "exists", name, check=False).returncode == 0:
        n += 1
        name = "%s%s-%d-%d" % (PREFIX, base, os.getpid(), n)
    return name


def remove_container(name: str) -> None:
    assert name.startswith(PREFIX)
    podman("rm", "-f", "-t", "0", name, check=False)


def remove_all_bench_containers() -> list[str]:
    """Our own containers only (the netattest-bench- prefix), e.g. after an interrupted run."""
    names = podman("ps", "-a", "--format", "{{.Names}}", check=False).stdout.split()
    ours = [n for n in names if n.startswith(PREFIX)]
    for name in ours:
        remove_container(name)
    for vol in podman("volume", "ls", "--format", "{{.Name}}", check=False).stdout.split():
        if vol.startswith(PREFIX):
            podman("volume", "rm", "-f", vol, check=False)
    return ours


def start_container(name: str, port: int, log_dir: Path, image: str = local_env.IMAGE) -> Instance:
    """A systemd container of ``image`` (default: the Debian 12 image; local_env.AL2023_IMAGE for the Amazon Linux 2023
    stand-in) with the receiver's port published on 127.0.0.1 only and log_dir bind-mounted as the EFS stand-in (so the
    host reads the stored lines directly, without podman exec)."""
    assert name.startswith(PREFIX)
    rcv = Instance(name, port, log_dir, image=image)
    rcv.start()
    return rcv


def process_hpid(name: str, comm: str) -> int:
    """The host PID of the one process of the container whose command name starts with ``comm``."""
    out = podman("top", name, "hpid,comm").stdout.splitlines()[1:]
    pids = [int(line.split()[0]) for line in out if line.split()[1:2] and line.split()[1].startswith(comm)]
    if len(pids) != 1:
        raise RuntimeError("expected one %s in %s, found %s" % (comm, name, pids))
    return pids[0]


def rsyslogd_hpid(name: str) -> int:
    """The host PID of rsyslogd in the container."""
    return process_hpid(name, "rsyslogd")


def stunnel_hpid(name: str) -> int:
    """The host PID of stunnel in the container (Debian names it stunnel4, Amazon Linux 2023 stunnel; foreground, one
    process, threads)."""
    return process_hpid(name, "stunnel")


def wait_tls(port: int, ca: Path, timeout: float = 30.0, client=None) -> float:
    """Poll until a TLS handshake with 127.0.0.1:port succeeds; returns the seconds waited."""
    ctx = _tls_client.make_client_context(
        ca_path=str(ca), client_cert=client and str(client[0]), client_key=client and str(client[1])
    )
    start = time.monotonic()
    last = None
    while time.monotonic() - start < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1"):
                    return time.monotonic() - start
        except OSError as exc:
            last = exc
            time.sleep(0.1)
    raise RuntimeError("no TLS listener on 127.0.0.1:%d after %.0f s: %s" % (port, timeout, last))


# ---- PKI -----------------------------------------------------------------------------------------------------------
def make_pki(pki: Path) -> Path:
    """The test CA (OneGate-shaped bundle, client certificates) plus the decrypted server key and certificate that the
    manual procedure produces (openssl rsa), for the reference receiver."""
    if not (pki / "server.key").exists():
        make_test_pki(pki, PKI_PASSPHRASE, ["127.0.0.1", "localhost"])
        from cryptography.hazmat.primitives import serialization

        text = (pki / "onegate-server.pem").read_text()
        key_pem = text[: text.index("-----END ENCRYPTED PRIVATE KEY-----") + 35]
        cert_pem = text[text.index("-----BEGIN CERTIFICATE-----") :]
        key = serialization.load_pem_private_key(key_pem.encode(), PKI_PASSPHRASE.encode())
        out = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        path = pki / "server.key"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(out)
        (pki / "server.cer").write_text(cert_pem.strip() + "\n")
    return pki


# ---- ansible output ------------------------------------------------------------------------------------------------
recap = netattest_local.recap
PROFILE = re.compile(r"^(.+?) -{3,} (\d+\.\d+)s$", re.M)


def profile_tasks(text: str) -> list[tuple[str, float]]:
    """The task lines of profile_tasks' summary (all of them, per playbook run), slowest first."""
    tasks = [(name.strip(), float(sec)) for name, sec in PROFILE.findall(text)]
    return sorted(tasks, key=lambda t: -t[1])


ELAPSED = re.compile(r"\s(\d+):(\d\d):(\d\d(?:\.\d+)?) \*+\s*$", re.M)


def play_starts(text: str) -> dict[str, float]:
    """Seconds from the start of the playbook run to the first task of each play (profile_tasks' running total), and
    ``__end__`` for the whole run. Splits a site.yml run into its AWS part and its receiver part."""
    out = {}
    for m in re.finditer(r"^PLAY \[(.+?)\] \*+\s*$", text, re.M):
        e = ELAPSED.search(text, m.end())
        if e:
            out.setdefault(m.group(1), int(e.group(1)) * 3600 + int(e.group(2)) * 60 + float(e.group(3)))
    ends = ELAPSED.findall(text)
    if ends:
        h, mi, se = ends[-1]
        out["__end__"] = int(h) * 3600 + int(mi) * 60 + float(se)
    return out


# ---- results -------------------------------------------------------------------------------------------------------
def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / ("%s-%s.json" % (stamp, name))
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


@contextlib.contextmanager
def containers_removed(*names: str):
    """Remove these containers at the end, also on failure or Ctrl-C."""
    try:
        yield
    finally:
        for name in names:
            remove_container(name)
