"""A podman systemd container standing in for the EC2 instance: the receiver's port 6514 published on 127.0.0.1 only,
and /mnt/efs/fs1 (the EFS stand-in) a podman volume or a bind-mounted host directory."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from .env import HOST, IMAGE, ROOT, project_env

EFS_MOUNT = "/mnt/efs/fs1"


class StandInError(RuntimeError):
    pass


def podman(*args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        ["podman", *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env or project_env(), cwd=ROOT
    )
    if check and proc.returncode != 0:
        raise StandInError("podman %s failed (rc=%d): %s" % (" ".join(args), proc.returncode, proc.stderr.strip()))
    return proc


def volume_exists(name: str) -> bool:
    return podman("volume", "exists", name, check=False).returncode == 0


def container_exists(name: str) -> bool:
    return podman("container", "exists", name, check=False).returncode == 0


class Instance:
    """The container ``name``. ``efs`` is a podman volume name, or a host directory (Path) to bind-mount, so that the
    host reads the stored lines directly. ``port`` is the host port on 127.0.0.1 that 6514 is published on."""

    def __init__(self, name: str, port: int, efs: str | Path, image: str = IMAGE, hostname: str | None = None):
        self.name = name
        self.port = port
        self.efs = efs
        self.image = image
        self.hostname = hostname or name

    def start(self, timeout: float = 60.0) -> str:
        """Start it (removing a container of the same name first) and wait for systemd; returns systemd's state."""
        if podman("image", "exists", self.image, check=False).returncode != 0:
            raise StandInError("image %s is missing: run scripts/setup.sh (make setup)" % self.image)
        self.remove()
        if isinstance(self.efs, Path):
            self.efs.mkdir(parents=True, exist_ok=True)
        podman(
            "run", "-d", "--name", self.name, "--hostname", self.hostname,
            "-v", "%s:%s" % (self.efs, EFS_MOUNT),
            "-p", "%s:%d:6514" % (HOST, self.port),
            self.image, "/sbin/init",
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.exec("systemctl", "is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                return state
            time.sleep(0.5)
        raise StandInError("systemd in %s did not come up (state %r)" % (self.name, state))

    def exec(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return podman("exec", self.name, *args, check=check)

    def fstype(self) -> str:
        return self.exec("findmnt", "-n", "-o", "FSTYPE", EFS_MOUNT).stdout.strip()

    def read(self, path: str) -> str:
        """A file in the container ('' when it does not exist)."""
        proc = self.exec("cat", path, check=False)
        return proc.stdout if proc.returncode == 0 else ""

    def connection_vars(self) -> dict:
        """Inventory variables that reach the container as Ansible's host."""
        return {
            "ansible_connection": "containers.podman.podman",
            "ansible_host": self.name,
            "ansible_user": "root",
            "ansible_python_interpreter": "/usr/bin/python3",
        }

    def remove(self, volume: bool = False) -> None:
        """Remove the container (and its named volume, with ``volume``); nothing happens when they do not exist."""
        podman("rm", "-f", "-t", "0", self.name, check=False)
        if volume and not isinstance(self.efs, Path):
            podman("volume", "rm", "-f", self.efs, check=False)
