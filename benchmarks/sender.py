"""OneGate-shaped TLS senders for the benchmarks, built on the collection's _rfc5424, _onegate_payloads, _tls_client.

Every message carries {"bench": {"run": RUN, "conn": C, "seq": N}} in its JSON, so the receiver's file tells per
connection which sequence numbers landed (lost and duplicated are counted from that, never from the sender's view).

- ``blast``: one process per connection; all frames are built before the start signal, then written in batches as
  fast as TLS goes (the throughput test).
- ``paced``: one connection at a fixed rate that reconnects when the receiver goes away (the restart test).
- ``paced_nocert``: a client WITHOUT a certificate, a new connection per message (the switch test: what the port
  admits without the permitted certificate while it changes hands).
"""

from __future__ import annotations

import json
import multiprocessing
import re
import resource
import select
import socket
import ssl
import time

from common import _onegate_payloads, _rfc5424, _tls_client

KIND = "sync"  # the OneGate kind whose line is closest to ~350 bytes with the bench fields
LINE_RE = re.compile(rb'"bench":\{"run":"([^"]+)","conn":(\d+),"seq":(\d+)\}')


def template(run_id: str) -> str:
    """A %-format string for one message: (conn, seq) go in. Payload and header: _onegate_payloads.py, _rfc5424.py."""
    payload = _onegate_payloads.build_payload(
        kind=KIND, fields={"bench": {"run": run_id, "conn": 999001, "seq": 999002}}
    )
    line = _rfc5424.build_message(payload)
    return line.replace("%", "%%").replace("999001", "%d").replace("999002", "%d") + "\n"


def message_size(run_id: str) -> int:
    return len((template(run_id) % (1, 1)).encode())


def context(pki, client="client-aws-syslog"):
    return _tls_client.make_client_context(
        ca_path=str(pki / "ca.cer"),
        client_cert=str(pki / ("%s.cer" % client)),
        client_key=str(pki / ("%s.key" % client)),
    )


def connect(port, ctx, timeout=10.0):
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        return ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    except BaseException:
        raw.close()
        raise


def close_cleanly(tls):
    """Read what the server sent (TLS 1.3 session tickets) before closing: unread data makes the kernel answer the
    close with a reset, which can cost the receiver data it has not read yet."""
    with_eof, _ = _tls_client.server_closed_after_send(tls, 0.2)
    _tls_client.close_tls(tls, 1.0, notify=not with_eof)


def blast(conn_id, count, batch, port, pki, run_id, ready, go, results):
    """Child process: build the frames, connect, wait for ``go``, write everything, report."""
    fmt = template(run_id)
    batches = []
    for start in range(0, count, batch):
        stop = min(count, start + batch)
        batches.append("".join([fmt % (conn_id, seq) for seq in range(start + 1, stop + 1)]).encode())
    ctx = context(pki)
    out = {"conn": conn_id, "sent": 0, "error": None}
    try:
        tls = connect(port, ctx)
    except (OSError, ssl.SSLError) as exc:
        out["error"] = "connect: %s" % exc
        ready.put(conn_id)
        results.put(out)
        return
    out["tls"] = "%s %s" % (tls.version(), tls.cipher()[0])
    ready.put(conn_id)
    go.wait(60)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    try:
        for data in batches:
            tls.sendall(data)
            out["sent"] += data.count(b"\n")
    except (OSError, ssl.SSLError) as exc:
        out["error"] = "send: %s" % exc
    out["t_first"] = t0
    out["t_last_write"] = time.monotonic()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    close_cleanly(tls)
    results.put(out)


def paced(port, pki, run_id, rate, duration, results, conn_id=1, max_gap=30.0, stop=None):
    """Child process: ``rate`` messages/s for ``duration`` s on one connection. Before each write it checks (without
    waiting) whether the server has closed the session (a receiver never writes: readable means EOF or an alert) and
    then reconnects; a write that fails is retried on a new connection. Reconnect attempts back off 50 ms each, and
    the whole thing stops after ``duration`` + ``max_gap`` seconds whatever happens, or when ``stop`` is set."""
    fmt = template(run_id)
    ctx = context(pki)
    total = int(rate * duration)
    out = {
        "conn": conn_id,
        "planned": total,
        "sent": 0,
        "retried": 0,
        "reconnects": 0,
        "connect_failures": 0,
        "eof_seen": 0,
        "gaps": [],
        "connected_at": [],  # [monotonic time, first seq sent on it] per connection (comparable across processes)
        "first_error": None,
    }
    tls = None
    t0 = time.monotonic()
    hard_stop = t0 + duration + max_gap
    seq = 1
    gap_start = None
    while seq <= total and time.monotonic() < hard_stop and not (stop is not None and stop.is_set()):
        due = t0 + (seq - 1) / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if tls is not None and (tls.pending() or select.select([tls], [], [], 0)[0]):
            # readable: a session ticket (ignored) or the end of the session
            closed, reason = _tls_client.server_closed_after_send(tls, 0)
            if closed:
                out["eof_seen"] += 1
                out["first_error"] = out["first_error"] or "server closed: %s" % reason
                tls.close()
                tls = None
                gap_start = gap_start or time.monotonic()
        if tls is None:
            try:
                tls = connect(port, ctx, timeout=2.0)
                out["connected_at"].append([time.monotonic(), seq])
                if out["sent"] or out["reconnects"] or out["connect_failures"]:
                    out["reconnects"] += 1
                if gap_start is not None:
                    out["gaps"].append(round(time.monotonic() - gap_start, 3))
                    gap_start = None
            except (OSError, ssl.SSLError) as exc:
                out["connect_failures"] += 1
                out["first_error"] = out["first_error"] or "connect: %s" % exc
                gap_start = gap_start or time.monotonic()
                time.sleep(0.05)
                continue
        try:
            tls.sendall((fmt % (conn_id, seq)).encode())
            out["sent"] += 1
            seq += 1
        except (OSError, ssl.SSLError) as exc:
            out["retried"] += 1
            out["first_error"] = out["first_error"] or "send: %s" % exc
            gap_start = gap_start or time.monotonic()
            tls.close()
            tls = None
    out["elapsed"] = round(time.monotonic() - t0, 3)
    if tls is not None:
        close_cleanly(tls)
    results.put(out)


