#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pem_bundle
short_description: Install a server key and certificate from Soliton OneGate's PEM bundle, checked, in one step
version_added: 0.1.0
description:
  - Soliton OneGate's CA can generate a server key pair itself and hands out one PEM file, its
    "PEM (private key + server certificate)" download, which holds a passphrase-encrypted PKCS#8 private key
    (C(-----BEGIN ENCRYPTED PRIVATE KEY-----)) followed by the server certificate, sometimes followed by CA
    certificates. It also offers PKCS#12 (.p12/.pfx).
  - rsyslog cannot read an encrypted key. It has no passphrase option; given an encrypted key it prompts on
    stderr and silently opens no listener. This module splits the bundle, decrypts the key, checks that key
    and certificate belong together, optionally verifies the certificate against the CA, its validity window
    and its names, and only then writes the certificate and the decrypted key with their owners and modes.
  - Why a module of our own. M(community.crypto.split_pem) only splits a file and
    M(community.crypto.openssl_privatekey_convert) only re-encodes one key file. Chained, they would leave the
    decrypted key or a mismatched certificate on disk when a later check fails, need the encrypted bundle copied
    to the server first, and check nothing about the certificate. This module does it as one atomic, checked
    step. Every check passes before any file is written, and the files are replaced together. Each is staged as a
    temporary file in its own directory, then all are renamed into place; if any step fails, every file stays as it
    was, so a certificate is never left without its key. The key is never readable by group or others unless
    O(allow_insecure_key_mode) says so.
  - Idempotent, unchanged key material and certificate bytes leave the files untouched (C(changed=false)).
  - Runs on the managed host and needs the Python C(cryptography) library there (Debian C(python3-cryptography),
    Amazon Linux 2023 C(python3-cryptography)).
author:
  - netattest.tls_syslog developers (@netattest)
