#!/usr/bin/env python3
"""Start and stop a real ``moto_server`` on 127.0.0.1 for the tests and the local demo.

Three ways to use it:

* pytest fixture (load this file by path, or put tests/integration on sys.path and ``import motoserver``)::

      import importlib.util, pathlib
      _spec = importlib.util.spec_from_file_location(
          "netattest_moto_helper", pathlib.Path(__file__).parent / "motoserver.py")
      moto_helper = importlib.util.module_from_spec(_spec)
      _spec.loader.exec_module(moto_helper)
      moto_server = moto_helper.moto_server_fixture(scope="module")   # yields a started MotoServer
      # in a test: boto3 clients with endpoint_url=moto_server.endpoint; subprocesses with env=moto_server.env()

* context manager::

      with MotoServer() as server:
          server.endpoint   # "http://127.0.0.1:PORT"
          server.reset()    # wipe every backend between stages

* command line (for shell scripts and ``make demo``)::

      python tests/integration/motoserver.py start --port-file F --pid-file P [--log-file L]
      python tests/integration/motoserver.py stop --pid-file P

``start`` forks a detached moto_server on a free port, waits until it answers, writes the port
and the PID, and returns; ``stop`` terminates that PID (and only that one).

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
REGION = "ap-northeast-1"

#: Environment for boto3 / Ansible pointed at a moto server: dummy credentials, our region.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def moto_server_command() -> str:
    """The moto_server executable next to this Python (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent / "moto_server"
    if here.exists():
        return str(here)
    found = shutil.which("moto_server")
    if not found:
        raise RuntimeError("moto_server not found: install 'moto[server]' (see requirements.txt)")
    return found


def aws_env(endpoint: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: os.environ) plus dummy credentials and the endpoint for modules and lookups."""
    env = dict(os.environ if base is None else base)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(key, None)
    env.update(DUMMY_CREDENTIALS)
    env["AWS_URL"] = endpoint  # amazon.aws modules and lookups
    env["AWS_ENDPOINT_URL"] = endpoint  # botocore itself
    return env


def wait_until_up(endpoint: str, proc: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    """Poll moto's reset API until it answers (or the process dies, or timeout)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"moto_server exited early with rc={proc.returncode}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"moto_server at {endpoint} did not answer within {timeout} s: {last}")


def reset(endpoint: str) -> None:
    """Wipe every moto backend (an empty account again)."""
    req = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
        resp.read()


class MotoServer:
    """A moto_server child process on 127.0.0.1:<free port>."""

    def __init__(self, port: int | None = None, log_file: str | os.PathLike | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://{HOST}:{self.port}"
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self, detach: bool = False) -> MotoServer:
        cmd = [moto_server_command(), "-H", HOST, "-p", str(self.port)]
        out = subprocess.DEVNULL
        if self.log_file:
            self._log = open(self.log_file, "ab")
            out = self._log
        self.proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=detach
        )
        try:
            wait_until_up(self.endpoint, self.proc)
        except Exception:
            self.stop()
            raise
        return self

    def reset(self) -> None:
        reset(self.endpoint)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return aws_env(self.endpoint, base)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def moto_server_fixture(scope: str = "module"):
    """Build a pytest fixture that yields a started :class:`MotoServer` (stopped afterwards)."""
    import pytest  # only needed when used as a fixture

    @pytest.fixture(scope=scope)
    def _moto_server():
        with MotoServer() as server:
            yield server

    return _moto_server


def _cmd_start(args: argparse.Namespace) -> int:
    server = MotoServer(port=args.port, log_file=args.log_file)
    server.start(detach=True)
    Path(args.pid_file).write_text(f"{server.proc.pid}\n")
    if args.port_file:
        Path(args.port_file).write_text(f"{server.port}\n")
    # Leave the detached child running: forget it without terminating it.
    server.proc = None
    print(server.endpoint)
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    pid_file = Path(args.pid_file)
    if not pid_file.exists():
        return 0
    pid = int(pid_file.read_text().strip())
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.kill(pid, 0)  # raises ProcessLookupError once it is gone
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start a detached moto_server on 127.0.0.1")
    start.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    start.add_argument("--port-file", help="write the port here")
    start.add_argument("--pid-file", required=True, help="write the PID here")
    start.add_argument("--log-file", help="append moto_server's output here (default: discarded)")
    stop = sub.add_parser("stop", help="stop the moto_server whose PID is in --pid-file")
    stop.add_argument("--pid-file", required=True)
    args = parser.parse_args(argv)
    return _cmd_start(args) if args.command == "start" else _cmd_stop(args)


if __name__ == "__main__":
    sys.exit(main())
