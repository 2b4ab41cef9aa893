"""Render the rsyslog_tls role's managed files for Amazon Linux 2023 and Debian (no AL2023 image can be pulled here).

The role renders every managed file on the controller with lookup('template') and writes exactly that text
(roles/rsyslog_tls/tasks/configure.yml). This test does the same with ansible-playbook on localhost, with the facts of
an AL2023 host (os_family RedHat, distribution Amazon, pkg_mgr dnf) and of a Debian host, for the three listener
variants (anon with ossl, mutual TLS with gtls, mutual TLS behind the stunnel front end), and checks the package lists
and the files.
"""

import json
import pathlib
import sys

import pytest
import yaml
from netattest_local.env import run_local_play

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLE = ROOT / "roles" / "rsyslog_tls"

FACTS = {
    "RedHat": {"os_family": "RedHat", "distribution": "Amazon", "distribution_major_version": "2023", "pkg_mgr": "dnf"},
    "Debian": {"os_family": "Debian", "distribution": "Debian", "distribution_major_version": "12", "pkg_mgr": "apt"},
}

# The front end and driver come from the role's own decision (the tls_frontend filter, as
# roles/rsyslog_tls/tasks/install.yml calls it), for the rsyslog version and gtls answer of each host kind.
CHOICE = (
    "{{ rsyslog_tls_auth_mode | netattest.tls_syslog.tls_frontend(rsyslog_version=test_rsyslog_version,"
    " gtls_installable=test_gtls_installable, crl=rsyslog_tls_crl_file | length > 0) }}"
)
DECIDED = {
    "_rsyslog_tls_choice": CHOICE,
    "_rsyslog_tls_frontend": "{{ _rsyslog_tls_choice.frontend }}",
    "_rsyslog_tls_driver": "{{ _rsyslog_tls_choice.driver }}",
    "_rsyslog_tls_frontend_why": "{{ _rsyslog_tls_choice.why }}",
    # what preflight.yml's crl_check gives (the PEM of the checked CRL); written only when rsyslog_tls_crl_file is set
    "_rsyslog_tls_crl": {"pem": "-----BEGIN X509 CRL-----\nTEST\n-----END X509 CRL-----\n"},
}
DEBIAN12 = {"test_rsyslog_version": "8.2302.0", "test_gtls_installable": True, **DECIDED}
AL2023 = {"test_rsyslog_version": "8.2204.0", "test_gtls_installable": False, **DECIDED}

