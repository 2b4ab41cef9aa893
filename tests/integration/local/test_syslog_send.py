"""Tests of netattest.tls_syslog.syslog_send through its real entry point.

Against real TLS: a TLS server on 127.0.0.1 in a thread of the test (ssl.SSLContext), and a real rsyslogd
(imtcp + ossl stream driver, anon and x509/name) started with its own configuration on a port from the kernel
(tests/lib/netattest_local/rsyslogd.py).
Certificates come from the test PKI builder (tests/lib/netattest_local/pki.py). No mocks of the network.
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from cryptography import x509

from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_payloads import KINDS, kind_payload
from ansible_collections.netattest.tls_syslog.plugins.modules import syslog_send
from netattest_local import pki as certs

ROOT = Path(__file__).resolve().parents[3]
PASSPHRASE = "s3cret-Passphrase-4711"
HEADER_RE = re.compile(
    r"^<(?P<pri>\d+)>1 (?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00) (?P<host>\S+) (?P<app>\S+) - - - (?P<msg>.*)$"
)


# --------------------------------------------------------------------------------------------- PKI


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A OneGate-like CA, another CA, server certs, and client certs (aws-syslog, intruder, other-CA); EC keys."""
    d = tmp_path_factory.mktemp("pki")
    ca, other = certs.CA("OneGate Test CA", key=certs.ec_key()), certs.CA("Other CA", key=certs.ec_key())
    files = {"dir": d, "ca": certs.write(d / "ca.cer", ca.pem, 0o644)}
    files["other_ca"] = certs.write(d / "other.cer", other.pem)
    srv_key, srv = ca.issue("127.0.0.1", names=["syslog.test", "127.0.0.1"], key=certs.ec_key())
    files["server_cert"] = certs.write(d / "server.cer", certs.cert_pem(srv), 0o644)
    files["server_key"] = certs.write(d / "server.key", certs.key_plain(srv_key), 0o400)
    for label, cn, issuer, passphrase in (
        ("aws", "aws-syslog", ca, PASSPHRASE),
        ("intruder", "intruder", ca, None),
        ("foreign", "aws-syslog", other, None),
    ):
        key, cert = issuer.issue(cn, key=certs.ec_key(), server=False, client=True)
        key_pem = certs.key_pkcs8_encrypted(key, passphrase) if passphrase else certs.key_plain(key)
        files[label + "_cert"] = certs.write(d / (label + ".cer"), certs.cert_pem(cert), 0o644)
        files[label + "_key"] = certs.write(d / (label + ".key"), key_pem)
    return files


# ------------------------------------------------------------------------------- a real TLS server


class TLSServer:
    """Accepts TLS connections on 127.0.0.1 in a thread; records per connection what it received."""

    def __init__(self, context):
        self.context = context
        self.sni = []
        context.sni_callback = self._sni
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.conns = []
        self.cond = threading.Condition()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _sni(self, sock, name, ctx):
        self.sni.append(name)

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                raw, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw):
        rec = {"data": b"", "peer_cn": None, "version": None, "error": None}
        raw.settimeout(10)
        tls = None
        try:
            tls = self.context.wrap_socket(raw, server_side=True)
            rec["version"] = tls.version()
            peer = tls.getpeercert()
            if peer:
                rec["peer_cn"] = dict(x[0] for x in peer["subject"]).get("commonName")
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                rec["data"] += chunk
        except (OSError, ssl.SSLError) as exc:
            rec["error"] = str(exc)
        finally:
            (tls or raw).close()
            with self.cond:
                self.conns.append(rec)
                self.cond.notify_all()

    def wait_for(self, n, timeout=20):
        """Wait until n connections have ended (the client closes each one before the module returns)."""
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.conns) >= n, timeout), "server saw %d of %d connections" % (
                len(self.conns),
                n,
            )
            return list(self.conns)

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        self.listener.close()


def server_context(pki, require_client_cert=False, min_version=None, max_version=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki["server_cert"], pki["server_key"])
    if ciphers:
        ctx.set_ciphers(ciphers)
    if min_version:
        ctx.minimum_version = min_version
    if max_version:
        ctx.maximum_version = max_version
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki["ca"])
    return ctx


