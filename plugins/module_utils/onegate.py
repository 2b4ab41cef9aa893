# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building blocks of a Soliton OneGate stand-in that forwards syslog over TLS.

Pure Python standard library (json, socket, ssl, time), Python 3.9+, so that it runs on the
managed side (Amazon Linux 2023 has 3.9) and can be imported by the benchmarks:

- OneGate-shaped JSON payloads for the five forwarded kinds (``kind_payload``), fields as in
  SPEC.md section 5: log_type, log_level, tenantcode, message, params{...}, timestamp;
- RFC 5424 messages (``build_message``) and their LF or octet-counted framing (``frame``);
- the TLS client context (``make_client_context``);
- a sender (``send``) that opens the connections, writes the messages and reports what happened.

Nothing here claims delivery. With TLS 1.3 the client finishes its side of the handshake before
the server has checked the client certificate, so a refused client usually sees a successful
handshake and a successful write; the refusal shows only later, as an alert, EOF or reset on the
next read. ``send`` looks for that with a short read after the last write of each connection
(``server_closed``), but the only proof of delivery is the line in the receiver's file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import errno
import json
import select
import socket
import ssl
import time
import warnings

# Facility names as Python's logging.handlers.SysLogHandler spells them (RFC 5424 codes).
FACILITIES = {
    "kern": 0,
    "user": 1,
    "mail": 2,
    "daemon": 3,
    "auth": 4,
    "syslog": 5,
    "lpr": 6,
    "news": 7,
    "uucp": 8,
    "cron": 9,
    "authpriv": 10,
    "ftp": 11,
    "ntp": 12,
    "security": 13,
    "console": 14,
    "solaris-cron": 15,
    "local0": 16,
    "local1": 17,
    "local2": 18,
    "local3": 19,
    "local4": 20,
    "local5": 21,
    "local6": 22,
    "local7": 23,
}

SEVERITIES = {
    "emerg": 0,
    "alert": 1,
    "crit": 2,
    "err": 3,
    "warning": 4,
    "notice": 5,
    "info": 6,
    "debug": 7,
}

# log_level as OneGate writes it (upper case), per syslog severity.
LOG_LEVELS = {
    "emerg": "FATAL",
    "alert": "FATAL",
    "crit": "FATAL",
    "err": "ERROR",
    "warning": "WARN",
    "notice": "INFO",
    "info": "INFO",
    "debug": "DEBUG",
}

TLS_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1_1": ssl.TLSVersion.TLSv1_1,
    "TLSv1_2": ssl.TLSVersion.TLSv1_2,
    "TLSv1_3": ssl.TLSVersion.TLSv1_3,
}

FRAMINGS = ("lf", "octet")

KINDS = ("admin_login", "user_login", "sso_access", "cert_issue", "sync")

# RFC 5424 header field limits (PRINTUSASCII, no space).
HEADER_LIMITS = {"hostname": 255, "app_name": 48, "procid": 128, "msgid": 32}

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

MAX_LINES_RETURNED = 20


class SyslogSendError(Exception):
    """A problem with the input (bad option, unreadable file): nothing was sent."""


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)  # not datetime.UTC: that is Python 3.11+