VARIANTS = {
    "anon": {"rsyslog_tls_auth_mode": "anon", **DEBIAN12},
    "mtls": {
        "rsyslog_tls_auth_mode": "x509/name",
        "rsyslog_tls_permitted_peers": ["aws-syslog", 'we"ird\\name'],
        "rsyslog_tls_listen_address": "10.0.0.5",
        **DEBIAN12,
    },
    "stunnel": {
        "rsyslog_tls_auth_mode": "x509/name",
        "rsyslog_tls_permitted_peers": ["aws-syslog", "aws-syslog-2"],
        **AL2023,
    },
    "stunnel-anon": {"rsyslog_tls_auth_mode": "anon", **AL2023},
    # a CRL: stunnel reads it on AL2023 (CRLfile); rsyslog reads it itself only from 8.2308.0 (streamDriver.CRLFile)
    "stunnel-crl": {
        "rsyslog_tls_auth_mode": "x509/name",
        "rsyslog_tls_permitted_peers": ["aws-syslog"],
        "rsyslog_tls_crl_file": "/srv/onegate.crl",
        **AL2023,
    },
    "gtls-crl": {
        "rsyslog_tls_auth_mode": "x509/name",
        "rsyslog_tls_permitted_peers": ["aws-syslog"],
        "rsyslog_tls_crl_file": "/srv/onegate.crl",
        **DEBIAN12,
        "test_rsyslog_version": "8.2308.0",
    },
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    tasks = []
    renders = []  # (family, variant) of each registered render, in order
    for family in FACTS:
        tasks += [
            {
                "name": f"OS family vars {family}",
                "ansible.builtin.include_vars": {"file": str(ROLE / "vars" / f"{family}.yml"), "name": f"os_{family}"},
            },
            {
                "name": f"Package lists {family}",
                "ansible.builtin.copy": {
                    "content": f"{{{{ os_{family} | to_json }}}}",
                    "dest": str(out / f"{family}-vars.json"),
                    "mode": "0644",
                },
            },
        ]
        for name, variant in VARIANTS.items():
            # The text of each file, kept as a fact (no module runs: one per file would cost a Python process each);
            # the last task writes them all, and the fixture splits them into files.
            renders.append((family, name))
            tasks.append(
                {
                    "name": f"Render the managed files, {family} {name}, as configure.yml does",
                    "ansible.builtin.set_fact": {
                        "_rendered": "{{ lookup('ansible.builtin.template', '%s/templates/' ~ item.src) }}" % ROLE,
                        "_rendered_path": "{{ item.path }}",
                    },
                    "loop": "{{ _rsyslog_tls_managed_all | selectattr('src', 'defined') | list }}",
                    "register": f"_render_{len(renders) - 1}",
                    "vars": {
                        **variant,
                        "ansible_facts": FACTS[family],
                        **yaml.safe_load((ROLE / "vars" / f"{family}.yml").read_text()),
                    },
                }
            )
    registered = ", ".join(f"_render_{i}" for i in range(len(renders)))
    tasks.append(
        {
            "name": "Write every rendered file's text",
            "ansible.builtin.copy": {
                "content": "{{ [%s] | map(attribute='results') | map('map', attribute='ansible_facts') | map('list')"
                " | list | to_json }}" % registered,
                "dest": str(out / "rendered.json"),
                "mode": "0644",
            },
        }
    )
    play = [
        {
            "name": "Render rsyslog_tls",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            # The role's defaults and internal vars as play variables (below the task variables, as in a role).
            "vars_files": [str(ROLE / "defaults" / "main.yml"), str(ROLE / "vars" / "main.yml")],
            "vars": {"ansible_python_interpreter": sys.executable},
            "tasks": tasks,
        }
    ]
    result = run_local_play(play, out)
    assert result.returncode == 0, result.stdout + result.stderr
    for (family, name), files in zip(renders, json.loads((out / "rendered.json").read_text()), strict=True):
        assert files, f"nothing rendered for {family} {name}"
        for f in files:
            (out / f"{family}-{name}-{pathlib.PurePosixPath(f['_rendered_path']).name}").write_text(f["_rendered"])
    return out


def read(out, name):
    return (out / name).read_text()


def test_packages(rendered):
    al = json.loads(read(rendered, "RedHat-vars.json"))
    assert al["_rsyslog_tls_packages"] == ["rsyslog", "python3-cryptography", "logrotate"]
    assert al["_rsyslog_tls_driver_packages"] == {"ossl": "rsyslog-openssl", "gtls": "rsyslog-gnutls"}
    assert al["_rsyslog_tls_work_dir"] == "/var/lib/rsyslog"
    # AL2023's own repository: stunnel 5.58, binary /usr/bin/stunnel
    assert (al["_rsyslog_tls_stunnel_package"], al["_rsyslog_tls_stunnel_bin"]) == ("stunnel", "/usr/bin/stunnel")
    deb = json.loads(read(rendered, "Debian-vars.json"))
    assert (deb["_rsyslog_tls_stunnel_package"], deb["_rsyslog_tls_stunnel_bin"]) == ("stunnel4", "/usr/bin/stunnel4")


def test_al2023_rsyslog_conf(rendered):
    conf = read(rendered, "RedHat-anon-rsyslog.conf")
    assert 'module(load="builtin:omfile" Template="RSYSLOG_FileFormat")' in conf
    assert 'RSYSLOG_TraditionalFileFormat")' not in conf
    assert 'module(load="imjournal"' in conf
    assert 'global(workDirectory="/var/lib/rsyslog")' in conf
    assert 'include(file="/etc/rsyslog.d/*.conf" mode="optional")' in conf
    # local logging kept, local0 of this host kept off the root disk
    assert "*.info;mail.none;authpriv.none;cron.none;local0.none    /var/log/messages" in conf
    assert "authpriv.*                                              /var/log/secure" in conf


def test_debian_rsyslog_conf(rendered):
    conf = read(rendered, "Debian-anon-rsyslog.conf")
    assert "$ActionFileDefaultTemplate RSYSLOG_FileFormat" in conf or 'Template="RSYSLOG_FileFormat"' in conf
    assert "RSYSLOG_TraditionalFileFormat" not in conf.replace("# ", "")
    # local0 of this host never in /var/log/syslog (the root disk)
    syslog_lines = [line for line in conf.splitlines() if line.rstrip().endswith("/var/log/syslog")]
    assert len(syslog_lines) == 1 and "local0.none" in syslog_lines[0], syslog_lines


@pytest.mark.parametrize("family", list(FACTS))
def test_listener_anon(rendered, family):
    conf = read(rendered, f"{family}-anon-80-Syslogtls.conf")
    assert 'StreamDriver.Name="ossl"' in conf
    assert 'DefaultNetstreamDriver="ossl"' in conf
    assert 'StreamDriver.Authmode="anon"' in conf
    # one OpenSSL configuration command per line: TLS 1.2 minimum, ECDHE + AEAD only, the server's order
    assert (
        'gnutlsPriorityString="MinProtocol=TLSv1.2\nCipherString=ECDHE+AESGCM:ECDHE+CHACHA20\nOptions=ServerPreference"'
        in conf
    )
    assert 'DefaultNetstreamDriverCAFile="/etc/rsyslog.d/tls/ca.cer"' in conf
    assert 'DefaultNetstreamDriverKeyFile="/etc/rsyslog.d/tls/server.key"' in conf
    assert "PermittedPeer" not in conf
    assert 'input(type="imtcp" port="6514" ruleset="netattest_remote")' in conf
    assert 'MaxSessions="2000"' in conf  # rsyslog's default of 200 let idle sockets lock a client out
    # the decision's reason, which summary.yml shows
    assert "\n# Why: anon on rsyslog 8.2302.0: rsyslog's ossl listener, as the manual procedure.\n" in conf


@pytest.mark.parametrize("family", list(FACTS))
def test_listener_mtls_gtls(rendered, family):
    conf = read(rendered, f"{family}-mtls-80-Syslogtls.conf")
    assert 'StreamDriver.Name="gtls"' in conf
    assert 'StreamDriver.Authmode="x509/name"' in conf
    assert 'PermittedPeer=["aws-syslog","we\\"ird\\\\name"]' in conf
    assert (
        'gnutlsPriorityString="SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-DHE-RSA:-CIPHER-ALL:+AES-256-GCM:'
        '+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:%SERVER_PRECEDENCE"' in conf
    )
    assert 'input(type="imtcp" port="6514" address="10.0.0.5" ruleset="netattest_remote")' in conf


@pytest.mark.parametrize("family", list(FACTS))
def test_remote_ruleset_never_the_root_disk(rendered, family):
    """Every remote message is bound to the ruleset, and every action of the ruleset writes under the log directory."""
    for variant in VARIANTS:
        conf = read(rendered, f"{family}-{variant}-80-Syslogtls.conf")
        inputs = [line for line in conf.splitlines() if line.startswith("input(")]
        assert len(inputs) == 1 and 'ruleset="netattest_remote"' in inputs[0]
        body = conf[conf.index('ruleset(name="netattest_remote")') :]
        files = [part.split('"')[1] for part in body.split("file=")[1:]]
        assert files == ["/mnt/efs/fs1/verify.log", "/mnt/efs/fs1/remote-other.log"], files
        assert '$programname == "tls-syslog-verify"' in body and "call netattest_local0" in body
        assert body.count('fileCreateMode="0640"') == 2 and body.count('dirCreateMode="0750"') == 2


@pytest.mark.parametrize("family", list(FACTS))
def test_stunnel_front_end(rendered, family):
    conf = read(rendered, f"{family}-stunnel-80-Syslogtls.conf")
    assert "terminated by stunnel" in conf and "/etc/stunnel/netattest-tls-syslog/stunnel.conf" in conf
    assert "StreamDriver" not in conf and "DefaultNetstreamDriver" not in conf
    assert 'module(load="imtcp" MaxSessions="2000")' in conf
    assert 'input(type="imtcp" port="10514" address="127.0.0.1" ruleset="netattest_remote")' in conf
    assert "#845" in conf  # why, from the decision (8.2204: the TLS input spins)
    stunnel = read(rendered, f"{family}-stunnel-stunnel.conf").splitlines()
    for line in [
        "accept = 6514",
        "connect = 127.0.0.1:10514",
        "cert = /etc/rsyslog.d/tls/server.cer",
        "key = /etc/rsyslog.d/tls/server.key",
        "CAfile = /etc/rsyslog.d/tls/ca.cer",
        "verifyChain = yes",
        "requireCert = yes",
        "checkHost = aws-syslog",
        "checkHost = aws-syslog-2",
        "sslVersionMin = TLSv1.2",
        "ciphers = ECDHE+AESGCM:ECDHE+CHACHA20",
        "options = CIPHER_SERVER_PREFERENCE",
        "setgid = " + ("nobody" if family == "RedHat" else "nogroup"),
        "TIMEOUTbusy = 10",
        "TIMEOUTidle = 43200",
    ]:
        assert line in stunnel, line
    unit = read(rendered, f"{family}-stunnel-netattest-tls-syslog-stunnel.service").splitlines()
    binary = "/usr/bin/stunnel" if family == "RedHat" else "/usr/bin/stunnel4"
    assert f"ExecStart={binary} /etc/stunnel/netattest-tls-syslog/stunnel.conf" in unit
    assert "RequiresMountsFor=/mnt/efs/fs1" in unit


def test_local0_mount_logrotate(rendered):
    local0 = read(rendered, "RedHat-anon-local0.conf")
    assert 'action(type="omfile" file="/mnt/efs/fs1/local0.log"' in local0
    assert 'fileGroup="adm" fileCreateMode="0640" dirCreateMode="0750"' in local0
    assert local0.splitlines()[-1] == "local0.* call netattest_local0"
    dropin = read(rendered, "RedHat-anon-10-netattest-requires-mounts.conf").splitlines()
    assert "RequiresMountsFor=/mnt/efs/fs1" in dropin
    # AL2023's rsyslog.service has UMask=0066, which would make the 0640 files 0600 (molecule al2023 checks the modes)
    assert dropin[dropin.index("[Service]") + 1 :] == ["UMask=0027"]
    rotate = read(rendered, "RedHat-anon-rsyslog-tls-local0")
    for path in ("local0.log", "verify.log", "remote-other.log"):
        assert f"/mnt/efs/fs1/{path}\n" in rotate
    for word in ("daily", "rotate 14", "compress", "delaycompress", "create 0640 root adm"):
        assert f"    {word}\n" in rotate
    assert "systemctl kill --signal=HUP --kill-whom=main rsyslog.service" in rotate


@pytest.mark.parametrize("family", list(FACTS))
def test_stunnel_front_end_for_server_tls_on_al2023(rendered, family):
    """rsyslog 8.2204 (AL2023's) in anon mode: stunnel serves server TLS, asks for no client certificate, and closes
    sockets that do not complete a handshake; rsyslog reads plain TCP on 127.0.0.1 only."""
    conf = read(rendered, f"{family}-stunnel-anon-80-Syslogtls.conf")
    assert "terminated by stunnel" in conf and "#845" in conf
    assert "StreamDriver" not in conf and "ossl" not in conf.replace("#", "")
    assert 'input(type="imtcp" port="10514" address="127.0.0.1" ruleset="netattest_remote")' in conf
    stunnel = read(rendered, f"{family}-stunnel-anon-stunnel.conf").splitlines()
    for line in ["accept = 6514", "connect = 127.0.0.1:10514", "sslVersionMin = TLSv1.2", "TIMEOUTbusy = 10"]:
        assert line in stunnel, line
    for option in ("requireCert", "verifyChain", "checkHost", "CAfile"):
        assert not [line for line in stunnel if line.startswith(option)], option


@pytest.mark.parametrize("family", list(FACTS))
def test_the_crl_is_read_by_the_front_end(rendered, family):
    stunnel = read(rendered, f"{family}-stunnel-crl-stunnel.conf").splitlines()
    assert "CRLfile = /etc/rsyslog.d/tls/ca.crl" in stunnel
    assert "requireCert = yes" in stunnel and "checkHost = aws-syslog" in stunnel
    assert read(rendered, f"{family}-stunnel-crl-ca.crl").startswith("-----BEGIN X509 CRL-----")
    # without a CRL, no CRLfile line
    assert not any(line.startswith("CRLfile") for line in read(rendered, f"{family}-stunnel-stunnel.conf").splitlines())
    # rsyslog >= 8.2308.0 with gtls terminates mutual TLS itself and reads the CRL on its input
    conf = read(rendered, f"{family}-gtls-crl-80-Syslogtls.conf")
    assert 'DefaultNetstreamDriver="gtls"' in conf
    assert 'streamDriver.CRLFile="/etc/rsyslog.d/tls/ca.crl"' in conf
    assert "streamDriver.CRLFile" not in read(rendered, f"{family}-mtls-80-Syslogtls.conf")
