"""Tests of the pure building blocks in plugins/module_utils/onegate.py (payloads, RFC 5424, framing, TLS context)."""

from __future__ import annotations

import datetime
import json
import re
import ssl

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import onegate

NOW = datetime.datetime(2025, 1, 15, 7, 25, 36, 523000, tzinfo=datetime.timezone.utc)


def test_spec_section5_line_is_reproduced_exactly():
    """The stored line of SPEC.md section 5 comes from this message (RSYSLOG_FileFormat drops PRI, version, '- - -')."""
    body = onegate.build_payload(kind="admin_login", now=NOW, fields={"tenantcode": "xxxx"})
    line = onegate.build_message(body, timestamp=NOW)
    assert line.startswith('<134>1 2025-01-15T07:25:36+00:00 OneGate manager - - - {"log_type":"login_manager",')
    assert line.endswith(',"timestamp":"2025-01-15T07:25:36.523+00:00"}')
    obj = json.loads(line.split(" - - - ", 1)[1])
    assert obj == {
        "log_type": "login_manager",
        "log_level": "INFO",
        "tenantcode": "xxxx",
        "message": "Successfully logged in.",
        "params": {
            "code": "IM-605-I-001000",
            "ip_address": "203.0.113.10",
            "user_agent": onegate.USER_AGENT,
            "username": "admin",
        },
        "timestamp": "2025-01-15T07:25:36.523+00:00",
    }


@pytest.mark.parametrize("kind", onegate.KINDS)
def test_every_kind_has_the_onegate_fields(kind):
    obj = onegate.kind_payload(kind, now=NOW, index=3, severity="warning")
    assert list(obj) == ["log_type", "log_level", "tenantcode", "message", "params", "timestamp"]
    assert obj["log_level"] == "WARN"
    assert obj["timestamp"] == "2025-01-15T07:25:36.523+00:00"
    assert obj["params"]["code"].startswith("IM-")
    assert isinstance(obj["message"], str) and obj["message"]


def test_five_distinct_log_types_and_variation_with_index():
    assert len({onegate.kind_payload(k)["log_type"] for k in onegate.KINDS}) == 5
    a = onegate.kind_payload("user_login", index=0)["params"]
    b = onegate.kind_payload("user_login", index=1)["params"]
    assert a["username"] != b["username"] and a["ip_address"] != b["ip_address"]


def test_unknown_kind():
    with pytest.raises(onegate.SyslogSendError, match="unknown kind"):
        onegate.kind_payload("logout")


@pytest.mark.parametrize(
    ("facility", "severity", "pri"),
    [("local0", "info", 134), ("kern", "emerg", 0), ("local7", "debug", 191), ("auth", "err", 35)],
)
def test_pri(facility, severity, pri):
    assert onegate.pri(facility, severity) == pri


def test_pri_unknown():
    with pytest.raises(onegate.SyslogSendError):
        onegate.pri("local9", "info")


def test_rfc3339_converts_to_utc():
    jst = datetime.timezone(datetime.timedelta(hours=9))
    t = datetime.datetime(2025, 1, 15, 16, 25, 36, 5000, tzinfo=jst)
    assert onegate.rfc3339(t) == "2025-01-15T07:25:36+00:00"
    assert onegate.rfc3339(t, millis=True) == "2025-01-15T07:25:36.005+00:00"


def test_build_message_fields_and_validation():
    line = onegate.build_message("m", "local3", "warning", "gw", "app", "12", "ID1", timestamp=NOW)
    assert line == "<156>1 2025-01-15T07:25:36+00:00 gw app 12 ID1 - m"
    for bad in ({"hostname": "One Gate"}, {"app_name": "a" * 49}, {"msgid": ""}, {"procid": "é"}):
        with pytest.raises(onegate.SyslogSendError, match="RFC 5424"):
            onegate.build_message("m", timestamp=NOW, **bad)


