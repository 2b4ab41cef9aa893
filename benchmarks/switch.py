"""switch: the receiver goes from server TLS (anon, rsyslog's ossl) to mutual TLS with the stunnel front end (the
Amazon Linux 2023 arrangement: stunnel on 6514, rsyslog plain on 127.0.0.1:10514) while two clients send:

- the permitted sender: one connection at a fixed rate with the aws-syslog client certificate (accepted in both
  modes), reconnecting when the receiver closes it: lost, duplicated, the reconnect gap, as restart.py measures
  anon -> x509/name;
- a sender WITHOUT a client certificate, a new connection per message: anon stores its lines; once stunnel holds the
  port none may be stored. "Once stunnel holds the port" is read from the file order: the first line the permitted
  sender wrote on its first connection opened after the switch began is the first line through the new front end;
  every no-certificate line stored after it was admitted by the new front end. That count must be 0: it is the proof
  that at no moment does 6514 accept a client without the permitted certificate.

Two ways to make the change:
- ``role``: the real role run (benchmarks/playbooks/role_receiver.yml, x509/name, bench_frontend stunnel) against
  the anon receiver, the senders running throughout;
- ``direct`` (repeats): the two states the role leaves (/etc/rsyslog.conf and /etc/rsyslog.d as captured after the
  anon run and after the stunnel run; the stunnel unit and config stay in place) swapped in the container, then
  ``systemctl restart rsyslog`` and ``systemctl restart`` of the stunnel unit, in the order of the role's handlers.
  Back to anon between repeats: stop stunnel, the anon state, restart rsyslog.
"""

from __future__ import annotations

import time

import common
import receivers
import restart
import sender

TAG = "switch"
STATE = "tar -C / -cf /root/state-%s.tar etc/rsyslog.conf etc/rsyslog.d"
RESTORE = "rm -rf /etc/rsyslog.d && tar -C / -xf /root/state-%s.tar"


def measure(rcvs, rcv, rate, nocert_rate, change, label, max_seconds):
    """Start both senders, call ``change()`` after 2 s, let them run 3 s past the change, tally from the file."""
    rcv.truncate()
    run_id = "%s-%d" % (label, time.time_ns())
    watcher = sender.LogWatcher(rcv.log_file)
    (out, nocert), t_change, detail, took = sender.during_change(
        [
            (sender.paced, (rcv.port, rcvs.pki, run_id, rate, max_seconds)),
            (sender.paced_nocert, (rcv.port, rcvs.pki, run_id, nocert_rate, max_seconds)),
        ],
        change,
        max_seconds,
    )
    # the file holds both senders' lines: wait for all that could land, or until nothing new came for 3 s
    watcher.wait(out["sent"] + len(nocert["attempts"]), idle_limit=3.0, hard_limit=60.0)
    tally = watcher.tally(run_id)
    seen = tally["seen"].get(1, set())
    missing = sorted(set(range(1, out["sent"] + 1)) - seen)
    order = sender.file_order(rcv.log_file, watcher.start_offset, run_id)
    # the permitted sender's first connection opened after the change began: the new front end's first session
    after = [c for c in out["connected_at"] if c[0] > t_change]
    t_new, seq_new = after[0] if after else (None, None)
    boundary = next((i for i, (c, s) in enumerate(order) if c == 1 and seq_new and s >= seq_new), None)
    nocert_lines = [(i, s) for i, (c, s) in enumerate(order) if c == 2]
    attempts = {a[1]: a for a in nocert["attempts"]}
    stored_nocert = {s for _, s in nocert_lines}
    return {
        "label": label,
        "rate": rate,
        "sent": out["sent"],
        "landed_unique": len(seen),
        "lost": len(missing),
        "lost_seq_ranges": restart.ranges(missing)[:10],
        "duplicated": sum(tally["dups"].values()),
        "reconnects": out["reconnects"],
        "connect_failures": out["connect_failures"],
        "gap_seconds": out["gaps"],
        "first_error": out["first_error"],
        "first_seq_through_new_front_end": seq_new,
        "new_front_end_after_s": round(t_new - t_change, 2) if t_new else None,
        "permitted_lines_after_boundary": sum(1 for c, _ in order[boundary:] if c == 1) if boundary is not None else 0,
        "nocert_attempts": len(nocert["attempts"]),
        "nocert_attempts_before_change": sum(1 for a in nocert["attempts"] if a[0] < t_change),
        "nocert_attempts_after_new_front_end": sum(1 for a in nocert["attempts"] if t_new and a[0] > t_new),
        "nocert_outcomes_after_new_front_end": _count(a[2] for a in nocert["attempts"] if t_new and a[0] > t_new),
        "nocert_stored": len(nocert_lines),
        "nocert_stored_before_change": sum(1 for s in stored_nocert if s in attempts and attempts[s][0] < t_change),
        # the proof: no-certificate lines stored after the first permitted line through the new front end
        "nocert_stored_after_boundary": sum(1 for i, _ in nocert_lines if boundary is not None and i > boundary),
        # the same from the sender's clock: no-certificate lines whose connection began after that session opened
        "nocert_stored_sent_after_new_front_end": sum(
            1 for s in stored_nocert if t_new and s in attempts and attempts[s][0] > t_new
        ),
        "stunnel_active_after": rcv.has_stunnel(),
        "change_seconds": round(took, 2),
        "change": detail,
        "loadavg": common.loadavg(),
    }


