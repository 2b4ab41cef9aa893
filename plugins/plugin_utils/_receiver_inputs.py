# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The names and paths the role rsyslog_tls writes into configuration files (rsyslog, logrotate, stunnel, systemd),
checked before anything changes: each must mean only what it says. Used by the receiver_input_problems filter only
(controller side, hence plugin_utils). The one function returns a list of problems (empty: all is well), each
naming the variable, the problem and the fix, so that the role asserts one list and prints it whole.

* Directories (``rsyslog_tls_dir``, ``rsyslog_tls_log_dir``) are absolute paths, not ``/`` itself, without ``.``,
  ``..`` or empty components.
* File names (``rsyslog_tls_log_file``, ``rsyslog_tls_verify_log_file``, ``rsyslog_tls_other_log_file``) are plain
  names in the log directory: no ``/``, not ``.`` or ``..``.
* The group (``rsyslog_tls_log_group``) is a plain group name.
* In all of them only ASCII letters, digits and ``. _ + -`` (``/`` between the components of a directory): no quotes
  (a ``"`` ends an rsyslog parameter and starts another), spaces or control characters (a new line is a new
  configuration line), backslashes (escapes), ``* ? [ ] { }`` (logrotate reads paths as glob patterns), ``%`` or
  ``$`` (systemd and rsyslog expand them). No component starts with ``-`` (an option to the commands that get it).
* Permitted peer names (``rsyslog_tls_permitted_peers``) are matched by OpenSSL's host check (X509_check_host, which
  stunnel's ``checkHost`` calls) and by rsyslog's PermittedPeer: no leading dot (OpenSSL's do_x509_check reads
  ``.example`` as "any name under example", _X509_CHECK_FLAG_DOT_SUBDOMAINS), no trailing dot (no certificate name
  has one), no empty label (``a..b``), no ``*`` unless wildcards are allowed (rsyslog reads it as a wildcard, and
  all wildcards are named in one message), no space, ``;``, ``#``, ``=``, quote, backslash or control character.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

#: Every variable this module knows, and what it is.
DIRECTORY = "directory"
FILE_NAME = "file name"
GROUP = "group"
PEERS = "peers"
KINDS = {
    "rsyslog_tls_dir": DIRECTORY,
    "rsyslog_tls_log_dir": DIRECTORY,
    "rsyslog_tls_log_file": FILE_NAME,
    "rsyslog_tls_verify_log_file": FILE_NAME,
    "rsyslog_tls_other_log_file": FILE_NAME,
    "rsyslog_tls_log_group": GROUP,
    "rsyslog_tls_permitted_peers": PEERS,
}

#: What a path component or a group name may hold (whole strings: fullmatch, never a "$" that allows a new line).
PLAIN = re.compile(r"[A-Za-z0-9._+-]+")
GROUP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]{0,31}")

_NAMED = {
    '"': 'a double quote (")',
    "'": "a single quote (')",
    "`": "a backquote (`)",
    " ": "a space",
    "\\": "a backslash",
    "%": "a '%' (systemd and rsyslog expand it)",
    "$": "a '$' (systemd and rsyslog expand it)",
    "*": "a '*' (logrotate reads the path as a glob pattern)",
    "?": "a '?' (logrotate reads the path as a glob pattern)",
    "[": "a '[' (logrotate reads the path as a glob pattern)",
    "]": "a ']' (logrotate reads the path as a glob pattern)",
    "{": "a '{' (logrotate reads it as the start of a block)",
    "}": "a '}' (logrotate reads it as the end of a block)",
    ";": "a ';' (a comment in stunnel's file)",
    "#": "a '#' (a comment in rsyslog's and logrotate's files)",
    "=": "a '='",
    "/": "a '/'",
}


def _char(c):
    """What a character is, for a message (never the raw control character)."""
    if c in _NAMED:
        return _NAMED[c]
    if ord(c) < 32 or ord(c) == 127:
        return "a control character (\\x%02x)" % ord(c)
    if c.isspace():
        return "a white space character (U+%04X)" % ord(c)
    if ord(c) > 127:
        return "a non-ASCII character (U+%04X)" % ord(c)
    return "the character %r" % c


def _bad_chars(text, allowed):
    """The characters of ``text`` outside ``allowed`` (a set), described, in the order they first appear."""
    out = []
    for c in text:
        if c not in allowed:
            what = _char(c)
            if what not in out:
                out.append(what)
    return out


_PLAIN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-")
_FIX_CHARS = "use only ASCII letters, digits and . _ + -"


def _show(value):
    """The value as a message shows it: quoted, control characters escaped."""
    return repr(value) if not isinstance(value, str) else '"%s"' % value.encode("unicode_escape").decode("ascii")


def _directory_problems(name, value):
    shown = "%s=%s" % (name, _show(value))
    if not value:
        return ["%s is empty: give an absolute directory, for example /etc/rsyslog.d/tls." % name]
    problems = []
    if not value.startswith("/"):
        problems.append(
            "%s is not an absolute path: a relative directory is resolved where rsyslog or stunnel happens to run. "
            "Give the full path from /." % shown
        )
    bad = _bad_chars(value, _PLAIN_CHARS | {"/"})
    if bad:
        problems.append(
            "%s contains %s, which the configuration files would read as more than a path: %s, with / between "
            "the directories." % (shown, ", ".join(bad), _FIX_CHARS)
        )
    stripped = value.strip("/")
    if not stripped:
        problems.append("%s is the root directory: give a directory of its own." % shown)
        return problems
    parts = stripped.split("/")
    if any(p in (".", "..") for p in parts):
        problems.append(
            "%s has a '.' or '..' component, so it names another directory than it reads: give the directory "
            "itself, without . or .." % shown
        )
    if "" in parts:
        problems.append("%s has an empty component ('//'): write each / once." % shown)
    if any(p.startswith("-") for p in parts):
        problems.append(
            "%s has a component that starts with '-' (an option to the commands that get the path): rename it." % shown
        )
    return problems


