"""Run by first_line.py with the clone's own Python: scripts/demo.py of the clone, from its first step to the first
OneGate lines read back, under our container name and ports. Prints one JSON line of wall-clock times."""

from __future__ import annotations

import calendar
import importlib.util
import json
import re
import socket
import sys
import time
from pathlib import Path

NAME = "netattest-bench-first-line"


def free_port(_used=set()):  # noqa: B006 - remembers what this process handed out
    for port in range(17050, 17101):
        if port in _used:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _used.add(port)
        return port
    raise RuntimeError("no free port in 17050-17100")


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    spec = importlib.util.spec_from_file_location("netattest_demo_first_line", root / "scripts" / "demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    demo.CONTAINER = NAME
    demo.VOLUME = NAME + "-efs"
    demo.moto_helper.free_port = free_port
    d = demo.Demo(root / "demo", keep=False, quiet=True)
    marks = {"driver_start": time.time()}
    ok = False
    try:
        for step in (
            "cleanup_leftovers",
            "start_moto",
            "start_container",
            "site_first_run",
            "make_pki",
            "site_second_run",
            "five_kinds",
        ):
            getattr(d, step)()
            marks[step] = time.time()
        # the first line stored on the receiver: verify.yml's, during site_second_run (RSYSLOG_FileFormat stamp)
        first = d.podman("exec", demo.CONTAINER, "head", "-n", "1", "/mnt/efs/fs1/local0.log").stdout.strip()
        marks["first_line"] = first[:200]
        stamp = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)", first)
        if stamp:
            marks["first_line_stored"] = calendar.timegm(time.strptime(stamp.group(1), "%Y-%m-%dT%H:%M:%S"))
        ok = True
    finally:
        d.stop_everything()
    marks["ok"] = ok
    print("FIRST-LINE-RESULT " + json.dumps(marks))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
