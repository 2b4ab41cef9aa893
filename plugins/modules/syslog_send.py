#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: syslog_send
short_description: Send RFC 5424 syslog messages over TLS, as Soliton OneGate forwards them
version_added: 0.1.0
description:
  - A stand-in for Soliton OneGate's syslog forwarding, to test a TLS syslog receiver such as the one the
    C(netattest.tls_syslog.rsyslog_tls) role sets up.
  - Opens TLS connection(s) to O(host):O(port), verifies the server certificate against O(ca_path) (and its name
    or IP address against O(server_name)), optionally presents a client certificate (mutual TLS), and writes RFC 5424
    messages C(<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG) with LF or octet-counted framing.
  - The message is O(payload) (a text, or a dictionary sent as compact JSON) or a realistic OneGate payload for one of
    the five forwarded kinds (O(kind)), with the fields C(log_type), C(log_level), C(tenantcode), C(message),
    C(params) and C(timestamp).
  - B(This module never proves delivery.) It reports what it wrote to the socket. With TLS 1.3 the client completes
    its side of the handshake before the server has checked the client certificate, so a client that the server
    refuses usually sees a successful handshake and a successful send; the refusal shows up only later as an alert,
    EOF or reset. The module looks for that with a short read after the last write of each connection
    (RV(server_closed), RV(connections_closed_by_server)), but the only proof of delivery is the line in the
    receiver's log file, which the playbook must read.
  - Uses the Python standard library (C(ssl), C(socket), C(json)) and works with Python 3.9 and later on the host
    where it runs. The Python C(cryptography) library, when installed there, decodes the server certificate for
    RV(server_cert_subject) and RV(server_cert_san).
author:
  - netattest.tls_syslog developers (@netattest)
