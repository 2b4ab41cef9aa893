"""report: onegate_log_report's aggregation on a large received file, in lines/s and peak memory, against `grep -c`
and a plain `json.loads` loop over the same file, in the same run.

The file is OneGate-shaped, as rsyslog stores what OneGate forwards (RSYSLOG_FileFormat, JSON message), with the five
kinds built by module_utils/_onegate_payloads.py. Logins and SSO dominate (user logins 40 %, SSO 30 %, certificates
12 %, administrator logins 10 %, syncs 8 %), users and addresses vary, and about 2 % are warnings (failed logins).
The lines span 7 days. About 1 % are bad: 0.5 % cut off in the middle of the JSON, 0.3 % text that is not JSON,
0.1 % binary garbage, 0.1 % the delivery proof's test records (excluded, not bad, but not OneGate's either).

Each measurement runs in its own process, so that its peak memory is its own: VmHWM of the Python child (the
resident set at its highest, interpreter included), grep's through GNU time. Lines/s are lines of the file / wall
seconds; the CPU seconds of the child are printed too, because the machine is shared. Two sizes show that memory
does not grow with the file. Repeats are interleaved (grep, json, aggregate, grep, ...); medians are reported.

    benchmarks/report.py [--quick] [--sizes 1000000 3000000] [--repeats 3]
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

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_payloads, _rfc5424

TAG = "report"
GENERATOR_VERSION = 1  # bump when generate() changes what it writes
MIX = [("user_login", 40), ("sso_access", 30), ("cert_issue", 12), ("admin_login", 10), ("sync", 8)]
TARGET_LINES_PER_S = 200_000
TARGET_PEAK_MB = 100


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
            severity = "warning" if kind in ("user_login", "admin_login") and rnd.random() < 0.025 else "info"
            payload = _onegate_payloads.kind_payload(kind, now=when, index=rnd.randrange(5000), severity=severity)
            if severity == "warning":
                payload["message"] = "Login failed."
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


# ---- the measured programs (each in its own process) ---------------------------------------------------------------
def measure_json(path: str) -> dict:
    """A plain loop: split off the header, json.loads the message, count what parses."""
    ok = bad = 0
    with open(path, "rb") as handle:
        for line in handle:
            try:
                json.loads(line.split(b" ", 3)[3])
                ok += 1
            except (ValueError, IndexError):
                bad += 1
    return {"ok": ok, "bad": bad}


def measure_aggregate(path: str) -> dict:
    from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_report import report

    res = report(path)
    return {
        "lines": res["lines"],
        "events": res["events"],
        "unparsable": res["unparsable"]["count"],
        "excluded": res["excluded_test_records"]["count"],
        "by_log_type": {t["log_type"]: t["count"] for t in res["by_log_type"]},
        "problems": res["problems"]["count"],
        "buckets": len(res["timeline"]["buckets"]),
    }


def child(mode: str, path: str) -> None:
    out = {"json": measure_json, "aggregate": measure_aggregate}[mode](path)
    out["maxrss_mb"] = vm_hwm_mb()
    print(json.dumps(out))


def vm_hwm_mb() -> float:
    """This process's peak resident set (VmHWM). Unlike ru_maxrss it is not carried over from the parent through
    fork and exec (Linux keeps the larger of the two in ru_maxrss), so it is the measured program's own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_one(mode: str, path: Path) -> dict:
    """One measurement in its own process: wall time around it, CPU from wait4(), peak memory as the program's own
    VmHWM (Python) or GNU time's %M for grep (its child's ru_maxrss: time itself is small, so nothing is inherited)."""
    if mode == "grep":
        timer = shutil.which("time") or "/usr/bin/time"
        grep = ["grep", "-a", "-c", "", str(path)]  # -a: binary lines are lines too (else NUL ends a line)
        cmd = [timer, "-f", "%M", *grep] if os.path.exists(timer) else grep
    else:
        cmd = [sys.executable, __file__, "--child", mode, str(path)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=common.env())
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


