# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values of the received log as the report shows them: made safe, shortened, labelled (for onegate_log_report).

The log's content is the sender's (attacker-controlled on a receiver reachable from the internet): values are only
counted, truncated and returned, never interpreted. Python 3.9 and the standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

MAX_TEXT = 300  # characters kept of a value or example
MAX_RAW = 2000  # characters kept of a raw example line
OTHER = "(other)"
NONE = "(none)"

# Characters a log value must not carry as they are into a result or a page: C0 and C1 controls and DEL, the bidi
# controls (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069) and the other invisible format characters around them
# (zero-width spaces and joiners, line and paragraph separators, U+2060-U+206F, the BOM, U+FFF9-U+FFFB), and lone
# surrogates (JSON's "\ud800" decodes to one; ansible-core refuses a result that carries it, as it is not UTF-8).
# Each is shown as its escape, e.g. U+202E -> \u202e, so that it is seen and cannot reorder or hide the text.
UNSAFE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_CUT_ESCAPE_RE = re.compile(r"\\u[0-9a-f]{0,3}$")  # the start of an escape left at the end of a cut text
MAX_DEPTH = 20  # nesting levels of a log value shown when it is re-encoded as JSON text; deeper ones are {…} / […]
# JSON nested deeper than this is not parsed (an unparsable line): the same line gets the same verdict whatever the
# interpreter's stack depth where it is parsed (json's C scanner stops at the recursion limit, about 1,000 levels,
# minus the frames already used), and nothing nested that deep is OneGate's.
MAX_NESTING = 500
ERROR_TOO_DEEP = "the message is JSON nested too deeply (more than %d levels)" % MAX_NESTING
_BRACKETS_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]')


def too_deep(text):
    """Whether the text's brackets (outside JSON strings) nest deeper than MAX_NESTING. Cheap for a line with few
    brackets; a line full of them is scanned once (at most MAX_LINE_BYTES)."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return False
    depth = 0
    for token in _BRACKETS_RE.findall(text):
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def _escape(match):
    return "\\u%04x" % ord(match.group())


def safe(text):
    """Text fit for a result and a page: every character of UNSAFE_RE shown as its escape (``\\u202e``).
    Text without any is returned as it is (the same object), so safe(safe(x)) == safe(x)."""
    if UNSAFE_RE.search(text) is None:
        return text
    return UNSAFE_RE.sub(_escape, text)


def short(text, limit=MAX_TEXT):
    """Safe text of at most ``limit`` characters (cut ones end with an ellipsis, never inside an escape)."""
    text = safe(text)
    if len(text) <= limit:
        return text
    return _CUT_ESCAPE_RE.sub("", text[: limit - 1]) + "\u2026"


def to_json(value, limit):
    """A log value as JSON text of about ``limit`` characters at most, keys sorted, nesting shown to MAX_DEPTH levels
    (deeper containers as ``[…]`` / ``{…}``). Unlike json.dumps it cannot exceed the interpreter's recursion limit
    (a line nested 990 deep parses, and its re-encoding must not fail), and it stops once the text is long enough
    (a key flood is not encoded in full to be cut). Not yet safe(): the caller's short() does that."""
    out = []
    size = [0]

    def put(text):
        out.append(text)
        size[0] += len(text)

    def walk(item, depth):
        if size[0] > limit:
            return
        if isinstance(item, dict):
            if depth >= MAX_DEPTH:
                put("{\u2026}" if item else "{}")
                return
            put("{")
            for i, key in enumerate(sorted(item, key=str)):
                if size[0] > limit:
                    return
                put((", " if i else "") + _scalar(str(key)) + ": ")
                walk(item[key], depth + 1)
            put("}")
        elif isinstance(item, (list, tuple)):
            if depth >= MAX_DEPTH:
                put("[\u2026]" if item else "[]")
                return
            put("[")
            for i, element in enumerate(item):
                if size[0] > limit:
                    return
                if i:
                    put(", ")
                walk(element, depth + 1)
            put("]")
        else:
            put(_scalar(item))

    walk(value, 0)
    return "".join(out)


def _scalar(value):
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # not a JSON value, or an int too long for str() (3.11's digit limit)
        return "(%s)" % type(value).__name__


def label(value, limit=100):
    """A log value as a table key, made safe: text as it is (shortened), anything else as its JSON in parentheses,
    None as (none)."""
    if value is None:
        return NONE
    if isinstance(value, str):
        return safe(value)[:limit] if value else '""'
    return "(%s)" % short(to_json(value, limit), limit)


def example(value):
    """A field's value as an example: JSON text, made safe and shortened."""
    return short(value if isinstance(value, str) else to_json(value, MAX_TEXT))


def field_name(name):
    """A field name (a JSON key) as shown: made safe, a long or odd one labelled."""
    return safe(name) if isinstance(name, str) and len(name) <= 100 else label(name)


def json_type(value):
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__