def _file_name_problems(name, value):
    shown = "%s=%s" % (name, _show(value))
    if not value:
        return ["%s is empty: give a file name, for example local0.log." % name]
    problems = []
    if "/" in value or value in (".", ".."):
        problems.append(
            "%s is not a plain file name: it is a file in rsyslog_tls_log_dir (the EFS mount), and a '/' or '..' "
            "would put it elsewhere (for example remote messages onto the root disk). Give the name only, for "
            "example %s, and set rsyslog_tls_log_dir for the directory." % (shown, _example(value))
        )
    bad = _bad_chars(value.replace("/", ""), _PLAIN_CHARS)
    if bad:
        problems.append(
            "%s contains %s, which the configuration files would read as more than a file name: %s."
            % (shown, ", ".join(bad), _FIX_CHARS)
        )
    if value.startswith("-"):
        problems.append("%s starts with '-' (an option to the commands that get it): rename it." % shown)
    return problems


def _example(value):
    last = [p for p in value.split("/") if p not in ("", ".", "..")]
    candidate = last[-1] if last else ""
    return candidate if candidate and PLAIN.fullmatch(candidate) and not candidate.startswith("-") else "local0.log"


def _group_problems(name, value):
    shown = "%s=%s" % (name, _show(value))
    if not value:
        return ["%s is empty: give the group that may read the received files, for example adm." % name]
    if GROUP_NAME.fullmatch(value):
        return []
    bad = _bad_chars(value, _PLAIN_CHARS - {"+"})
    what = ("it contains %s" % ", ".join(bad)) if bad else "it is not a group name"
    return [
        "%s is not a plain group name (%s), and it is written into rsyslog's and logrotate's files: give the name "
        "of a group of the receiver (letters, digits, . _ -, starting with a letter or _, at most 32), for example adm."
        % (shown, what)
    ]


_PEER_FIX = (
    "Give the client certificate's names exactly as it carries them (openssl x509 -noout -subject -ext "
    "subjectAltName), for example aws-syslog."
)


def _peer_problems(name, value, allow_wildcard, wildcard_option):
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        return ["%s must be a list of names, got %s: write it as a YAML list, for example [aws-syslog]." % (
            name, _show(value))]  # fmt: skip
    problems = []
    wild = []
    for i, peer in enumerate(value):
        where = "%s item %d (%s)" % (name, i + 1, _show(peer))
        if not isinstance(peer, str):
            problems.append("%s is not a name: %s" % (where, _PEER_FIX))
            continue
        if not peer:
            problems.append("%s is empty: remove it. %s" % (where, _PEER_FIX))
            continue
        if peer.startswith("."):
            problems.append(
                "%s starts with a dot: OpenSSL's host check (X509_check_host, stunnel's checkHost) reads a leading "
                "dot as 'any name under %s', so every certificate of OneGate's CA with such a name would get in. %s"
                % (where, peer.lstrip(".") or "it", _PEER_FIX)
            )
        if peer.endswith(".") and peer.strip("."):
            problems.append(
                "%s ends with a dot: a certificate name never does (names in certificates are written without the "
                "DNS root's dot), so what it admits depends on how each front end (OpenSSL's host check, rsyslog) "
                "reads it. Remove the dot." % where
            )
        if ".." in peer or peer.strip(".") == "":
            problems.append(
                "%s has an empty label (two dots in a row, or only dots): no certificate name has one. %s"
                % (where, _PEER_FIX)
            )
        if "*" in peer and not allow_wildcard:
            wild.append(peer)
        bad = [c for c in peer if c in " ;#=\"'\\`" or ord(c) < 32 or ord(c) == 127 or (c.isspace() and c != " ")]
        if bad:
            problems.append(
                "%s contains %s (a certificate name OneGate issues has none, and the configuration files would read "
                "it as more than a name). %s" % (where, ", ".join(dict.fromkeys(_char(c) for c in bad)), _PEER_FIX)
            )
    if wild:
        problems.append(
            "%s %s would admit more than one client: rsyslog reads '*' as a pattern, '*' matches every single-label "
            "name, that is any user certificate OneGate's CA issues (any OneGate user), and '*.example' any name under "
            "example. Name the client certificate itself (the manual procedure's is aws-syslog), or set %s=true if you "
            "really mean that." % (name, json.dumps(wild), wildcard_option)
        )
    return problems


def receiver_input_problems(values, allow_wildcard_peers=False, wildcard_option="rsyslog_tls_allow_wildcard_peers"):
    """``values`` maps variables of the role rsyslog_tls (the keys of ``KINDS``) to their values; the problems found,
    one message each (variable, problem, fix), in the order of ``values``. Empty: every value means only what it
    says. An unknown variable is a programming error (ValueError), not a problem of the user's input."""
    if not isinstance(values, Mapping):
        raise ValueError("expected a dictionary of variable names and values, got %s" % type(values).__name__)
    problems = []
    for name, value in values.items():
        kind = KINDS.get(name)
        if kind is None:
            raise ValueError("unknown variable %r: known are %s" % (name, ", ".join(sorted(KINDS))))
        if kind == PEERS:
            problems += _peer_problems(name, value, allow_wildcard_peers, wildcard_option)
            continue
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append("%s must be a string, got %s." % (name, _show(value)))
            continue
        if kind == DIRECTORY:
            problems += _directory_problems(name, value)
        elif kind == FILE_NAME:
            problems += _file_name_problems(name, value)
        else:
            problems += _group_problems(name, value)
    return problems