def rfc3339(dt, millis=False):
    """``2025-01-15T07:25:36+00:00`` (or with ``.523`` milliseconds), in UTC."""
    dt = dt.astimezone(datetime.timezone.utc)  # not datetime.UTC: that is Python 3.11+
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        text += ".%03d" % (dt.microsecond // 1000)
    return text + "+00:00"


def pri(facility, severity):
    """The RFC 5424 PRI value: facility code * 8 + severity code."""
    try:
        return FACILITIES[facility] * 8 + SEVERITIES[severity]
    except KeyError as exc:
        raise SyslogSendError("unknown syslog facility or severity: %s" % exc) from None


def _params(kind, index):
    """Realistic params for each kind. Addresses are documentation addresses (RFC 5737).

    Only the administrator login code (IM-605-I-001000) is taken from a real OneGate line
    (SPEC.md section 5); the other codes follow its pattern and are illustrative.
    """
    n = index + 1
    ip = "203.0.113.%d" % (10 + index % 200)
    user = "user%02d" % (1 + index % 99)
    if kind == "admin_login":
        return (
            "login_manager",
            "Successfully logged in.",
            {"code": "IM-605-I-001000", "ip_address": ip, "user_agent": USER_AGENT, "username": "admin"},
        )
    if kind == "user_login":
        return (
            "login_user",
            "Successfully logged in.",
            {
                "code": "IM-605-I-002000",
                "ip_address": ip,
                "user_agent": USER_AGENT,
                "username": user,
                "authentication": "password+certificate",
            },
        )
    if kind == "sso_access":
        return (
            "sso_access",
            "SSO access succeeded.",
            {
                "code": "IM-610-I-001000",
                "ip_address": ip,
                "user_agent": USER_AGENT,
                "username": user,
                "service_name": "Microsoft 365",
                "sp_entity_id": "urn:federation:MicrosoftOnline",
                "protocol": "SAML2.0",
            },
        )
    if kind == "cert_issue":
        return (
            "certificate",
            "Certificate issued.",
            {
                "code": "IM-620-I-001000",
                "username": user,
                "subject": "CN=%s" % user,
                "issuer": "CN=OneGate CA",
                "serial_number": "%032X" % (0x5F3A0000 + n),
                "not_after": "2026-01-15T07:25:36+00:00",
                "device": "Windows",
            },
        )
    if kind == "sync":
        return (
            "sync",
            "Synchronization completed.",
            {
                "code": "IM-630-I-001000",
                "source": "Microsoft Entra ID",
                "added": 2,
                "updated": 5,
                "deleted": 0,
                "result": "success",
            },
        )
    raise SyslogSendError("unknown kind %r; expected one of %s" % (kind, ", ".join(KINDS)))


def kind_payload(kind, now=None, index=0, tenantcode="tenant01", severity="info"):
    """A OneGate-shaped payload (a dict) for one of ``KINDS``; ``index`` varies user and address."""
    now = now or utcnow()
    log_type, message, params = _params(kind, index)
    return {
        "log_type": log_type,
        "log_level": LOG_LEVELS.get(severity, "INFO"),
        "tenantcode": tenantcode,
        "message": message,
        "params": params,
        "timestamp": rfc3339(now, millis=True),
    }


def merge(base, extra):
    """Deep-merge ``extra`` into a copy of ``base`` (dicts merge, anything else replaces)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def to_json(obj):
    """Compact JSON, UTF-8 text kept as is (OneGate writes Japanese as UTF-8)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def build_payload(message=None, kind=None, fields=None, now=None, index=0, severity="info", sequence_field=None):
    """The MSG part: ``message`` (text, or a dict as compact JSON) or a ``kind`` payload.

    ``fields`` are merged into the JSON object; ``sequence_field`` adds the 1-based message
    number under that key. Both need a JSON object: a text message that is not one is refused.
    """
    if (message is None) == (kind is None):
        raise SyslogSendError("give exactly one of message and kind")
    extra = dict(fields or {})
    if sequence_field:
        extra[sequence_field] = index + 1
    if kind is not None:
        obj = kind_payload(kind, now=now, index=index, severity=severity)
    elif isinstance(message, dict):
        obj = message
    else:
        text = str(message)
        if not extra:
            return text
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            raise SyslogSendError("fields and sequence_field need a JSON object message (a dict or a kind)")
    return to_json(merge(obj, extra))


def check_header_field(name, value):
    """RFC 5424: PRINTUSASCII (33..126), at most HEADER_LIMITS[name] characters, or '-'."""
    limit = HEADER_LIMITS[name]
    if not value or len(value) > limit or any(not 33 <= ord(c) <= 126 for c in value):
        raise SyslogSendError(
            "%s %r is not a valid RFC 5424 header field (1..%d printable ASCII characters, no spaces)"
            % (name, value, limit)
        )
    return value


def build_message(
    msg,
    facility="local0",
    severity="info",
    hostname="OneGate",
    app_name="manager",
    procid="-",
    msgid="-",
    timestamp=None,
):
    """``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`` (no structured data, no BOM)."""
    for name, value in (("hostname", hostname), ("app_name", app_name), ("procid", procid), ("msgid", msgid)):
        check_header_field(name, value)
    timestamp = timestamp or utcnow()
    return "<%d>1 %s %s %s %s %s - %s" % (
        pri(facility, severity),
        rfc3339(timestamp),
        hostname,
        app_name,
        procid,
        msgid,
        msg,
    )


def frame(line, framing="lf"):
    """Bytes on the wire: ``line LF`` (non-transparent framing) or ``LEN SP line`` (RFC 6587 octet counting)."""
    data = line.encode("utf-8")
    if framing == "lf":
        if b"\n" in data:
            raise SyslogSendError("a message with a line feed cannot be sent with framing=lf; use framing=octet")
        return data + b"\n"
    if framing == "octet":
        return ("%d " % len(data)).encode("ascii") + data
    raise SyslogSendError("unknown framing %r; expected lf or octet" % (framing,))


def make_client_context(
    ca_path=None,
    validate_certs=True,
    client_cert=None,
    client_key=None,
    client_key_passphrase=None,
    tls_min_version=None,
    tls_max_version=None,
    ciphers=None,
):
    """An ``ssl.SSLContext`` for the client side; raises SyslogSendError on unusable input.

    Without ``ca_path`` and with ``validate_certs`` the system trust store is used. When only
    ``tls_max_version`` is given and it is below the library's default minimum (TLS 1.2 on
    current Python), the minimum is lowered to it, so ``tls_max_version=TLSv1_1`` really offers 1.1
    (OpenSSL 3 also needs ``ciphers='DEFAULT:@SECLEVEL=0'`` for that).
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if validate_certs:
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        try:
            if ca_path:
                ctx.load_verify_locations(cafile=ca_path)
            else:
                ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
        except (OSError, ssl.SSLError) as exc:
            raise SyslogSendError("cannot load the CA file %s: %s" % (ca_path, exc)) from None
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        if ciphers:
            ctx.set_ciphers(ciphers)
    except ssl.SSLError as exc:
        raise SyslogSendError("ciphers %r not accepted by OpenSSL: %s" % (ciphers, exc)) from None
    try:
        with warnings.catch_warnings():
            # Python 3.10+ flags TLS 1.0/1.1 as deprecated; offering them is the point of these options.
            warnings.simplefilter("ignore", DeprecationWarning)
            if tls_min_version:
                ctx.minimum_version = TLS_VERSIONS[tls_min_version]
            if tls_max_version:
                ctx.maximum_version = TLS_VERSIONS[tls_max_version]
                # Without an explicit minimum, a maximum below TLS 1.2 (a probe of old versions) or below the
                # default minimum also sets the minimum, so that the version is really offered whatever the
                # Python build's default minimum is (3.11.7 from python.org: TLS 1.2; Debian's 3.11.2: none).
                maximum = TLS_VERSIONS[tls_max_version]
                if not tls_min_version and (
                    maximum < ssl.TLSVersion.TLSv1_2 or ctx.minimum_version > ctx.maximum_version
                ):
                    ctx.minimum_version = maximum
    except KeyError as exc:
        raise SyslogSendError("unknown TLS version %s; expected one of %s" % (exc, ", ".join(TLS_VERSIONS))) from None
    except (ValueError, ssl.SSLError) as exc:
        raise SyslogSendError("TLS version limits not accepted: %s" % exc) from None
    if client_cert or client_key:
        if not client_cert:
            raise SyslogSendError("client_key needs client_cert")
        try:
            ctx.load_cert_chain(
                certfile=client_cert, keyfile=client_key or None, password=client_key_passphrase or None
            )
        except (OSError, ssl.SSLError) as exc:
            # The message of OpenSSL never contains the passphrase.
            raise SyslogSendError(
                "cannot load the client certificate %s / key %s (wrong passphrase, or key and certificate "
                "do not match?): %s" % (client_cert, client_key or client_cert, exc)
            ) from None
    return ctx


def _name_text(rdns):
    """``((('commonName', 'x'),), ...)`` from getpeercert() as ``CN=x,O=y``."""
    short = {
        "commonName": "CN",
        "organizationName": "O",
        "organizationalUnitName": "OU",
        "countryName": "C",
        "stateOrProvinceName": "ST",
        "localityName": "L",
        "emailAddress": "emailAddress",
    }
    parts = []
    for rdn in rdns or ():
        for key, value in rdn:
            parts.append("%s=%s" % (short.get(key, key), value))
    return ",".join(parts)


def _decode_der(der):
    """Decode a DER certificate without verification, with the standard library only.

    ``getpeercert()`` returns an empty dict when the certificate was not verified
    (validate_certs=false); this path still reports subject and SAN. It uses a private helper
    of the ssl module that has existed since Python 2.7; if it is missing, it returns {}.
    """
    import os
    import tempfile

    decoder = getattr(getattr(ssl, "_ssl", None), "_test_decode_cert", None)
    if decoder is None or not der:
        return {}
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(ssl.DER_cert_to_PEM_cert(der))
        return decoder(path)
    except Exception:  # best effort, only for the report
        return {}
    finally:
        os.unlink(path)


def describe_peer(tls_sock):
    """Subject and SANs of the server certificate, as texts."""
    info = tls_sock.getpeercert() or _decode_der(tls_sock.getpeercert(binary_form=True))
    subject = _name_text(info.get("subject")) or None
    san = ["%s:%s" % (kind, value) for kind, value in info.get("subjectAltName", ())]
    return subject, san


def _error_text(exc):
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "certificate verification failed: %s" % (exc.verify_message or exc)
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return "TLS error: %s" % (exc.reason or exc)
    if isinstance(exc, OSError) and exc.errno:
        return "%s: %s" % (errno.errorcode.get(exc.errno, exc.errno), exc.strerror or exc)
    return "%s: %s" % (type(exc).__name__, exc)


def server_closed_after_send(tls_sock, wait):
    """Did the server end the session? A read that waits at most ``wait`` seconds.

    Returns (closed, reason). A syslog receiver never writes to the client, so EOF, a TLS alert
    or a reset within the window means the server refused or dropped us. Reading also consumes
    TLS 1.3 session tickets, so a later close is a clean FIN, not a reset that can cost the
    server the last unread data.
    """
    deadline = time.monotonic() + wait
    while True:
        if not tls_sock.pending():
            left = max(0.0, deadline - time.monotonic())
            try:
                ready = select.select([tls_sock], [], [], left)[0]
            except (OSError, ValueError):
                return True, "socket unusable after the send"
            if not ready:
                return False, None
        tls_sock.setblocking(False)
        try:
            data = tls_sock.recv(4096)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            continue  # only a handshake record (e.g. a session ticket); keep waiting
        except (OSError, ssl.SSLError) as exc:
            return True, _error_text(exc)
        finally:
            try:
                tls_sock.setblocking(True)
            except OSError:
                pass
        if not data:
            return True, "EOF from the server"
        # Data from a syslog receiver is unexpected but means the session is alive.
        if time.monotonic() >= deadline:
            return False, None


class _Errors:
    """Errors deduplicated with counts, in order of first appearance."""

    def __init__(self):
        self.counts = {}

    def add(self, text):
        self.counts[text] = self.counts.get(text, 0) + 1

    def as_list(self):
        return [{"msg": text, "count": count} for text, count in self.counts.items()]

    def __len__(self):
        return len(self.counts)


def close_tls(tls_sock, timeout=1.0, notify=True):
    """Close a TLS session: close_notify first (unless the server has closed it already), then the socket."""
    if notify:
        try:
            tls_sock.settimeout(min(timeout, 1.0))
            tls_sock.unwrap()  # close_notify; the server answers it or closes
        except (OSError, ssl.SSLError, ValueError):
            pass
    try:
        tls_sock.close()
    except OSError:
        pass


def send(
    host,
    port,
    frames,
    context,
    server_name=None,
    new_connection_per_message=False,
    rate=0.0,
    timeout=10.0,
    close_check_timeout=0.2,
    clock=time.monotonic,
    sleep=time.sleep,
):
    """Open TLS connection(s) to host:port and write ``frames`` (bytes each).

    One connection for all frames, or one per frame. If a write fails on the shared connection,
    the next frame opens a new one (as a syslog client would). ``rate`` > 0 paces the writes to at
    most that many messages per second. Returns a dict of counts; never raises for network errors.
    """
    errors = _Errors()
    result = {
        "sent": 0,
        "connections_ok": 0,
        "connections_failed": 0,
        "connections_closed_by_server": 0,
        "server_closed": False,
        "tls_version": None,
        "cipher": None,
        "server_cert_subject": None,
        "server_cert_san": [],
        "server_cert_pem": None,
    }
    server_hostname = server_name or host
    conn = None
    start = clock()

    def open_connection():
        raw = None
        try:
            raw = socket.create_connection((host, port), timeout=timeout)
            tls = context.wrap_socket(raw, server_hostname=server_hostname)
        except (OSError, ssl.SSLError) as exc:
            if raw is not None:
                raw.close()
            result["connections_failed"] += 1
            errors.add("connect to %s:%s: %s" % (host, port, _error_text(exc)))
            return None
        result["connections_ok"] += 1
        if result["tls_version"] is None:
            result["tls_version"] = tls.version()
            cipher = tls.cipher()
            result["cipher"] = cipher[0] if cipher else None
            result["server_cert_subject"], result["server_cert_san"] = describe_peer(tls)
            der = tls.getpeercert(binary_form=True)
            result["server_cert_pem"] = ssl.DER_cert_to_PEM_cert(der) if der else None
        return tls

    def finish(tls):
        closed, reason = server_closed_after_send(tls, close_check_timeout)
        if closed:
            result["connections_closed_by_server"] += 1
            result["server_closed"] = True
            errors.add("server closed the session after the send: %s" % reason)
        close_tls(tls, timeout, notify=not closed)

    for index, data in enumerate(frames):
        if rate and rate > 0:
            due = start + index / float(rate)
            delay = due - clock()
            if delay > 0:
                sleep(delay)
        if conn is None:
            conn = open_connection()
            if conn is None:
                continue
        try:
            conn.sendall(data)
            result["sent"] += 1
        except (OSError, ssl.SSLError) as exc:
            errors.add("send: %s" % _error_text(exc))
            result["server_closed"] = True
            result["connections_closed_by_server"] += 1
            try:
                conn.close()
            except OSError:
                pass
            conn = None
            continue
        if new_connection_per_message:
            finish(conn)
            conn = None
    if conn is not None:
        finish(conn)
    result["elapsed"] = round(clock() - start, 6)
    result["errors"] = errors.as_list()
    return result
