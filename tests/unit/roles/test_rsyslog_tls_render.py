"""Render the rsyslog_tls role for an Amazon Linux 2023 host (no AL2023 image can be pulled here).

The role's own templates and OS-family variables are rendered by ansible-playbook on localhost with the facts of an
AL2023 host (os_family RedHat, distribution Amazon, pkg_mgr dnf); the package lists and the rendered configuration
files are then checked.
"""

import hashlib
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLE = ROOT / "roles" / "rsyslog_tls"

AL2023_FACTS = {
    "os_family": "RedHat",
    "distribution": "Amazon",
    "distribution_major_version": "2023",
    "pkg_mgr": "dnf",
}

VARIANTS = {
    "anon": {"rsyslog_tls_auth_mode": "anon", "rsyslog_tls__driver": "ossl"},
    "mtls": {
        "rsyslog_tls_auth_mode": "x509/name",
        "rsyslog_tls_permitted_peers": ["aws-syslog", 'we"ird\\name'],
        "rsyslog_tls__driver": "gtls",
        "rsyslog_tls_listen_address": "10.0.0.5",
    },
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("al2023")
    tasks = [
        {"name": "Role internal vars", "ansible.builtin.include_vars": {"file": str(ROLE / "vars" / "main.yml")}},
        {
            "name": "OS family vars, chosen as the role does",
            "ansible.builtin.include_vars": {"file": str(ROLE / "vars") + "/{{ facts.os_family }}.yml"},
        },
        {
            "name": "Package lists",
            "ansible.builtin.copy": {
                "content": "{{ {'packages': rsyslog_tls__packages, 'driver_packages': rsyslog_tls__driver_packages,"
                " 'work_dir': rsyslog_tls__work_dir} | to_json }}",
                "dest": str(out / "packages.json"),
                "mode": "0644",
            },
        },
    ]
    for name, variant in VARIANTS.items():
        for src, dest in [
            ("rsyslog.conf.{{ facts.os_family }}.j2", "rsyslog.conf"),
            ("80-Syslogtls.conf.j2", "80-Syslogtls.conf"),
            ("local0.conf.j2", "local0.conf"),
            ("requires-mounts.conf.j2", "requires-mounts.conf"),
            ("logrotate.j2", "logrotate"),
        ]:
            tasks.append(
                {
                    "name": f"Render {dest} ({name})",
                    "ansible.builtin.template": {
                        "src": str(ROLE / "templates") + "/" + src,
                        "dest": str(out / f"{name}-{dest}"),
                        "mode": "0644",
                    },
                    "vars": {**variant, "rsyslog_tls__ossl_enforces_peers": False},
                }
            )
            # The role skips a template write when the file's SHA-1 equals this controller-side rendering.
            tasks.append(
                {
                    "name": f"Checksum of the lookup rendering of {dest} ({name})",
                    "ansible.builtin.copy": {
                        "content": "{{ lookup('ansible.builtin.template', '%s') | hash('sha1') }}"
                        % (str(ROLE / "templates") + "/" + src.replace("{{ facts.os_family }}", "RedHat")),
                        "dest": str(out / f"{name}-{dest}.lookup-sha1"),
                        "mode": "0644",
                    },
                    "vars": {**variant, "rsyslog_tls__ossl_enforces_peers": False},
                }
            )
    play = [
        {
            "name": "Render rsyslog_tls for AL2023",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            # The role's defaults as play variables (below the task variables of each variant, as in a role).
            "vars": {
                **yaml.safe_load((ROLE / "defaults" / "main.yml").read_text()),
                "ansible_python_interpreter": sys.executable,
                "facts": AL2023_FACTS,
            },
            "tasks": tasks,
        }
    ]
    playbook = out / "render.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    env = dict(os.environ)
    env.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".cache" / "collections"))
    ansible_playbook = pathlib.Path(sys.executable).parent / "ansible-playbook"
    result = subprocess.run(
        [str(ansible_playbook), "-i", "localhost,", str(playbook)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def read(out, name):
    return (out / name).read_text()


def test_al2023_packages(rendered):
    data = json.loads(read(rendered, "packages.json"))
    assert data["packages"] == ["rsyslog", "python3-cryptography", "logrotate"]
    assert data["driver_packages"] == {"ossl": "rsyslog-openssl", "gtls": "rsyslog-gnutls"}
    assert data["work_dir"] == "/var/lib/rsyslog"


def test_al2023_rsyslog_conf(rendered):
    conf = read(rendered, "anon-rsyslog.conf")
    assert 'module(load="builtin:omfile" Template="RSYSLOG_FileFormat")' in conf
    assert 'RSYSLOG_TraditionalFileFormat")' not in conf
    assert 'module(load="imjournal"' in conf
    assert 'global(workDirectory="/var/lib/rsyslog")' in conf
    assert 'include(file="/etc/rsyslog.d/*.conf" mode="optional")' in conf
    # local logging kept, the received local0 kept off the root disk
    assert "*.info;mail.none;authpriv.none;cron.none;local0.none    /var/log/messages" in conf
    assert "authpriv.*                                              /var/log/secure" in conf


def test_al2023_listener_anon(rendered):
    conf = read(rendered, "anon-80-Syslogtls.conf")
    assert 'StreamDriver.Name="ossl"' in conf
    assert 'DefaultNetstreamDriver="ossl"' in conf
    assert 'StreamDriver.Authmode="anon"' in conf
    assert 'gnutlsPriorityString="MinProtocol=TLSv1.2"' in conf
    assert 'DefaultNetstreamDriverCAFile="/etc/rsyslog.d/tls/ca.cer"' in conf
    assert 'DefaultNetstreamDriverCertFile="/etc/rsyslog.d/tls/server.cer"' in conf
    assert 'DefaultNetstreamDriverKeyFile="/etc/rsyslog.d/tls/server.key"' in conf
    assert "PermittedPeer" not in conf
    assert 'input(type="imtcp" port="6514")' in conf


def test_al2023_listener_mtls(rendered):
    conf = read(rendered, "mtls-80-Syslogtls.conf")
    assert 'StreamDriver.Name="gtls"' in conf
    assert 'StreamDriver.Authmode="x509/name"' in conf
    assert 'PermittedPeer=["aws-syslog","we\\"ird\\\\name"]' in conf
    assert 'gnutlsPriorityString="NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"' in conf
    assert 'input(type="imtcp" port="6514" address="10.0.0.5")' in conf


def test_al2023_local0_mount_logrotate(rendered):
    assert read(rendered, "anon-local0.conf").splitlines()[-1] == "local0.*\t-/mnt/efs/fs1/local0.log"
    assert "RequiresMountsFor=/mnt/efs/fs1" in read(rendered, "anon-requires-mounts.conf").splitlines()
    rotate = read(rendered, "anon-logrotate")
    assert "/mnt/efs/fs1/local0.log {" in rotate
    for word in ("daily", "rotate 14", "compress", "delaycompress"):
        assert f"    {word}\n" in rotate
    assert "systemctl kill --signal=HUP --kill-whom=main rsyslog.service" in rotate


def test_lookup_rendering_has_the_checksum_of_the_written_file(rendered):
    """The role's probe compares find's SHA-1 of each file with lookup('template') | hash('sha1'): the two renderings
    must be byte for byte the same, or a converged host would be rewritten (changed) on every run."""
    pairs = sorted(rendered.glob("*.lookup-sha1"))
    assert len(pairs) == 2 * 5
    for sha_file in pairs:
        written = sha_file.with_name(sha_file.name[: -len(".lookup-sha1")])
        digest = hashlib.sha1(written.read_bytes(), usedforsecurity=False).hexdigest()
        assert digest == sha_file.read_text().strip(), written.name
