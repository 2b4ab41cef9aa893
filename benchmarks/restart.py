"""restart: a OneGate stand-in sending at a fixed rate while the receiver is switched from server TLS (anon) to
mutual TLS (x509/name) and restarted, as enable_mtls.yml does. How many messages are lost, and why.

The sender (one connection, client certificate aws-syslog, which both modes accept) checks before each write whether
the receiver closed the session and reconnects; a write that fails is retried on the new connection. Lost = messages
whose write succeeded on the sender's side but whose line never appeared in the receiver's file.

Two ways to make the change (and, for the direct one, two shutdown variants: VARIANTS below):
- ``direct``: the role's own two configurations (captured from role runs) swapped in the container, then
  ``systemctl restart rsyslog`` (what the role's handler does): repeatable, the restart at a known instant;
- ``role``: the real role run (benchmarks/playbooks/role_receiver.yml with x509/name) against the anon receiver,
  the sender running throughout (full mode only: one ansible run is about a minute).
"""

from __future__ import annotations

import time

import common
import receivers
import sender

TAG = "restart"
CONF = "/etc/rsyslog.d/80-Syslogtls.conf"
# The graceful variant: a disk-assisted main queue that rsyslog drains for up to 10 s on shutdown and saves to its
# work directory if that is not enough (queue.saveOnShutdown), reloading it at start. What a role could add to make
# rsyslog keep what it has already read.
GRACEFUL_CONF = "/etc/rsyslog.d/05-netattest-bench-mainq.conf"
GRACEFUL_TEXT = (
    'main_queue(queue.type="LinkedList" queue.filename="netattest-mainq" queue.saveOnShutdown="on" '
    'queue.timeoutShutdown="10000")'
)
VARIANTS = {
    "direct": "plain `systemctl restart` (the role's handler; rsyslog's default in-memory main queue)",
    "graceful": "the same with a disk-assisted main queue, queue.saveOnShutdown=on, queue.timeoutShutdown=10 s",
}


def measure(rcvs, rcv, rate, change, label, max_seconds):
    """Start the paced sender, call ``change()`` after 2 s, let the sender run 3 s past the change, tally."""
    rcv.truncate()
    run_id = "%s-%d" % (label, time.time_ns())
    watcher = sender.LogWatcher(rcv.log_file)
    (out,), _t0, detail, took = sender.during_change(
        [(sender.paced, (rcv.port, rcvs.pki, run_id, rate, max_seconds))], change, max_seconds
    )
    watcher.wait(out["sent"], idle_limit=5.0, hard_limit=60.0)
    tally = watcher.tally(run_id)
    seen = tally["seen"].get(1, set())
    missing = sorted(set(range(1, out["sent"] + 1)) - seen)
    return {
        "label": label,
        "rate": rate,
        "sent": out["sent"],
        "landed_unique": len(seen),
        "lost": len(missing),
        "lost_seq_ranges": ranges(missing)[:10],
        "duplicated": sum(tally["dups"].values()),
        "reconnects": out["reconnects"],
        "eof_seen_before_write": out["eof_seen"],
        "writes_failed_and_retried": out["retried"],
        "connect_failures": out["connect_failures"],
        "gap_seconds": out["gaps"],
        "first_error": out["first_error"],
        "change_seconds": round(took, 2),
        "change": detail,
        "loadavg": common.loadavg(),
    }