def paced_nocert(port, pki, run_id, rate, duration, results, conn_id=2, stop=None):
    """Child process: about ``rate`` attempts/s, each a new TLS connection without a client certificate that sends one
    message (sequence number = attempt number) and closes. Records per attempt [monotonic start, seq, outcome]; the
    outcome is the client's view only (with TLS 1.3 a refused client often completes its handshake and its write):
    what counts is what the receiver's file shows."""
    fmt = template(run_id)
    ctx = _tls_client.make_client_context(ca_path=str(pki / "ca.cer"))
    out = {"conn": conn_id, "attempts": [], "first_error": None}
    t0 = time.monotonic()
    seq = 1
    while time.monotonic() < t0 + duration and not (stop is not None and stop.is_set()):
        delay = t0 + (seq - 1) / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        start = time.monotonic()
        try:
            tls = connect(port, ctx, timeout=2.0)
        except (OSError, ssl.SSLError) as exc:
            out["attempts"].append([start, seq, "refused"])
            out["first_error"] = out["first_error"] or "connect: %s" % exc
            seq += 1
            continue
        try:
            tls.sendall((fmt % (conn_id, seq)).encode())
            closed, _reason = _tls_client.server_closed_after_send(tls, 0.05)
            out["attempts"].append([start, seq, "closed by server" if closed else "sent"])
            _tls_client.close_tls(tls, 0.5, notify=not closed)
        except (OSError, ssl.SSLError) as exc:
            out["attempts"].append([start, seq, "send failed"])
            out["first_error"] = out["first_error"] or "send: %s" % exc
            tls.close()
        seq += 1
    results.put(out)


def during_change(targets, change, max_seconds):
    """Run each sender of ``targets`` (function, args) in its own process with a result queue and a stop event (as
    the last positional argument and ``stop=``), call ``change()`` after 2 s, stop them 3 s after it returned.
    Returns (the senders' results, in order; when the change began, time.monotonic(); its return value; its seconds)."""
    mp = multiprocessing.get_context("fork")
    stop = mp.Event()
    queues = [mp.Queue() for _ in targets]
    procs = [
        mp.Process(target=func, args=(*args, q), kwargs={"stop": stop}) for (func, args), q in zip(targets, queues)
    ]
    for p in procs:
        p.start()
    try:
        time.sleep(2.0)
        t_change = time.monotonic()
        detail = change()
        took = time.monotonic() - t_change
        time.sleep(3.0)
        stop.set()
        outs = [q.get(timeout=max_seconds + 60) for q in queues]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    return outs, t_change, detail, took


def file_order(path, start_offset, run_id) -> list[tuple[int, int]]:
    """(conn, seq) of this run's lines in the order the receiver stored them."""
    with open(path, "rb") as handle:
        handle.seek(start_offset)
        data = handle.read()
    want = run_id.encode()
    return [(int(c), int(s)) for run, c, s in LINE_RE.findall(data) if run == want]


class LogWatcher:
    """Reads the receiver's file on the host (the bind-mounted EFS stand-in) from where it was at the start."""

    def __init__(self, path):
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.start_offset = self.offset
        self.lines = 0
        self.partial = b""

    def poll(self) -> int:
        if not self.path.exists():
            return self.lines
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        if data:
            self.offset += len(data)
            self.lines += data.count(b"\n")
        return self.lines

    def wait(self, expected, idle_limit, hard_limit, interval=0.005):
        """Poll until ``expected`` lines are there, or nothing new came for ``idle_limit`` s, or ``hard_limit`` s.
        Returns (lines, monotonic time the last new line was seen)."""
        start = time.monotonic()
        last_growth = start
        seen = self.poll()
        while seen < expected:
            now = time.monotonic()
            if now - last_growth > idle_limit or now - start > hard_limit:
                break
            time.sleep(interval)
            n = self.poll()
            if n != seen:
                seen = n
                last_growth = time.monotonic()
        return seen, last_growth

    def tally(self, run_id: str) -> dict:
        """Per connection: unique sequence numbers landed and duplicates (from the file, for this run only)."""
        with open(self.path, "rb") as handle:
            handle.seek(self.start_offset)
            data = handle.read()
        seen: dict[int, set] = {}
        dups: dict[int, int] = {}
        other = 0
        want = run_id.encode()
        for run, conn, seq in LINE_RE.findall(data):
            if run != want:
                other += 1
                continue
            c, s = int(conn), int(seq)
            bucket = seen.setdefault(c, set())
            if s in bucket:
                dups[c] = dups.get(c, 0) + 1
            bucket.add(s)
        return {"seen": seen, "dups": dups, "other_lines": other}


def sample_line(path, run_id) -> str:
    with open(path, "rb") as handle:
        for raw in handle:
            if run_id.encode() in raw:
                return raw.decode(errors="replace").rstrip("\n")
    return ""


def json_field(line: str) -> dict:
    return json.loads(line[line.index("{") :])
