"""The collection as a user who never clones the repository gets it: built, installed, run by FQCN.

1. ``ansible-galaxy collection build`` of this checkout, then ``ansible-galaxy collection install --no-deps`` of the
   tarball into an empty temporary path. Its dependencies (amazon.aws, community.crypto, ansible.utils) come from the
   ``ansible`` package of the virtualenv, as they would from Galaxy. Nothing points at the checkout: no ansible.cfg,
   no .cache/collections, and ``ansible-galaxy collection list`` shows the install path as the only copy.
2. A user directory elsewhere, with its own inventory (hosts.yml, and group_vars for all hosts).
3. ``ansible-playbook netattest.tls_syslog.site`` against a real moto server: it creates the AWS resources and stops
   after the Elastic IP (no server certificate bundle yet), writing the inventory for later runs into the user's
   inventory directory. As in the local demo's first run, a podman systemd container stands in for the instance
   (moto boots nothing), reached through ``tls_syslog_host_override``: verify.yml and summary.yml look at it and find
   no receiver configured yet. Then ``netattest.tls_syslog.destroy`` removes the resources and that file.
4. Every file under the install path has the same content, mode and mtime before and after both runs, and no file
   was added or removed.
5. The execution environment: ``ansible-builder create`` renders a build context for an EE with the tarball, and the
   builder's own introspection of the installed collection (the step the image build runs) asks for boto3, botocore
   and cryptography only: no test or lint tool and no second ansible-core.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import yaml

from netattest_local import moto as motoserver
from netattest_local.env import IMAGE
from netattest_local.instance import run_labels

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

BIN = Path(sys.executable).parent
PREFIX = "NetAttest-tlsSyslog"
DEV_TOOLS = ["ruff", "molecule", "moto", "pytest", "ansible-lint", "yamllint", "antsibull-changelog"]
RUN_TIME = {"boto3", "botocore", "cryptography"}


def user_env(tmp: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """A user's environment: the venv's tools, no setting of this checkout (ansible.cfg, collections, PYTHONPATH)."""
    env = {k: v for k, v in (base or os.environ).items() if not k.startswith(("ANSIBLE_", "PYTHON", "MOLECULE_"))}
    env.update(
        PATH="%s:%s" % (BIN, env.get("PATH", "")),
        HOME=str(tmp / "home"),  # ~/.ansible of the user, not of this machine's account
        ANSIBLE_NOCOLOR="1",
        # Python's own bytecode cache is not the collection's state: the interpreter writes __pycache__ next to any
        # collection's Python plugins when it can, and silently does without on a read-only install.
        PYTHONDONTWRITEBYTECODE="1",
        ANSIBLE_FORCE_COLOR="0",
    )
    (tmp / "home").mkdir(exist_ok=True)
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        pytest.fail("%s failed (rc=%d):\n%s\n%s" % (" ".join(cmd), proc.returncode, proc.stdout[-6000:], proc.stderr))
    return proc


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root: (kind, mode, mtime_ns, sha256 of a file's content or a link's target)."""
    out = {}
    for path in sorted([root, *root.rglob("*")]):
        st = path.lstat()
        if path.is_symlink():
            out[str(path.relative_to(root))] = ("link", st.st_mode, st.st_mtime_ns, os.readlink(path))
        elif path.is_dir():
            out[str(path.relative_to(root))] = ("dir", st.st_mode, st.st_mtime_ns, None)
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out[str(path.relative_to(root))] = ("file", st.st_mode, st.st_mtime_ns, digest)
    return out


def changes(before: dict, after: dict) -> dict[str, list[str]]:
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(tarball, install path, collection directory, environment) of a fresh build and install."""
    tmp = tmp_path_factory.mktemp("installed")
    env = user_env(tmp)
    build = tmp / "build"
    run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(build), str(ROOT)], tmp, env)
    (tarball,) = build.glob("netattest-tls_syslog-*.tar.gz")
    install = tmp / "collections"
    install.mkdir()
    assert not any(install.iterdir()), "the install path must start empty"
    run([str(BIN / "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(install), str(tarball)], tmp, env)
    collection = install / "ansible_collections" / "netattest" / "tls_syslog"
    assert (collection / "MANIFEST.json").is_file()
    assert not collection.is_symlink() and ROOT not in collection.resolve().parents
    env["ANSIBLE_COLLECTIONS_PATH"] = str(install)  # the venv's site-packages collections come after it (sys.path)
    listing = run(
        [str(BIN / "ansible-galaxy"), "collection", "list", "netattest.tls_syslog", "--format", "json"], tmp, env
    )
    found = json.loads(listing.stdout)
    assert list(found) == [str(install / "ansible_collections")], (
        "netattest.tls_syslog must be found only in %s: %s"
        % (
            install,
            found,
        )
    )
    return tarball, install, collection, env


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """A podman systemd container standing in for the EC2 instance (its name unique to this run)."""
    name = "packaging-installed-%s" % tmp_path_factory.getbasetemp().name
    if subprocess.run(["podman", "image", "exists", IMAGE], check=False).returncode != 0:
        pytest.fail("image %s is missing: run scripts/setup.sh (make setup)" % IMAGE)
    subprocess.run(["podman", "rm", "-f", "-t", "0", name], check=False, capture_output=True)
    subprocess.run(
        ["podman", "run", "-d", "--name", name, *run_labels(), IMAGE, "/sbin/init"], check=True, capture_output=True
    )
    try:
        yield name
    finally:
        subprocess.run(["podman", "rm", "-f", "-t", "0", name], check=False, capture_output=True)


def write_user_inventory(user: Path) -> Path:
    """The user's own inventory directory, as docs/install.md describes it."""
    inventory = user / "inventory"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        yaml.safe_dump(
            {
                "all": {
                    "hosts": {
                        "localhost": {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                        }
                    }
                }
            }
        )
    )
    (inventory / "group_vars" / "all" / "main.yml").write_text(
        yaml.safe_dump(
            {
                # Documentation addresses (RFC 5737): they only go into security group rules in moto.
                "aws_infra_onegate_egress_ips": ["203.0.113.10", "203.0.113.11"],
                "aws_infra_ssh_cidrs": ["198.51.100.7/32"],
                "aws_infra_key_file": str(user / "keys" / ("%s-key.pem" % PREFIX)),
                "aws_infra_wait_for_ssh": False,  # moto boots nothing: no SSH to wait for
            }
        )
    )
    return inventory