def _count(items):
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def report(r):
    common.say(
        TAG,
        "%-9s sent %d, landed %d, lost %d %s, dup %d, reconnects %d (connect failures %d, gaps %s s), "
        "new front end's first session %s s after the change began (seq %s, %d permitted lines after it); "
        "no-cert: %d attempts (%d before the change, %d after the new front end's first session: %s), stored %d "
        "(%d before the change), STORED AFTER THE NEW FRONT END TOOK THE PORT: %d (by file order) / %d (by send time); "
        "stunnel active after: %s; change took %.1f s %s; load %s"
        % (
            r["label"],
            r["sent"],
            r["landed_unique"],
            r["lost"],
            r["lost_seq_ranges"],
            r["duplicated"],
            r["reconnects"],
            r["connect_failures"],
            r["gap_seconds"],
            r["new_front_end_after_s"],
            r["first_seq_through_new_front_end"],
            r["permitted_lines_after_boundary"],
            r["nocert_attempts"],
            r["nocert_attempts_before_change"],
            r["nocert_attempts_after_new_front_end"],
            r["nocert_outcomes_after_new_front_end"],
            r["nocert_stored"],
            r["nocert_stored_before_change"],
            r["nocert_stored_after_boundary"],
            r["nocert_stored_sent_after_new_front_end"],
            r["stunnel_active_after"],
            r["change_seconds"],
            r["change"],
            r["loadavg"],
        ),
    )


def main(quick=False, rate=None, repeats=None, nocert_rate=20):
    rate = rate or 1000
    repeats = repeats or (1 if quick else 3)
    info = common.machine()
    common.print_machine(TAG, info)
    runs = []
    with receivers.Receivers(("stunnel",), tag=TAG, role_auth_mode="anon") as rcvs:
        rcv = rcvs.by_kind["stunnel"]
        rcv.exec("sh", "-c", STATE % "anon")
        common.say(
            TAG,
            "receiver %s (role, anon, set up in %s s), rsyslog %s, 127.0.0.1:%d; permitted sender: "
            "%d msg/s, one connection (aws-syslog), reconnect on EOF or failed write; no-certificate sender: about "
            "%d connections/s, one message each; %d direct repeat(s)%s"
            % (
                rcv.name,
                rcvs.setup_seconds["stunnel"],
                rcv.rsyslog_version(),
                rcv.port,
                rate,
                nocert_rate,
                repeats,
                "" if quick else " + 1 real role run",
            ),
        )

        def role_run():
            return rcvs.role_run("stunnel", "role-to-stunnel.log")

        if not quick:
            r = measure(rcvs, rcv, rate, nocert_rate, role_run, "role-run", max_seconds=600)
            runs.append(r)
            report(r)
        else:
            role_run()  # the stunnel state the direct repeats switch to
        if not rcv.has_stunnel():
            raise RuntimeError("after the role run with frontend stunnel, %s is not active" % receivers.STUNNEL_UNIT)
        rcv.exec("sh", "-c", STATE % "stunnel")
        # stunnel4 is installed by the role run only (anon does not need it)
        common.say(TAG, "stunnel state (stunnel4 %s):\n%s" % (rcv.stunnel_version(), rcv.config()))

        def direct():
            rcv.exec("sh", "-c", RESTORE % "stunnel")
            t = time.monotonic()
            rcv.exec("systemctl", "restart", "rsyslog")
            rcv.exec("systemctl", "restart", receivers.STUNNEL_UNIT)
            restarts = time.monotonic() - t
            listener = rcv.wait_listener(rcvs.pki)
            return {"restarts_s": round(restarts, 2), "listener_back_after_s": round(restarts + listener, 2)}

        for rep in range(1, repeats + 1):
            rcv.exec("systemctl", "stop", receivers.STUNNEL_UNIT)
            rcv.exec("sh", "-c", RESTORE % "anon")
            rcv.restart(rcvs.pki)
            if rcv.has_stunnel():
                raise RuntimeError("stunnel still active in the anon state")
            r = measure(rcvs, rcv, rate, nocert_rate, direct, "direct-%d" % rep, max_seconds=120)
            runs.append(r)
            report(r)
    summary = {}
    for name in ("role-run", "direct"):
        rs = [r for r in runs if r["label"].split("-")[0] == name.split("-")[0]]
        summary[name] = {
            "lost": [r["lost"] for r in rs],
            "duplicated": [r["duplicated"] for r in rs],
            "gap_seconds": [r["gap_seconds"] for r in rs],
            "nocert_stored_before_change": [r["nocert_stored_before_change"] for r in rs],
            "nocert_attempts_after_new_front_end": [r["nocert_attempts_after_new_front_end"] for r in rs],
            "nocert_stored_after_boundary": [r["nocert_stored_after_boundary"] for r in rs],
            "nocert_stored_sent_after_new_front_end": [r["nocert_stored_sent_after_new_front_end"] for r in rs],
        }
        common.say(TAG, "%s: %s" % (name, summary[name]))
    result = {
        "benchmark": TAG,
        "machine": info,
        "rate": rate,
        "nocert_rate": nocert_rate,
        "runs": runs,
        "summary": summary,
        "loadavg_end": common.loadavg(),
    }
    common.say(TAG, "results: %s" % common.save(TAG, result))
    return result


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rate", type=int)
    ap.add_argument("--nocert-rate", type=int, default=20)
    ap.add_argument("--repeats", type=int)
    a = ap.parse_args()
    main(a.quick, a.rate, a.repeats, a.nocert_rate)