options:
  host:
    description: Address or name of the syslog receiver.
    type: str
    required: true
  port:
    description: TCP port of the receiver.
    type: int
    default: 6514
  ca_path:
    description:
      - CA certificate file (PEM) that the server certificate must chain to, on the host where the module runs.
      - Without it, and with O(validate_certs=true), the system trust store is used.
    type: path
  validate_certs:
    description:
      - Verify the server certificate (chain and name). V(false) accepts any server certificate; the result still shows
        its subject.
    type: bool
    default: true
  server_name:
    description:
      - Name or IP address that the server certificate must carry (DNS or IP SAN), also sent as SNI when it is a name.
      - Defaults to O(host).
    type: str
  client_cert:
    description: Client certificate (PEM) to present for mutual TLS. It may also hold the key.
    type: path
  client_key:
    description: Private key (PEM) of O(client_cert), if not in the same file.
    type: path
  client_key_passphrase:
    description: Passphrase of an encrypted O(client_key) or O(client_key_content). Never returned or logged.
    type: str
  client_cert_content:
    description:
      - The client certificate (PEM) as text, instead of a file on the host where the module runs; it may also hold
        the key. For example V({{ lookup('ansible.builtin.file', 'aws-syslog.cer'\) }}) to present a certificate kept
        on the controller without copying it to the receiver first.
      - Never returned or logged, because it may hold the private key.
      - Written to a private temporary directory (mode 0700, files 0600) for the duration of the call and removed
        afterwards, because Python's C(ssl) loads certificates from files only.
    type: str
  client_key_content:
    description:
      - The private key (PEM) of O(client_cert_content) as text, if not in the same text. Never returned or logged.
    type: str
  facility:
    description: Syslog facility. OneGate uses V(local0).
    type: str
    default: local0
    choices: [kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, security, console,
              solaris-cron, local0, local1, local2, local3, local4, local5, local6, local7]
  severity:
    description:
      - Syslog severity. With O(kind) it also sets the payload's C(log_level) (C(INFO), C(WARN), C(ERROR), ...).
    type: str
    default: info
    choices: [emerg, alert, crit, err, warning, notice, info, debug]
  hostname:
    description: RFC 5424 HOSTNAME field (printable ASCII, no spaces, at most 255 characters).
    type: str
    default: OneGate
  app_name:
    description: RFC 5424 APP-NAME field (at most 48 characters).
    type: str
    default: manager
  procid:
    description: RFC 5424 PROCID field; V(-) is the nil value.
    type: str
    default: "-"
  msgid:
    description: RFC 5424 MSGID field; V(-) is the nil value.
    type: str
    default: "-"
  payload:
    description:
      - The MSG part. A dictionary is sent as compact JSON; a text is sent as it is.
      - Exactly one of O(payload) and O(kind) is required.
    type: raw
  kind:
    description:
      - Send a realistic OneGate payload of this kind instead of O(payload).
      - V(admin_login) administrator login (C(log_type=login_manager), code C(IM-605-I-001000) as in a real OneGate
        line), V(user_login) user login, V(sso_access) SSO access to a service, V(cert_issue) certificate issuance,
        V(sync) a directory synchronization run. Codes other than the administrator login's are illustrative.
      - A list of kinds sends them in turn, message number I(i) (from 0) being of kind I(kind[i mod length]).
        Without O(count), one message of each listed kind is sent, all in one module call (one task, one connection).
      - With O(count) > 1 the user name and client address vary with the message number.
    type: list
    elements: str
    choices: [admin_login, user_login, sso_access, cert_issue, sync]
  fields:
    description:
      - "Merged into the JSON payload (nested dictionaries merge), for example C({test_id: run-42}) so that a playbook
        can find exactly its own lines, or C({tenantcode: abcd}), or C({params: {username: alice}})."
      - Needs a JSON object payload (O(kind), a dictionary O(payload), or a text that is a JSON object).
    type: dict
  sequence_field:
    description:
      - If set, each message carries its 1-based number under this top-level key of the payload, so that a playbook can
        tell which of O(count) messages landed.
    type: str
  framing:
    description:
      - V(lf) ends each message with a line feed (non-transparent framing; a message must not contain a line feed).
      - V(octet) prefixes each message with its length in bytes and a space (RFC 6587 octet counting).
      - rsyslog's imtcp accepts both.
    type: str
    default: lf
    choices: [lf, octet]
  count:
    description:
      - Number of messages to send.
      - The default is 1, or the number of kinds when O(kind) lists several.
    type: int
  rate:
    description: Messages per second at most; V(0) sends as fast as possible.
    type: float
    default: 0
  new_connection_per_message:
    description:
      - Open a new TLS connection for every message (and check each one for a refusal), for example to count how many
        of 300 connections of a client that must be refused get through.
      - With V(false) all messages share one connection; if a write fails, the next message opens a new connection.
    type: bool
    default: false
  tls_min_version:
    description: Lowest TLS version to offer. The default is the Python/OpenSSL default (TLS 1.2 on current systems).
    type: str
    choices: [TLSv1, TLSv1_1, TLSv1_2, TLSv1_3]
  tls_max_version:
    description:
      - Highest TLS version to offer. When O(tls_min_version) is not set and this is below TLS 1.2 or below the
        default minimum, the minimum is set to it too, so that exactly this version is offered.
      - OpenSSL 3 offers TLS 1.0 and 1.1 only with O(ciphers=DEFAULT:@SECLEVEL=0).
    type: str
    choices: [TLSv1, TLSv1_1, TLSv1_2, TLSv1_3]
  ciphers:
    description: OpenSSL cipher list for TLS 1.2 and below, for example V(DEFAULT:@SECLEVEL=0).
    type: str
  timeout:
    description: Seconds to wait for the TCP connection, the TLS handshake and each write.
    type: float
    default: 10
  close_check_timeout:
    description:
      - Seconds to wait, after the last write of each connection, for the server to close the session (a refusal).
      - V(0) only looks at what has already arrived.
      - The full wait is spent on every connection that the server keeps open, so with
        O(new_connection_per_message=true) and O(count=300) a permitted client takes about 300 times this value
        (a refused one is usually told within milliseconds).
    type: float
    default: 0.2
  fail_on_error:
    description:
      - Fail when a connection failed, a message could not be written, or the server closed a session right after the
        send.
      - V(false) returns the same information without failing, to probe that a receiver refuses a client.
    type: bool
    default: true
