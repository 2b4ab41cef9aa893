#!/usr/bin/env python3
"""Run the benchmarks (`make bench`): ingest, restart, switch, converge, first-line, report, connection, or those named.

    benchmarks/run.py [--quick] [ingest] [restart] [switch] [converge] [first-line] [report] [connection]

Figures, never pass/fail: each benchmark prints the machine, its configuration, every run, medians over repeats and
ratios from the same run, and writes a JSON file to benchmarks/results/. Containers are named netattest-bench-*,
publish only on 127.0.0.1 (the receivers on ports the kernel picks, converge and first-line on 17000-17100), and are
removed at the end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

ORDER = ["ingest", "restart", "switch", "converge", "first-line", "report", "connection"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run: %s (default: all)" % ", ".join(ORDER))
    ap.add_argument("--quick", action="store_true", help="small sizes and one repeat (a smoke run, not figures)")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in ORDER]
    if unknown:
        ap.error("unknown benchmark(s) %s; choose from %s" % (", ".join(unknown), ", ".join(ORDER)))
    names = args.names or ORDER
    info = common.machine()
    common.print_machine("bench", info)
    common.say("bench", "running %s%s" % (", ".join(names), " (quick)" if args.quick else ""))
    left = common.remove_all_bench_containers()
    if left:
        common.say("bench", "removed leftovers of an earlier run: %s" % left)
    took, failed = {}, []
    for name in names:
        module = __import__(name.replace("-", "_"))
        start = time.monotonic()
        try:
            module.main(quick=args.quick)
        except Exception:  # one benchmark failing does not stop the others
            traceback.print_exc()
            failed.append(name)
        finally:
            took[name] = round(time.monotonic() - start, 1)
            common.remove_all_bench_containers()
    common.say(
        "bench",
        "took: %s; load average at the end %s" % (", ".join("%s %.0f s" % kv for kv in took.items()), common.loadavg()),
    )
    if failed:
        common.say("bench", "FAILED: %s" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
