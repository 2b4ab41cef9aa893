# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic behind the collection's filter plugins, as plain functions raising ValueError."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict


def rsyslog_array(values):
    """['a', 'b'] -> '["a","b"]' for rsyslog; refuses anything that could break the config."""
    if isinstance(values, (str, bytes)) or isinstance(values, Mapping) or not hasattr(values, "__iter__"):
        raise ValueError("expected a list of strings, got %s" % type(values).__name__)
    values = list(values)
    if not values:
        raise ValueError("the list is empty: give at least one name (for PermittedPeer, the permitted client names)")
    out = []
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise ValueError("item %d is a %s, not a string: quote it" % (i + 1, type(value).__name__))
        if value == "":
            raise ValueError("item %d is an empty string: remove it or give the name" % (i + 1))
        bad = [c for c in value if ord(c) < 0x20 or ord(c) == 0x7F]
        if bad:
            raise ValueError(
                "item %d (%r) contains a newline or control character: names must be one line of printable "
                "characters" % (i + 1, value)
            )
        out.append('"%s"' % value.replace("\\", "\\\\").replace('"', '\\"'))
    return "[" + ",".join(out) + "]"


def stale_paths(found, wanted):
    """The paths in ``wanted`` that ``found`` (the ``files`` of ansible.builtin.find) does not show as wanted.

    ``wanted`` is a list of dicts: ``path``, ``state`` (``file`` or ``directory``), ``mode`` (octal text such as
    ``"0644"``), optional ``uid`` / ``gid`` (default 0) and, for files, ``checksum`` (SHA-1 of the content, as find's
    ``get_checksum`` returns it). A path is stale when it was not found, is of another type, or differs in mode,
    owner, group or content. Anything unexpected counts as stale, never as up to date.
    """
    if not isinstance(found, (list, tuple)) or not isinstance(wanted, (list, tuple)):
        raise ValueError("expects the list of files of ansible.builtin.find and a list of wanted entries")
    by_path = {}
    for entry in found:
        if isinstance(entry, dict) and "path" in entry:
            by_path[entry["path"]] = entry
    stale = []
    for want in wanted:
        if not isinstance(want, dict) or not want.get("path") or want.get("state") not in ("file", "directory"):
            raise ValueError("each wanted entry needs a path and a state (file or directory): %r" % (want,))
        if want["state"] == "file" and not want.get("checksum"):
            raise ValueError("the wanted file %s has no checksum" % want["path"])
        have = by_path.get(want["path"])
        ok = (
            have is not None
            and bool(have.get("isdir" if want["state"] == "directory" else "isreg"))
            and not have.get("islnk")
            and str(have.get("mode", "")).lstrip("0") == str(want.get("mode", "")).lstrip("0")
            and have.get("uid") == want.get("uid", 0)
            and have.get("gid") == want.get("gid", 0)
            and (want["state"] == "directory" or have.get("checksum") == want["checksum"])
        )
        if not ok:
            stale.append(want["path"])
    return stale
