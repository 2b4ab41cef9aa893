# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input of onegate_log_report: the files read, in blocks, into lines of bounded length, and the lines that
cannot be counted (unparsable), by reason, with the first few as examples. Python 3.9 and the standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_files import (
    DECOMPRESSORS,
    MAX_LINE_BYTES,
    READ_ERRORS,
    decompressed,
    plain,
)
from ansible_collections.netattest.tls_syslog.plugins.module_utils._log_values import MAX_RAW, safe, short
from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_log import ERROR_NOT_JSON_PREFIX


class Input:
    """Files in, lines out to ``add_lines`` (the subclass's counting); bad lines counted by ``_bad``."""

    def __init__(self, examples):
        self.n_examples = examples
        self.files = []
        self._file = None
        self._file_start = 0
        self.lines = 0
        self.unparsable = {}
        self.unparsable_examples = []
        self.unterminated = 0

    def add_lines(self, lines, last_unterminated=False, crlf=True):
        raise NotImplementedError

    def add_file(self, path):
        """Read one file (plain or compressed) to the end; problems with it are recorded, never raised."""
        ext = os.path.splitext(path)[1]
        factory = DECOMPRESSORS.get(ext)
        # the path as shown: a rotated file's name comes from the directory (undecodable bytes, controls)
        info = {"path": safe(path), "compressed": ext[1:] if factory else None, "bytes": 0, "lines": 0, "error": None}
        self.files.append(info)
        try:
            info["bytes"] = os.stat(path).st_size
            handle = open(path, "rb")
        except FileNotFoundError:
            info["error"] = "not found"
            return info
        except OSError as exc:
            info["error"] = short("cannot open: %s" % (exc.strerror or exc))
            return info
        self._file = info
        self._file_start = self.lines
        try:
            with handle:
                self._read(decompressed(handle, factory) if factory else plain(handle))
        except READ_ERRORS as exc:
            # a truncated or corrupt compressed file: every line decompressed before the damage has been counted
            info["error"] = short("read stopped: %s" % (getattr(exc, "strerror", None) or exc))
        info["lines"] = self.lines - self._file_start
        return info

    def _read(self, blocks):
        """Lines of MAX_LINE_BYTES at most are kept across blocks; a longer one is counted and skipped to its end."""
        carry = b""
        skipping = False
        for block in blocks:
            parts = block.split(b"\n")
            if skipping:
                if len(parts) == 1:
                    continue
                skipping = False
                parts = parts[1:]
            else:
                parts[0] = carry + parts[0]
            carry = parts.pop()
            if parts:
                self.add_lines(parts, crlf=b"\r" in block)
            if len(carry) > MAX_LINE_BYTES:
                self.lines += 1
                self._bad(carry[:MAX_RAW], "line longer than %d bytes" % MAX_LINE_BYTES)
                carry = b""
                skipping = True
        if carry and not skipping:
            self.unterminated += 1
            self.add_lines([carry], last_unterminated=True)

    def _unsummarised(self, line, exc, truncated):
        if isinstance(line, bytes):
            line = line.decode("utf-8", "backslashreplace")
        reason = "could not be summarised (%s: %s)" % (type(exc).__name__, short(str(exc), 100))
        self._bad("" if line is None else line, reason, truncated)

    def _bad(self, line, reason, truncated=False):
        text = line.decode("utf-8", "backslashreplace") if isinstance(line, bytes) else line
        detail = None
        if reason.startswith(ERROR_NOT_JSON_PREFIX):
            detail = short(reason[len(ERROR_NOT_JSON_PREFIX) :])
            reason = "the message is not JSON"
        if "\x00" in text and isinstance(line, str):
            reason += ", with NUL bytes"
        if truncated:
            reason += " (the last line, without a line end: cut off?)"
        self.unparsable[reason] = self.unparsable.get(reason, 0) + 1
        if len(self.unparsable_examples) < self.n_examples:
            self.unparsable_examples.append(
                {
                    "file": self._file["path"] if self._file else None,  # made safe in add_file
                    "line": self.lines - self._file_start,
                    "reason": reason,
                    "detail": detail,
                    "text": short(text, MAX_RAW),
                }
            )

    def unparsable_result(self):
        return {
            "count": sum(self.unparsable.values()),
            "by_reason": dict(sorted(self.unparsable.items(), key=lambda kv: (-kv[1], kv[0]))),
            "examples": self.unparsable_examples,
        }
