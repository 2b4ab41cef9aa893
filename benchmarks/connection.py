"""connection: what one Ansible task costs over `podman exec` and over SSH, against the same container.

The molecule scenarios (extensions/molecule) run a few hundred tasks each. molecule's podman driver connects with
containers.podman.podman, which cannot pipeline: every module is a put_file and several `podman exec` runs, each a
podman process. The scenarios now connect over SSH (.config/molecule/config.yml): one ControlPersist master per
container, pipelining (ansible.cfg). This benchmark runs one playbook of module calls (command, stat, copy in check
mode: what the role's tasks are made of) against one systemd container of the Debian image over both connections,
interleaved, and reports per task: the wall time, and the CPU time of the controller (ansible-playbook and every
process it started: podman or ssh), from getrusage of the children. The container's own CPU (sshd or the podman
exec'd process) is not in it.

    benchmarks/run.py connection      (or: .venv/bin/python benchmarks/connection.py [--quick])
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

TASKS = 30
PLAYBOOK = """\
- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.command: "true"
      loop: "{{ range(%(third)d) | list }}"
      changed_when: false
    - ansible.builtin.stat: {path: /etc/passwd}
      loop: "{{ range(%(third)d) | list }}"
    - ansible.builtin.copy: {content: "x", dest: /tmp/netattest-bench-file, mode: "0600"}
      check_mode: true
      loop: "{{ range(%(third)d) | list }}"
"""


def setup_ssh(name: str, work: Path) -> str:
    """Authorize a fresh key for root in the container, pin its host key from inside; the inventory line."""
    key = work / "id_ed25519"
    common.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)])
    subprocess.run(
        ["podman", "exec", "-i", name, "sh", "-c", "install -d -m 0700 /root/.ssh && cat > /root/.ssh/authorized_keys"],
        input=(work / "id_ed25519.pub").read_text(),
        text=True,
        check=True,
        env=common.env(),
    )
    common.podman("exec", name, "systemctl", "start", "ssh")
    address = common.podman("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name).stdout.strip()
    host_key = common.podman("exec", name, "cat", "/etc/ssh/ssh_host_ed25519_key.pub").stdout.split()[:2]
    (work / "known_hosts").write_text("%s %s\n" % (address, " ".join(host_key)))
    args = "-o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s -o ControlPath=%s/cm-%%C" % (
        work / "known_hosts",
        work,
    )
    return "%s ansible_connection=ansible.builtin.ssh ansible_host=%s ansible_user=root " % (name, address) + (
        "ansible_ssh_private_key_file=%s ansible_ssh_common_args='%s' ansible_python_interpreter=/usr/bin/python3"
        % (key, args)
    )


def timed_playbook(inventory: Path, playbook: Path) -> tuple[float, float]:
    """Wall and controller CPU seconds of one ansible-playbook run (children's rusage, ansible-playbook included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    common.run(["ansible-playbook", "-i", str(inventory), str(playbook)])
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(quick: bool = False) -> dict:
    repeats = 1 if quick else 3
    name = common.unique_name("connection")
    with tempfile.TemporaryDirectory(prefix="netattest-bench-connection-") as tmp, common.containers_removed(name):
        work = Path(tmp)
        common.podman("run", "-d", "--name", name, "--hostname", name, common.local_env.IMAGE, "/sbin/init")
        common.podman("exec", name, "systemctl", "is-system-running", "--wait", check=False)
        playbook = work / "tasks.yml"
        playbook.write_text(PLAYBOOK % {"third": TASKS // 3})
        inventories = {
            "podman exec": work / "podman.ini",
            "ssh (ControlPersist, pipelining)": work / "ssh.ini",
            "ssh (ControlPersist, no pipelining)": work / "ssh-nopipe.ini",
        }
        inventories["podman exec"].write_text(
            "%s ansible_connection=containers.podman.podman ansible_python_interpreter=/usr/bin/python3\n" % name
        )
        ssh_line = setup_ssh(name, work)
        inventories["ssh (ControlPersist, pipelining)"].write_text(ssh_line + " ansible_pipelining=true\n")
        # What molecule's generated ansible.cfg gives unless config_options set ssh_connection.pipelining.
        inventories["ssh (ControlPersist, no pipelining)"].write_text(ssh_line + " ansible_pipelining=false\n")
        runs = {label: [] for label in inventories}
        for i in range(repeats):
            for label, inventory in inventories.items():  # interleaved: both see the same load
                wall, cpu = timed_playbook(inventory, playbook)
                runs[label].append((wall, cpu))
                common.say("connection", "run %d %-34s %6.1f s wall %6.1f s CPU" % (i + 1, label, wall, cpu))
        common.run(["ssh", "-o", "ControlPath=%s/cm-%%C" % work, "-O", "exit", "root@x"], check=False)
    out = {"tasks": TASKS, "repeats": repeats, "machine": common.machine(), "runs": runs, "per_task": {}}
    for label, values in runs.items():
        wall = common.median([w for w, _ in values]) / TASKS
        cpu = common.median([c for _, c in values]) / TASKS
        out["per_task"][label] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
    ref, new, nopipe = (out["per_task"][k] for k in inventories)
    common.say("connection", "per task (median of %d runs of %d tasks):" % (repeats, TASKS))
    for label, v in out["per_task"].items():
        common.say("connection", "  %-34s %.3f s wall  %.3f s controller CPU" % (label, v["wall_s"], v["cpu_s"]))
    common.say(
        "connection",
        "ssh / podman exec: wall %.2f, CPU %.2f; load average %s"
        % (new["wall_s"] / ref["wall_s"], new["cpu_s"] / ref["cpu_s"], common.loadavg()),
    )
    common.say(
        "connection",
        "ssh with pipelining / without: wall %.2f, CPU %.2f"
        % (new["wall_s"] / nopipe["wall_s"], new["cpu_s"] / nopipe["cpu_s"]),
    )
    common.say("connection", "saved %s" % common.save("connection", out))
    return out


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
