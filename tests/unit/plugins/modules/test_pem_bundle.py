"""pem_bundle through its real entry point, on bundles made by the test PKI (tests/lib/netattest_local/pki.py)."""

import array
import base64
import fcntl
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _pem_chain as pvu
from ansible_collections.netattest.tls_syslog.plugins.modules import pem_bundle
from netattest_local import pki as certs
from netattest_local.pki import build

PASS = "Onegate-Pass-1234"
EIP = "203.0.113.10"


@pytest.fixture(scope="module")
def pki():
    ca = certs.CA("OneGate Test CA")
    other = certs.CA("Other CA")
    key, cert = ca.issue(EIP, names=[EIP])
    return {"ca": ca, "other": other, "key": key, "cert": cert}


@pytest.fixture
def dest(tmp_path):
    d = tmp_path / "tls"
    d.mkdir()
    return d


def args_for(dest, **kw):
    a = {"cert_dest": str(dest / "server.cer"), "key_dest": str(dest / "server.key")}
    a.update(kw)
    return a


def files(dest):
    return sorted(p.name for p in dest.iterdir())


def loaded_key(path):
    return serialization.load_pem_private_key(open(path, "rb").read(), password=None)


def same_key(a, b):
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return a.public_key().public_bytes(*fmt) == b.public_key().public_bytes(*fmt)


def test_onegate_bundle_installed_checked_and_modes(run_module, pki, dest):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    assert bundle.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    failed, res = run_module(
        pem_bundle.main,
        args_for(
            dest,
            content=bundle,
            passphrase=PASS,
            ca_content=pki["ca"].pem.decode(),
            ca_dest=str(dest / "ca.cer"),
            expected_names=[EIP],
        ),
    )
    assert not failed, res
    assert res["changed"] is True
    assert files(dest) == ["ca.cer", "server.cer", "server.key"]
    key_file = dest / "server.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o400
    assert stat.S_IMODE((dest / "server.cer").stat().st_mode) == 0o644
    text = key_file.read_text()
    assert text.startswith("-----BEGIN PRIVATE KEY-----")  # unencrypted PKCS#8, readable by rsyslog
    assert same_key(loaded_key(key_file), pki["key"])
    assert (dest / "server.cer").read_bytes() == certs.cert_pem(pki["cert"])
    assert (dest / "ca.cer").read_bytes() == pki["ca"].pem
    assert res["subject"] == "CN=%s" % EIP
    assert res["issuer"] == "CN=OneGate Test CA"
    assert "IP:%s" % EIP in res["san"]
    assert res["key_type"] == "RSA" and res["key_size"] == 2048
    assert 360 <= res["days_left"] <= 365
    assert len(res["fingerprint_sha256"].split(":")) == 32
    # The passphrase and key material never appear in the result.
    dumped = json.dumps(res)
    assert PASS not in dumped
    assert "PRIVATE KEY" not in dumped


def test_second_run_is_unchanged_and_does_not_rewrite(run_module, pki, dest):
    a = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    assert run_module(pem_bundle.main, a)[1]["changed"] is True
    inode = (dest / "server.key").stat().st_ino
    failed, res = run_module(pem_bundle.main, a)
    assert not failed and res["changed"] is False and res["changed_files"] == []
    assert (dest / "server.key").stat().st_ino == inode  # not rewritten


def test_mode_drift_is_repaired(run_module, pki, dest):
    a = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    run_module(pem_bundle.main, a)
    os.chmod(dest / "server.key", 0o644)
    failed, res = run_module(pem_bundle.main, a)
    assert not failed and res["changed"] is True
    assert res["changed_files"] == [str(dest / "server.key")]
    assert stat.S_IMODE((dest / "server.key").stat().st_mode) == 0o400


def test_check_mode_writes_nothing_and_diff_has_no_key_material(run_module, pki, dest):
    a = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    failed, res = run_module(pem_bundle.main, a, check_mode=True, diff=True)
    assert not failed and res["changed"] is True
    assert files(dest) == []
    after = res["diff"]["after"]
    assert "CN=%s" % EIP in after and "sha256=" in after
    assert "RSA 2048 bits" in after
    assert "PRIVATE KEY" not in json.dumps(res) and PASS not in json.dumps(res)