extends_documentation_fragment:
  - netattest.tls_syslog._attributes
attributes:
  check_mode:
    support: full
    details:
      - Builds the messages and the TLS context (reads the CA, certificate and key files) and returns RV(lines), but
        opens no connection. C(changed) is V(true) as a prediction and RV(sent) is 0.
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - Every run sends its messages again.
  platform:
    support: full
    platforms: posix
notes:
  - C(changed) is V(true) when at least one message was written to a socket (in check mode, when one would be).
  - In TLS 1.3 the refusal of a client certificate (none, another CA, a name not permitted) reaches the client after its
    first write. Use O(fail_on_error=false) and read the receiver's file to prove that nothing landed.
  - The timestamps in the header and in the payload are the current time in UTC (C(+00:00)); rsyslog's
    C(RSYSLOG_FileFormat) stores the header one at the start of the line.
seealso:
  - name: RFC 5424
    description: The Syslog Protocol.
    link: https://datatracker.ietf.org/doc/html/rfc5424
  - name: RFC 5425
    description: TLS Transport Mapping for Syslog.
    link: https://datatracker.ietf.org/doc/html/rfc5425
  - name: RFC 6587
    description: Transmission of Syslog Messages over TCP (octet counting).
    link: https://datatracker.ietf.org/doc/html/rfc6587
"""

EXAMPLES = r"""
- name: Send one administrator login, as OneGate does, verifying the server against the OneGate CA
  netattest.tls_syslog.syslog_send:
    host: 203.0.113.25
    # Runs on the controller (delegate_to): an absolute path there. A relative path would be taken from the
    # directory ansible-playbook was started in, not from the playbook's files/ directory.
    ca_path: "{{ playbook_dir }}/files/ca.cer"
    kind: admin_login
    fields:
      test_id: "{{ test_id }}"
  delegate_to: localhost

- name: Send all five kinds with octet-counted framing and a client certificate (mutual TLS)
  netattest.tls_syslog.syslog_send:
    host: "{{ receiver_eip }}"
    ca_path: "{{ playbook_dir }}/files/ca.cer"
    client_cert: "{{ playbook_dir }}/files/aws-syslog.cer"
    client_key: "{{ playbook_dir }}/files/aws-syslog.key"
    client_key_passphrase: "{{ vault_client_key_passphrase }}"
    kind: [admin_login, user_login, sso_access, cert_issue, sync]
    framing: octet
  delegate_to: localhost

- name: On the receiver, send with a client certificate kept on the controller (nothing is copied to the receiver)
  netattest.tls_syslog.syslog_send:
    host: 127.0.0.1
    ca_path: /etc/rsyslog.d/tls/ca.cer
    server_name: "{{ receiver_eip }}"
    client_cert_content: "{{ lookup('ansible.builtin.file', 'pki/aws-syslog.cer') }}"
    client_key_content: "{{ lookup('ansible.builtin.file', 'pki/aws-syslog.key') }}"
    kind: sync

- name: A free-form JSON message on facility local3 with severity warning
  netattest.tls_syslog.syslog_send:
    host: syslog.example.net
    ca_path: /etc/pki/tls/certs/syslog-ca.pem
    facility: local3
    severity: warning
    app_name: probe
    payload:
      event: hello
      n: 1

