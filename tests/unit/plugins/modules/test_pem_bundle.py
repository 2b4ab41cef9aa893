"""pem_bundle through its real entry point, on bundles made by the fixtures (tests/certs.py)."""

import base64
import json
import os
import stat

import certs
import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.netattest.tls_syslog.plugins.modules import pem_bundle

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


def test_passphrase_is_declared_no_log():
    src = open(pem_bundle.__file__).read()
    assert 'passphrase=dict(type="str", no_log=True)' in src
    assert 'content=dict(type="str", no_log=True)' in src