def ranges(nums):
    out = []
    for n in nums:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def main(quick=False, rate=None, repeats=None):
    rate = rate or 1000
    repeats = repeats or (1 if quick else 3)
    info = common.machine()
    common.print_machine(TAG, info)
    runs = []
    with receivers.Receivers(("role",), tag=TAG, role_auth_mode="anon") as rcvs:
        rcv = rcvs.by_kind["role"]
        rcv.exec("cp", CONF, "/root/conf.anon")
        common.say(
            TAG,
            "receiver %s (role, anon, set up in %s s), rsyslog %s, 127.0.0.1:%d; sender: %d msg/s, one "
            "connection, reconnect on EOF or failed write; %d direct repeat(s)%s"
            % (
                rcv.name,
                rcvs.setup_seconds["role"],
                rcv.rsyslog_version(),
                rcv.port,
                rate,
                repeats,
                "" if quick else " + 1 real role run",
            ),
        )

        def role_run():
            return rcvs.role_run("role", "role-enable-mtls.log")

        if not quick:
            r = measure(rcvs, rcv, rate, role_run, "role-run", max_seconds=600)
            runs.append(r)
            report(r)
        else:
            role_run()  # the x509/name configuration the direct repeats switch to
        rcv.exec("cp", CONF, "/root/conf.x509")

        def direct():
            rcv.exec("sh", "-c", "cp %s %s.org && cp /root/conf.x509 %s" % (CONF, CONF, CONF))
            t = time.monotonic()
            rcv.exec("systemctl", "restart", "rsyslog")
            restart = time.monotonic() - t
            listener = rcv.wait_listener(rcvs.pki)
            return {"systemctl_restart_s": round(restart, 2), "listener_back_after_s": round(restart + listener, 2)}

        # Interleaved (direct, graceful, direct, ...) so that load changes hit both variants alike.
        for rep in range(1, repeats + 1):
            for variant in VARIANTS:
                if variant == "graceful":
                    rcv.exec("sh", "-c", "printf '%%s\\n' '%s' > %s" % (GRACEFUL_TEXT, GRACEFUL_CONF))
                else:
                    rcv.exec("rm", "-f", GRACEFUL_CONF)
                rcv.exec("cp", "/root/conf.anon", CONF)
                rcv.restart(rcvs.pki)
                r = measure(rcvs, rcv, rate, direct, "%s-%d" % (variant, rep), max_seconds=120)
                runs.append(r)
                report(r)
        rcv.exec("rm", "-f", GRACEFUL_CONF)
    summary = {"role_run_lost": [r["lost"] for r in runs if r["label"] == "role-run"]}
    for variant, text in VARIANTS.items():
        vruns = [r for r in runs if r["label"].startswith(variant + "-")]
        summary[variant] = {
            "how": text,
            "lost": [r["lost"] for r in vruns],
            "lost_median": common.median([r["lost"] for r in vruns]),
            "dup_median": common.median([r["duplicated"] for r in vruns]),
            "listener_back_after_s_median": common.median(
                [r["change"].get("listener_back_after_s") for r in vruns if isinstance(r.get("change"), dict)]
            ),
        }
        common.say(
            TAG,
            "%s (%s): lost per restart %s, median %s (%.0f ms of traffic at %d msg/s), duplicated median %s"
            % (
                variant,
                text,
                summary[variant]["lost"],
                summary[variant]["lost_median"],
                1000 * (summary[variant]["lost_median"] or 0) / rate,
                rate,
                summary[variant]["dup_median"],
            ),
        )
    common.say(TAG, "role run lost %s" % summary["role_run_lost"])
    result = {
        "benchmark": TAG,
        "machine": info,
        "rate": rate,
        "runs": runs,
        "summary": summary,
        "loadavg_end": common.loadavg(),
    }
    common.say(TAG, "results: %s" % common.save(TAG, result))
    return result


def report(r):
    common.say(
        TAG,
        "%-9s sent %d, landed %d, lost %d %s, dup %d, reconnects %d (EOF seen %d, failed writes %d, "
        "connect failures %d, gaps %s s), change took %.1f s %s; load %s"
        % (
            r["label"],
            r["sent"],
            r["landed_unique"],
            r["lost"],
            r["lost_seq_ranges"],
            r["duplicated"],
            r["reconnects"],
            r["eof_seen_before_write"],
            r["writes_failed_and_retried"],
            r["connect_failures"],
            r["gap_seconds"],
            r["change_seconds"],
            r["change"],
            r["loadavg"],
        ),
    )


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rate", type=int)
    ap.add_argument("--repeats", type=int)
    a = ap.parse_args()
    main(a.quick, a.rate, a.repeats)
