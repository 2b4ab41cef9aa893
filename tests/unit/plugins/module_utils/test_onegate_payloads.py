"""OneGate's payloads (plugins/module_utils/_onegate_payloads.py), and the stored line they make."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_payloads as og
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _rfc5424
from ansible_collections.netattest.tls_syslog.plugins.module_utils._syslog_errors import SyslogSendError

NOW = datetime.datetime(2025, 1, 15, 7, 25, 36, 523000, tzinfo=datetime.timezone.utc)


def test_the_documented_onegate_line_is_reproduced_exactly():
    """The OneGate line stored as docs/procedure.md shows it (RSYSLOG_FileFormat drops PRI, version, '- - -')."""
    body = og.build_payload(kind="admin_login", now=NOW, fields={"tenantcode": "xxxx"})
    line = _rfc5424.build_message(body, timestamp=NOW)
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
            "user_agent": og.USER_AGENT,
            "username": "admin",
        },
        "timestamp": "2025-01-15T07:25:36.523+00:00",
    }


@pytest.mark.parametrize("kind", og.KINDS)
def test_every_kind_has_the_onegate_fields(kind):
    obj = og.kind_payload(kind, now=NOW, index=3, severity="warning")
    assert list(obj) == ["log_type", "log_level", "tenantcode", "message", "params", "timestamp"]
    assert obj["log_level"] == "WARN"
    assert obj["timestamp"] == "2025-01-15T07:25:36.523+00:00"
    assert obj["params"]["code"].startswith("IM-")
    assert isinstance(obj["message"], str) and obj["message"]


def test_five_distinct_log_types_and_variation_with_index():
    assert len({og.kind_payload(k)["log_type"] for k in og.KINDS}) == 5
    a = og.kind_payload("user_login", index=0)["params"]
    b = og.kind_payload("user_login", index=1)["params"]
    assert a["username"] != b["username"] and a["ip_address"] != b["ip_address"]


def test_unknown_kind():
    with pytest.raises(SyslogSendError, match="unknown kind"):
        og.kind_payload("logout")


def test_build_payload_variants():
    assert og.build_payload(message="plain text") == "plain text"
    assert og.build_payload(message={"a": 1, "b": "日本"}) == '{"a":1,"b":"日本"}'
    assert og.build_payload(message='{"a":1}', fields={"t": "x"}) == '{"a":1,"t":"x"}'
    assert json.loads(og.build_payload(message={"a": 1}, sequence_field="seq", index=4)) == {
        "a": 1,
        "seq": 5,
    }
    merged = json.loads(
        og.build_payload(kind="admin_login", fields={"params": {"username": "alice"}, "tenantcode": "t9"})
    )
    assert merged["params"]["username"] == "alice" and merged["params"]["code"] == "IM-605-I-001000"
    assert merged["tenantcode"] == "t9"
    with pytest.raises(SyslogSendError, match="JSON object"):
        og.build_payload(message="plain", fields={"t": 1})
    with pytest.raises(SyslogSendError, match="exactly one"):
        og.build_payload(message="x", kind="sync")
    with pytest.raises(SyslogSendError, match="exactly one"):
        og.build_payload()