def test_site_and_destroy_by_fqcn_leave_the_install_untouched(installed, instance, moto_server, tmp_path):
    _tarball, install, collection, env = installed
    env = moto_server.env(env)
    user = tmp_path / "user"
    user.mkdir()
    inventory = write_user_inventory(user)
    generated = inventory / "tls_syslog_generated.yml"
    # The stand-in for the instance, outside the user's inventory (the test's own extra variables).
    stand_in = tmp_path / "stand-in.json"
    stand_in.write_text(
        json.dumps(
            {
                "tls_syslog_host_override": {
                    "ansible_connection": "containers.podman.podman",
                    "ansible_host": instance,
                    "ansible_user": "root",
                    "ansible_python_interpreter": "/usr/bin/python3",
                }
            }
        )
    )
    before = snapshot(install)

    site = run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            "inventory/hosts.yml",
            "netattest.tls_syslog.site",
            "-e",
            "@%s" % stand_in,
        ],
        user,
        env,
    )
    assert "issue a server certificate" in site.stdout, site.stdout[-3000:]

    # The inventory for later runs went to the user's inventory directory, and names the receiver by its Elastic IP.
    assert generated.is_file(), "site.yml did not write %s; files under the user dir: %s" % (
        generated,
        sorted(str(p.relative_to(user)) for p in user.rglob("*")),
    )
    assert generated.stat().st_mode & 0o777 == 0o600
    hosts = yaml.safe_load(generated.read_text())["all"]["children"]["tls_syslog_servers"]["hosts"]
    ec2 = boto3.client(
        "ec2",
        region_name=motoserver.REGION,
        endpoint_url=moto_server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    addresses = [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]]
    assert [h["aws_infra_eip"] for h in hosts.values()] == addresses and len(addresses) == 1
    assert "netattest.tls_syslog.enable_mtls" in generated.read_text()
    assert changes(before, snapshot(install)) == {"added": [], "removed": [], "changed": []}

    cmd = [str(BIN / "ansible-playbook"), "-i", "inventory/hosts.yml", "-i", str(generated)]
    run([*cmd, "netattest.tls_syslog.destroy", "-e", "confirm=yes"], user, env)
    assert not generated.exists(), "destroy.yml did not remove %s" % generated
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["%s-*" % PREFIX]}])["Vpcs"]
    assert vpcs == [] and ec2.describe_addresses()["Addresses"] == []
    assert changes(before, snapshot(install)) == {"added": [], "removed": [], "changed": []}
    assert (collection / "playbooks" / "site.yml").is_file()


def test_execution_environment_context_has_no_dev_tool_and_one_ansible_core(installed, tmp_path):
    tarball, install, _collection, env = installed
    (tmp_path / "collections").mkdir()
    definition = {
        "version": 3,
        "images": {"base_image": {"name": "registry.access.redhat.com/ubi9/python-311:latest"}},
        "dependencies": {
            "ansible_core": {"package_pip": "ansible-core>=2.17"},
            "ansible_runner": {"package_pip": "ansible-runner"},
            "galaxy": {"collections": [{"name": "collections/%s" % tarball.name, "type": "file"}]},
        },
        "additional_build_files": [{"src": str(tarball), "dest": "collections"}],
    }
    (tmp_path / "execution-environment.yml").write_text(yaml.safe_dump(definition))
    run([str(BIN / "ansible-builder"), "create", "-c", "context"], tmp_path, env)
    context = tmp_path / "context"
    assert (context / "_build" / "collections" / tarball.name).is_file()

    # The context's files: the Containerfile installs one ansible-core (the definition's), and nothing names a
    # development tool. _build/scripts/ is ansible-builder's own code, the same for every EE (its introspect.py even
    # lists tools to leave out), so it is run below instead of read.
    containerfile = (context / "Containerfile").read_text()
    assert re.findall(r"ansible-core\S*", containerfile) == ["ansible-core>=2.17"]
    texts = {
        str(p.relative_to(context)): p.read_text(errors="replace")
        for p in context.rglob("*")
        if p.is_file() and p.suffix != ".gz" and "scripts" not in p.relative_to(context).parts
    }
    assert "Containerfile" in texts and "_build/requirements.yml" in texts
    for tool in DEV_TOOLS:
        hits = [name for name, text in texts.items() if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(tool), text)]
        assert hits == [], "%s is named in the EE build context: %s" % (tool, hits)

    # What the image build would pip/dnf install for the collection: the build's own introspection script, run on
    # the installed collection.
    pip_out, bindep_out = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    introspect = context / "_build" / "scripts" / "introspect.py"
    run(
        [sys.executable, str(introspect), "introspect", "--write-pip", str(pip_out), "--write-bindep", str(bindep_out),
         str(install)],
        tmp_path, env,
    )  # fmt: skip
    wanted = {re.split(r"[<>=!~ \[]", line, maxsplit=1)[0].lower() for line in pip_out.read_text().splitlines() if line}
    assert wanted == RUN_TIME
    assert not wanted & {"ansible", "ansible-core", "ansible-base"}
    assert "openssh-client" in bindep_out.read_text()
