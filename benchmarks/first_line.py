"""first-line: from the README's first command on a clean checkout to the first OneGate line stored.

A fresh ``git clone`` of this repository (its committed HEAD) into a temporary directory, then what ``make demo`` does
there: ``make setup`` (scripts/setup.sh: Debian packages, the clone's own .venv and sanity venv, the collection link,
the image), then the local pipeline's steps (as `make demo`) up to the five OneGate kinds sent from outside and read
back (run by first_line_driver.py under our container name and ports). Measured: wall clock from just before
``git clone`` to

- ``first_line_stored``: the timestamp of the first line in the receiver's file (verify.yml's message during
  site.yml's receiver run; 1 s resolution), and
- ``five_kinds``: the five kinds sent from the host through the published port and read back.

"Empty cache" here: a new clone (no .venv, no .cache), pip's cache pointed at a new empty directory
(PIP_CACHE_DIR, XDG_CACHE_HOME). Not empty, and said so in the output: the Debian packages are already installed
(setup.sh skips apt), the container image localhost/netattest-debian-systemd:12-v5 is already built (setup.sh skips
mmdebstrap), and pip reads this machine's local wheel directories/indexes configured in pip.conf. --quick skips the
set-up: it reuses this checkout's .venv (a warm start), and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import common
from netattest_local.pipeline import FIRST_LINE_STEPS

TAG = "first-line"


def clean_env(tmp: Path) -> dict:
    """The environment of a user who just opened a shell: none of our exports, an empty pip cache."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "CONTAINERS_", "PIP_", "VIRTUAL_ENV"))}
    e["PATH"] = ":".join(p for p in os.environ.get("PATH", "").split(":") if "/.venv/" not in p)
    e["PIP_CACHE_DIR"] = str(tmp / "pip-cache")
    e["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")
    e["HOME"] = os.environ.get("HOME", "/root")
    return e


def pip_sources() -> str:
    return common.run(["pip3", "config", "list"], check=False).stdout.strip().replace("\n", "; ") or "(none)"


def main(quick=False):
    info = common.machine()
    common.print_machine(TAG, info)
    tmp = Path(tempfile.mkdtemp(prefix="netattest-bench-first-line-"))
    env = clean_env(tmp)
    repo = tmp / "repo"
    marks = {}
    result = {"benchmark": TAG, "machine": info, "mode": "warm (this checkout's .venv reused)" if quick else "cold"}
    common.say(
        TAG,
        "config: git clone %s (HEAD %s) into %s; %s; pip cache %s (new, empty); pip sources: %s; Debian "
        "packages and the image already present"
        % (
            common.ROOT,
            common.run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip(),
            repo,
            result["mode"],
            env["PIP_CACHE_DIR"],
            pip_sources(),
        ),
    )
    try:
        t0 = time.time()
        subprocess.run(["git", "clone", "-q", str(common.ROOT), str(repo)], check=True, env=env)
        marks["clone"] = time.time()
        if quick:
            link = repo / ".cache" / "collections" / "ansible_collections" / "netattest"
            link.mkdir(parents=True)
            (link / "tls_syslog").symlink_to(repo)
            python = str(common.ROOT / ".venv" / "bin" / "python")
            env["PATH"] = "%s:%s" % (common.ROOT / ".venv" / "bin", env["PATH"])
        else:
            with open(tmp / "setup.log", "w") as log:
                proc = subprocess.run(
                    ["make", "-C", str(repo), "setup"], env=env, stdout=log, stderr=subprocess.STDOUT, check=False
                )
            if proc.returncode != 0:
                raise RuntimeError("make setup failed in the clone: %s" % (tmp / "setup.log").read_text()[-2000:])
            marks["setup"] = time.time()
            python = str(repo / ".venv" / "bin" / "python")
        proc = subprocess.run(
            [python, str(common.BENCH / "first_line_driver.py"), str(repo)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=repo,
        )
        line = [x for x in proc.stdout.splitlines() if x.startswith("FIRST-LINE-RESULT ")]
        if proc.returncode != 0 or not line:
            raise RuntimeError("the demo steps failed in the clone: %s %s" % (proc.stdout[-2000:], proc.stderr[-2000:]))
        marks.update(json.loads(line[0].split(" ", 1)[1]))
        seconds = {
            k: round(v - t0, 1) for k, v in marks.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        result.update(seconds_from_clone=seconds, first_line=marks.get("first_line"))
        prev = 0.0
        for s in ["clone", "setup", *FIRST_LINE_STEPS]:
            if s in seconds:
                common.say(TAG, "  %-18s done at %6.1f s (+%.1f s)" % (s, seconds[s], seconds[s] - prev))
                prev = seconds[s]
        common.say(
            TAG,
            "first OneGate line stored at %s s after `git clone` (its timestamp, 1 s resolution); the five "
            "kinds sent from outside were read back at %s s (%s); load %s"
            % (seconds.get("first_line_stored"), seconds.get("five_kinds"), result["mode"], common.loadavg()),
        )
    finally:
        common.remove_container("netattest-bench-first-line")
        common.podman("volume", "rm", "-f", "netattest-bench-first-line-efs", check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    result["loadavg_end"] = common.loadavg()
    common.say(TAG, "results: %s" % common.save(TAG, result))
    return result


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)
