#!/usr/bin/env python3
"""suite_cpu: where the CPU of a whole `make test` goes, by stage and by playbook (issue 23).

    benchmarks/suite_cpu.py [--out FILE] -- COMMAND...      e.g. benchmarks/suite_cpu.py -- bash .ci/run

`make test` is CPU-bound on two cores, so what shortens it is less CPU, and this says where the CPU is. It runs
COMMAND under the kernel's process accounting (acct(2), `accton` from Debian's acct package; root only): every process
that ends, containers' included, leaves its CPU time, its parent and its start. Meanwhile it notes the command line
of every process it sees (twice a second), because accounting keeps only 16 characters of the name. After the run,
each process is charged to the stage of its nearest known ancestor: a molecule scenario, a pytest target, sanity,
lint or set-up; and to the top-level ansible-playbook run it belongs to. Processes in the containers (sshd, the
modules' python3, rsyslogd) are charged to "containers" when their ancestry ends at conmon.

Figures, never pass/fail; the table goes to stdout and, with --out, to a JSON file. A process still running when
COMMAND ends is not counted (acct records a process when it ends).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ACCT_RECORD = 64  # struct acct_v3 (linux/acct.h)
AHZ = 100.0


def _comp(value: int) -> int:
    """comp_t: 13-bit mantissa, 3-bit base-8 exponent."""
    return (value & 0x1FFF) << (3 * (value >> 13))


def read_acct(path: Path) -> list[dict]:
    out = []
    data = path.read_bytes()
    for i in range(0, len(data) - ACCT_RECORD + 1, ACCT_RECORD):
        rec = data[i : i + ACCT_RECORD]
        _flag, version, _tty, _exit, _uid, _gid, pid, ppid, btime, etime = struct.unpack("<BBHIIIIIIf", rec[:32])
        if version & 0x0F != 3:
            continue
        utime, stime = struct.unpack("<HH", rec[32:36])
        comm = rec[48:64].split(b"\0")[0].decode(errors="replace")
        out.append(
            {
                "pid": pid,
                "ppid": ppid,
                "start": float(btime),
                "end": btime + etime / AHZ,
                "name": comm,
                "cpu": (_comp(utime) + _comp(stime)) / AHZ,
            }
        )
    return out


class Watcher(threading.Thread):
    """Notes (pid, start) -> (ppid, command line) of every process, twice a second."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seen: dict[tuple[int, float], tuple[int, str]] = {}
        self.stop = threading.Event()
        with open("/proc/stat") as f:
            self.boot = int(next(line for line in f if line.startswith("btime")).split()[1])

    def run(self):
        while not self.stop.is_set():
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    with open("/proc/%s/stat" % d) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    key = (int(d), self.boot + int(fields[19]) / AHZ)
                    if key in self.seen:
                        continue
                    with open("/proc/%s/cmdline" % d, "rb") as f:
                        cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
                    self.seen[key] = (int(fields[1]), cmd[:3000])
                except (OSError, IndexError, ValueError):
                    pass
            self.stop.wait(0.5)


def _playbook(cmd: str) -> str | None:
    """The playbook of an ansible-playbook command line (not an inventory, not an @extra-vars file)."""
    words = cmd.split()
    for i, word in enumerate(words):
        if word.endswith((".yml", ".yaml")) and not word.startswith("@") and words[i - 1] not in ("-i", "--inventory"):
            return "/".join(word.split("/")[-2:])
    return None


def attribute(records: list[dict], seen: dict) -> tuple[collections.Counter, collections.Counter]:
    """CPU seconds by stage, and by (stage, top-level playbook or program)."""
    by_pid = collections.defaultdict(list)
    for r in records:
        by_pid[r["pid"]].append(r)
    for (pid, start), (ppid, cmd) in seen.items():
        match = [r for r in by_pid.get(pid, []) if abs(r["start"] - start) < 2.5]
        if match:
            if cmd:
                match[-1]["cmd"] = cmd
        else:
            by_pid[pid].append(
                {"pid": pid, "ppid": ppid, "start": start, "end": 1e12, "name": "", "cmd": cmd, "cpu": 0}
            )

    def parent(r):
        for p in by_pid.get(r["ppid"], []):
            if p["start"] - 2 <= r["start"] <= p["end"] + 2:
                return p
        return None

    def stage_of(r):
        playbook = None
        for _ in range(100):
            if r is None:
                break
            cmd = r.get("cmd") or r["name"]
            if "ansible-playbook" in cmd:
                found = _playbook(cmd)
                playbook = found or playbook  # the outermost run wins (walking up)
            if re.match(r"(\S*/)?conmon ", cmd):
                name = re.search(r" -n (\S+)", cmd)
                return "containers", re.sub(r"\d+", "N", name.group(1)) if name else "?"
            m = re.search(r"molecule (?:test|destroy|converge|verify) -s (\S+)", cmd)
            if m:
                return "molecule " + m.group(1), playbook
            if "ansible-test sanity" in cmd or "scripts/sanity.sh" in cmd:
                return "sanity", playbook
            m = re.search(r"-m pytest (.*)", cmd)
            if m:
                args = m.group(1)
                if "--ignore" in args:
                    return "pytest integration_receiver", playbook
                target = re.search(r"(tests/\S+)", args)
                return "pytest " + (target.group(1) if target else args[:40]), playbook
            if re.search(r"\b(ansible-lint|ruff|yamllint|vermin|antsibull-changelog)\b", cmd):
                return "lint", playbook
            if re.search(r"scripts/setup\.sh|pip install", cmd):
                return "set-up", playbook
            r = parent(r)
        return "other", playbook

    stages, parts = collections.Counter(), collections.Counter()
    for r in records:
        stage, playbook = stage_of(r)
        stages[stage] += r["cpu"]
        parts[(stage, playbook or r["name"])] += r["cpu"]
    return stages, parts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="also write the figures as JSON here")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("give the command to measure after --")
    if os.geteuid() != 0:
        ap.error("process accounting needs root")
    with tempfile.TemporaryDirectory(prefix="netattest-suite-cpu-") as tmp:
        acct = Path(tmp) / "pacct"
        acct.touch()
        subprocess.run(["accton", str(acct)], check=True, capture_output=True)
        watcher = Watcher()
        watcher.start()
        start = time.monotonic()
        try:
            rc = subprocess.run(command, check=False).returncode
        finally:
            wall = time.monotonic() - start
            watcher.stop.set()
            watcher.join()
            subprocess.run(["accton", "off"], check=False, capture_output=True)
        stages, parts = attribute(read_acct(acct), watcher.seen)
    total = sum(stages.values())
    print("[suite_cpu] %s: rc %d, %.0f s wall, %.0f s CPU (%.2f cores busy on average)" % (
        " ".join(command), rc, wall, total, total / wall))  # fmt: skip
    for stage, cpu in stages.most_common():
        print("[suite_cpu]   %-40s %7.0f s" % (stage, cpu))
    print("[suite_cpu] the largest parts (stage, top-level playbook or program):")
    for (stage, part), cpu in parts.most_common(40):
        print("[suite_cpu]   %-32s %-48s %7.0f s" % (stage, part[:48], cpu))
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "command": command,
                    "rc": rc,
                    "wall_s": round(wall, 1),
                    "cpu_s": round(total, 1),
                    "stages": {k: round(v, 1) for k, v in stages.most_common()},
                    "parts": [[s, p, round(v, 1)] for (s, p), v in parts.most_common(200)],
                },
                indent=1,
            )
        )
    return rc


if __name__ == "__main__":
    sys.exit(main())
