# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the rsyslog_array filter, as a plain function raising ValueError. Private to the collection."""

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
