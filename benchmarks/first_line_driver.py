"""Run by first_line.py with the clone's own Python: the clone's local pipeline (tests/lib/netattest_local), from its
first step to the first OneGate lines read back from outside, under our container name and ports. Prints one JSON
line of wall-clock times."""

from __future__ import annotations

import calendar
import json
import re
import sys
import time
from pathlib import Path

NAME = "netattest-bench-first-line"
PORTS = range(17050, 17101)


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    sys.path.insert(0, str(root / "tests" / "lib"))
    from netattest_local import Pipeline, free_port
    from netattest_local.pipeline import FIRST_LINE_STEPS

    used: set[int] = set()
    d = Pipeline(root / "demo", NAME, port=free_port(PORTS, used), moto_port=free_port(PORTS, used), quiet=True)
    marks = {"driver_start": time.time()}
    ok = False
    try:
        for step in FIRST_LINE_STEPS:
            if not d.run([step]):
                raise RuntimeError("step %s failed" % step)
            marks[step] = time.time()
        # the first line stored on the receiver: verify.yml's, during site_receiver (RSYSLOG_FileFormat stamp)
        first = d.instance.read(d.verify_log).split("\n", 1)[0].strip()
        marks["first_line"] = first[:200]
        stamp = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)", first)
        if stamp:
            marks["first_line_stored"] = calendar.timegm(time.strptime(stamp.group(1), "%Y-%m-%dT%H:%M:%S"))
        ok = True
    finally:
        d.close()
    marks["ok"] = ok
    print("FIRST-LINE-RESULT " + json.dumps(marks))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