- name: Probe that a client with a certificate that is not permitted is refused, over 300 connections
  netattest.tls_syslog.syslog_send:
    host: "{{ receiver_eip }}"
    ca_path: "{{ playbook_dir }}/files/ca.cer"
    client_cert: "{{ playbook_dir }}/files/intruder.cer"
    client_key: "{{ playbook_dir }}/files/intruder.key"
    kind: admin_login
    fields:
      test_id: "intruder-{{ test_id }}"
    sequence_field: seq
    count: 300
    new_connection_per_message: true
    fail_on_error: false
  delegate_to: localhost
  register: intruder
  # The proof is that no line with this test_id is in the receiver's file; intruder.server_closed only hints at it.

- name: Check that the receiver refuses TLS 1.1
  netattest.tls_syslog.syslog_send:
    host: "{{ receiver_eip }}"
    ca_path: "{{ playbook_dir }}/files/ca.cer"
    payload: tls11 probe
    tls_max_version: TLSv1_1
    ciphers: "DEFAULT:@SECLEVEL=0"
    fail_on_error: false
  delegate_to: localhost
  register: tls11
  failed_when: tls11.connections_ok > 0
"""

RETURN = r"""
sent:
  description: Messages written to a socket without error. Not proof of delivery.
  returned: always
  type: int
  sample: 1
would_send:
  description: Messages that were to be sent (O(count)).
  returned: always
  type: int
  sample: 1
connections_ok:
  description: TLS connections whose handshake completed on the client side.
  returned: always
  type: int
  sample: 1
connections_failed:
  description: Connections that could not be opened (TCP refused, handshake failure, certificate verification failure).
  returned: always
  type: int
  sample: 0
connections_closed_by_server:
  description: Connections that the server closed or reset right after the send, or on which a write failed.
  returned: always
  type: int
  sample: 0
server_closed:
  description:
    - V(true) if the server closed or reset at least one session after we sent (a short read after the last write of
      each connection, or a failed write). The usual sign of a refused client certificate under TLS 1.3.
    - V(false) does not prove delivery.
  returned: always
  type: bool
  sample: false
tls_version:
  description: TLS version negotiated on the first successful connection, or null if none succeeded.
  returned: always
  type: str
  sample: TLSv1.3
cipher:
  description: Cipher suite of the first successful connection.
  returned: always
  type: str
  sample: TLS_AES_256_GCM_SHA384
server_cert_subject:
  description:
    - Subject (RFC 4514) of the server certificate seen on the first successful connection, verified or not.
    - Null without the Python C(cryptography) library on the host where the module runs.
  returned: always
  type: str
  sample: CN=203.0.113.25
server_cert_san:
  description:
    - Subject alternative names of that certificate, as C(TYPE:value) (C(DNS), C(IP Address), C(email), C(URI)).
    - Empty without the Python C(cryptography) library on the host where the module runs.
  returned: always
  type: list
  elements: str
  sample: ["DNS:203.0.113.25", "IP Address:203.0.113.25"]
server_cert_pem:
  description:
    - The server certificate (PEM) seen on the first successful connection, or null if none succeeded. Public data;
      for example C(result.server_cert_pem | community.crypto.x509_certificate_info) reads its names and validity on
      the controller.
  returned: always
  type: str
  sample: "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"
errors:
  description: Errors, deduplicated, with how often each happened.
  returned: always
  type: list
  elements: dict
  contains:
    msg:
      description: The error.
      type: str
    count:
      description: How many times it happened.
      type: int
  sample: [{"msg": "connect to 127.0.0.1:6514: certificate verification failed: unable to get local issuer certificate",
            "count": 1}]
lines:
  description: The syslog messages (without framing), at most the first 20.
  returned: always
  type: list
  elements: str
  sample: ['<134>1 2025-01-15T07:25:36+00:00 OneGate manager - - - {"log_type":"login_manager","log_level":"INFO",...}']
elapsed:
  description: Seconds spent connecting and sending.
  returned: always
  type: float
  sample: 0.012
msg:
  description: A one-line summary.
  returned: always
  type: str
  sample: sent 1 of 1 message(s) to 127.0.0.1:6514 over 1 connection(s) (TLSv1.3); delivery is proven only by the
    receiver's file
