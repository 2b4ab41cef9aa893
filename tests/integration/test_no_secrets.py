"""No secret in the output at any verbosity (issue 21, row 4): enable_mtls.yml, site.yml and verify.yml run with
-vvv against a real receiver (a podman systemd container, netattest_local.Instance) that demands client
certificates, with an encrypted proof client key and an encrypted server bundle; the whole output of each run must
carry neither passphrase nor any piece of the keys (the encrypted PEM, the decrypted key, the server key on the
receiver).

enable_mtls.yml and site.yml both import verify.yml, so verify.yml runs three times here. site.yml runs with
``--limit`` on the receiver: its first play (the AWS infrastructure, on localhost) is left out, the rest (the role
on a mutual TLS receiver, verify.yml, the summary) runs as it does after enable_mtls.yml. The receiver's set-up is
enable_mtls.yml itself, so the role's own handling of the bundle passphrase is under the same check.

On the same receiver (it is the costly part), the last test gives site.yml the names and paths of issue 21's rows 8
and 10 (a permitted name with a leading dot, ``../`` in a log file name, a quote or a space in a file name, the group
and the certificate directory): the role refuses them all at once, naming each, and nothing on the receiver changes.
"""

import json
import os
import re
import secrets
import subprocess

from netattest_local import pki as certs
import pytest
from cryptography.hazmat.primitives import serialization
from netattest_local import ROOT, Instance, free_port, project_env, recap
from netattest_local.pki import BUNDLE, make_pki

pytestmark = pytest.mark.skipif(
    subprocess.run(["podman", "--version"], capture_output=True, check=False).returncode != 0,
    reason="podman is not installed (make setup)",
)


