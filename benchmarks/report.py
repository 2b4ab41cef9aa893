"""report: onegate_log_report's aggregation on a large received file, in lines/s and peak memory, against `grep -c`
and a plain `json.loads` loop over the same file, in the same run.

The file is OneGate-shaped, as rsyslog stores what OneGate forwards (RSYSLOG_FileFormat, JSON message), with the five
kinds built by plugins/module_utils/_onegate_payloads.py. Logins and SSO dominate (user logins 40 %, SSO 30 %,
certificates 12 %, administrator logins 10 %, syncs 8 %), users and addresses vary, and about 2 % are warnings (failed
logins).
The lines span 7 days. About 1 % are bad: 0.5 % cut off in the middle of the JSON, 0.3 % text that is not JSON,
0.1 % binary garbage, 0.1 % the delivery proof's test records (excluded, not bad, but not OneGate's either).

Each measurement runs in its own process, so that its peak memory is its own: VmHWM of the Python child (the
resident set at its highest, interpreter included), grep's through GNU time. Lines/s are lines of the file / wall
seconds; the CPU seconds of the child are printed too, because the machine is shared. Two sizes show that memory
does not grow with the file. Repeats are interleaved (grep, json, aggregate, grep, ...); medians are reported.

    benchmarks/report.py [--quick] [--sizes 1000000 3000000] [--repeats 3] [--python PYTHON ...] [--baseline REV]

With ``--baseline REV`` (a git revision, e.g. the commit before a change), that revision's module_utils is exported
under .cache/bench/ and its aggregate runs in the same repeats, interleaved with this checkout's, under each
interpreter ("before pyX.Y" next to "aggregate pyX.Y"): a before/after comparison of one run, on the same load.

The measured programs are in report_child.py (standard library only, Python 3.9 syntax), so that `--python` can run
them with the receiver's interpreter: Amazon Linux 2023's python3 is 3.9, which is slower than the controller's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_kinds, _onegate_payloads, _rfc5424

TAG = "report"
GENERATOR_VERSION = 1  # bump when generate() changes what it writes
MIX = [("user_login", 40), ("sso_access", 30), ("cert_issue", 12), ("admin_login", 10), ("sync", 8)]
assert sorted(k for k, _ in MIX) == sorted(_onegate_kinds.KINDS), "MIX weighs every kind of the table"
TARGET_LINES_PER_S = 200_000
TARGET_PEAK_MB = 100
CHILD = Path(__file__).resolve().parent / "report_child.py"


def generate(path: Path, n: int, seed: int = 14) -> dict:
    """Write n lines; returns what was written (by kind and by bad sort), so the aggregate can be checked."""
    rnd = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    start = datetime.datetime(2025, 1, 15, tzinfo=datetime.timezone.utc)
    span = 7 * 86400
    written = {"lines": n, "kinds": {}, "cut": 0, "text": 0, "binary": 0, "test": 0, "warn": 0}
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        for i in range(n):
            when = start + datetime.timedelta(seconds=span * i / n)
            stamp = _rfc5424.rfc3339(when)
            roll = rnd.random()
            if roll < 0.001:
                out.write(bytes(rnd.randrange(256) for _ in range(rnd.randrange(20, 200))).replace(b"\n", b"") + b"\n")
                written["binary"] += 1
                continue
            if roll < 0.004:
                out.write(("%s netattest-tlssyslog-vm systemd[1]: Started session %d of user ec2-user.\n"
                           % (stamp, i)).encode())  # fmt: skip
                written["text"] += 1
                continue
            kind = kinds[rnd.randrange(len(kinds))]
            failed = _onegate_kinds.BY_KIND[kind].failure_message  # the logins a password can fail
            severity = "warning" if failed and rnd.random() < 0.025 else "info"
            payload = _onegate_payloads.kind_payload(kind, now=when, index=rnd.randrange(5000), severity=severity)
            if severity == "warning":
                payload["message"] = failed
                payload["params"]["code"] = payload["params"]["code"][:7] + "W-002001"
            if roll < 0.005:
                payload["verify_run"] = "verify-%d" % i
                written["test"] += 1
            text = "%s OneGate manager %s" % (stamp, _onegate_payloads.to_json(payload))
            if 0.005 <= roll < 0.01:
                text = text[: rnd.randrange(60, len(text) - 2)]
                written["cut"] += 1
            elif roll >= 0.005:
                written["kinds"][payload["log_type"]] = written["kinds"].get(payload["log_type"], 0) + 1
                written["warn"] += severity == "warning"
            out.write(text.encode() + b"\n")
    tmp.rename(path)
    return written


def the_file(n: int) -> tuple[Path, dict]:
    """The benchmark file for n lines, generated once and kept under .cache/bench/."""
    common.WORK.mkdir(parents=True, exist_ok=True)
    path = common.WORK / ("report-v%d-%d.log" % (GENERATOR_VERSION, n))
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text())
    start = time.monotonic()
    written = generate(path, n)
    meta.write_text(json.dumps(written))
    common.say(TAG, "generated %s (%d lines, %.0f MB) in %.0f s" % (path, n, path.stat().st_size / 1e6,
                                                                    time.monotonic() - start))  # fmt: skip
    return path, written


def baseline_tree(rev: str) -> Path:
    """The collection's plugins/ at ``rev``, exported once under .cache/bench/ as an ansible_collections tree."""
    sha = common.run(["git", "rev-parse", "--short", rev + "^{commit}"]).stdout.strip()
    top = common.WORK / ("baseline-" + sha)
    dest = top / "ansible_collections" / "netattest" / "tls_syslog"
    if not (dest / "plugins" / "module_utils" / "_log_report.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "plugins/module_utils"], cwd=common.ROOT, check=True,
                                 capture_output=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return top


def run_one(mode: str, path: Path, python: str = sys.executable, pythonpath: Path | None = None) -> dict:
    """One measurement in its own process: wall time around it, CPU from wait4(), peak memory as the program's own
    VmHWM (Python) or GNU time's %M for grep (its child's ru_maxrss: time itself is small, so nothing is inherited).
    ``python`` runs report_child.py (json and aggregate), with the collection from ``pythonpath`` (default: this
    checkout, linked in .cache/collections)."""
    env = common.env()
    if mode == "grep":
        timer = shutil.which("time") or "/usr/bin/time"
        grep = ["grep", "-a", "-c", "", str(path)]  # -a: binary lines are lines too (else NUL ends a line)
        cmd = [timer, "-f", "%M", *grep] if os.path.exists(timer) else grep
    else:
        cmd = [python, str(CHILD), mode, str(path)]
        env["PYTHONPATH"] = str(pythonpath or common.ROOT / ".cache" / "collections")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError("%s failed (rc=%d): %s" % (" ".join(cmd), proc.returncode, err[-500:]))
    if mode == "grep":
        res = {"lines": int(out), "maxrss_mb": int(err.split()[-1]) / 1024 if cmd[0] != "grep" else None}
    else:
        res = json.loads(out)
    res.update(seconds=seconds, cpu=usage.ru_utime + usage.ru_stime)
    return res


def python_version(python: str) -> str:
    out = common.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.strip()
    return "py" + out


def main(quick=False, sizes=None, repeats=None, pythons=None, baseline=None):
    sizes = sizes or ([100_000, 300_000] if quick else [1_000_000, 3_000_000])
    repeats = repeats or (1 if quick else 3)
    pythons = pythons or [sys.executable]
    info = common.machine()
    common.print_machine(TAG, info)
    # the programs, in the order of each repeat: grep, then the json loop and the aggregate under each interpreter
    programs = {"grep": ("grep", None, None)}
    before = baseline_tree(baseline) if baseline else None
    for python in pythons:
        version = python_version(python)
        programs["json " + version] = ("json", python, None)
        if before:
            programs["before " + version] = ("aggregate", python, before)
        programs["aggregate " + version] = ("aggregate", python, None)
    common.say(TAG, "config: sizes %s lines, %d repeats, mix %s, ~1 %% bad lines, 7 days; interpreters %s; targets "
               ">= %d lines/s and peak < %d MB" % (sizes, repeats, MIX, ", ".join(pythons), TARGET_LINES_PER_S,
                                                   TARGET_PEAK_MB))  # fmt: skip
    results = {"machine": info, "pythons": pythons, "baseline": baseline and before.name, "sizes": {}}
    for n in sizes:
        path, written = the_file(n)
        mb = path.stat().st_size / 1e6
        runs = {name: [] for name in programs}
        for rep in range(1, repeats + 1):
            for name, (mode, python, tree) in programs.items():
                busy = common.CpuTimes()
                r = run_one(mode, path, python, tree) if python else run_one(mode, path)
                r["host_busy"] = busy.busy_share()
                r["loadavg"] = common.loadavg()
                runs[name].append(r)
                common.say(TAG, "%d lines rep %d %-14s %6.2f s (cpu %6.2f s) %9.0f lines/s, peak %6s MB, host busy "
                           "%3.0f%%, load %s" % (n, rep, name, r["seconds"], r["cpu"], n / r["seconds"],
                                                  r["maxrss_mb"], 100 * r["host_busy"], r["loadavg"]))  # fmt: skip
        expect_events = sum(written["kinds"].values())
        checks = {"grep_lines": runs["grep"][0]["lines"] == n}
        for name, (mode, _python, _tree) in programs.items():
            if mode == "aggregate":
                agg = runs[name][0]
                checks[name] = (
                    agg["lines"] == n
                    and agg["events"] == expect_events
                    and agg["excluded"] == written["test"]
                    and agg["unparsable"] == written["cut"] + written["text"] + written["binary"]
                )
        summary = {}
        for name, rs in runs.items():
            sec = common.median([r["seconds"] for r in rs])
            cpu = common.median([r["cpu"] for r in rs])
            summary[name] = {
                "seconds": round(sec, 3),
                "cpu": round(cpu, 3),
                "lines_per_s": round(n / sec),
                "lines_per_cpu_s": round(n / cpu) if cpu else None,
                "peak_mb": round(max(r["maxrss_mb"] for r in rs), 1) if rs[0]["maxrss_mb"] is not None else None,
            }
        common.say(TAG, "%d lines (%.0f MB): medians of %d" % (n, mb, repeats))
        for name, m in summary.items():
            common.say(TAG, "  %-14s %7.2f s  %9d lines/s  (%9s lines per CPU second)  peak %6s MB" % (
                name, m["seconds"], m["lines_per_s"], m["lines_per_cpu_s"], m["peak_mb"]))  # fmt: skip
        for name, (mode, _python, _tree) in programs.items():
            if mode != "aggregate":
                continue
            m = summary[name]
            reference = summary["json " + name.split(" ", 1)[1]]
            common.say(TAG, "  %s / its json.loads loop: %.2f x the time; / grep -c: %.1f x; targets: %d lines/s %s, "
                       "peak %.1f MB %s; counts as generated: %s" % (
                name, m["seconds"] / reference["seconds"], m["seconds"] / summary["grep"]["seconds"],
                m["lines_per_s"], "met" if m["lines_per_s"] >= TARGET_LINES_PER_S else "NOT met",
                m["peak_mb"], "met" if m["peak_mb"] < TARGET_PEAK_MB else "NOT met",
                "yes" if checks[name] else "NO"))  # fmt: skip
            if name.startswith("aggregate ") and ("before " + name[10:]) in summary:
                old = summary["before " + name[10:]]
                common.say(TAG, "  %s / %s: %.3f x the time (%+.1f %%), %.3f x the CPU, peak %.1f -> %.1f MB" % (
                    name, "before " + name[10:], m["seconds"] / old["seconds"],
                    100 * (m["seconds"] / old["seconds"] - 1), m["cpu"] / old["cpu"], old["peak_mb"],
                    m["peak_mb"]))  # fmt: skip
        results["sizes"][n] = {"file_mb": round(mb, 1), "written": written, "runs": runs, "medians": summary,
                               "checks": checks}  # fmt: skip
    common.say(TAG, "results: %s" % common.save(TAG, results))
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="+")
    ap.add_argument("--repeats", type=int)
    ap.add_argument(
        "--python",
        action="append",
        dest="pythons",
        help="an interpreter to run the json loop and the aggregate with (repeatable; default: this one). Amazon "
        "Linux 2023 runs the module with its python3, 3.9: pass a 3.9 to see the receiver's figure",
    )
    ap.add_argument("--baseline", help="a git revision whose aggregate runs next to this checkout's (before/after)")
    a = ap.parse_args()
    main(quick=a.quick, sizes=a.sizes, repeats=a.repeats, pythons=a.pythons, baseline=a.baseline)