@pytest.fixture
def make_server():
    servers = []

    def factory(context):
        srv = TLSServer(context)
        servers.append(srv)
        return srv

    yield factory
    for srv in servers:
        srv.close()


def run_module(capsys, **args):
    """Run syslog_send.main() with these arguments; return (failed, result)."""
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        syslog_send.main()
    out = json.loads(capsys.readouterr().out)
    assert bool(out.get("failed")) == (exc.value.code != 0)
    return bool(out.get("failed")), out


def lf_frames(lines):
    return b"".join(line.encode() + b"\n" for line in lines)


def octet_frames(lines):
    return b"".join(b"%d %s" % (len(line.encode()), line.encode()) for line in lines)


def payload(line):
    m = HEADER_RE.match(line)
    assert m, line
    return json.loads(m.group("msg"))


# ------------------------------------------------------------------------------ against the server


@pytest.mark.parametrize("framing", ["lf", "octet"])
def test_exact_bytes_both_framings(pki, make_server, capsys, framing):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        kind="admin_login",
        fields={"test_id": "exact-" + framing},
        framing=framing,
        count=3,
    )
    assert not failed, res
    assert res["changed"] is True
    assert res["sent"] == 3 and res["connections_ok"] == 1 and res["connections_failed"] == 0
    assert res["server_closed"] is False and res["errors"] == []
    assert res["tls_version"] == "TLSv1.3" and res["cipher"]
    assert res["server_cert_subject"] == "CN=127.0.0.1"
    assert "IP Address:127.0.0.1" in res["server_cert_san"]
    served = x509.load_pem_x509_certificate(res["server_cert_pem"].encode())
    assert served == x509.load_pem_x509_certificate(Path(pki["server_cert"]).read_bytes())
    (conn,) = srv.wait_for(1)
    assert conn["error"] is None
    expected = lf_frames(res["lines"]) if framing == "lf" else octet_frames(res["lines"])
    assert conn["data"] == expected
    for line in res["lines"]:
        m = HEADER_RE.match(line)
        assert m and m.group("pri") == "134" and m.group("host") == "OneGate" and m.group("app") == "manager"
        assert payload(line)["test_id"] == "exact-" + framing


def test_facility_severity_header_fields_and_text_message(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        facility="local3",
        severity="warning",
        hostname="gw01",
        app_name="probe",
        procid="42",
        msgid="ID7",
        payload="plain text message",
    )
    assert not failed, res
    (conn,) = srv.wait_for(1)
    line = conn["data"].decode()
    assert re.match(r"^<156>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 gw01 probe 42 ID7 - plain text message\n$", line), (
        line
    )
    assert conn["data"] == lf_frames(res["lines"])


def test_dict_message_is_compact_json(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        payload={"event": "hello", "n": 1, "text": "日本語"},
        fields={"test_id": "dict"},
    )
    assert not failed, res
    (conn,) = srv.wait_for(1)
    assert conn["data"].endswith('- - - {"event":"hello","n":1,"text":"日本語","test_id":"dict"}\n'.encode())


