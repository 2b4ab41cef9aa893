"""ingest: received messages per second, rsyslogd CPU per message, lost and duplicated, role vs reference (and the
role's stunnel front end, ``role-stunnel``; and on the Amazon Linux 2023 stand-in, ``role-al2023`` vs
``reference-al2023``, both on its rsyslog 8.2204.0).

Both receivers run in the same run under the same conditions (same image, same host, published 127.0.0.1 port,
bind-mounted log directory, mutual TLS with the aws-syslog client certificate). Senders are separate processes, one
per connection, that build all their frames first and then write them as fast as TLS goes. Throughput is messages
landed / (first write of any connection -> last line seen in the receiver's file). rsyslogd's CPU comes from
/proc/<host pid>/stat (utime+stime, all threads) over the same interval. Lost and duplicated are counted from the
file per connection id and sequence number. Behind the stunnel front end rsyslogd's CPU is only part of the cost:
stunnel's CPU is read the same way from its own host pid, and both are reported (and their sum). Each variant is
compared with the manual procedure's receiver on the same image (``reference`` or ``reference-al2023``).

Two short readings around each run show a TLS input that spins (rsyslog 8.2204, amazon-linux-2023 #845): the CPU
share of one core that rsyslogd (and stunnel) used during IDLE_PROBE seconds while every sender was connected but had
not written yet (the senders connect, then wait for the start), and the same after the senders had closed.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time

import common
import receivers
import sender

TAG = "ingest"
IDLE_PROBE = 1.0  # seconds of each idle reading


def cpu_share(pids, seconds=IDLE_PROBE):
    """Share of one core that each of ``pids`` (None: skipped) used over ``seconds``."""
    before = [common.proc_cpu_seconds(p) if p else None for p in pids]
    time.sleep(seconds)
    return [round((common.proc_cpu_seconds(p) - b) / seconds, 3) if p else None for p, b in zip(pids, before)]


STALL_PROBE = common.ROOT / "extensions" / "molecule" / "shared" / "files" / "stall_probe.py"
STALL_CASES = ("idle", "half-record")


def stall_probe(rcvs, rcv, case, seconds):
    """After the ingest runs (never during them): the molecule scenarios' probe (extensions/molecule/shared/files/
    stall_probe.py) against this receiver's 6514 at the container's own address. One client completes its handshake
    and then idles (``idle``) or sends half a TLS record and pauses (``half-record``) for ``seconds``; after 3 s a
    second client sends one line. Returns the probe's JSON: whether and when that line landed, the CPU % of rsyslogd
    (and stunnel)."""
    procs = ["rsyslogd"] + (["stunnel"] if rcv.has_stunnel() else [])
    # as the molecule scenarios do: to the container's own address and 6514, not through podman's port forwarding
    address = common.podman("inspect", "--format", "{{.NetworkSettings.IPAddress}}", rcv.name).stdout.strip()
    cmd = [
        sys.executable, str(STALL_PROBE), "--case", case, "--host", address, "--port", str(common.PORT),
        "--ca", str(rcvs.pki / "ca.cer"), "--cert", str(rcvs.pki / "client-aws-syslog.cer"),
        "--key", str(rcvs.pki / "client-aws-syslog.key"), "--container", rcv.name, "--count", "1",
        "--seconds", str(seconds), "--send-after", "3", "--land-within", str(max(5.0, seconds - 5)),
    ] + ["--process=%s" % name for name in procs]  # fmt: skip
    proc = common.run(cmd, check=False, timeout=seconds + 60)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"case": case, "error": (proc.stderr or proc.stdout)[-500:]}


def one_run(rcvs, variant, conns, total, batch):
    rcv = rcvs.set_variant(variant)
    rcv.truncate()
    run_id = "%s-%d" % (variant, time.time_ns())
    per = total // conns
    expected = per * conns
    hpid = common.rsyslogd_hpid(rcv.name)
    spid = common.stunnel_hpid(rcv.name) if rcv.has_stunnel() else None
    mp = multiprocessing.get_context("fork")
    ready, results, go = mp.Queue(), mp.Queue(), mp.Event()
    procs = [
        mp.Process(target=sender.blast, args=(c, per, batch, rcv.port, rcvs.pki, run_id, ready, go, results))
        for c in range(1, conns + 1)
    ]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            ready.get(timeout=300)
        idle_connected = cpu_share((hpid, spid))
        watcher = sender.LogWatcher(rcv.log_file)
        cpu0 = common.proc_cpu_seconds(hpid)
        scpu0 = common.proc_cpu_seconds(spid) if spid else 0.0
        threads0 = common.thread_cpu_seconds(hpid)
        host = common.CpuTimes()
        go.set()
        _seen, t_last = watcher.wait(expected, idle_limit=15.0, hard_limit=600.0)
        cpu1 = common.proc_cpu_seconds(hpid)
        scpu1 = common.proc_cpu_seconds(spid) if spid else 0.0
        threads1 = common.thread_cpu_seconds(hpid)
        busy = host.busy_share()
        outs = [results.get(timeout=60) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    idle_after = cpu_share((hpid, spid))
    started = [o for o in outs if "t_first" in o]
    if not started:
        raise RuntimeError("%s, %d connections: no sender got connected: %s" % (variant, conns, outs))
    t_first = min(o["t_first"] for o in started)
    t_write = max(o["t_last_write"] for o in started)
    tally = watcher.tally(run_id)
    unique = sum(len(s) for s in tally["seen"].values())
    dups = sum(tally["dups"].values())
    lost = {o["conn"]: o["sent"] - len(tally["seen"].get(o["conn"], ())) for o in outs}
    elapsed = t_last - t_first
    sent = sum(o["sent"] for o in outs)
    return {
        "variant": variant,
        "connections": conns,
        "messages": expected,
        "sent": sent,
        "landed_unique": unique,
        "lost": sum(lost.values()),
        "lost_per_connection": lost,
        "duplicated": dups,
        "other_lines": tally["other_lines"],
        "errors": [o["error"] for o in outs if o.get("error")],
        "seconds": round(elapsed, 3),
        "msg_per_s": round(unique / elapsed) if elapsed > 0 else None,
        "sender_write_seconds": round(t_write - t_first, 3),
        "rsyslogd_cpu_s": round(cpu1 - cpu0, 2),
        "rsyslogd_us_per_msg": round((cpu1 - cpu0) / unique * 1e6, 2) if unique else None,
        "stunnel_cpu_s": round(scpu1 - scpu0, 2) if spid else None,
        "stunnel_us_per_msg": round((scpu1 - scpu0) / unique * 1e6, 2) if spid and unique else None,
        "receiver_us_per_msg": round((cpu1 - cpu0 + scpu1 - scpu0) / unique * 1e6, 2) if unique else None,
        "rsyslogd_threads_us_per_msg": {
            name: round((threads1[name] - threads0.get(name, 0.0)) / unique * 1e6, 2)
            for name in threads1
            if unique and threads1[name] - threads0.get(name, 0.0) > 0
        },
        "sender_us_per_msg": round(sum(o.get("cpu_s", 0) for o in outs) / sent * 1e6, 2) if sent else None,
        # share of one core, senders connected and not writing yet / after they closed (a spinning TLS input: ~1.0)
        "rsyslogd_cpu_idle_connected": idle_connected[0],
        "rsyslogd_cpu_idle_after": idle_after[0],
        "stunnel_cpu_idle_connected": idle_connected[1],
        "stunnel_cpu_idle_after": idle_after[1],
        "connections_failed": sum(1 for o in outs if "t_first" not in o),
        "host_busy": round(busy, 3),
        "tls": outs[0].get("tls"),
        "loadavg": common.loadavg(),
    }


def main(
    quick=False,
    variants=None,
    connections=(1, 8),
    total=None,
    repeats=None,
    batch=200,
    stall_seconds=0,
    auth_mode="x509/name",
):
    total = total or (50_000 if quick else 1_000_000)
    repeats = repeats or (1 if quick else 3)
    variants = variants or ["role", "reference", "role-ossl", "role-ruleset"]
    info = common.machine()
    common.print_machine(TAG, info)
    kinds = list(dict.fromkeys(receivers.kind_of(v) for v in variants))
    with receivers.Receivers(tuple(kinds), tag=TAG, role_auth_mode=auth_mode) as rcvs:
        versions = {k: r.rsyslog_version() for k, r in rcvs.by_kind.items()}
        for k, r in rcvs.by_kind.items():
            if r.has_stunnel():
                versions["stunnel(%s)" % k] = r.stunnel_version()
        size = sender.message_size("x" * 25)
        common.say(
            TAG,
            "receivers: %s (set up in %s s); rsyslog %s"
            % (
                ", ".join("%s=%s:127.0.0.1:%d" % (k, r.name, r.port) for k, r in rcvs.by_kind.items()),
                rcvs.setup_seconds,
                versions,
            ),
        )
        common.say(
            TAG,
            "config: %d messages of %d bytes (OneGate kind %r, RFC 5424, LF framing) per run, "
            "connections %s, %d repeats, write batches of %d messages, client certificate aws-syslog, receivers' auth "
            "mode %s; variants %s" % (total, size, sender.KIND, list(connections), repeats, batch, auth_mode, variants),
        )
        for kind, rcv in rcvs.by_kind.items():
            if receivers.KINDS[kind]["book"] == "role_receiver.yml":
                common.say(TAG, "%s's 80-Syslogtls.conf:\n%s" % (kind, rcv.config()))
        runs = []
        for rep in range(1, repeats + 1):
            for conns in connections:
                for variant in variants:
                    r = one_run(rcvs, variant, conns, total, batch)
                    r["repeat"] = rep
                    runs.append(r)
                    common.say(
                        TAG,
                        "rep %d %-16s %d conn: %8s msg/s in %6.2f s (writes done at %5.2f s), "
                        "rsyslogd %5s us/msg%s, sender %5s us/msg, host busy %3.0f%%, lost %d, dup %d, load %s, "
                        "idle CPU connected/after: rsyslogd %s/%s%s%s"
                        % (
                            rep,
                            variant,
                            conns,
                            r["msg_per_s"],
                            r["seconds"],
                            r["sender_write_seconds"],
                            r["rsyslogd_us_per_msg"],
                            " + stunnel %s" % r["stunnel_us_per_msg"] if r["stunnel_us_per_msg"] is not None else "",
                            r["sender_us_per_msg"],
                            100 * r["host_busy"],
                            r["lost"],
                            r["duplicated"],
                            r["loadavg"],
                            r["rsyslogd_cpu_idle_connected"],
                            r["rsyslogd_cpu_idle_after"],
                            " stunnel %s/%s" % (r["stunnel_cpu_idle_connected"], r["stunnel_cpu_idle_after"])
                            if r["stunnel_cpu_idle_connected"] is not None
                            else "",
                            (" ERRORS %s" % r["errors"]) if r["errors"] else "",
                        ),
                    )
        stalls = []
        if stall_seconds:
            for variant in variants:
                rcv = rcvs.set_variant(variant)
                for case in STALL_CASES:
                    out = stall_probe(rcvs, rcv, case, stall_seconds)
                    out["variant"] = variant
                    out["target"] = "container address, %d" % common.PORT
                    stalls.append(out)
                    common.say(TAG, "stall probe %-16s %s" % (variant, json.dumps(out)))
    summary = summarize(runs, variants, connections)
    result = {
        "benchmark": TAG,
        "machine": info,
        "rsyslog": versions,
        "message_bytes": size,
        "total": total,
        "repeats": repeats,
        "runs": runs,
        "summary": summary,
        "auth_mode": auth_mode,
        "stall_probe": stalls,
        "loadavg_end": common.loadavg(),
    }
    path = common.save(TAG, result)
    common.say(TAG, "results: %s" % path)
    return result


def summarize(runs, variants, connections):
    out = {}
    common.say(TAG, "medians over repeats:")
    common.say(
        TAG,
        "  %-16s %5s %10s %10s %10s %10s %6s %6s"
        % ("variant", "conns", "msg/s", "rsyslog", "stunnel", "sender", "lost", "dup"),
    )
    for conns in connections:
        for variant in variants:
            rs = [r for r in runs if r["variant"] == variant and r["connections"] == conns]
            m = {
                "msg_per_s": common.median([r["msg_per_s"] for r in rs]),
                "rsyslogd_us_per_msg": common.median([r["rsyslogd_us_per_msg"] for r in rs]),
                "rsyslogd_threads_us_per_msg": {
                    name: common.median([r["rsyslogd_threads_us_per_msg"].get(name) for r in rs])
                    for name in sorted({n for r in rs for n in r["rsyslogd_threads_us_per_msg"]})
                },
                "stunnel_us_per_msg": common.median([r.get("stunnel_us_per_msg") for r in rs]),
                "receiver_us_per_msg": common.median([r.get("receiver_us_per_msg") for r in rs]),
                "msg_per_s_all": [r["msg_per_s"] for r in rs],
                "sender_us_per_msg": common.median([r["sender_us_per_msg"] for r in rs]),
                "lost_total": sum(r["lost"] for r in rs),
                "duplicated_total": sum(r["duplicated"] for r in rs),
                "host_busy": common.median([r["host_busy"] for r in rs]),
                "rsyslogd_cpu_idle_connected_max": max((r["rsyslogd_cpu_idle_connected"] for r in rs), default=None),
                "rsyslogd_cpu_idle_after_max": max((r["rsyslogd_cpu_idle_after"] for r in rs), default=None),
                "connections_failed_total": sum(r["connections_failed"] for r in rs),
            }
            out["%s/%d" % (variant, conns)] = m
            common.say(
                TAG,
                "  %-16s %5d %10s %7s us %7s us %7s us %6d %6d   rsyslogd threads (us/msg): %s; runs %s; "
                "idle CPU max connected/after %s/%s; connections failed %d"
                % (
                    variant,
                    conns,
                    m["msg_per_s"],
                    m["rsyslogd_us_per_msg"],
                    m["stunnel_us_per_msg"] if m["stunnel_us_per_msg"] is not None else "-",
                    m["sender_us_per_msg"],
                    m["lost_total"],
                    m["duplicated_total"],
                    m["rsyslogd_threads_us_per_msg"],
                    m["msg_per_s_all"],
                    m["rsyslogd_cpu_idle_connected_max"],
                    m["rsyslogd_cpu_idle_after_max"],
                    m["connections_failed_total"],
                ),
            )
    common.say(TAG, "ratios (medians, same run; each to the manual procedure's receiver on the same image):")
    for conns in connections:
        role = out.get("role/%d" % conns, {}).get("msg_per_s")
        for variant in variants:
            reference = receivers.reference_of(variant)
            ref = out.get("%s/%d" % (reference, conns), {}).get("msg_per_s")
            if variant == reference or not ref:
                continue
            v = out["%s/%d" % (variant, conns)]
            v["ratio_to_reference"] = round(v["msg_per_s"] / ref, 3) if v["msg_per_s"] else None
            line = "  %d conn: %s / %s = %.2f" % (conns, variant, reference, v["ratio_to_reference"] or 0)
            if variant != "role" and role and reference == "reference":
                v["ratio_to_role"] = round(v["msg_per_s"] / role, 3)
                line += ", %s / role = %.2f" % (variant, v["ratio_to_role"])
            common.say(TAG, line)
    return out


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--total", type=int)
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--variants", nargs="*")
    ap.add_argument("--connections", nargs="*", type=int, default=[1, 8])
    ap.add_argument(
        "--stall-probe",
        type=float,
        default=0,
        metavar="SECONDS",
        help="after the runs, hold one idle and one half-record client for SECONDS against each receiver "
        "(extensions/molecule/shared/files/stall_probe.py) and record what lands and the CPU",
    )
    ap.add_argument(
        "--auth-mode",
        choices=["x509/name", "anon"],
        default="x509/name",
        help="the receivers' mode (the senders always present aws-syslog's certificate; seed_receiver.yml, the Debian "
        "reference, is x509/name whatever this says)",
    )
    a = ap.parse_args()
    main(a.quick, a.variants, a.connections, a.total, a.repeats, stall_seconds=a.stall_probe, auth_mode=a.auth_mode)
