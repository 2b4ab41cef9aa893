"""The programs that benchmarks/report.py measures, each run in its own process: a plain `json.loads` loop and the
module's aggregation (`_log_report.report()`). Standard library only, and no syntax past Python 3.9, so that the
receiver's interpreter runs it too: Amazon Linux 2023's `python3` is 3.9, and that is what runs the module there.

    python benchmarks/report_child.py json|aggregate FILE     (prints one JSON line: the counts and the peak memory)

The collection is found through PYTHONPATH (report.py passes .cache/collections, where scripts/setup.sh links it).
"""

import json
import sys
from pathlib import Path


def measure_json(path):
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


def measure_aggregate(path):
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


def vm_hwm_mb():
    """This process's peak resident set (VmHWM). Unlike ru_maxrss it is not carried over from the parent through
    fork and exec (Linux keeps the larger of the two in ru_maxrss), so it is the measured program's own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(mode, path):
    out = {"json": measure_json, "aggregate": measure_aggregate}[mode](path)
    out["maxrss_mb"] = vm_hwm_mb()
    out["python"] = "%d.%d.%d" % sys.version_info[:3]
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("json", "aggregate"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
