"""Where the checkout is, the environment every command of the local pipeline runs in, the image, free ports."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[3]
COLLECTIONS = ROOT / ".cache" / "collections"
IMAGE_ENV = ROOT / "tests" / "podman" / "image.env"


def image_settings(path: Path = IMAGE_ENV) -> dict[str, str]:
    """The NAME=value lines of tests/podman/image.env (the shell scripts source the same file)."""
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


IMAGE = image_settings()["NETATTEST_IMAGE"]
#: The Amazon Linux 2023 stand-in (scripts/build-al2023-image.sh): what a user's instance runs, so the default of the
#: local pipeline (make demo, the e2e test). IMAGE, Debian 12, is the other platform the role supports.
AL2023_IMAGE = image_settings()["NETATTEST_AL2023_IMAGE"]
PLATFORMS = {"al2023": AL2023_IMAGE, "debian": IMAGE}


def project_env(root: Path = ROOT, base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: os.environ) with what the Makefile exports: .venv/bin first on PATH, containers.conf, the
    checkout's ansible.cfg and collection link; no colour; PWD is ``root`` (commands run there)."""
    env = dict(os.environ if base is None else base)
    env.update(
        PATH="%s:%s" % (root / ".venv" / "bin", env.get("PATH", "")),
        CONTAINERS_CONF=str(root / "tests" / "podman" / "containers.conf"),
        ANSIBLE_CONFIG=str(root / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(root / ".cache" / "collections"),
        ANSIBLE_LOCAL_TEMP=str(root / ".cache" / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        PYTHONDONTWRITEBYTECODE="1",
        PWD=str(root),
    )
    env.update(extra)
    return env


def import_collection(root: Path = ROOT) -> None:
    """Make ansible_collections.netattest.tls_syslog importable (scripts/setup.sh links the checkout there)."""
    path = str(root / ".cache" / "collections")
    if not (Path(path) / "ansible_collections" / "netattest" / "tls_syslog").is_dir():
        raise RuntimeError("run scripts/setup.sh first: it links this checkout as the collection in .cache/collections")
    if path not in sys.path:
        sys.path.insert(0, path)


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(ports: Iterable[int] | None = None, handed_out: set[int] | None = None, host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now: any (the kernel's choice) without ``ports``, else the
    first of ``ports`` that is free and not in ``handed_out`` (which then records it)."""
    if ports is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            return sock.getsockname()[1]
    for port in ports:
        if (handed_out is None or port not in handed_out) and port_is_free(port, host):
            if handed_out is not None:
                handed_out.add(port)
            return port
    raise RuntimeError("no free port in %s" % ports)


RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


def recap(text: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP of an ansible-playbook output: {host: {ok, changed, unreachable, failed, skipped}}."""
    keys = ("ok", "changed", "unreachable", "failed", "skipped")
    return {m[0]: dict(zip(keys, map(int, m[1:]))) for m in RECAP.findall(text)}


def run_local_play(play: list[dict], work: Path, root: Path = ROOT) -> subprocess.CompletedProcess:
    """Write ``play`` (a playbook as data) to ``work`` and run it with ansible-playbook on localhost, in the project's
    environment (the role tests render and check the roles this way); the completed process, output captured."""
    playbook = work / "play.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
    return subprocess.run(
        [str(ansible_playbook), "-i", "localhost,", str(playbook)],
        cwd=root,
        env=project_env(root),
        capture_output=True,
        text=True,
        check=False,
    )
