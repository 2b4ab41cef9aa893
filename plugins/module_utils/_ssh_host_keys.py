# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSH host keys from an EC2 instance's console output (GetConsoleOutput), so the first SSH connection can check
the host key instead of trusting whatever answers.

At first boot, cloud-init (module ``ssh``, script ``write-ssh-key-fingerprints``) prints to the serial console::

    <14>Dec  1 08:10:22 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----
    <14>Dec  1 08:10:22 cloud-init: 256 SHA256:OLW/05+C+N4japZEDkbRuPoHCTt9a+Vi7aillibyPX0 no comment (ECDSA)
    <14>Dec  1 08:10:22 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----
    -----BEGIN SSH HOST KEY KEYS-----
    ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB... root@ip-192-168-200-5
    -----END SSH HOST KEY KEYS-----

The fingerprint lines carry a log prefix (``ec2:`` on some images, a syslog header on others); kernel messages
written to the same console can land between the lines of either block. So: markers are found anywhere in a line,
lines of a block that are not a key (or a fingerprint) are skipped, and the last complete block wins (a reboot
prints them again). Each key is checked - its base64 decodes and names its own type - and, when the output also
has the fingerprint block, every key's SHA256 fingerprint must be in it. A missing or incomplete block is "not
yet" (None), not an error: the output appears minutes after boot.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import hashlib
import re
import struct

KEYS_BEGIN = "-----BEGIN SSH HOST KEY KEYS-----"
KEYS_END = "-----END SSH HOST KEY KEYS-----"
FP_BEGIN = "-----BEGIN SSH HOST KEY FINGERPRINTS-----"
FP_END = "-----END SSH HOST KEY FINGERPRINTS-----"

#: Key types pinned. ssh-dss is left out: OpenSSH no longer accepts DSA host keys.
KEY_TYPES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
)
_KEY_RE = re.compile(r"(?:^|\s)(%s)\s+([A-Za-z0-9+/]+={0,2})(?:\s|$)" % "|".join(re.escape(t) for t in KEY_TYPES))
_FP_RE = re.compile(r"\bSHA256:([A-Za-z0-9+/]{43})\b")


class HostKeyError(ValueError):
    """The console output has the blocks, but what they hold cannot be trusted."""


def fingerprint_sha256(blob):
    """OpenSSH's fingerprint of a key blob: SHA256:<unpadded base64>."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def _last_block(lines, begin, end):
    """The lines between the last ``begin`` marker that has an ``end`` after it, and that ``end``; else None."""
    start = None
    found = None
    for i, line in enumerate(lines):
        if begin in line:
            start = i
        elif end in line and start is not None:
            found = lines[start + 1 : i]
            start = None
    return found


def _check_key(key_type, b64):
    try:
        blob = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HostKeyError("the %s host key is not valid base64 (%s)" % (key_type, exc)) from exc
    if len(blob) < 4:
        raise HostKeyError("the %s host key is too short to be a key" % key_type)
    (length,) = struct.unpack(">I", blob[:4])
    if blob[4 : 4 + length] != key_type.encode("ascii"):
        raise HostKeyError("the host key printed as %s does not encode that type" % key_type)
    return blob


def parse_console_host_keys(output):
    """The host keys in ``output`` (console text), as a list of dicts ``type``, ``key`` (base64),
    ``fingerprint`` (SHA256:...), in the order printed; None when there is no complete key block yet.

    Raises HostKeyError when a block is there but a key in it is malformed, when the block holds no usable key, or
    when a key's fingerprint is missing from the fingerprint block printed with it.
    """
    if not output:
        return None
    lines = output.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block = _last_block(lines, KEYS_BEGIN, KEYS_END)
    if block is None:
        return None
    keys = []
    seen = set()
    for line in block:
        match = _KEY_RE.search(line)
        if not match:
            continue  # a kernel message written in between, or a key type not pinned (ssh-dss)
        key_type, b64 = match.group(1), match.group(2)
        blob = _check_key(key_type, b64)
        if (key_type, b64) in seen:
            continue
        seen.add((key_type, b64))
        keys.append({"type": key_type, "key": b64, "fingerprint": fingerprint_sha256(blob)})
    if not keys:
        raise HostKeyError("the SSH host key block in the console output holds no key of a type ssh accepts")
    fp_block = _last_block(lines, FP_BEGIN, FP_END)
    if fp_block is not None:
        printed = {"SHA256:" + m.group(1) for line in fp_block for m in _FP_RE.finditer(line)}
        for key in keys:
            if key["fingerprint"] not in printed:
                raise HostKeyError(
                    "the %s host key (%s) is not among the fingerprints cloud-init printed (%s): the console output "
                    "is inconsistent, so it is not trusted"
                    % (key["type"], key["fingerprint"], ", ".join(sorted(printed)))
                )
    return keys


def known_hosts_lines(host, keys):
    """known_hosts lines (``host type key``) for ``host``."""
    return ["%s %s %s" % (host, key["type"], key["key"]) for key in keys]