options:
  content:
    description:
      - The bundle itself. PEM text (blocks in any order), or a PKCS#12 file encoded in base64.
      - Typically V(lookup('ansible.builtin.file', 'onegate-server.pem'\)) on the controller, so the encrypted
        bundle is never left on the server.
      - Exactly one of O(content) and O(src) is required.
    type: str
  src:
    description:
      - Path of the bundle (PEM or PKCS#12) on the managed host.
    type: path
  format:
    description:
      - Format of the bundle. V(auto) reads PEM when the input has a C(-----BEGIN) line, PKCS#12 otherwise.
    type: str
    choices: [auto, pem, pkcs12]
    default: auto
  passphrase:
    description:
      - Passphrase of the private key (entered in OneGate's CA when the key pair was issued).
      - Needed for encrypted PKCS#8 keys, legacy encrypted PKCS#1 keys (C(Proc-Type 4,ENCRYPTED)) and PKCS#12.
      - Never logged or returned.
    type: str
  ca_content:
    description:
      - PEM text of the CA certificate(s). When given, the server certificate must chain up to one of them, through
        intermediate certificates of the bundle if any.
      - This is path validation. Each certificate of the chain must be signed by the next (RSA PKCS#1 v1.5, RSA-PSS,
        ECDSA, Ed25519, Ed448, DSA). Every issuer on the way, the given CA included, must be a CA certificate
        (basicConstraints CA:TRUE, its path length constraint respected), must have keyCertSign if it has a key
        usage extension, and must be within its validity window (unless O(allow_expired)). A chain through a
        certificate that is not a CA is refused.
      - Mutually exclusive with O(ca_src).
    type: str
  ca_src:
    description:
      - Path on the managed host of the CA certificate(s) in PEM.
    type: path
  cert_dest:
    description:
      - Where to write the server certificate (PEM), for example C(/etc/rsyslog.d/tls/server.cer).
      - The directory must exist.
    type: path
    required: true
  key_dest:
    description:
      - Where to write the decrypted private key (unencrypted PKCS#8 PEM), for example C(/etc/rsyslog.d/tls/server.key).
      - The directory must exist.
    type: path
    required: true
  ca_dest:
    description:
      - Where to write the CA certificate(s) given in O(ca_content) or O(ca_src). Requires one of them.
    type: path
  include_chain:
    description:
      - Append the bundle's other certificates (intermediates, in issuing order) after the server certificate
        in O(cert_dest).
    type: bool
    default: false
  expected_names:
    description:
      - IP addresses and DNS names that must be in the server certificate's subjectAltName, for example the
        Elastic IP the receiver is reached at.
    type: list
    elements: str
    default: []
  allow_expired:
    description:
      - Install a certificate that has expired or is not yet valid instead of failing. This also skips the validity
        check of the CA certificates in the chain.
    type: bool
    default: false
  owner:
    description: Owner of the written files.
    type: str
  group:
    description: Group of the written files.
    type: str
  key_mode:
    description:
      - Mode of O(key_dest), as octal text (V("0400")), a number or a symbolic mode, like the file module takes it.
      - A mode that gives group or others any access to the decrypted key is refused unless
        O(allow_insecure_key_mode=true).
    type: raw
    default: "0400"
  allow_insecure_key_mode:
    description:
      - Accept a O(key_mode) that lets the group or others read (or write, or execute) the decrypted private key, for
        example V("0640") when a non-root service account of the key's group must read it.
    type: bool
    default: false
  cert_mode:
    description: Mode of O(cert_dest) and O(ca_dest).
    type: raw
    default: "0644"
extends_documentation_fragment:
  - netattest.tls_syslog._attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports what would change; writes nothing. Every check of the bundle runs as in a real run.
      - A destination directory that does not exist yet fails a real run but not a check-mode run (an earlier task
        of the same play may create it); the files are then reported as to be written.
  diff_mode:
    support: full
    details:
      - Shows certificate subjects and fingerprints and the key's type and public key hash, never key material.
  idempotent:
    support: full
    details:
      - Files whose content, mode and owner are already right are not rewritten.
  platform:
    support: full
    platforms: posix
notes:
  - All checks run before anything is written; a failed check (wrong passphrase, mismatched certificate, expired
    certificate, name not in the SAN, certificate not issued by the CA, a key mode open to others) writes no file.
  - A failure while writing (for example a read-only key directory) leaves every file as it was.
  - rsyslog reads certificates only when it starts. Restart it after this module reports a change; SIGHUP is not enough.
seealso:
  - module: community.crypto.split_pem
  - module: community.crypto.openssl_privatekey_convert
  - module: community.crypto.x509_certificate_info
requirements:
  - cryptography >= 3.3 on the managed host
"""

EXAMPLES = r"""
- name: Install the server certificate and decrypted key from OneGate's bundle
  netattest.tls_syslog.pem_bundle:
    content: "{{ lookup('ansible.builtin.file', 'files/onegate-server.pem') }}"
    passphrase: "{{ vault_onegate_bundle_passphrase }}"
    ca_content: "{{ lookup('ansible.builtin.file', 'files/onegate-ca.cer') }}"
    ca_dest: /etc/rsyslog.d/tls/ca.cer
    cert_dest: /etc/rsyslog.d/tls/server.cer
    key_dest: /etc/rsyslog.d/tls/server.key
    expected_names:
      - "{{ elastic_ip }}"
    owner: root
    group: root
  notify: Restart rsyslog

- name: Same from a PKCS#12 file already on the host
  netattest.tls_syslog.pem_bundle:
    src: /root/onegate-server.p12
    passphrase: "{{ vault_onegate_bundle_passphrase }}"
    cert_dest: /etc/rsyslog.d/tls/server.cer
    key_dest: /etc/rsyslog.d/tls/server.key

- name: PKCS#12 from the controller, as base64
  netattest.tls_syslog.pem_bundle:
    content: "{{ lookup('ansible.builtin.file', 'onegate-server.p12.b64') }}"
    format: pkcs12
    passphrase: "{{ vault_onegate_bundle_passphrase }}"
    cert_dest: /etc/rsyslog.d/tls/server.cer
    key_dest: /etc/rsyslog.d/tls/server.key
"""

RETURN = r"""
subject:
  description: Subject of the server certificate (RFC 4514).
  returned: success
  type: str
  sample: CN=203.0.113.10
issuer:
  description: Issuer of the server certificate (RFC 4514).
  returned: success
  type: str
  sample: CN=OneGate CA,O=Example
san:
  description: subjectAltName entries of the server certificate.
  returned: success
  type: list
  elements: str
  sample: ["DNS:203.0.113.10", "IP:203.0.113.10"]
not_before:
  description: Start of the validity window (UTC, ISO 8601).
  returned: success
  type: str
  sample: "2026-01-15T00:00:00Z"
not_after:
  description: End of the validity window (UTC, ISO 8601).
  returned: success
  type: str
  sample: "2027-01-15T00:00:00Z"
days_left:
  description: Whole days until the certificate expires (negative when expired).
  returned: success
  type: int
  sample: 364
fingerprint_sha256:
  description: SHA-256 fingerprint of the server certificate.
  returned: success
  type: str
  sample: "3F:2A:...:9C"
serial_number:
  description: Serial number of the server certificate, hexadecimal.
  returned: success
  type: str
  sample: 1A2B3C
key_type:
  description: Type of the private key.
  returned: success
  type: str
  sample: RSA
key_size:
  description: Size of the private key in bits (curve size for EC keys).
  returned: success
  type: int
  sample: 2048
chain_length:
  description: Number of further certificates written after the server certificate (with O(include_chain)).
  returned: success
  type: int
  sample: 0
cert_dest:
  description: Path of the certificate file.
  returned: success
  type: str
  sample: /etc/rsyslog.d/tls/server.cer
key_dest:
  description: Path of the key file.
  returned: success
  type: str
  sample: /etc/rsyslog.d/tls/server.key
ca_dest:
  description: Path of the CA file, when O(ca_dest) was given.
  returned: when O(ca_dest) is set
  type: str
  sample: /etc/rsyslog.d/tls/ca.cer
changed_files:
  description: The files whose content or attributes were (or, in check mode, would be) changed.
  returned: success
  type: list
  elements: str
  sample: ["/etc/rsyslog.d/tls/server.cer", "/etc/rsyslog.d/tls/server.key"]
"""

import os
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _pem_bundle as pb
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _pem_certs as pc
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _pem_chain as pv


def _read(module, path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot read %s %s: %s" % (what, path, to_native(exc.strerror or exc)))


def _current(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except (IOError, OSError):
        return None


def _describe_file(data):
    """A description of a cert/CA file for diff output: subjects and fingerprints, nothing secret."""
    if data is None:
        return "(absent)\n"
    try:
        certs = pb.load_certificates(data.decode("utf-8"), "the file")
    except (pb.BundleError, UnicodeDecodeError):
        return "(not a PEM certificate file, %d bytes)\n" % len(data)
    return "".join("%s sha256=%s\n" % (c.subject.rfc4514_string(), pc.fingerprint_sha256(c)) for c in certs)


def _describe_key(data):
    if data is None:
        return "(absent)\n"
    try:
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(data, password=None)
    except Exception:  # any unreadable key is just described as such
        return "(unreadable or encrypted key, %d bytes)\n" % len(data)
    ktype, size = pc.key_description(key)
    return "%s %s bits, public key sha256=%s\n" % (ktype, size, pc.public_key_fingerprint(key))


def _fs_args(path, mode, owner, group):
    return {
        "path": path,
        "mode": mode,
        "owner": owner,
        "group": group,
        "attributes": None,
        "secontext": [None, None, None],
    }


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _stage(module, dest, data, mode, owner, group):
    """A temporary file next to dest with data and its final mode and owner. Returns its path."""
    directory = os.path.dirname(dest) or "."
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(dest), suffix=".new", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        module.set_fs_attributes_if_different(_fs_args(tmp, mode, owner, group), False)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _install_together(module, items, owner, group):
    """Write every (dest, data, mode) of items, all or none: a certificate never goes without its key.

    1. Stage each file as a temporary file in its target directory, with its final mode and owner, and keep a hard
       link of each file it replaces. A failure here (a read-only directory, a full disk, an unknown owner) changes
       no destination.
    2. Rename each staged file over its destination. Should a rename fail, the files already renamed are put back
       from their links (or removed, if they did not exist before), so every destination is as it was.
    """
    staged, backups, done = [], {}, []
    try:
        for dest, data, mode in items:
            staged.append((dest, _stage(module, dest, data, mode, owner, group)))
        for dest, tmp in staged:
            if os.path.lexists(dest):
                backups[dest] = tmp[: -len(".new")] + ".old"
                os.link(dest, backups[dest])
        for dest, tmp in staged:
            os.rename(tmp, dest)
            done.append(dest)
    except BaseException:
        for dest in reversed(done):
            if dest in backups:
                os.rename(backups.pop(dest), dest)
            else:
                _unlink(dest)
        raise
    finally:
        for _dest, tmp in staged:
            if os.path.lexists(tmp):
                _unlink(tmp)
        for backup in backups.values():
            _unlink(backup)


def _mode_bits(module, mode, path):
    """The permission bits that mode gives path (octal text, int or symbolic as the file module takes it)."""
    if isinstance(mode, int):
        return mode & 0o7777
    text = str(mode).strip()
    try:
        return int(text, 8) & 0o7777  # as the file module reads a text mode: "0400", "400", "0o400"
    except ValueError:
        pass
    # Symbolic modes (u=r,go=) are applied to the file as it is: the existing file, or the new one (0600).
    try:
        base = os.stat(path).st_mode
    except OSError:
        base = stat.S_IFREG | 0o600
    try:
        return module._symbolic_mode_to_octal(os.stat_result((base,) + (0,) * 9), text)
    except ValueError as exc:
        module.fail_json(msg="key_mode %r is not a valid mode: %s" % (mode, to_native(exc)))


def _check_key_mode(module, mode, path, allow):
    """Refuse a key mode that lets group or others read (or do anything with) the decrypted private key."""
    if mode is None or allow:
        return
    bits = _mode_bits(module, mode, path)
    loose = bits & 0o077
    if loose:
        who = [w for w, m in (("group", 0o070), ("others", 0o007)) if loose & m]
        module.fail_json(
            msg="key_mode %s gives %s access to the decrypted private key in %s: use 0400 or 0600 (rsyslog reads it "
            "as root), or set allow_insecure_key_mode=true if another account really must read it"
            % (mode, " and ".join(who), path)
        )


def main():
    module = AnsibleModule(
        argument_spec=dict(
            content=dict(type="str", no_log=True),
            src=dict(type="path"),
            format=dict(type="str", default="auto", choices=["auto", "pem", "pkcs12"]),
            passphrase=dict(type="str", no_log=True),
            ca_content=dict(type="str"),
            ca_src=dict(type="path"),
            cert_dest=dict(type="path", required=True),
            key_dest=dict(type="path", required=True),
            ca_dest=dict(type="path"),
            include_chain=dict(type="bool", default=False),
            expected_names=dict(type="list", elements="str", default=[]),
            allow_expired=dict(type="bool", default=False),
            owner=dict(type="str"),
            group=dict(type="str"),
            key_mode=dict(type="raw", default="0400", no_log=False),
            allow_insecure_key_mode=dict(type="bool", default=False),
            cert_mode=dict(type="raw", default="0644"),
        ),
        required_one_of=[("content", "src")],
        mutually_exclusive=[("content", "src"), ("ca_content", "ca_src")],
        supports_check_mode=True,
    )
    if not pb.HAS_CRYPTOGRAPHY:
        module.fail_json(
            msg=missing_required_lib("cryptography", reason="to read the bundle (install python3-cryptography)"),
            exception=to_native(pb.CRYPTOGRAPHY_IMPORT_ERROR),
        )
    p = module.params
    if p["ca_dest"] and not (p["ca_content"] or p["ca_src"]):
        module.fail_json(msg="ca_dest is set but no CA was given: set ca_content or ca_src (the OneGate CA cert)")
    dests = [d for d in (p["cert_dest"], p["key_dest"], p["ca_dest"]) if d]
    if len(set(dests)) != len(dests):
        module.fail_json(msg="cert_dest, key_dest and ca_dest must be different files")
    _check_key_mode(module, p["key_mode"], p["key_dest"], p["allow_insecure_key_mode"])
    for dest in dests:
        if os.path.isdir(dest):
            module.fail_json(msg="%s is a directory: give the path of the file to write" % dest)
        directory = os.path.dirname(dest) or "."
        # In check mode an earlier task of the same run (not run for real) may be the one that creates it.
        if not os.path.isdir(directory) and not module.check_mode:
            module.fail_json(msg="the directory of %s does not exist: create %s first" % (dest, directory))

    # 1. Read and check everything. Nothing is written before all checks pass.
    try:
        if p["content"] is not None:
            data = to_bytes(p["content"]) if p["format"] == "pem" else pb.decode_content(p["content"])
        else:
            data = _read(module, p["src"], "the bundle")
        bundle = pb.parse_bundle(data, p["passphrase"], p["format"])
        ca_text = None
        if p["ca_content"] is not None:
            ca_text = p["ca_content"]
        elif p["ca_src"]:
            ca_text = to_native(_read(module, p["ca_src"], "the CA file"))
        ca_certs = pb.load_certificates(ca_text, "the CA input") if ca_text is not None else []
        if ca_certs:
            pv.verify_against_ca(bundle, ca_certs, check_time=not p["allow_expired"])
        if not p["allow_expired"]:
            pc.check_validity(bundle.leaf)
        if p["expected_names"]:
            pc.check_names(bundle.leaf, p["expected_names"])
    except pb.BundleError as exc:
        module.fail_json(msg=to_native(exc))
    for warning in bundle.warnings:
        module.warn(warning)

    chain = bundle.chain() if p["include_chain"] else []
    desired = [
        (p["cert_dest"], pc.cert_pem(bundle.leaf) + b"".join(pc.cert_pem(c) for c in chain), p["cert_mode"], "cert"),
        (p["key_dest"], pc.key_pem(bundle.key), p["key_mode"], "key"),
    ]
    if p["ca_dest"]:
        desired.append((p["ca_dest"], b"".join(pc.cert_pem(c) for c in ca_certs), p["cert_mode"], "cert"))

    # 2. Compare with what is there.
    diff_before, diff_after = {}, {}
    to_write, to_fix = [], []
    for dest, data, mode, kind in desired:
        current = _current(dest)
        describe = _describe_key if kind == "key" else _describe_file
        if current != data:
            to_write.append((dest, data, mode))
            diff_before[dest] = describe(current)
            diff_after[dest] = describe(data)
        else:
            file_args = _fs_args(dest, mode, p["owner"], p["group"])
            # check_mode is honoured by set_fs_attributes_if_different itself
            if module.set_fs_attributes_if_different(file_args, False):
                to_fix.append(dest)

    changed_files = [d for d, _x, _m in to_write] + to_fix
    # 3. Write (not in check mode): all files or none.
    if to_write and not module.check_mode:
        try:
            _install_together(module, to_write, p["owner"], p["group"])
        except (IOError, OSError) as exc:
            module.fail_json(
                msg="cannot write %s: %s. Nothing was changed: every file is as it was. Check that the directories "
                "are writable and the owner and group exist" % (", ".join(d for d, _x, _m in to_write), to_native(exc))
            )

    ktype, ksize = pc.key_description(bundle.key)
    result = dict(
        changed=bool(changed_files),
        changed_files=changed_files,
        key_type=ktype,
        key_size=ksize,
        chain_length=len(chain),
        cert_dest=p["cert_dest"],
        key_dest=p["key_dest"],
    )
    if p["ca_dest"]:
        result["ca_dest"] = p["ca_dest"]
    result.update(pc.describe_cert(bundle.leaf))
    if module._diff and to_write:
        result["diff"] = {
            "before_header": "current files",
            "after_header": "from the bundle",
            "before": "".join("%s: %s" % (d, v) for d, v in sorted(diff_before.items())),
            "after": "".join("%s: %s" % (d, v) for d, v in sorted(diff_after.items())),
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