@pytest.mark.parametrize(
    ("kind", "log_type", "param_keys"),
    [
        ("admin_login", "login_manager", {"code", "ip_address", "user_agent", "username"}),
        ("user_login", "login_user", {"code", "ip_address", "user_agent", "username"}),
        ("sso_access", "sso_access", {"code", "username", "service_name", "sp_entity_id"}),
        ("cert_issue", "certificate", {"code", "username", "serial_number", "subject", "not_after"}),
        ("sync", "sync", {"code", "source", "added", "updated", "deleted", "result"}),
    ],
)
def test_kinds_have_onegate_fields(pki, make_server, capsys, kind, log_type, param_keys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        kind=kind,
        fields={"test_id": "k-" + kind, "tenantcode": "abcd"},
    )
    assert not failed, res
    (conn,) = srv.wait_for(1)
    body = payload(conn["data"].decode().rstrip("\n"))
    assert list(body)[:6] == ["log_type", "log_level", "tenantcode", "message", "params", "timestamp"]
    assert body["log_type"] == log_type
    assert body["log_level"] == "INFO"
    assert body["tenantcode"] == "abcd"
    assert body["test_id"] == "k-" + kind
    assert param_keys <= set(body["params"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", body["timestamp"])
    if kind == "admin_login":
        assert body["params"]["code"] == "IM-605-I-001000"
        assert body["message"] == "Successfully logged in."


def test_wrong_ca_fails_verification(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(capsys, host="127.0.0.1", port=srv.port, ca_path=pki["other_ca"], kind="sync")
    assert failed
    assert res["sent"] == 0 and res["connections_failed"] == 1 and res["connections_ok"] == 0
    assert "certificate verification failed" in res["errors"][0]["msg"]
    (conn,) = srv.wait_for(1)
    assert conn["data"] == b""


def test_wrong_ca_accepted_without_validation_still_reports_subject(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys, host="127.0.0.1", port=srv.port, ca_path=pki["other_ca"], validate_certs=False, kind="sync"
    )
    assert not failed, res
    assert res["sent"] == 1
    # Not verified, so getpeercert() is empty: subject and names come from the DER, decoded by cryptography.
    assert res["server_cert_subject"] == "CN=127.0.0.1"
    assert res["server_cert_san"] == ["DNS:syslog.test", "IP Address:127.0.0.1"]
    (conn,) = srv.wait_for(1)
    assert conn["data"] == lf_frames(res["lines"])


def test_name_mismatch_fails_and_matching_dns_name_is_sent_as_sni(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys, host="127.0.0.1", port=srv.port, ca_path=pki["ca"], server_name="wrong.example", kind="sync"
    )
    assert failed
    assert res["connections_failed"] == 1 and res["sent"] == 0
    assert "mismatch" in res["errors"][0]["msg"].lower(), res["errors"]
    srv.wait_for(1)

    failed, res = run_module(
        capsys, host="127.0.0.1", port=srv.port, ca_path=pki["ca"], server_name="syslog.test", kind="sync"
    )
    assert not failed, res
    srv.wait_for(2)
    assert srv.sni == ["wrong.example", "syslog.test"]


def test_mtls_client_cert_presented_with_encrypted_key(pki, make_server, capsys):
    srv = make_server(server_context(pki, require_client_cert=True))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        client_cert=pki["aws_cert"],
        client_key=pki["aws_key"],
        client_key_passphrase=PASSPHRASE,
        kind="user_login",
    )
    assert not failed, res
    assert res["server_closed"] is False
    (conn,) = srv.wait_for(1)
    assert conn["error"] is None
    assert conn["peer_cn"] == "aws-syslog"
    assert conn["data"] == lf_frames(res["lines"])
    assert PASSPHRASE not in json.dumps(res)


@pytest.fixture
def module_tmp(tmp_path, monkeypatch):
    """The directory where the module's tempfile calls create their files, empty at the start."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    return tmp_path


def test_client_cert_given_as_text_is_presented_and_leaves_no_file(pki, make_server, capsys, module_tmp):
    srv = make_server(server_context(pki, require_client_cert=True))
    key_text = Path(pki["aws_key"]).read_text()
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        client_cert_content=Path(pki["aws_cert"]).read_text().rstrip("\n"),  # as lookup('file') returns it
        client_key_content=key_text,
        client_key_passphrase=PASSPHRASE,
        kind="sync",
    )
    assert not failed, res
    (conn,) = srv.wait_for(1)
    assert conn["error"] is None and conn["peer_cn"] == "aws-syslog"
    assert conn["data"] == lf_frames(res["lines"])
    dumped = json.dumps(res)
    assert PASSPHRASE not in dumped and key_text.strip().splitlines()[1] not in dumped
    assert list(module_tmp.iterdir()) == []  # the private directory is gone


def test_client_key_text_with_wrong_passphrase_names_the_option(pki, make_server, capsys, module_tmp):
    srv = make_server(server_context(pki, require_client_cert=True))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        client_cert_content=Path(pki["aws_cert"]).read_text(),
        client_key_content=Path(pki["aws_key"]).read_text(),
        client_key_passphrase="not-" + PASSPHRASE,
        kind="sync",
    )
    assert failed
    assert "client_cert_content" in res["msg"] and "client_key_content" in res["msg"]
    assert str(module_tmp) not in res["msg"] and PASSPHRASE not in json.dumps(res)
    assert res["sent"] == 0 and res["connections_ok"] == 0
    assert list(module_tmp.iterdir()) == []


def test_client_cert_content_holding_the_key_never_reaches_the_output(pki, make_server, capsys, module_tmp):
    """The documented use: certificate and (unencrypted) key in one text. -vvv prints invocation.module_args."""
    srv = make_server(server_context(pki, require_client_cert=True))
    key_text = Path(pki["intruder_key"]).read_text()  # an unencrypted key of the CA
    combined = Path(pki["intruder_cert"]).read_text() + key_text
    failed, res = run_module(
        capsys, host="127.0.0.1", port=srv.port, ca_path=pki["ca"], client_cert_content=combined, kind="sync"
    )
    assert not failed, res
    (conn,) = srv.wait_for(1)
    assert conn["peer_cn"] == "intruder" and conn["data"] == lf_frames(res["lines"])
    assert res["invocation"]["module_args"]["client_cert_content"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    dumped = json.dumps(res)
    assert "PRIVATE KEY" not in dumped
    assert all(line not in dumped for line in key_text.splitlines()[1:-1])


@pytest.mark.parametrize(
    "args",
    [
        {"client_cert": "x.cer", "client_cert_content": "PEM"},
        {"client_cert_content": "PEM", "client_key": "x.key"},
        {"client_key_content": "PEM"},
        {"client_key_passphrase": "secret-pass"},
    ],
)
def test_client_options_that_do_not_go_together(capsys, args):
    failed, res = run_module(capsys, host="127.0.0.1", kind="sync", **args)
    assert failed
    assert "client_" in res["msg"]
    assert "secret-pass" not in json.dumps(res)


def test_a_list_of_kinds_sends_one_of_each_on_one_connection(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    kinds = ["admin_login", "user_login", "sso_access", "cert_issue", "sync"]
    failed, res = run_module(
        capsys, host="127.0.0.1", port=srv.port, ca_path=pki["ca"], kind=kinds, fields={"test_id": "five"}
    )
    assert not failed, res
    assert res["sent"] == 5 and res["would_send"] == 5 and res["connections_ok"] == 1
    (conn,) = srv.wait_for(1)
    bodies = [payload(line) for line in conn["data"].decode().splitlines()]
    assert [b["log_type"] for b in bodies] == [kind_payload(k)["log_type"] for k in kinds]
    assert {b["test_id"] for b in bodies} == {"five"}


def test_a_list_of_kinds_with_count_cycles_through_them(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys, host="127.0.0.1", port=srv.port, ca_path=pki["ca"], kind=["admin_login", "sync"], count=5
    )
    assert not failed, res
    (conn,) = srv.wait_for(1)
    types = [payload(line)["log_type"] for line in conn["data"].decode().splitlines()]
    admin, sync = kind_payload("admin_login")["log_type"], kind_payload("sync")["log_type"]
    assert types == [admin, sync, admin, sync, admin]


def test_an_empty_list_of_kinds_is_refused(capsys):
    failed, res = run_module(capsys, host="127.0.0.1", kind=[])
    assert failed and "kind" in res["msg"]


def test_wrong_passphrase_fails_before_sending_and_hides_it(pki, make_server, capsys):
    srv = make_server(server_context(pki, require_client_cert=True))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        client_cert=pki["aws_cert"],
        client_key=pki["aws_key"],
        client_key_passphrase="not-" + PASSPHRASE,
        kind="user_login",
    )
    assert failed
    assert "cannot load the client certificate" in res["msg"]
    assert PASSPHRASE not in json.dumps(res)
    assert res["sent"] == 0 and res["connections_ok"] == 0


@pytest.mark.parametrize("client", [None, "foreign"])
def test_refused_client_tls13_fail_on_error(pki, make_server, capsys, client):
    """Server demands a certificate of its CA; the client has none, or one of another CA."""
    srv = make_server(server_context(pki, require_client_cert=True))
    args = dict(host="127.0.0.1", port=srv.port, ca_path=pki["ca"], kind="admin_login", close_check_timeout=2)
    if client:
        args.update(client_cert=pki[client + "_cert"], client_key=pki[client + "_key"])
    failed, res = run_module(capsys, **args)
    assert failed, res
    # TLS 1.3: the client's handshake and (usually) its write succeed; the refusal arrives afterwards.
    assert res["tls_version"] == "TLSv1.3"
    assert res["server_closed"] is True and res["connections_closed_by_server"] == 1
    assert res["connections_ok"] == 1 and res["connections_failed"] == 0  # the handshake "succeeded" here
    # The refusal shows after the write: as the server closing the session, or as the write itself failing.
    assert re.search(r"First error: (server closed the session after the send: |send: )", res["msg"]), res["msg"]
    (conn,) = srv.wait_for(1)
    assert conn["error"] and conn["data"] == b""

    failed, res = run_module(capsys, fail_on_error=False, **args)
    assert not failed
    assert res["server_closed"] is True
    assert res["errors"]
    srv.wait_for(2)
    assert all(c["data"] == b"" for c in srv.conns)


def test_refused_client_tls12_fails_in_handshake(pki, make_server, capsys):
    srv = make_server(server_context(pki, require_client_cert=True, max_version=ssl.TLSVersion.TLSv1_2))
    failed, res = run_module(
        capsys, host="127.0.0.1", port=srv.port, ca_path=pki["ca"], kind="admin_login", fail_on_error=False
    )
    assert not failed
    assert res["connections_failed"] == 1 and res["sent"] == 0 and res["connections_ok"] == 0
    assert res["tls_version"] is None
    (conn,) = srv.wait_for(1)
    assert conn["data"] == b""


def test_count_and_rate_on_one_connection(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        kind="sso_access",
        sequence_field="seq",
        count=5,
        rate=20,
        close_check_timeout=0,  # so that elapsed is the pacing alone
    )
    assert not failed, res
    assert res["sent"] == 5 and res["connections_ok"] == 1
    # Pacing: message i is not written before start + i/rate, so 5 messages at 20/s take at least 0.2 s.
    assert res["elapsed"] >= 0.2
    (conn,) = srv.wait_for(1)
    lines = conn["data"].decode().splitlines()
    assert [payload(line)["seq"] for line in lines] == [1, 2, 3, 4, 5]
    assert len({payload(line)["params"]["username"] for line in lines}) == 5


def test_new_connection_per_message(pki, make_server, capsys):
    srv = make_server(server_context(pki))
    failed, res = run_module(
        capsys,
        host="127.0.0.1",
        port=srv.port,
        ca_path=pki["ca"],
        kind="cert_issue",
        sequence_field="seq",
        count=4,
        new_connection_per_message=True,
        close_check_timeout=0,
    )
    assert not failed, res
    assert res["sent"] == 4 and res["connections_ok"] == 4
    conns = srv.wait_for(4)
    assert len(conns) == 4
    seqs = sorted(payload(c["data"].decode().rstrip("\n"))["seq"] for c in conns)
    assert seqs == [1, 2, 3, 4]
    assert all(c["data"].count(b"\n") == 1 for c in conns)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_version_limits(pki, make_server, capsys):
    # The client can offer TLS 1.1 here (OpenSSL 3 needs SECLEVEL=0 on both sides) ...
    legacy = make_server(
        server_context(pki, min_version=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0"),
    )
    args = dict(
        host="127.0.0.1", ca_path=pki["ca"], kind="sync", tls_max_version="TLSv1_1", ciphers="DEFAULT:@SECLEVEL=0"
    )
    failed, res = run_module(capsys, port=legacy.port, **args)
    assert not failed, res
    assert res["tls_version"] == "TLSv1.1"
    assert legacy.wait_for(1)[0]["version"] == "TLSv1.1"
    # ... and a server with minimum TLS 1.2 refuses it.
    modern = make_server(server_context(pki, min_version=ssl.TLSVersion.TLSv1_2))
    failed, res = run_module(capsys, port=modern.port, fail_on_error=False, **args)
    assert not failed
    assert res["connections_failed"] == 1 and res["sent"] == 0 and res["tls_version"] is None
    assert "TLS error" in res["errors"][0]["msg"]
    assert modern.wait_for(1)[0]["data"] == b""
    # A TLS 1.2 ceiling is honoured against a TLS 1.3 server.
    failed, res = run_module(
        capsys, host="127.0.0.1", port=modern.port, ca_path=pki["ca"], kind="sync", tls_max_version="TLSv1_2"
    )
    assert not failed and res["tls_version"] == "TLSv1.2"


def test_check_mode_sends_nothing(pki, capsys):
    listener = socket.create_server(("127.0.0.1", 0))  # nobody accepts: a connection would stay queued
    try:
        port = listener.getsockname()[1]
        failed, res = run_module(
            capsys,
            host="127.0.0.1",
            port=port,
            ca_path=pki["ca"],
            client_cert=pki["aws_cert"],
            client_key=pki["aws_key"],
            client_key_passphrase=PASSPHRASE,
            kind="admin_login",
            count=3,
            timeout=1,
            _ansible_check_mode=True,
        )
        assert not failed, res
        assert res["sent"] == 0 and res["would_send"] == 3 and len(res["lines"]) == 3
        assert res["connections_ok"] == 0 and res["connections_failed"] == 0
        assert res["changed"] is True
        assert PASSPHRASE not in json.dumps(res)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


def test_check_mode_still_reports_a_bad_ca_file(pki, tmp_path, capsys):
    failed, res = run_module(
        capsys, host="127.0.0.1", ca_path=str(tmp_path / "missing.cer"), kind="sync", _ansible_check_mode=True
    )
    assert failed and "cannot load the CA file" in res["msg"]


def test_argument_errors(capsys):
    failed, res = run_module(capsys, host="127.0.0.1", kind="sync", payload="x")
    assert failed and "mutually exclusive" in res["msg"]
    failed, res = run_module(capsys, host="127.0.0.1")
    assert failed and "one of the following is required" in res["msg"]
    failed, res = run_module(capsys, host="127.0.0.1", payload="plain", fields={"a": 1}, _ansible_check_mode=True)
    assert failed and "JSON object" in res["msg"]
    failed, res = run_module(capsys, host="127.0.0.1", payload="a\nb", _ansible_check_mode=True)
    assert failed and "framing=octet" in res["msg"]
    failed, res = run_module(capsys, host="127.0.0.1", payload="x", hostname="One Gate", _ansible_check_mode=True)
    assert failed and "hostname" in res["msg"]


# ------------------------------------------------------------------------------ against real rsyslogd


@pytest.fixture
def rsyslogd(pki, rsyslogd_factory):
    """start(**options) -> a real rsyslogd with this module's PKI (netattest_local.rsyslogd)."""
    return lambda **kwargs: rsyslogd_factory(pki, **kwargs)


STORED_RE = re.compile(r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00) OneGate manager (?P<json>\{.*\})$")


def test_rsyslogd_stores_both_framings_as_onegate_lines(pki, rsyslogd, capsys):
    r = rsyslogd()
    sent = {}
    for framing in ("lf", "octet"):
        for kind in KINDS:
            test_id = "rs-%s-%s" % (framing, kind)
            failed, res = run_module(
                capsys,
                host="127.0.0.1",
                port=r.port,
                ca_path=pki["ca"],
                kind=kind,
                framing=framing,
                fields={"test_id": test_id},
            )
            assert not failed, res
            sent[test_id] = res["lines"][0]
    for test_id, line in sent.items():
        (stored,) = r.wait_for_line('"test_id":"%s"' % test_id)
        m = STORED_RE.match(stored)
        assert m, stored
        header = HEADER_RE.match(line)
        # RSYSLOG_FileFormat: the header timestamp, then HOSTNAME, then APP-NAME, then the JSON unchanged.
        assert m.group("ts") == header.group("ts")
        assert m.group("json") == header.group("msg")
        assert json.loads(m.group("json"))["test_id"] == test_id


def test_rsyslogd_mtls_permitted_lands_others_refused(pki, rsyslogd, capsys):
    r = rsyslogd(authmode="x509/name", permitted=["aws-syslog"])
    base = dict(host="127.0.0.1", port=r.port, ca_path=pki["ca"], kind="admin_login", fail_on_error=False)
    refused = {
        "rs-nocert": {},
        "rs-foreign": dict(client_cert=pki["foreign_cert"], client_key=pki["foreign_key"]),
    }
    for test_id, extra in refused.items():
        failed, res = run_module(
            capsys,
            fields={"test_id": test_id},
            count=5,
            new_connection_per_message=True,
            close_check_timeout=1,
            **base,
            **extra,
        )
        assert not failed
        assert res["server_closed"] is True, res
    # The permitted client lands (and serves as the barrier: it was sent after the refused ones).
    failed, res = run_module(
        capsys,
        fields={"test_id": "rs-permitted"},
        client_cert=pki["aws_cert"],
        client_key=pki["aws_key"],
        client_key_passphrase=PASSPHRASE,
        **dict(base, fail_on_error=True),
    )
    assert not failed, res
    assert res["server_closed"] is False
    r.wait_for_line('"test_id":"rs-permitted"')
    for test_id in refused:
        assert r.lines_with('"test_id":"%s"' % test_id) == []


def test_rsyslogd_permitted_peer_refuses_a_same_ca_certificate_with_another_name(pki, rsyslogd, capsys):
    """PermittedPeer is the only thing that keeps out every other certificate of OneGate's CA (any OneGate user).

    gtls, because the ossl driver of rsyslog before 8.2602 lets a share of such connections through (rsyslog issue
    #6350); the name check itself is what this test counts.
    """
    r = rsyslogd(authmode="x509/name", permitted=["aws-syslog"], driver="gtls")
    base = dict(host="127.0.0.1", port=r.port, ca_path=pki["ca"], kind="admin_login")
    failed, res = run_module(
        capsys,
        fields={"test_id": "pp-intruder"},
        client_cert=pki["intruder_cert"],
        client_key=pki["intruder_key"],
        sequence_field="seq",
        count=50,
        new_connection_per_message=True,
        close_check_timeout=0.5,
        fail_on_error=False,
        **base,
    )
    assert not failed
    assert res["connections_ok"] + res["connections_failed"] == 50
    # The fence: a permitted client's message sent after the intruder's; once it is stored, so would theirs be.
    failed, res = run_module(
        capsys,
        fields={"test_id": "fence-aws"},
        client_cert=pki["aws_cert"],
        client_key=pki["aws_key"],
        client_key_passphrase=PASSPHRASE,
        **base,
    )
    assert not failed, res
    r.wait_for_line('"test_id":"fence-aws"')
    assert r.lines_with('"test_id":"pp-intruder"') == []


def test_ansible_cli_against_rsyslogd(pki, rsyslogd, tmp_path):
    """The module as a user runs it: `ansible localhost -m netattest.tls_syslog.syslog_send -a ...`."""
    r = rsyslogd()
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_LOCALHOST_WARNING="False",
    )
    env["PATH"] = str(ROOT / ".venv" / "bin") + os.pathsep + env.get("PATH", "")
    args = "host=127.0.0.1 port=%d ca_path=%s kind=admin_login framing=octet fields={'test_id':'cli'}" % (
        r.port,
        pki["ca"],
    )
    out = subprocess.run(
        [
            "ansible",
            "localhost",
            "-i",
            "localhost,",
            "-c",
            "local",
            "-m",
            "netattest.tls_syslog.syslog_send",
            "-a",
            args,
            "-e",
            "ansible_python_interpreter=/usr/bin/python3",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "CHANGED" in out.stdout
    # Debian 12's python3 and python3-cryptography (38) decode the server certificate, as on the receiver.
    result = json.loads(out.stdout.split("=>", 1)[1])
    assert result["server_cert_subject"] == "CN=127.0.0.1"
    assert result["server_cert_san"] == ["DNS:syslog.test", "IP Address:127.0.0.1"]
    (stored,) = r.wait_for_line('"test_id":"cli"')
    m = STORED_RE.match(stored)
    assert m, stored
    body = json.loads(m.group("json"))
    assert body["log_type"] == "login_manager" and body["params"]["code"] == "IM-605-I-001000"
