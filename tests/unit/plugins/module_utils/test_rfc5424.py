"""RFC 5424 messages and their framing (plugins/module_utils/_rfc5424.py)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _rfc5424
from ansible_collections.netattest.tls_syslog.plugins.module_utils._syslog_errors import SyslogSendError

NOW = datetime.datetime(2025, 1, 15, 7, 25, 36, 523000, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("facility", "severity", "pri"),
    [("local0", "info", 134), ("kern", "emerg", 0), ("local7", "debug", 191), ("auth", "err", 35)],
)
def test_pri(facility, severity, pri):
    assert _rfc5424.pri(facility, severity) == pri


def test_pri_unknown():
    with pytest.raises(SyslogSendError):
        _rfc5424.pri("local9", "info")


def test_rfc3339_converts_to_utc():
    jst = datetime.timezone(datetime.timedelta(hours=9))
    t = datetime.datetime(2025, 1, 15, 16, 25, 36, 5000, tzinfo=jst)
    assert _rfc5424.rfc3339(t) == "2025-01-15T07:25:36+00:00"
    assert _rfc5424.rfc3339(t, millis=True) == "2025-01-15T07:25:36.005+00:00"


def test_build_message_fields_and_validation():
    line = _rfc5424.build_message("m", "local3", "warning", "gw", "app", "12", "ID1", timestamp=NOW)
    assert line == "<156>1 2025-01-15T07:25:36+00:00 gw app 12 ID1 - m"
    for bad in ({"hostname": "One Gate"}, {"app_name": "a" * 49}, {"msgid": ""}, {"procid": "é"}):
        with pytest.raises(SyslogSendError, match="RFC 5424"):
            _rfc5424.build_message("m", timestamp=NOW, **bad)


def test_framing():
    assert _rfc5424.frame("abc", "lf") == b"abc\n"
    assert _rfc5424.frame("abc", "octet") == b"3 abc"
    # octet counting counts bytes, not characters
    assert _rfc5424.frame("日本", "octet") == b"6 " + "日本".encode()
    assert _rfc5424.frame("a\nb", "octet") == b"3 a\nb"
    with pytest.raises(SyslogSendError, match="framing=octet"):
        _rfc5424.frame("a\nb", "lf")
    with pytest.raises(SyslogSendError, match="unknown framing"):
        _rfc5424.frame("a", "nul")
