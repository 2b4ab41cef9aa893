"""OneGate's log kinds in one table, and everything that lists them agrees with it: the payloads, syslog_send's
choices (its DOCUMENTATION too, which ansible-test sanity checks against the argument spec), the report's login
kinds, the onegate_kinds filter."""

import yaml

from ansible_collections.netattest.tls_syslog.plugins.filter.onegate_kinds import _onegate_kinds as kinds_filter
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_report, _onegate_kinds, _onegate_payloads
from ansible_collections.netattest.tls_syslog.plugins.modules import syslog_send


def test_the_table():
    assert _onegate_kinds.KINDS == ("admin_login", "user_login", "sso_access", "cert_issue", "sync")
    assert [k.log_type for k in _onegate_kinds.TABLE] == ["login_manager", "login_user", "sso_access", "certificate",
                                                          "sync"]  # fmt: skip
    assert _onegate_kinds.LOGIN_LOG_TYPES == ("login_manager", "login_user", "sso_access")
    assert len({k.label_ja for k in _onegate_kinds.TABLE}) == 5


def test_payloads_follow_the_table():
    for row in _onegate_kinds.TABLE:
        obj = _onegate_payloads.kind_payload(row.kind, index=3)
        assert (obj["log_type"], obj["message"]) == (row.log_type, row.message)
        assert obj["params"] == _onegate_kinds.params(row.kind, 3)
        assert ("username" in obj["params"] and "ip_address" in obj["params"]) == row.login


def test_syslog_send_choices_and_documentation():
    doc = yaml.safe_load(syslog_send.DOCUMENTATION)
    assert doc["options"]["kind"]["choices"] == list(_onegate_kinds.KINDS)
    assert _onegate_payloads.KINDS == _onegate_kinds.KINDS


def test_report_login_kinds():
    assert _log_report.LOGIN_TYPES == _onegate_kinds.LOGIN_LOG_TYPES
    assert _log_report.ONEGATE_TYPES == frozenset(k.log_type for k in _onegate_kinds.TABLE)


def test_filter():
    assert kinds_filter("kind") == list(_onegate_kinds.KINDS)
    assert kinds_filter("label")[0] == "管理者ログイン (administrator login)"
    rows = kinds_filter("")
    assert rows[4]["log_type"] == "sync" and "params" not in rows[4]
