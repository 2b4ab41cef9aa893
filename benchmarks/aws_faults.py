"""Lost answers and killed runs against the AWS role: every mutating call of a first run, both modes.

A moto server with tests/lib/netattest_local/aws_fault_proxy.py in front of it. First a clean run through the proxy
lists the mutating calls of site.yml's AWS part (tests/integration/aws_infra/create.yml drives the role as site.yml
does, without SSH). Then, for each call and each mode, on an empty account:

  lost    the call reaches moto and takes effect, its answer is dropped (the connection closed, as a timeout does);
          botocore retries by itself, the run goes on or fails as it will;
  killed  the call reaches moto and takes effect, and the run is killed (SIGKILL to ansible-playbook and every
          process below it, the module included) while it waits for the answer: a closed laptop, a crash.

and then, straight to moto: a re-run (must end rc 0 with exactly one of each resource), a second re-run (must change
nothing), destroy.yml (must leave nothing). One row per case:

    python benchmarks/aws_faults.py                      # every call, both modes (about 80 s per case here)
    python benchmarks/aws_faults.py --modes lost --actions CreateVpc RunInstances
    python benchmarks/aws_faults.py --json out.json      # the rows as JSON too
    python benchmarks/aws_faults.py --table out.json     # the table of saved rows

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lib"))

from netattest_local import moto as moto_helper
from netattest_local.aws_fault_proxy import FaultProxy, is_mutating

CREATE = ROOT / "tests" / "integration" / "aws_infra" / "create.yml"
DESTROY = ROOT / "playbooks" / "destroy.yml"
#: One stack, as the account holds it after a clean first run (leftovers(): the VPC's main route table and default
#: security group count; network interfaces and volumes come with the instance).
ONE_STACK = {
    "vpcs": 1,
    "subnets": 1,
    "internet_gateways": 1,
    "route_tables": 2,
    "security_groups": 3,
    "instances": 1,
    "elastic_ips": 1,
    "key_pairs": 1,
    "file_systems": 1,
    "mount_targets": 1,
}


#: Mutating calls that only moto sees: it ignores DryRun on CreateVpc and creates the VPC, which ec2_capacity_info
#: deletes at once (AWS never creates on a DryRun, so a real first run has no such call).
MOTO_ONLY = {"DeleteVpc"}


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Ansible's workers call setsid(), so a process group does not hold them)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and everything below it, at once: the run and the module waiting for its answer."""
    for victim in [pid, *descendants(pid)]:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass


def counts(endpoint: str) -> dict[str, int]:
    left = moto_helper.leftovers(endpoint)
    return {k: len(v) for k, v in left.items() if k not in ("network_interfaces", "volumes")}