def test_build_payload_variants():
    assert onegate.build_payload(message="plain text") == "plain text"
    assert onegate.build_payload(message={"a": 1, "b": "日本"}) == '{"a":1,"b":"日本"}'
    assert onegate.build_payload(message='{"a":1}', fields={"t": "x"}) == '{"a":1,"t":"x"}'
    assert json.loads(onegate.build_payload(message={"a": 1}, sequence_field="seq", index=4)) == {"a": 1, "seq": 5}
    merged = json.loads(
        onegate.build_payload(kind="admin_login", fields={"params": {"username": "alice"}, "tenantcode": "t9"})
    )
    assert merged["params"]["username"] == "alice" and merged["params"]["code"] == "IM-605-I-001000"
    assert merged["tenantcode"] == "t9"
    with pytest.raises(onegate.SyslogSendError, match="JSON object"):
        onegate.build_payload(message="plain", fields={"t": 1})
    with pytest.raises(onegate.SyslogSendError, match="exactly one"):
        onegate.build_payload(message="x", kind="sync")
    with pytest.raises(onegate.SyslogSendError, match="exactly one"):
        onegate.build_payload()


def test_framing():
    assert onegate.frame("abc", "lf") == b"abc\n"
    assert onegate.frame("abc", "octet") == b"3 abc"
    # octet counting counts bytes, not characters
    assert onegate.frame("日本", "octet") == b"6 " + "日本".encode()
    assert onegate.frame("a\nb", "octet") == b"3 a\nb"
    with pytest.raises(onegate.SyslogSendError, match="framing=octet"):
        onegate.frame("a\nb", "lf")
    with pytest.raises(onegate.SyslogSendError, match="unknown framing"):
        onegate.frame("a", "nul")


def test_context_defaults_verify():
    ctx = onegate.make_client_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname is True
    ctx = onegate.make_client_context(validate_certs=False)
    assert ctx.verify_mode == ssl.CERT_NONE and ctx.check_hostname is False


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_context_tls_versions():
    ctx = onegate.make_client_context(tls_max_version="TLSv1_1", ciphers="DEFAULT:@SECLEVEL=0")
    assert ctx.maximum_version == ssl.TLSVersion.TLSv1_1
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_1  # lowered so that 1.1 is really offered
    ctx = onegate.make_client_context(tls_min_version="TLSv1_3")
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3
    with pytest.raises(onegate.SyslogSendError, match="unknown TLS version"):
        onegate.make_client_context(tls_min_version="SSLv3")


def test_context_errors(tmp_path):
    with pytest.raises(onegate.SyslogSendError, match="cannot load the CA file"):
        onegate.make_client_context(ca_path=str(tmp_path / "none.pem"))
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(onegate.SyslogSendError, match="cannot load the CA file"):
        onegate.make_client_context(ca_path=str(bad))
    with pytest.raises(onegate.SyslogSendError, match="ciphers"):
        onegate.make_client_context(ciphers="NO-SUCH-CIPHER")
    with pytest.raises(onegate.SyslogSendError, match="cannot load the client certificate"):
        onegate.make_client_context(client_cert=str(bad), client_key_passphrase="hunter2-secret")
    with pytest.raises(onegate.SyslogSendError, match="client_key needs client_cert"):
        onegate.make_client_context(client_key=str(bad))


def test_client_key_error_does_not_echo_passphrase(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("junk")
    with pytest.raises(onegate.SyslogSendError) as exc:
        onegate.make_client_context(client_cert=str(bad), client_key=str(bad), client_key_passphrase="hunter2-secret")
    assert "hunter2-secret" not in str(exc.value)


def test_send_to_closed_port_reports_and_does_not_raise():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connection refused
        res = onegate.send("127.0.0.1", port, [b"x\n", b"y\n"], onegate.make_client_context(), timeout=2)
    assert res["sent"] == 0 and res["connections_failed"] == 2 and res["connections_ok"] == 0
    assert res["errors"] == [{"msg": "connect to 127.0.0.1:%d: ECONNREFUSED: Connection refused" % port, "count": 2}]
    assert re.match(r"^\d+\.\d+$", str(res["elapsed"]))