"""

import os
import shutil
import tempfile
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_payloads import KINDS, build_payload
from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import PORT
from ansible_collections.netattest.tls_syslog.plugins.module_utils._rfc5424 import (
    FACILITIES,
    FRAMINGS,
    SEVERITIES,
    build_message,
    frame,
    utcnow,
)
from ansible_collections.netattest.tls_syslog.plugins.module_utils._syslog_errors import SyslogSendError
from ansible_collections.netattest.tls_syslog.plugins.module_utils._tls_client import (
    TLS_VERSIONS,
    make_client_context,
    send,
)

# The result's ``lines`` holds at most this many messages.
MAX_LINES_RETURNED = 20


def argument_spec():
    return dict(
        host=dict(type="str", required=True),
        port=dict(type="int", default=PORT),
        ca_path=dict(type="path"),
        validate_certs=dict(type="bool", default=True),
        server_name=dict(type="str"),
        client_cert=dict(type="path"),
        client_key=dict(type="path"),
        client_key_passphrase=dict(type="str", no_log=True),
        # no_log: the documented use allows the key inside this text
        client_cert_content=dict(type="str", no_log=True),
        client_key_content=dict(type="str", no_log=True),
        facility=dict(type="str", default="local0", choices=list(FACILITIES)),
        severity=dict(type="str", default="info", choices=list(SEVERITIES)),
        hostname=dict(type="str", default="OneGate"),
        app_name=dict(type="str", default="manager"),
        procid=dict(type="str", default="-"),
        msgid=dict(type="str", default="-"),
        payload=dict(type="raw"),
        kind=dict(type="list", elements="str", choices=list(KINDS)),
        fields=dict(type="dict"),
        sequence_field=dict(type="str"),
        framing=dict(type="str", default="lf", choices=list(FRAMINGS)),
        count=dict(type="int"),
        rate=dict(type="float", default=0),
        new_connection_per_message=dict(type="bool", default=False),
        tls_min_version=dict(type="str", choices=list(TLS_VERSIONS)),
        tls_max_version=dict(type="str", choices=list(TLS_VERSIONS)),
        ciphers=dict(type="str"),
        timeout=dict(type="float", default=10),
        close_check_timeout=dict(type="float", default=0.2),
        fail_on_error=dict(type="bool", default=True),
    )


def build_lines(p):
    message = p["payload"]
    if message is not None and not isinstance(message, (str, dict)):
        raise SyslogSendError("payload must be a text or a dictionary")
    kinds = p["kind"] or []
    lines = []
    for index in range(p["count"]):
        now = utcnow()
        payload = build_payload(
            message=message,
            kind=kinds[index % len(kinds)] if kinds else None,
            fields=p["fields"],
            now=now,
            index=index,
            severity=p["severity"],
            sequence_field=p["sequence_field"],
        )
        lines.append(
            build_message(
                payload,
                facility=p["facility"],
                severity=p["severity"],
                hostname=p["hostname"],
                app_name=p["app_name"],
                procid=p["procid"],
                msgid=p["msgid"],
                timestamp=now,
            )
        )
    return lines


@contextmanager
def client_files(cert_content, key_content):
    """Paths of the client certificate and key given as text, in a private directory removed on exit."""
    if cert_content is None:
        yield None, None
        return
    tmp = tempfile.mkdtemp(prefix="syslog-send-")  # mode 0700
    try:
        paths = []
        for name, text in (("client.cer", cert_content), ("client.key", key_content)):
            if text is None:
                paths.append(None)
                continue
            path = os.path.join(tmp, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(text if text.endswith("\n") else text + "\n")
            paths.append(path)
        yield paths[0], paths[1]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_one_of=[("payload", "kind")],
        mutually_exclusive=[
            ("payload", "kind"),
            ("client_cert", "client_cert_content"),
            ("client_key", "client_key_content"),
            ("client_cert", "client_key_content"),
            ("client_key", "client_cert_content"),
        ],
        required_by={
            "client_key": "client_cert",
            "client_key_content": "client_cert_content",
        },
        supports_check_mode=True,
    )
    p = module.params
    if p["kind"] == []:
        module.fail_json(msg="kind is an empty list; give at least one kind")
    if p["count"] is None:
        p["count"] = len(p["kind"]) if p["kind"] else 1
    if p["client_key_passphrase"] and not (p["client_cert"] or p["client_cert_content"]):
        module.fail_json(msg="client_key_passphrase needs client_cert or client_cert_content")
    base = dict(
        sent=0,
        would_send=p["count"],
        connections_ok=0,
        connections_failed=0,
        connections_closed_by_server=0,
        server_closed=False,
        tls_version=None,
        cipher=None,
        server_cert_subject=None,
        server_cert_san=[],
        server_cert_pem=None,
        errors=[],
        lines=[],
        elapsed=0.0,
    )
    if p["count"] < 1:
        module.fail_json(msg="count must be at least 1", **base)
    if p["rate"] < 0 or p["timeout"] <= 0 or p["close_check_timeout"] < 0:
        module.fail_json(msg="rate and close_check_timeout must be >= 0, timeout > 0", **base)
    if not 0 < p["port"] < 65536:
        module.fail_json(msg="port must be 1..65535", **base)
    try:
        lines = build_lines(p)
        frames = [frame(line, p["framing"]) for line in lines]
        # The context loads the certificate and key at once, so the files given as text exist only for this call.
        with client_files(p["client_cert_content"], p["client_key_content"]) as (cert_file, key_file):
            try:
                context = make_client_context(
                    ca_path=p["ca_path"],
                    validate_certs=p["validate_certs"],
                    client_cert=cert_file or p["client_cert"],
                    client_key=key_file or p["client_key"],
                    client_key_passphrase=p["client_key_passphrase"],
                    tls_min_version=p["tls_min_version"],
                    tls_max_version=p["tls_max_version"],
                    ciphers=p["ciphers"],
                )
            except SyslogSendError as exc:
                text = str(exc)
                for path, option in ((cert_file, "client_cert_content"), (key_file, "client_key_content")):
                    text = text.replace(path, option) if path else text
                raise SyslogSendError(text) from None
    except SyslogSendError as exc:
        module.fail_json(msg=str(exc), **base)
    base["lines"] = lines[:MAX_LINES_RETURNED]
    target = "%s:%s" % (p["host"], p["port"])

    if module.check_mode:
        module.exit_json(
            changed=True,
            msg="check mode: would send %d message(s) to %s; nothing sent" % (p["count"], target),
            **base,
        )

    result = send(
        p["host"],
        p["port"],
        frames,
        context,
        server_name=p["server_name"],
        new_connection_per_message=p["new_connection_per_message"],
        rate=p["rate"],
        timeout=p["timeout"],
        close_check_timeout=p["close_check_timeout"],
    )
    base.update(result)
    msg = (
        "sent %d of %d message(s) to %s over %d connection(s) (%s); %d connection(s) failed, %d closed by the server"
        % (
            result["sent"],
            p["count"],
            target,
            result["connections_ok"],
            result["tls_version"] or "no TLS session",
            result["connections_failed"],
            result["connections_closed_by_server"],
        )
    )
    msg += "; delivery is proven only by the receiver's file"
    failed = result["connections_failed"] > 0 or result["sent"] < p["count"] or result["server_closed"]
    if failed and p["fail_on_error"]:
        first = result["errors"][0]["msg"] if result["errors"] else "unknown error"
        module.fail_json(msg="%s. First error: %s" % (msg, first), changed=result["sent"] > 0, **base)
    module.exit_json(changed=result["sent"] > 0, msg=msg, **base)


if __name__ == "__main__":
    main()
