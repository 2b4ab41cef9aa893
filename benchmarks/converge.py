"""converge: how long the playbooks take on the local stand-ins (moto for AWS, a systemd container for the
instance), with the local pipeline's own steps (tests/lib/netattest_local, as `make demo` runs them):

1. site.yml, first run on an empty account: the AWS resources, stops for the certificate (``site_aws``);
2. site.yml with the bundle: the receiver's first converge (``site_receiver``: rsyslog installed, configured, proven,
   verify.yml's messages landed);
3. site.yml again at once (``site_rerun``): must change nothing (changed=0 on every host);
4. enable_mtls.yml (``enable_mtls``): x509/name, restart, verify with 3 x 100 refused connections.

Each on a fresh moto server and a fresh container, ``repeats`` times. The target (at most 40 %) is the re-run's share
of the pipeline's first run, which is steps 1 and 2 (the re-run repeats both the AWS and the receiver part). The share
of step 2 alone is printed too (stricter; the peer linux-system-roles/logging re-runs in 70 % of its first converge).
profile_tasks gives the slowest tasks of each playbook.
"""

from __future__ import annotations

import time
from pathlib import Path

import common
from netattest_local import Pipeline

TAG = "converge"
RECEIVER_PLAY = "The rsyslog TLS receiver (server authentication)"
STEPS = ["site_aws", "site_receiver", "site_rerun", "enable_mtls"]


NAME = common.PREFIX + TAG  # our own names and ports (netattest-bench-*, 17000-17100), never the demo's


def one_repeat(work: Path, rep: int) -> dict:
    d = Pipeline(
        work / ("rep%d" % rep),
        NAME,
        port=common.free_port(),
        moto_port=common.free_port(),
        quiet=True,
        env={"PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all"},
    )
    out = {"repeat": rep, "seconds": {}, "recap": {}, "tasks": {}}

    def timed(key, func, log=None):
        t = time.monotonic()
        func()
        out["seconds"][key] = round(time.monotonic() - t, 1)
        if log:
            text = (d.logs / log).read_text(errors="replace")
            out["recap"][key] = common.recap(text)
            out["tasks"][key] = common.profile_tasks(text)
            plays = common.play_starts(text)
            if key.startswith("site_") and RECEIVER_PLAY in plays and "__end__" in plays:
                # site.yml's first play is the AWS part (aws_infra on the controller); the rest is the receiver part
                # (rsyslog_tls, verify, summary). profile_tasks' running total, without ansible's start-up.
                out.setdefault("parts", {})[key] = {
                    "aws": round(plays[RECEIVER_PLAY], 1),
                    "receiver": round(plays["__end__"] - plays[RECEIVER_PLAY], 1),
                }

    try:
        d.cleanup_leftovers()
        d.start_moto()
        d.start_instance()
        timed("site_aws", d.site_first_run, "site_first_run.log")
        d.make_pki()
        timed("site_receiver", d.site_receiver, "site_receiver.log")
        timed("site_rerun", lambda: d.rerun("site_rerun.log"), "site_rerun.log")
        timed("enable_mtls", d.enable_mtls, "enable_mtls.log")
    finally:
        d.close()
    out["rerun_changed"] = sum(h["changed"] for h in out["recap"].get("site_rerun", {}).values())
    return out


