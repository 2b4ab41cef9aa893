"""A podman systemd container standing in for the EC2 instance: the receiver's port published on 127.0.0.1 only,
and /mnt/efs/fs1 (the EFS stand-in) a podman volume or a bind-mounted host directory. Ansible reaches it over SSH, as
it reaches an EC2 instance: a key pair of its own authorized for root, the host key pinned from inside the container
(podman exec, not trust on first use), one ControlPersist master; about a quarter of the controller's CPU per task of
`podman exec` (benchmarks/connection.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .env import HOST, IMAGE, ROOT, import_collection, project_env

EFS_MOUNT = "/mnt/efs/fs1"


def receiver_port() -> int:
    """The collection's default receiver port (plugins/module_utils/_receiver.py)."""
    import_collection()
    from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import PORT

    return PORT


class StandInError(RuntimeError):
    pass


def podman(*args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        ["podman", *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env or project_env(), cwd=ROOT
    )
    if check and proc.returncode != 0:
        raise StandInError("podman %s failed (rc=%d): %s" % (" ".join(args), proc.returncode, proc.stderr.strip()))
    return proc


def run_labels() -> list[str]:
    """``--label netattest.run=<id>`` for what a test run makes (scripts/run-tests.sh sets NETATTEST_RUN_ID and, at the
    end of a full run, fails when anything with its label is left); nothing outside a run."""
    run_id = os.environ.get("NETATTEST_RUN_ID")
    return ["--label", "netattest.run=%s" % run_id] if run_id else []


def volume_exists(name: str) -> bool:
    return podman("volume", "exists", name, check=False).returncode == 0


def container_exists(name: str) -> bool:
    return podman("container", "exists", name, check=False).returncode == 0


class Instance:
    """The container ``name``. ``efs`` is a podman volume name, or a host directory (Path) to bind-mount, so that the
    host reads the stored lines directly. ``port`` is the host port on 127.0.0.1 that the receiver's port
    ``container_port`` (the collection's default, _receiver.PORT) is published on."""

    def __init__(
        self,
        name: str,
        port: int,
        efs: str | Path,
        image: str = IMAGE,
        hostname: str | None = None,
        container_port: int | None = None,
    ):
        self.name = name
        self.port = port
        self.container_port = container_port or receiver_port()
        self.efs = efs
        self.image = image
        self.hostname = hostname or name
        # Key, pinned host key and ControlPath of the SSH access: named after the container (one per container on
        # the machine), so that another process (make demo's teardown) finds them; short enough for a socket path.
        self.ssh_dir = Path("/tmp") / ("netattest-ssh-" + name)
        self.address = ""

    def start(self, timeout: float = 60.0) -> str:
        """Start it (removing a container of the same name first) and wait for systemd; returns systemd's state."""
        if podman("image", "exists", self.image, check=False).returncode != 0:
            raise StandInError("image %s is missing: run scripts/setup.sh (make setup)" % self.image)
        self.remove()
        if isinstance(self.efs, Path):
            self.efs.mkdir(parents=True, exist_ok=True)
        elif not volume_exists(self.efs):
            podman("volume", "create", *run_labels(), self.efs)
        podman(
            "run", "-d", "--name", self.name, "--hostname", self.hostname, *run_labels(),
            "-v", "%s:%s" % (self.efs, EFS_MOUNT),
            "-p", "%s:%d:%d" % (HOST, self.port, self.container_port),
            self.image, "/sbin/init",
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.exec("systemctl", "is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                self.open_ssh(max(deadline - time.monotonic(), 10.0))
                return state
            time.sleep(0.5)
        raise StandInError("systemd in %s did not come up (state %r)" % (self.name, state))

    def open_ssh(self, timeout: float = 60.0) -> None:
        """Authorize a fresh key pair for root, pin the container's host key read through podman, wait for sshd."""
        shutil.rmtree(self.ssh_dir, ignore_errors=True)
        self.ssh_dir.mkdir(mode=0o700)
        key = self.ssh_dir / "id_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, capture_output=True)
        keys = "/root/.ssh/authorized_keys"
        authorize = "install -d -m 0700 /root/.ssh && cat > %s && chmod 0600 %s" % (keys, keys)
        proc = subprocess.run(
            ["podman", "exec", "-i", self.name, "sh", "-c", authorize],
            input=(self.ssh_dir / "id_ed25519.pub").read_text(), capture_output=True, text=True, env=project_env(),
        )  # fmt: skip
        if proc.returncode != 0:
            raise StandInError("could not authorize the SSH key in %s: %s" % (self.name, proc.stderr.strip()))
        self.address = podman("inspect", "--format", "{{.NetworkSettings.IPAddress}}", self.name).stdout.strip()
        host_key = self.exec("cat", "/etc/ssh/ssh_host_ed25519_key.pub").stdout.split()[:2]
        (self.ssh_dir / "known_hosts").write_text("%s %s\n" % (self.address, " ".join(host_key)))
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection((self.address, 22), timeout=2).close()
                return
            except OSError as exc:
                if time.monotonic() > deadline:
                    raise StandInError("sshd in %s (%s) did not answer: %s" % (self.name, self.address, exc)) from exc
                time.sleep(0.3)

    def close_ssh(self) -> None:
        """Stop the ControlPersist master (if any) and remove the key pair."""
        if self.ssh_dir.exists():
            subprocess.run(
                ["ssh", "-o", "ControlPath=%s/cm-%%C" % self.ssh_dir, "-O", "exit", "root@%s" % (self.address or "x")],
                capture_output=True, check=False,
            )  # fmt: skip
            shutil.rmtree(self.ssh_dir, ignore_errors=True)

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
            "ansible_connection": "ansible.builtin.ssh",
            "ansible_host": self.address,
            "ansible_user": "root",
            "ansible_ssh_private_key_file": str(self.ssh_dir / "id_ed25519"),
            "ansible_ssh_common_args": "-o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s "
            "-o ControlPath=%s/cm-%%C" % (self.ssh_dir / "known_hosts", self.ssh_dir),
            "ansible_python_interpreter": "/usr/bin/python3",
        }

    def remove(self, volume: bool = False) -> None:
        """Remove the container (and its named volume, with ``volume``); nothing happens when they do not exist."""
        self.close_ssh()
        podman("rm", "-f", "-t", "0", self.name, check=False)
        if volume and not isinstance(self.efs, Path):
            podman("volume", "rm", "-f", self.efs, check=False)
