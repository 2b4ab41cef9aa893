# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The TLS client of a syslog sender: the client context, and a sender that reports what happened.

Private to the collection. Standard library, plus ``cryptography`` (when installed) to report the server
certificate's subject and names even when it was not verified.

Nothing here claims delivery. With TLS 1.3 the client finishes its side of the handshake before
the server has checked the client certificate, so a refused client usually sees a successful
handshake and a successful write; the refusal shows only later, as an alert, EOF or reset on the
next read. ``send`` looks for that with a short read after the last write of each connection
(``server_closed``), but the only proof of delivery is the line in the receiver's file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import select
import socket
import ssl
import time
import warnings

from ansible_collections.netattest.tls_syslog.plugins.module_utils._syslog_errors import SyslogSendError

try:
    from cryptography import x509

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - the report then has no subject and names
    HAS_CRYPTOGRAPHY = False

TLS_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1_1": ssl.TLSVersion.TLSv1_1,
    "TLSv1_2": ssl.TLSVersion.TLSv1_2,
    "TLSv1_3": ssl.TLSVersion.TLSv1_3,
}


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


# getpeercert()'s names for the SAN types, so that the report reads like the ssl module's.
_SAN_LABELS = (
    ("DNSName", "DNS"),
    ("IPAddress", "IP Address"),
    ("RFC822Name", "email"),
    ("UniformResourceIdentifier", "URI"),
)


def describe_der(der):
    """Subject (RFC 4514) and SANs (``TYPE:value``) of a DER certificate, without verifying it.

    ``getpeercert()`` returns an empty dict when the certificate was not verified (validate_certs=false), so the
    DER is decoded with ``cryptography``. Without it (or for an unreadable certificate) the report is (None, []).
    """
    if not der or not HAS_CRYPTOGRAPHY:
        return None, []
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:  # best effort, only for the report
        return None, []
    subject = cert.subject.rfc4514_string() or None
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return subject, []
    san = []
    for type_name, label in _SAN_LABELS:
        san += ["%s:%s" % (label, value) for value in ext.get_values_for_type(getattr(x509, type_name))]
    return subject, san


def describe_peer(tls_sock):
    """Subject and SANs of the server certificate, as texts."""
    return describe_der(tls_sock.getpeercert(binary_form=True))


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
