"""The TLS client context and the sender (plugins/module_utils/_tls_client.py)."""

from __future__ import annotations

import ssl

import pytest

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _tls_client as tc
from ansible_collections.netattest.tls_syslog.plugins.module_utils._syslog_errors import SyslogSendError


def test_context_defaults_verify():
    ctx = tc.make_client_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname is True
    ctx = tc.make_client_context(validate_certs=False)
    assert ctx.verify_mode == ssl.CERT_NONE and ctx.check_hostname is False


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_context_tls_versions():
    ctx = tc.make_client_context(tls_max_version="TLSv1_1", ciphers="DEFAULT:@SECLEVEL=0")
    assert ctx.maximum_version == ssl.TLSVersion.TLSv1_1
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_1  # lowered so that 1.1 is really offered
    ctx = tc.make_client_context(tls_min_version="TLSv1_3")
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3
    with pytest.raises(SyslogSendError, match="unknown TLS version"):
        tc.make_client_context(tls_min_version="SSLv3")


def test_context_errors(tmp_path):
    with pytest.raises(SyslogSendError, match="cannot load the CA file"):
        tc.make_client_context(ca_path=str(tmp_path / "none.pem"))
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(SyslogSendError, match="cannot load the CA file"):
        tc.make_client_context(ca_path=str(bad))
    with pytest.raises(SyslogSendError, match="ciphers"):
        tc.make_client_context(ciphers="NO-SUCH-CIPHER")
    with pytest.raises(SyslogSendError, match="cannot load the client certificate"):
        tc.make_client_context(client_cert=str(bad), client_key_passphrase="hunter2-secret")
    with pytest.raises(SyslogSendError, match="client_key needs client_cert"):
        tc.make_client_context(client_key=str(bad))


def test_client_key_error_does_not_echo_passphrase(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("junk")
    with pytest.raises(SyslogSendError) as exc:
        tc.make_client_context(client_cert=str(bad), client_key=str(bad), client_key_passphrase="hunter2-secret")
    assert "hunter2-secret" not in str(exc.value)