def key_pieces(pem):
    """The base64 lines of the private keys in a PEM text (bytes or str), not of its certificates: any one of them in
    the output is key material printed."""
    text = pem.decode() if isinstance(pem, bytes) else pem
    blocks = re.findall(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\n(.*?)-----END", text, re.S)
    return [line for block in blocks for line in block.splitlines() if line and ":" not in line]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The receiver, the secrets and a function that runs a playbook against it with -vvv (its whole output)."""
    work = tmp_path_factory.mktemp("nosecrets")
    name = "h21s-nosecrets-%d" % os.getpid()
    box = Instance(name, free_port(), name + "-efs", hostname="netattest-tlssyslog-vm")
    bundle_pass = "bundle-pass-%s" % secrets.token_hex(10)
    client_pass = "proof-key-pass-%s" % secrets.token_hex(10)
    try:
        box.start()
        pki = make_pki(work / "pki", bundle_pass, ["127.0.0.1", "localhost"])
        # The permitted client's key, encrypted (PKCS#8, as OneGate's CA hands keys out) with its own passphrase.
        plain = (pki / "client-aws-syslog.key").read_bytes()
        key = serialization.load_pem_private_key(plain, password=None)
        encrypted = certs.key_pkcs8_encrypted(key, client_pass)
        certs.write(pki / "client-aws-syslog-encrypted.key", encrypted)
        inventory = work / "inventory.json"
        host = dict(box.connection_vars(), aws_infra_eip="127.0.0.1")
        inventory.write_text(json.dumps({"all": {"children": {"tls_syslog_servers": {"hosts": {"receiver": host}}}}}))
        extra = work / "vars.json"
        extra.write_text(json.dumps({
            "rsyslog_tls_bundle_file": str(pki / BUNDLE),
            "rsyslog_tls_ca_file": str(pki / "ca.cer"),
            "rsyslog_tls_bundle_passphrase": bundle_pass,
            "rsyslog_tls_mount_fstypes": ["nfs4", "nfs", box.fstype()],
            "rsyslog_tls_kernel_log": False,
            "tls_syslog_verify_client_cert": str(pki / "client-aws-syslog.cer"),
            "tls_syslog_verify_client_key": str(pki / "client-aws-syslog-encrypted.key"),
            "tls_syslog_verify_client_key_passphrase": client_pass,
            "tls_syslog_verify_refused_clients": [
                {"name": "intruder", "cert": str(pki / "client-intruder.cer"), "key": str(pki / "client-intruder.key")}
            ],
            "tls_syslog_verify_refused_connections": 3,
        }))  # fmt: skip
        extra.chmod(0o600)

        def playbook(name, *args):
            cmd = ["ansible-playbook", "-vvv", "-i", str(ROOT / "inventory" / "hosts.yml"), "-i", str(inventory),
                   str(ROOT / "playbooks" / name), "-e", "@%s" % extra, *args]  # fmt: skip
            proc = subprocess.run(cmd, cwd=ROOT, env=project_env(), capture_output=True, text=True, check=False)
            out = proc.stdout + proc.stderr
            log = work / (name + ".log")
            log.write_text(out)
            return proc.returncode, out, log

        yield {
            "playbook": playbook,
            "box": box,
            "passphrases": {"client key passphrase": client_pass, "bundle passphrase": bundle_pass},
            "keys": {
                "encrypted client key": key_pieces(encrypted),
                "client key": key_pieces(plain),
                "server bundle": key_pieces((pki / BUNDLE).read_bytes()),
            },
        }
    finally:
        box.remove(volume=True)


def leaks(run, out):
    """Each secret found in ``out``, by what it is (never the secret itself: the assertion message would print it)."""
    found = [what for what, secret in run["passphrases"].items() if secret in out]
    keys = dict(
        run["keys"], **{"server key on the receiver": key_pieces(run["box"].read("/etc/rsyslog.d/tls/server.key"))}
    )
    for what, pieces in keys.items():
        hits = [p for p in pieces if p in out]
        if hits:
            found.append("%s (%d of its %d lines)" % (what, len(hits), len(pieces)))
    return found


# In this order: enable_mtls.yml sets the receiver up; site.yml then keeps mutual TLS (no AWS play with --limit).
PLAYBOOKS = [
    ("enable_mtls.yml", ()),
    ("site.yml", ("--limit", "tls_syslog_servers")),
    ("verify.yml", ()),
]


@pytest.mark.parametrize(("name", "args"), PLAYBOOKS, ids=[p[0] for p in PLAYBOOKS])
def test_no_passphrase_or_key_in_vvv_output(run, name, args):
    rc, out, log = run["playbook"](name, *args)
    # The output may hold the secrets: it is in the log file, never in the assertion message.
    assert rc == 0, "%s failed (rc=%d), see %s" % (name, rc, log)
    # The proof ran in mutual TLS with the encrypted key: the permitted client landed, the intruder did not.
    assert "OneGate-shaped messages landed" in out
    assert "intruder: 0/3 landed" in out
    assert not leaks(run, out), "%s -vvv printed: %s" % (name, ", ".join(leaks(run, out)))


def test_site_and_enable_mtls_run_verify():
    # What is proven for verify.yml above holds inside both, whatever else they do.
    for name in ("site.yml", "enable_mtls.yml"):
        assert re.search(
            r"(?m)^  ansible\.builtin\.import_playbook: verify\.yml$", (ROOT / "playbooks" / name).read_text()
        )


#: What the role writes (configuration files, with their content) and where remote messages land (names and modes).
SNAPSHOT = (
    "find /etc/rsyslog.conf /etc/rsyslog.d /etc/logrotate.d /etc/systemd/system /etc/stunnel -type f 2>/dev/null"
    " | sort | xargs sha256sum; find /mnt/efs /var/log/x /etc/rsyslog.d -printf '%p %m %u:%g\\n' 2>/dev/null | sort;"
    " systemctl show rsyslog -p ActiveEnterTimestampMonotonic -p MainPID"
)

BAD = {
    "tls_syslog_permitted_peers": ["aws-syslog", ".example"],
    "rsyslog_tls_other_log_file": "../../var/log/x",
    "rsyslog_tls_verify_log_file": 'verify".log',
    "rsyslog_tls_log_group": "adm x",
    "rsyslog_tls_dir": "/etc/rsyslog.d/my tls",
}


def test_bad_names_and_paths_are_refused_and_change_nothing(run):
    box = run["box"]
    before = box.exec("sh", "-c", SNAPSHOT).stdout
    assert "80-Syslogtls.conf" in before  # the receiver is configured (the tests above ran)
    rc, out, log = run["playbook"]("site.yml", "--limit", "tls_syslog_servers", "-e", json.dumps(BAD))
    flat = " ".join(out.replace('\\"', '"').split())  # the callback prints the message as a JSON string
    assert rc != 0, "site.yml accepted %s, see %s" % (BAD, log)
    for words in (
        'rsyslog_tls_permitted_peers item 2 (".example") starts with a dot',
        'rsyslog_tls_other_log_file="../../var/log/x" is not a plain file name',
        'rsyslog_tls_verify_log_file="verify".log" contains a double quote',
        'rsyslog_tls_log_group="adm x" is not a plain group name (it contains a space)',
        'rsyslog_tls_dir="/etc/rsyslog.d/my tls" contains a space',
        "Nothing was changed.",
    ):
        assert words in flat, "%r not in the output, see %s" % (words, log)
    assert recap(out)["receiver"]["changed"] == 0, log
    assert box.exec("sh", "-c", SNAPSHOT).stdout == before


def test_the_search_finds_each_secret(run):
    # The search above is not blind: each secret, and one line of each key, is found where it is.
    samples = dict(run["passphrases"], **{what: "x\n%s\ny" % pieces[-1] for what, pieces in run["keys"].items()})
    for what, text in samples.items():
        assert [hit for hit in leaks(run, text) if hit.startswith(what)], what
    server_key = key_pieces(run["box"].read("/etc/rsyslog.d/tls/server.key"))
    assert server_key and "server key on the receiver (1 of" in " ".join(leaks(run, server_key[0]))