def main(quick=False, sizes=None, repeats=None):
    sizes = sizes or ([100_000, 300_000] if quick else [1_000_000, 3_000_000])
    repeats = repeats or (1 if quick else 3)
    info = common.machine()
    common.print_machine(TAG, info)
    common.say(TAG, "config: sizes %s lines, %d repeats, mix %s, ~1 %% bad lines, 7 days; targets >= %d lines/s and "
               "peak < %d MB" % (sizes, repeats, MIX, TARGET_LINES_PER_S, TARGET_PEAK_MB))  # fmt: skip
    results = {"machine": info, "sizes": {}}
    for n in sizes:
        path, written = the_file(n)
        mb = path.stat().st_size / 1e6
        runs = {"grep": [], "json": [], "aggregate": []}
        for rep in range(1, repeats + 1):
            for mode in runs:
                busy = common.CpuTimes()
                r = run_one(mode, path)
                r["host_busy"] = busy.busy_share()
                r["loadavg"] = common.loadavg()
                runs[mode].append(r)
                common.say(TAG, "%d lines rep %d %-9s %6.2f s (cpu %6.2f s) %9.0f lines/s, peak %6s MB, host busy "
                           "%3.0f%%, load %s" % (n, rep, mode, r["seconds"], r["cpu"], n / r["seconds"],
                                                  r["maxrss_mb"], 100 * r["host_busy"], r["loadavg"]))  # fmt: skip
        agg = runs["aggregate"][0]
        expect_events = sum(written["kinds"].values())
        checks = {
            "lines": agg["lines"] == n,
            "events": agg["events"] == expect_events,
            "excluded": agg["excluded"] == written["test"],
            "unparsable": agg["unparsable"] == written["cut"] + written["text"] + written["binary"],
            "grep_lines": runs["grep"][0]["lines"] == n,
        }
        summary = {}
        for mode, rs in runs.items():
            sec = common.median([r["seconds"] for r in rs])
            cpu = common.median([r["cpu"] for r in rs])
            summary[mode] = {
                "seconds": round(sec, 3),
                "cpu": round(cpu, 3),
                "lines_per_s": round(n / sec),
                "lines_per_cpu_s": round(n / cpu) if cpu else None,
                "peak_mb": round(max(r["maxrss_mb"] for r in rs), 1) if rs[0]["maxrss_mb"] is not None else None,
            }
        common.say(TAG, "%d lines (%.0f MB): medians of %d" % (n, mb, repeats))
        for mode, s in summary.items():
            common.say(TAG, "  %-9s %7.2f s  %9d lines/s  (%9s lines per CPU second)  peak %6s MB" % (
                mode, s["seconds"], s["lines_per_s"], s["lines_per_cpu_s"], s["peak_mb"]))  # fmt: skip
        ratio = summary["aggregate"]["seconds"] / summary["json"]["seconds"]
        common.say(TAG, "  aggregate / json.loads loop: %.2f x the time; aggregate / grep -c: %.1f x" % (
            ratio, summary["aggregate"]["seconds"] / summary["grep"]["seconds"]))  # fmt: skip
        common.say(TAG, "  targets: %d lines/s %s, peak %.1f MB %s; counts as generated: %s" % (
            summary["aggregate"]["lines_per_s"],
            "met" if summary["aggregate"]["lines_per_s"] >= TARGET_LINES_PER_S else "NOT met",
            summary["aggregate"]["peak_mb"],
            "met" if summary["aggregate"]["peak_mb"] < TARGET_PEAK_MB else "NOT met",
            "all" if all(checks.values()) else checks))  # fmt: skip
        results["sizes"][n] = {"file_mb": round(mb, 1), "written": written, "runs": runs, "medians": summary,
                               "aggregate_result": agg, "checks": checks}  # fmt: skip
    common.say(TAG, "results: %s" % common.save(TAG, results))
    return results


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        sys.exit(0)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="+")
    ap.add_argument("--repeats", type=int)
    a = ap.parse_args()
    main(quick=a.quick, sizes=a.sizes, repeats=a.repeats)
