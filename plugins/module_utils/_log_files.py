# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The received file and its rotated siblings, read in blocks with bounded memory (for onegate_log_report): plain,
gzip, bzip2 or xz, a small file that expands a thousandfold included. Python 3.9 and the standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bz2
import lzma
import os
import re
import zlib

BLOCK = 1 << 20  # bytes read at a time
MAX_LINE_BYTES = 65536  # rsyslog's default maxMessageSize is 8 KiB; a longer "line" is garbage or a missing LF
CHUNK = 65536  # compressed bytes read at a time
ROTATED_RE = r"^%s(?:\.(\d+)|-(\d{8,10}))(\.gz|\.bz2|\.xz)?$"
DECOMPRESSORS = {
    ".gz": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    ".bz2": bz2.BZ2Decompressor,
    ".xz": lzma.LZMADecompressor,
}
# What reading a damaged or cut-off compressed file raises (everything decompressed before the damage is yielded).
READ_ERRORS = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError)


def find_files(path, include_rotated):
    """The received file, and with ``include_rotated`` its rotated siblings, oldest first.

    logrotate's names: ``local0.log.1``, ``local0.log.2.gz`` (numbered), or ``local0.log-20250115[.gz]`` (dateext).
    """
    files = []
    if include_rotated:
        directory, name = os.path.split(path)
        pattern = re.compile(ROTATED_RE % re.escape(name))
        try:
            entries = os.listdir(directory or ".")
        except OSError:
            entries = []
        numbered, dated = [], []
        for entry in entries:
            m = pattern.match(entry)
            if m:
                full = os.path.join(directory, entry)
                if m.group(1) is not None:
                    numbered.append((-int(m.group(1)), full))
                else:
                    dated.append((m.group(2), full))
        files += [full for _key, full in sorted(dated)] + [full for _key, full in sorted(numbered)]
    files.append(path)
    return files


def plain(handle):
    """The file's bytes in blocks of BLOCK."""
    while True:
        block = handle.read(BLOCK)
        if not block:
            return
        yield block


def decompressed(handle, factory):
    """The decompressed bytes of a gzip / bzip2 / xz file in blocks of at most BLOCK (so a small file that expands
    a thousandfold cannot fill memory), every stream of a multi-stream file in turn. Everything before a damage is
    yielded; then the damage raises (EOFError for a cut-off file)."""
    data = b""
    while True:
        dec = factory()
        gz = isinstance(dec, type(zlib.decompressobj()))
        while not dec.eof:
            if gz:
                if not data:
                    data = handle.read(CHUNK)
                    if not data:
                        raise EOFError("the compressed file ends before its end-of-stream marker (cut off?)")
                out = dec.decompress(data, BLOCK)
                data = dec.unconsumed_tail
            else:
                if dec.needs_input:
                    if not data:
                        data = handle.read(CHUNK)
                        if not data:
                            raise EOFError("the compressed file ends before its end-of-stream marker (cut off?)")
                else:
                    data = b""
                out = dec.decompress(data, BLOCK)
                data = b""
            if out:
                yield out
        data = dec.unused_data + data
        if not data.strip(b"\0"):
            data = handle.read(CHUNK)
            if not data.strip(b"\0"):
                return  # the end (gzip allows zero padding after the last member)
