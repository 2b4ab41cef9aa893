"""The local test CA (tests/pki/make_pki.yml, community.crypto) standing in for OneGate's CA: the server bundle in
OneGate's shape (encrypted PKCS#8 key + certificate) and the client certificates (aws-syslog, a same-CA intruder,
aws-syslog of another CA)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .env import ROOT, project_env

BUNDLE = "onegate-server.pem"


def make_pki(pki_dir: Path, passphrase: str, server_names: Iterable[str], log: Path) -> Path:
    """Issue everything into ``pki_dir`` (ansible's output to ``log``); the bundle's key is encrypted with
    ``passphrase``. Returns ``pki_dir``."""
    cmd = [
        "ansible-playbook", "tests/pki/make_pki.yml",
        "-e", "pki_dir=%s" % pki_dir,
        "-e", "pki_passphrase=%s" % passphrase,
        "-e", json.dumps({"pki_server_names": list(server_names)}),
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=project_env(), stdout=out, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError("tests/pki/make_pki.yml failed (rc=%d), see %s" % (proc.returncode, log))
    if not (pki_dir / BUNDLE).read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"):
        raise RuntimeError("the test CA's bundle is not in OneGate's shape")
    return pki_dir