def main(quick=False, repeats=None):
    repeats = repeats or (1 if quick else 3)
    info = common.machine()
    common.print_machine(TAG, info)
    work = common.WORK / TAG
    common.say(
        TAG,
        "config: the local pipeline's steps (as make demo), moto + container %s, %d repeat(s), each on a fresh "
        "container and moto server; ansible over the podman connection" % (NAME, repeats),
    )
    reps = []
    try:
        for rep in range(1, repeats + 1):
            r = one_repeat(work, rep)
            reps.append(r)
            common.say(
                TAG,
                "rep %d: %s; re-run changed=%d; load %s"
                % (
                    rep,
                    ", ".join("%s %.1f s" % kv for kv in r["seconds"].items()),
                    r["rerun_changed"],
                    common.loadavg(),
                ),
            )
    finally:
        common.remove_container(NAME)
        common.podman("volume", "rm", "-f", NAME + "-efs", check=False)
    med = {k: common.median([r["seconds"].get(k) for r in reps]) for k in STEPS}
    summary = {"median_seconds": med}
    if med["site_receiver"] and med["site_rerun"]:
        summary["rerun_vs_receiver_first"] = round(med["site_rerun"] / med["site_receiver"], 3)
        summary["rerun_vs_both_first_runs"] = round(med["site_rerun"] / (med["site_receiver"] + med["site_aws"]), 3)
    summary["rerun_changed"] = [r["rerun_changed"] for r in reps]
    common.say(TAG, "medians: %s" % ", ".join("%s %.1f s" % (k, v) for k, v in med.items() if v is not None))
    per_rep = [
        r["seconds"]["site_rerun"] / (r["seconds"]["site_aws"] + r["seconds"]["site_receiver"])
        for r in reps
        if all(r["seconds"].get(k) for k in ("site_aws", "site_receiver", "site_rerun"))
    ]
    summary["rerun_vs_both_first_runs_per_repeat"] = [round(x, 3) for x in per_rep]
    # The first run of the pipeline is both runs (AWS, then the receiver once the certificate exists); the re-run
    # does both parts again, so that is the like-for-like ratio. The receiver run alone is the stricter figure.
    common.say(
        TAG,
        "re-run / first run of the pipeline (AWS run + receiver run) = %.0f %% (per repeat: %s; target <= 40 %%); "
        "re-run / receiver run alone = %.0f %% (peer linux-system-roles/logging: 70 %%); re-run changed per repeat: %s"
        % (
            100 * summary.get("rerun_vs_both_first_runs", 0),
            ", ".join("%.0f %%" % (100 * x) for x in per_rep),
            100 * summary.get("rerun_vs_receiver_first", 0),
            summary["rerun_changed"],
        ),
    )
    parts = {
        step: {
            part: common.median([r.get("parts", {}).get(step, {}).get(part) for r in reps])
            for part in ("aws", "receiver")
        }
        for step in ("site_aws", "site_receiver", "site_rerun")
    }
    summary["parts_median_seconds"] = parts
    if parts["site_receiver"]["receiver"] and parts["site_rerun"]["receiver"]:
        summary["rerun_receiver_part_vs_first"] = round(
            parts["site_rerun"]["receiver"] / parts["site_receiver"]["receiver"], 3
        )
        common.say(
            TAG,
            "by part (medians): receiver part (rsyslog_tls + verify + summary) first %.1f s, re-run %.1f s = %.0f %%; "
            "AWS part: creation %.1f s, checked again with the bundle %.1f s, re-run %.1f s"
            % (
                parts["site_receiver"]["receiver"],
                parts["site_rerun"]["receiver"],
                100 * summary["rerun_receiver_part_vs_first"],
                parts["site_aws"]["aws"] or 0,
                parts["site_receiver"]["aws"] or 0,
                parts["site_rerun"]["aws"] or 0,
            ),
        )
    slowest = {}
    for step in STEPS:
        by_name: dict[str, list] = {}
        for r in reps:
            for name, sec in r["tasks"].get(step, []):
                by_name.setdefault(name, []).append(sec)
        top = sorted(((common.median(v), n) for n, v in by_name.items()), reverse=True)[:10]
        slowest[step] = [(n, s) for s, n in top]
        common.say(TAG, "ten slowest tasks of %s (median s over repeats):" % step)
        for n, s in slowest[step]:
            common.say(TAG, "  %6.2f  %s" % (s, n))
    summary["slowest"] = slowest
    result = {"benchmark": TAG, "machine": info, "repeats": reps, "summary": summary, "loadavg_end": common.loadavg()}
    common.say(TAG, "results: %s" % common.save(TAG, result))
    return result


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int)
    a = ap.parse_args()
    main(a.quick, a.repeats)
