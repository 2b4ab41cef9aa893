"""The sender (plugins/module_utils/_tls_client.py) against a real socket on 127.0.0.1 (the in-process tests of the
client context: tests/unit/plugins/module_utils/test_tls_client.py)."""

from __future__ import annotations

import re
import socket

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _tls_client as tc


def test_send_to_closed_port_reports_and_does_not_raise():

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connection refused
        res = tc.send("127.0.0.1", port, [b"x\n", b"y\n"], tc.make_client_context(), timeout=2)
    assert res["sent"] == 0 and res["connections_failed"] == 2 and res["connections_ok"] == 0
    assert res["errors"] == [{"msg": "connect to 127.0.0.1:%d: ECONNREFUSED: Connection refused" % port, "count": 2}]
    assert re.match(r"^\d+\.\d+$", str(res["elapsed"]))