class Runner:
    def __init__(self, work: Path):
        self.work = work
        self.vars_file = work / "vars.json"
        self.vars_file.write_text(
            json.dumps(
                {
                    "aws_infra_onegate_egress_ips": ["203.0.113.5"],
                    "aws_infra_ssh_cidrs": ["198.51.100.7/32"],
                    "aws_infra_key_file": str(work / "keys" / "NetAttest-tlsSyslog-key.pem"),
                    "aws_infra_wait_for_ssh": False,
                    "aws_infra_pin_host_key": False,
                    "confirm": "yes",
                    "tls_syslog_inventory_file": str(work / "inventory.yml"),
                }
            )
        )

    def command(self, playbook: Path) -> list[str]:
        return [str(Path(sys.executable).parent / "ansible-playbook"), str(playbook), "-e", f"@{self.vars_file}"]

    def env(self, endpoint: str) -> dict[str, str]:
        env = moto_helper.aws_env(endpoint)
        env.update(
            ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
            ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
            ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
            ANSIBLE_CALLBACKS_ENABLED="ansible.posix.json",
            ANSIBLE_LOCAL_TEMP=str(self.work / "ansible-tmp"),
            ANSIBLE_PIPELINING="1",
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        return env

    def start(self, playbook: Path, endpoint: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(playbook),
            env=self.env(endpoint),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def run(self, playbook: Path, endpoint: str) -> tuple[int, dict]:
        proc = self.start(playbook, endpoint)
        out, _ = proc.communicate(timeout=900)
        try:
            return proc.returncode, json.loads(out)
        except json.JSONDecodeError:
            return proc.returncode, {}


def tasks(result: dict):
    for play in result.get("plays", []):
        for task in play.get("tasks", []):
            res = task.get("hosts", {}).get("localhost")
            if res is not None:
                yield task["task"]["name"].split(" : ", 1)[-1], res


def failure(result: dict) -> str:
    return " | ".join(f"{n}: {r.get('msg', '')}"[:300] for n, r in tasks(result) if r.get("failed"))


def deleted_duplicates(result: dict) -> str:
    """What the re-run said it deleted: duplicates, and a key pair whose private key never arrived."""
    said = []
    for name, res in tasks(result):
        if res.get("skipped"):
            continue
        if name == "Say which duplicates of this stack's resources were deleted":
            said.append(res.get("msg", "").split(": ", 1)[-1].rstrip("."))
        if name == "Say which key pair was deleted, to be created again":
            said.append("key pair (private key lost)")
    return "; ".join(said)


def case(moto, proxy: FaultProxy, runner: Runner, action: str, mode: str) -> dict:
    moto.reset()
    shutil.rmtree(runner.work / "keys", ignore_errors=True)
    row = {"action": action, "mode": mode}
    holder: dict = {}

    def kill(_action):
        proc = holder.get("proc")
        if proc is not None:
            kill_tree(proc.pid)

    proxy.set_faults({action: 1}, on_fault=kill if mode == "killed" else None)
    start = time.monotonic()
    holder["proc"] = proc = runner.start(CREATE, proxy.endpoint)
    out, _ = proc.communicate(timeout=900)
    row["first_rc"] = proc.returncode
    row["injected"] = bool(proxy.injected)
    try:
        first = json.loads(out)
    except json.JSONDecodeError:
        first = {}
    row["first_failure"] = failure(first) if proc.returncode not in (0, -signal.SIGKILL) else ""
    row["after_first"] = counts(moto.endpoint)

    rc, rerun = runner.run(CREATE, moto.endpoint)
    row["rerun_rc"] = rc
    row["rerun_failure"] = failure(rerun) if rc else ""
    row["deleted"] = deleted_duplicates(rerun)
    row["after_rerun"] = counts(moto.endpoint)
    row["one_of_each"] = rc == 0 and row["after_rerun"] == ONE_STACK
    rc2, again = (runner.run(CREATE, moto.endpoint)) if rc == 0 else (None, {})
    row["second_rerun_changed"] = [n for n, r in tasks(again) if r.get("changed")] if rc2 == 0 else None
    rc3, _ = runner.run(DESTROY, moto.endpoint)
    row["destroy_rc"] = rc3
    row["left_after_destroy"] = counts(moto.endpoint)
    row["ok"] = row["one_of_each"] and row["second_rerun_changed"] == [] and rc3 == 0 and not row["left_after_destroy"]
    row["seconds"] = round(time.monotonic() - start, 1)
    return row


def markdown(rows: list[dict]) -> str:
    out = [
        "| call | mode | first run | re-run | duplicates deleted by the re-run | one of each | 2nd re-run changed "
        "| destroy leaves | ok |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        first = {0: "rc 0", -signal.SIGKILL: "killed"}.get(r["first_rc"], f"rc {r['first_rc']}")
        if not r["injected"]:
            first += " (call not reached)"
        out.append(
            "| `{action}` | {mode} | {first} | {rerun} | {deleted} | {one} | {changed} | {left} | {ok} |".format(
                action=r["action"],
                mode=r["mode"],
                first=first,
                rerun="rc 0" if r["rerun_rc"] == 0 else f"rc {r['rerun_rc']}: {r['rerun_failure'][:160]}",
                deleted=r["deleted"] or "-",
                one="yes" if r["one_of_each"] else f"no: {r['after_rerun']}",
                changed="-" if r["second_rerun_changed"] is None else (", ".join(r["second_rerun_changed"]) or "0"),
                left="nothing" if not r["left_after_destroy"] else json.dumps(r["left_after_destroy"]),
                ok="**yes**" if r["ok"] else "**NO**",
            )
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", nargs="+", default=["lost", "killed"], choices=["lost", "killed"])
    parser.add_argument("--actions", nargs="+", help="only these calls (default: every mutating call of a first run)")
    parser.add_argument("--json", type=Path, help="write the rows here too")
    parser.add_argument("--table", type=Path, nargs="+", help="only print the table of rows saved with --json")
    args = parser.parse_args()
    if args.table:
        print(markdown([row for path in args.table for row in json.loads(path.read_text())]))
        return 0

    work = Path(tempfile.mkdtemp(prefix="aws-faults-"))
    runner = Runner(work)
    rows: list[dict] = []
    with moto_helper.MotoServer() as moto, FaultProxy(moto.endpoint) as proxy:
        rc, _ = runner.run(CREATE, proxy.endpoint)
        assert rc == 0, "the clean first run failed"
        mutating = list(dict.fromkeys(a for a in proxy.calls if is_mutating(a) and a not in MOTO_ONLY))
        print(f"mutating calls of a first run ({len(mutating)}): {', '.join(mutating)}", flush=True)
        for mode in args.modes:  # every call in the first mode, then every call in the next
            for action in args.actions or mutating:
                row = case(moto, proxy, runner, action, mode)
                rows.append(row)
                print(json.dumps(row), flush=True)
                if args.json:
                    args.json.write_text(json.dumps(rows, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    print(markdown(rows))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
