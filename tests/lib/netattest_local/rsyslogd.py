"""A real rsyslogd on 127.0.0.1 for the tests: TLS (ossl or gtls driver), local0 to a file in RSYSLOG_FileFormat (as
the role stores it). The port is the kernel's choice (imtcp port 0, written to listenPortFileName), so tests running
side by side never share one. The one rsyslogd helper of the tests; the pytest fixture is ``rsyslogd_factory``."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"


class Rsyslogd:
    """``rsyslogd -n -f <conf>`` in ``workdir``. ``pki`` maps ca, server_cert, server_key to file paths."""

    def __init__(
        self,
        pki: Mapping[str, str],
        workdir: Path,
        authmode: str = "anon",
        permitted: Iterable[str] = (),
        driver: str = "ossl",
    ):
        self.dir = workdir
        (workdir / "spool").mkdir()
        self.log = workdir / "local0.log"
        self.internal = workdir / "rsyslogd.log"
        port_file = workdir / "port"
        peers = ""
        if permitted:
            peers = " PermittedPeer=[%s]" % ",".join('"%s"' % p for p in permitted)
        conf = workdir / "rsyslog.conf"
        conf.write_text(
            f"""
global(workDirectory="{workdir}/spool" processInternalMessages="on"
       DefaultNetstreamDriver="{driver}"
       DefaultNetstreamDriverCAFile="{pki["ca"]}"
       DefaultNetstreamDriverCertFile="{pki["server_cert"]}"
       DefaultNetstreamDriverKeyFile="{pki["server_key"]}")
module(load="imtcp" StreamDriver.Name="{driver}" StreamDriver.Mode="1" StreamDriver.Authmode="{authmode}"{peers})
input(type="imtcp" port="0" listenPortFileName="{port_file}" address="127.0.0.1")
local0.* action(type="omfile" file="{self.log}" template="RSYSLOG_FileFormat")
syslog.* action(type="omfile" file="{self.internal}")
"""
        )
        self.proc = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", str(conf), "-i", str(workdir / "rsyslogd.pid")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.port = 0
        deadline = time.monotonic() + 15
        try:
            while True:
                assert self.proc.poll() is None, self.proc.stdout.read().decode()
                if not self.port and port_file.exists():
                    text = port_file.read_text().strip()
                    self.port = int(text) if text.isdigit() else 0
                if self.port:
                    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        break
                assert time.monotonic() < deadline, "rsyslogd did not listen (port file %s): %s" % (
                    port_file,
                    self.internal_text(),
                )
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise

    def internal_text(self) -> str:
        return self.internal.read_text() if self.internal.exists() else ""

    def wait_for_line(self, needle: str, timeout: float = 15) -> list[str]:
        """The stored lines holding ``needle``, once there is one (an AssertionError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.lines_with(needle)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError("%r never reached %s; rsyslogd said: %s" % (needle, self.log, self.internal_text()))

    def lines_with(self, needle: str) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if needle in line] if self.log.exists() else []

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()


@contextlib.contextmanager
def rsyslogd_started(workdir: Path) -> Iterator:
    """A factory ``start(pki, **Rsyslogd options)`` whose receivers live in numbered directories under ``workdir``
    and are all stopped on leaving the block."""
    started: list[Rsyslogd] = []

    def start(pki: Mapping[str, str], **kwargs) -> Rsyslogd:
        d = workdir / ("rsyslog%d" % len(started))
        d.mkdir(parents=True)
        r = Rsyslogd(pki, d, **kwargs)
        started.append(r)
        return r

    try:
        yield start
    finally:
        for r in started:
            r.stop()