def test_missing_directory_fails_for_real_but_check_mode_checks_the_bundle(run_module, pki, tmp_path):
    missing = tmp_path / "not-yet"
    good = args_for(missing, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    failed, res = run_module(pem_bundle.main, good)
    assert failed and "does not exist: create %s first" % missing in res["msg"]
    # check mode: the directory may come from an earlier task; the bundle is still checked in full
    failed, res = run_module(pem_bundle.main, good, check_mode=True)
    assert not failed and res["changed"] is True
    assert sorted(res["changed_files"]) == [str(missing / "server.cer"), str(missing / "server.key")]
    bad = dict(good, passphrase="not-" + PASS)
    failed, res = run_module(pem_bundle.main, bad, check_mode=True)
    assert failed and PASS not in json.dumps(res)
    assert not missing.exists()


def test_new_certificate_replaces_files(run_module, pki, dest):
    a = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    run_module(pem_bundle.main, a)
    key2, cert2 = pki["ca"].issue(EIP, names=[EIP])
    failed, res = run_module(
        pem_bundle.main, args_for(dest, content=certs.onegate_bundle(key2, cert2, PASS).decode(), passphrase=PASS)
    )
    assert not failed and res["changed"] is True
    assert same_key(loaded_key(dest / "server.key"), key2)
    assert (dest / "server.cer").read_bytes() == certs.cert_pem(cert2)
    assert not [p for p in dest.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_blocks_in_any_order_and_chain(run_module, pki, dest):
    # certificate first, then an unrelated CA certificate, then the key
    inter = certs.CA("Intermediate CA")
    key, cert = inter.issue(EIP, names=[EIP])
    data = certs.cert_pem(cert) + inter.pem + certs.key_pkcs8_encrypted(key, PASS)
    failed, res = run_module(
        pem_bundle.main, args_for(dest, content=data.decode(), passphrase=PASS, include_chain=True)
    )
    assert not failed, res
    assert res["chain_length"] == 1
    written = (dest / "server.cer").read_bytes()
    assert written == certs.cert_pem(cert) + inter.pem


def test_legacy_pkcs1_encrypted_key(run_module, pki, dest):
    data = certs.key_pkcs1_encrypted(pki["key"], PASS) + certs.cert_pem(pki["cert"])
    assert b"Proc-Type: 4,ENCRYPTED" in data
    failed, res = run_module(pem_bundle.main, args_for(dest, content=data.decode(), passphrase=PASS))
    assert not failed, res
    assert same_key(loaded_key(dest / "server.key"), pki["key"])


def test_unencrypted_key_and_ec_key(run_module, pki, dest):
    key = certs.ec_key()
    _k, cert = pki["ca"].issue(EIP, names=[EIP], key=key)
    data = certs.key_plain(key) + certs.cert_pem(cert)
    failed, res = run_module(pem_bundle.main, args_for(dest, content=data.decode()))
    assert not failed, res
    assert res["key_type"] == "EC" and res["key_size"] == 256
    assert same_key(loaded_key(dest / "server.key"), key)


def test_pkcs12_from_src_and_from_base64_content(run_module, pki, dest, tmp_path):
    p12 = certs.p12(pki["key"], pki["cert"], PASS, cas=[pki["ca"].cert])
    src = certs.write(tmp_path / "server.p12", p12)
    failed, res = run_module(pem_bundle.main, args_for(dest, src=src, passphrase=PASS))
    assert not failed, res
    assert same_key(loaded_key(dest / "server.key"), pki["key"])
    assert (dest / "server.cer").read_bytes() == certs.cert_pem(pki["cert"])
    failed, res = run_module(
        pem_bundle.main, args_for(dest, content=base64.b64encode(p12).decode(), format="pkcs12", passphrase=PASS)
    )
    assert not failed and res["changed"] is False


def test_pkcs12_wrong_passphrase(run_module, pki, dest, tmp_path):
    src = certs.write(tmp_path / "server.p12", certs.p12(pki["key"], pki["cert"], PASS))
    failed, res = run_module(pem_bundle.main, args_for(dest, src=src, passphrase="Zz-not-it-99"))
    assert failed and "passphrase is wrong" in res["msg"]
    assert files(dest) == []


# ---- every error writes nothing and names the problem -------------------------------------------------------


def expect_error(run_module, dest, fragment, **kw):
    failed, res = run_module(pem_bundle.main, args_for(dest, **kw))
    assert failed, res
    assert fragment in res["msg"], res["msg"]
    assert files(dest) == []
    assert PASS not in json.dumps(res)
    return res["msg"]


def test_wrong_passphrase(run_module, pki, dest):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    expect_error(
        run_module,
        dest,
        "the private key in the bundle is encrypted and the passphrase did not decrypt it",
        content=bundle,
        passphrase="not-" + PASS,
    )


def test_missing_passphrase(run_module, pki, dest):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    expect_error(run_module, dest, "encrypted and no passphrase was given", content=bundle)


def test_wrong_passphrase_keeps_existing_files(run_module, pki, dest):
    good = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    run_module(pem_bundle.main, good)
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    key2, cert2 = pki["ca"].issue(EIP, names=[EIP])
    failed, _res = run_module(
        pem_bundle.main, args_for(dest, content=certs.onegate_bundle(key2, cert2, PASS).decode(), passphrase="bad")
    )
    assert failed
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before


def test_no_key(run_module, pki, dest):
    expect_error(run_module, dest, "holds no private key", content=certs.cert_pem(pki["cert"]).decode())


def test_two_keys(run_module, pki, dest):
    data = certs.key_plain(pki["key"]) + certs.key_plain(certs.rsa_key()) + certs.cert_pem(pki["cert"])
    expect_error(run_module, dest, "holds 2 private keys", content=data.decode())


def test_no_certificate(run_module, pki, dest):
    expect_error(
        run_module,
        dest,
        "holds no certificate",
        content=certs.key_pkcs8_encrypted(pki["key"], PASS).decode(),
        passphrase=PASS,
    )


def test_no_certificate_matching_key(run_module, pki, dest):
    data = certs.key_pkcs8_encrypted(certs.rsa_key(), PASS) + certs.cert_pem(pki["cert"])
    expect_error(
        run_module, dest, "no certificate in the bundle matches its private key", content=data.decode(), passphrase=PASS
    )


def test_truncated(run_module, pki, dest):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    cut = bundle[: len(bundle) - 200]
    expect_error(run_module, dest, "truncated", content=cut, passphrase=PASS)


def test_not_pem(run_module, dest):
    expect_error(run_module, dest, "neither PEM", content="hello, this is not a certificate bundle!")
    expect_error(run_module, dest, "is not PEM", content="hello", format="pem")


def test_not_issued_by_ca(run_module, pki, dest):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    expect_error(
        run_module,
        dest,
        "was not issued by the given CA",
        content=bundle,
        passphrase=PASS,
        ca_content=pki["other"].pem.decode(),
    )


def test_same_name_ca_with_other_key_is_refused(run_module, pki, dest):
    # A CA with the same subject but another key: names match, signature does not.
    impostor = certs.CA("OneGate Test CA")
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    expect_error(
        run_module,
        dest,
        "was not issued by the given CA",
        content=bundle,
        passphrase=PASS,
        ca_content=impostor.pem.decode(),
    )


def test_name_not_in_san(run_module, pki, dest):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    msg = expect_error(
        run_module,
        dest,
        "does not name 198.51.100.7",
        content=bundle,
        passphrase=PASS,
        expected_names=["198.51.100.7"],
    )
    assert "IP:%s" % EIP in msg


def test_expired_and_not_yet_valid(run_module, pki, dest):
    key, cert = pki["ca"].issue(EIP, names=[EIP], start_days=-30, days=10)
    bundle = certs.onegate_bundle(key, cert, PASS).decode()
    expect_error(run_module, dest, "expired on", content=bundle, passphrase=PASS)
    failed, res = run_module(pem_bundle.main, args_for(dest, content=bundle, passphrase=PASS, allow_expired=True))
    assert not failed and res["days_left"] < 0
    key, cert = pki["ca"].issue(EIP, names=[EIP], start_days=5, days=10)
    dest2 = dest.parent / "tls2"
    dest2.mkdir()
    expect_error(
        run_module, dest2, "not valid yet", content=certs.onegate_bundle(key, cert, PASS).decode(), passphrase=PASS
    )


def test_missing_directory(run_module, pki, dest):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    failed, res = run_module(
        pem_bundle.main,
        {
            "content": bundle,
            "passphrase": PASS,
            "cert_dest": str(dest / "nope" / "s.cer"),
            "key_dest": str(dest / "s.key"),
        },
    )
    assert failed and "does not exist" in res["msg"]
    assert files(dest) == []


def test_secrets_are_masked_in_module_args(run_module, pki, dest):
    """The passphrase and the bundle never reach the output, not even in invocation.module_args (what -vvv prints)."""
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    failed, res = run_module(pem_bundle.main, args_for(dest, content=bundle, passphrase=PASS))
    assert not failed, res
    module_args = res["invocation"]["module_args"]
    assert module_args["passphrase"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert module_args["content"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    dumped = json.dumps(res)
    assert PASS not in dumped and "ENCRYPTED PRIVATE KEY" not in dumped


# ---- key_mode: never readable by group or others unless asked --------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "who"),
    [
        ("0644", "group and others"),
        ("0707", "others"),
        ("0440", "group"),
        ("0o660", "group"),
        (0o604, "others"),
        ("u=r,g=r", "group"),
    ],
)
def test_loose_key_mode_is_refused_before_anything_is_written(run_module, pki, dest, mode, who):
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    msg = expect_error(
        run_module,
        dest,
        "gives %s access to the decrypted private key" % who,
        content=bundle,
        passphrase=PASS,
        key_mode=mode,
    )
    assert "use 0400 or 0600" in msg and "allow_insecure_key_mode=true" in msg


def test_loose_key_mode_refused_on_a_repair_too(run_module, pki, dest):
    a = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    assert not run_module(pem_bundle.main, a)[0]
    failed, res = run_module(pem_bundle.main, dict(a, key_mode="0640"))
    assert failed and "gives group access" in res["msg"]
    assert stat.S_IMODE((dest / "server.key").stat().st_mode) == 0o400


@pytest.mark.parametrize("mode", ["0400", "0600", "0o400", "u=rw,go=", 0o400])
def test_strict_key_modes_are_accepted(run_module, pki, dest, mode):
    a = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    failed, res = run_module(pem_bundle.main, dict(a, key_mode=mode))
    assert not failed, res
    assert stat.S_IMODE((dest / "server.key").stat().st_mode) & 0o077 == 0


def test_loose_key_mode_with_explicit_opt_in(run_module, pki, dest):
    a = args_for(dest, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    failed, res = run_module(pem_bundle.main, dict(a, key_mode="0640", allow_insecure_key_mode=True))
    assert not failed, res
    assert stat.S_IMODE((dest / "server.key").stat().st_mode) == 0o640


# ---- owner and group -----------------------------------------------------------------------------------------

NOBODY = 65534  # nobody / nogroup on Debian, nobody on Amazon Linux


def test_owner_and_group_are_applied_and_repaired(run_module, pki, dest):
    # The tests run as root (the module's case: it installs root-owned files), so any owner can be set.
    assert os.geteuid() == 0, "this test needs root: it sets the files' owner"
    a = args_for(
        dest,
        content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(),
        passphrase=PASS,
        owner=str(NOBODY),
        group=str(NOBODY),
    )
    failed, res = run_module(pem_bundle.main, a)
    assert not failed, res
    for name in ("server.cer", "server.key"):
        st = (dest / name).stat()
        assert (st.st_uid, st.st_gid) == (NOBODY, NOBODY), name
    os.chown(dest / "server.key", 0, 0)
    failed, res = run_module(pem_bundle.main, a)
    assert not failed and res["changed_files"] == [str(dest / "server.key")]
    st = (dest / "server.key").stat()
    assert (st.st_uid, st.st_gid) == (NOBODY, NOBODY)
    assert run_module(pem_bundle.main, a)[1]["changed"] is False


# ---- certificate and key are replaced together, or not at all --------------------------------------------------


@pytest.fixture
def split_dests(tmp_path):
    """cert_dest and key_dest in two directories; the key's directory can be made read-only (even for root)."""
    cert_dir, key_dir = tmp_path / "certs", tmp_path / "private"
    cert_dir.mkdir()
    key_dir.mkdir()
    frozen = []

    def freeze(path):
        # root ignores permission bits; the immutable attribute stops root too (ext4, as on this test host)
        if os.geteuid() == 0:
            immutable(path, True)
        else:
            path.chmod(0o500)
        frozen.append(path)

    yield {"cert_dest": str(cert_dir / "server.cer"), "key_dest": str(key_dir / "server.key")}, freeze
    for path in frozen:
        if os.geteuid() == 0:
            immutable(path, False)
        path.chmod(0o755)


def immutable(path, on):
    """chattr +i / -i, in this process (FS_IOC_GETFLAGS / FS_IOC_SETFLAGS, FS_IMMUTABLE_FL)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, 0x80086601, flags, True)
        flags[0] = flags[0] | 0x10 if on else flags[0] & ~0x10
        fcntl.ioctl(fd, 0x40086602, flags, True)
    finally:
        os.close(fd)


def snapshot(*dirs):
    return {str(p): p.read_bytes() for d in dirs for p in sorted(d.iterdir())}


def test_read_only_key_directory_changes_neither_file(run_module, pki, split_dests):
    paths, freeze = split_dests
    cert_dir, key_dir = (os.path.dirname(paths[k]) for k in ("cert_dest", "key_dest"))
    first = dict(paths, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    assert not run_module(pem_bundle.main, first)[0]
    before = snapshot(Path(cert_dir), Path(key_dir))
    freeze(Path(key_dir))
    key2, cert2 = pki["ca"].issue(EIP, names=[EIP])
    second = dict(paths, content=certs.onegate_bundle(key2, cert2, PASS).decode(), passphrase=PASS)
    failed, res = run_module(pem_bundle.main, second)
    assert failed
    assert "Nothing was changed" in res["msg"] and paths["key_dest"] in res["msg"]
    assert snapshot(Path(cert_dir), Path(key_dir)) == before  # same names (no temporary files), same bytes
    assert same_key(loaded_key(paths["key_dest"]), pki["key"])


def test_failed_rename_puts_the_first_file_back(run_module, pki, split_dests, monkeypatch):
    """A failure after the certificate is already in place: the certificate is rolled back to the old one."""
    paths, _freeze = split_dests
    cert_dir, key_dir = (Path(os.path.dirname(paths[k])) for k in ("cert_dest", "key_dest"))
    first = dict(paths, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    assert not run_module(pem_bundle.main, first)[0]
    before = snapshot(cert_dir, key_dir)
    real_rename = os.rename
    renamed = []

    def rename(src, dst):
        if dst == paths["key_dest"]:
            raise OSError(28, "No space left on device")  # injected: the key's rename fails
        renamed.append(dst)
        return real_rename(src, dst)

    monkeypatch.setattr(pem_bundle.os, "rename", rename)
    key2, cert2 = pki["ca"].issue(EIP, names=[EIP])
    second = dict(paths, content=certs.onegate_bundle(key2, cert2, PASS).decode(), passphrase=PASS)
    failed, res = run_module(pem_bundle.main, second)
    monkeypatch.undo()
    assert failed and "Nothing was changed" in res["msg"]
    assert renamed[0] == paths["cert_dest"]  # the new certificate had been put in place ...
    assert snapshot(cert_dir, key_dir) == before  # ... and the old one is back


def test_a_new_file_is_removed_again_when_its_partner_fails(run_module, pki, split_dests):
    paths, freeze = split_dests
    key_dir = Path(os.path.dirname(paths["key_dest"]))
    freeze(key_dir)
    a = dict(paths, content=certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode(), passphrase=PASS)
    failed, _res = run_module(pem_bundle.main, a)
    assert failed
    assert os.listdir(os.path.dirname(paths["cert_dest"])) == [] and os.listdir(key_dir) == []


def test_a_destination_that_is_a_directory_is_refused(run_module, pki, dest):
    (dest / "server.key").mkdir()
    bundle = certs.onegate_bundle(pki["key"], pki["cert"], PASS).decode()
    failed, res = run_module(pem_bundle.main, args_for(dest, content=bundle, passphrase=PASS))
    assert failed and "server.key is a directory" in res["msg"]
    assert files(dest) == ["server.key"]


# ---- the CA check is path validation ---------------------------------------------------------------------------


# Both signature checks where the cryptography under test has both: its own verify_directly_issued_by (40 and later)
# and the one for older releases (Debian 12 has 38, Amazon Linux 2023 36.0.1). The suite's run against cryptography
# 36.0.1 (scripts/run-tests.sh, stage unit) has only the latter, which is what runs on the receiver.
IMPLS = ["verify_directly_issued_by", "fallback"] if pvu._HAS_VERIFY_DIRECTLY else ["fallback"]


@pytest.fixture(params=IMPLS)
def impl(request, monkeypatch):
    if request.param == "fallback":
        monkeypatch.setattr(pvu, "_HAS_VERIFY_DIRECTLY", False)
    return request.param


def chain_args(dest, leaf_key, leaf, *extra, ca=None):
    data = certs.key_plain(leaf_key) + certs.cert_pem(leaf) + b"".join(certs.cert_pem(c) for c in extra)
    return args_for(dest, content=data.decode(), ca_content=certs.cert_pem(ca).decode(), include_chain=True)


def test_chain_through_a_certificate_that_is_not_a_ca_is_refused(run_module, pki, dest, impl):
    ca = pki["ca"]
    mid_key, mid = build("not-a-ca.example", ca.cert, ca.key, ca=False)  # an ordinary server certificate of the CA
    leaf_key, leaf = build(EIP, mid, mid_key, names=[EIP])
    failed, res = run_module(pem_bundle.main, chain_args(dest, leaf_key, leaf, mid, ca=ca.cert))
    assert failed
    assert "CN=not-a-ca.example signed the next certificate of the chain but is not a CA certificate" in res["msg"]
    assert files(dest) == []


def test_chain_through_an_intermediate_ca_is_accepted(run_module, pki, dest, impl):
    ca = pki["ca"]
    mid_key, mid = build("OneGate Intermediate CA", ca.cert, ca.key, ca=True)
    leaf_key, leaf = build(EIP, mid, mid_key, names=[EIP])
    failed, res = run_module(pem_bundle.main, chain_args(dest, leaf_key, leaf, mid, ca=ca.cert))
    assert not failed, res
    assert res["chain_length"] == 1
    assert (dest / "server.cer").read_bytes() == certs.cert_pem(leaf) + certs.cert_pem(mid)


@pytest.mark.parametrize(
    ("mid_kwargs", "root_kwargs", "fragment"),
    [
        ({"key_cert_sign": False}, {}, "has a keyUsage without keyCertSign"),
        ({"start_days": -30, "days": 10}, {}, "is valid only from"),
        ({}, {"path_length": 0}, "allows 0 CA certificate(s) below it"),
        ({}, {"ca": False}, "CN=Root signed the next certificate of the chain but is not a CA certificate"),
    ],
)
def test_every_issuer_of_the_chain_is_checked(run_module, dest, impl, mid_kwargs, root_kwargs, fragment):
    root_key, root = build("Root", None, None, **dict({"ca": True, "days": 3650}, **root_kwargs))
    mid_key, mid = build("Mid", root, root_key, **dict({"ca": True}, **mid_kwargs))
    leaf_key, leaf = build(EIP, mid, mid_key, names=[EIP])
    failed, res = run_module(pem_bundle.main, chain_args(dest, leaf_key, leaf, mid, ca=root))
    assert failed and fragment in res["msg"], res["msg"]
    assert files(dest) == []


def test_expired_issuer_is_accepted_with_allow_expired(run_module, dest, impl):
    root_key, root = build("Root", None, None, ca=True, days=3650)
    mid_key, mid = build("Mid", root, root_key, ca=True, start_days=-30, days=10)
    leaf_key, leaf = build(EIP, mid, mid_key, names=[EIP])
    failed, res = run_module(pem_bundle.main, dict(chain_args(dest, leaf_key, leaf, mid, ca=root), allow_expired=True))
    assert not failed, res


def test_rsa_pss_signed_certificate_is_accepted(run_module, pki, dest, impl):
    ca = pki["ca"]
    leaf_key, leaf = build(EIP, ca.cert, ca.key, names=[EIP], pss=True)
    assert leaf.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10"  # RSASSA-PSS
    failed, res = run_module(pem_bundle.main, chain_args(dest, leaf_key, leaf, ca=ca.cert))
    assert not failed, res
    assert res["issuer"] == "CN=OneGate Test CA"


def test_rsa_pss_signed_by_another_key_is_refused(run_module, pki, dest, impl):
    impostor = certs.CA("OneGate Test CA")  # same name, other key
    leaf_key, leaf = build(EIP, impostor.cert, impostor.key, names=[EIP], pss=True)
    failed, res = run_module(pem_bundle.main, chain_args(dest, leaf_key, leaf, ca=pki["ca"].cert))
    assert failed and "was not issued by the given CA" in res["msg"]
