"""Hold idle, stalled or broken connections open against the receiver's TLS port while a client that behaves sends
one message, and measure from outside what the receiver stored and the CPU its processes used meanwhile.

rsyslog 8.2204 (Amazon Linux 2023's) spins at 100 % CPU and stops receiving while one TLS client idles after its
handshake, or pauses in the middle of a TLS record (amazon-linux-2023 issue #845). These are the cases:

  idle        N clients complete the handshake and send nothing for the whole window
  half-record N clients complete the handshake, send the first half of a TLS record, and pause
  drop        N clients send half a ClientHello and reset the connection (before the sender, not during)
  flood       N plain TCP sockets that send nothing plus M that stop after half a ClientHello, held open

During the window (``--seconds``), after ``--send-after`` seconds, the sender opens its own connection and sends one
RFC 5424 message with a unique marker; the probe then reads the receiver's file in the container (podman exec) until
the marker is there. The result (JSON on stdout): the seconds until it landed (or null), the CPU share of every
process named in ``--process`` over the window (host PIDs, /proc/PID/stat utime+stime, all threads), and how many of
the held sockets the receiver had closed at the end. Standard library only; run by the controller's Python.
"""

import argparse
import json
import os
import socket
import ssl
import struct
import subprocess
import time
import uuid

TICKS = os.sysconf("SC_CLK_TCK")


def podman(*args):
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=False)


def host_pids(container, names):
    out = podman("top", container, "hpid,comm").stdout.splitlines()[1:]
    pids = {}
    for line in out:
        parts = line.split()
        if len(parts) >= 2:
            for name in names:
                if parts[1].startswith(name):
                    pids.setdefault(name, []).append(int(parts[0]))
    return pids


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def context(args, with_client):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(args.ca)
    ctx.check_hostname = False
    if with_client and args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    return ctx


def connect(args):
    sock = socket.create_connection((args.host, args.port), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 0)
    return sock


def memory_tls(args, sock):
    """A TLS client over memory BIOs on a raw socket, so that the probe decides which bytes go out and when."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = context(args, with_client=True).wrap_bio(incoming, outgoing, server_hostname=args.host)
    return obj, incoming, outgoing


def handshake(obj, incoming, outgoing, sock, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            obj.do_handshake()
            sock.sendall(outgoing.read())
            return True
        except ssl.SSLWantReadError:
            data = outgoing.read()
            if data:
                sock.sendall(data)
            chunk = sock.recv(65536)
            if not chunk:
                return False
            incoming.write(chunk)
    return False


def hold(args):
    """Open the connections of the case; returns the sockets (and their TLS objects) to keep alive."""
    held = []
    for _ in range(args.count):
        sock = connect(args)
        if args.case in ("idle", "half-record"):
            obj, incoming, outgoing = memory_tls(args, sock)
            if not handshake(obj, incoming, outgoing, sock):
                raise SystemExit("the %s client's handshake did not complete" % args.case)
            if args.case == "half-record":
                obj.write(b"<134>1 - stalled - - - half of a record that never ends\n")
                record = outgoing.read()
                sock.sendall(record[: len(record) // 2])
            held.append((sock, obj))
        elif args.case == "drop":
            obj, _incoming, outgoing = memory_tls(args, sock)
            try:
                obj.do_handshake()
            except ssl.SSLWantReadError:
                pass
            hello = outgoing.read()
            sock.sendall(hello[: len(hello) // 2])
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # RST
        elif args.case == "flood":
            held.append((sock, None))
    for _ in range(args.half_handshakes):
        sock = connect(args)
        obj, _incoming, outgoing = memory_tls(args, sock)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = outgoing.read()
        sock.sendall(hello[: len(hello) // 2])
        held.append((sock, None))
    return held


def send_one(args, marker):
    line = (
        '<134>1 2025-01-15T07:25:36+00:00 OneGate manager - - - {"log_type":"login_manager","log_level":"INFO",'
        '"message":"stall probe","params":{"test_id":"%s"}}\n' % marker
    )
    with connect(args) as raw:
        with context(args, with_client=True).wrap_socket(raw, server_hostname=args.host) as tls:
            tls.sendall(line.encode())


def landed(args, marker):
    proc = podman("exec", args.container, "grep", "-cF", marker, args.log_file)
    return proc.stdout.strip() == "1"


def closed_by_peer(sock):
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=["idle", "half-record", "drop", "flood"], required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", default="")
    parser.add_argument("--key", default="")
    parser.add_argument("--container", required=True)
    parser.add_argument("--log-file", default="/mnt/efs/fs1/local0.log")
    parser.add_argument("--process", action="append", default=[], help="a process name to measure (repeatable)")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--half-handshakes", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--send-after", type=float, default=5.0)
    parser.add_argument("--land-within", type=float, default=30.0)
    args = parser.parse_args()

    pids = host_pids(args.container, args.process)
    missing = [name for name in args.process if name not in pids]
    if missing:
        raise SystemExit("no process named %s in %s" % (", ".join(missing), args.container))
    before = {name: sum(cpu_ticks(p) for p in plist) for name, plist in pids.items()}
    start = time.monotonic()
    held = hold(args)
    time.sleep(args.send_after)
    marker = "stall-%s" % uuid.uuid4().hex
    sent_at = time.monotonic()
    send_error = ""
    try:
        send_one(args, marker)
    except OSError as exc:
        send_error = str(exc)
    landed_after = None
    while time.monotonic() - sent_at < args.land_within:
        if landed(args, marker):
            landed_after = round(time.monotonic() - sent_at, 2)
            break
        time.sleep(0.5)
    remaining = args.seconds - (time.monotonic() - start)
    if remaining > 0:
        time.sleep(remaining)
    window = time.monotonic() - start
    after = {name: sum(cpu_ticks(p) for p in plist) for name, plist in pids.items()}
    cpu = {name: round(100.0 * (after[name] - before[name]) / TICKS / window, 1) for name in pids}
    closed = sum(1 for sock, _obj in held if closed_by_peer(sock))
    for sock, _obj in held:
        sock.close()
    print(
        json.dumps(
            {
                "case": args.case,
                "held": len(held),
                "window_s": round(window, 1),
                "landed_after_s": landed_after,
                "send_error": send_error,
                "cpu_percent": cpu,
                "closed_by_receiver": closed,
            }
        )
    )


if __name__ == "__main__":
    main()
