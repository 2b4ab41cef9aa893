"""Host keys from EC2 console output: the parser on a real-shaped Amazon Linux 2023 first-boot console output
(tests/unit/plugins/module_utils/data/console_output_al2023.txt, keys made with ssh-keygen), its refusals, and the
module against moto's GetConsoleOutput, in process (a fixed kernel log without the block). ssh-keygen reading the
known_hosts lines: tests/integration/local/test_ssh_host_keys_ssh_keygen.py."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _ssh_host_keys as hk
from ansible_collections.netattest.tls_syslog.plugins.modules import ec2_console_host_keys

SAMPLE = (Path(__file__).parent / "data" / "console_output_al2023.txt").read_text()
ECDSA_FP = "SHA256:OLW/05+C+N4japZEDkbRuPoHCTt9a+Vi7aillibyPX0"
ED25519_FP = "SHA256:yL2g12r6VDhvmm4VoF1USoQPCRR0KtBUXNLNYlKeNHc"


def test_parses_the_al2023_first_boot_output():
    keys = hk.parse_console_host_keys(SAMPLE)
    assert [(k["type"], k["fingerprint"]) for k in keys] == [
        ("ecdsa-sha2-nistp256", ECDSA_FP),
        ("ssh-ed25519", ED25519_FP),
    ]
    # The kernel line printed inside the block is not taken for a key.
    assert all(k["key"].startswith("AAAA") for k in keys)


@pytest.mark.parametrize(
    "output",
    [
        "",
        None,
        SAMPLE.split("-----BEGIN SSH HOST KEY KEYS-----")[0],  # not printed yet
        SAMPLE.split("-----END SSH HOST KEY KEYS-----")[0],  # printed in part
    ],
)
def test_no_complete_block_means_not_yet(output):
    assert hk.parse_console_host_keys(output) is None


def test_crlf_and_a_log_prefix_before_the_markers():
    text = SAMPLE.replace("-----BEGIN SSH HOST KEY KEYS-----", "ec2: -----BEGIN SSH HOST KEY KEYS-----")
    text = text.replace("\n", "\r\n")
    assert [k["fingerprint"] for k in hk.parse_console_host_keys(text)] == [ECDSA_FP, ED25519_FP]


def test_the_last_boot_wins():
    first = SAMPLE.split("<14>Dec  1 08:10:19 cloud-init: ####")[0]
    # An earlier boot's blocks with one key only, then the full sample.
    head = "\n".join(
        [
            "-----BEGIN SSH HOST KEY FINGERPRINTS-----",
            "256 " + ED25519_FP + " old (ED25519)",
            "-----END SSH HOST KEY FINGERPRINTS-----",
            "-----BEGIN SSH HOST KEY KEYS-----",
            next(line for line in SAMPLE.splitlines() if line.startswith("ssh-ed25519")),
            "-----END SSH HOST KEY KEYS-----",
        ]
    )
    keys = hk.parse_console_host_keys(head + "\n" + first + SAMPLE)
    assert len(keys) == 2


def test_a_key_that_does_not_match_the_printed_fingerprints_is_refused():
    ed = next(line for line in SAMPLE.splitlines() if line.startswith("ssh-ed25519")).split()[1]
    other = "AAAAC3NzaC1lZDI1NTE5AAAAI" + ("A" if ed[25] != "A" else "B") + ed[26:]
    with pytest.raises(hk.HostKeyError, match="not among the fingerprints cloud-init printed"):
        hk.parse_console_host_keys(SAMPLE.replace(ed, other))


def test_a_key_of_another_type_than_written_is_refused():
    ecdsa = next(line for line in SAMPLE.splitlines() if line.startswith("ecdsa")).split()[1]
    with pytest.raises(hk.HostKeyError, match="does not encode that type"):
        hk.parse_console_host_keys(SAMPLE.replace("ecdsa-sha2-nistp256 " + ecdsa, "ssh-ed25519 " + ecdsa))


def test_bad_base64_is_refused():
    with pytest.raises(hk.HostKeyError, match="base64"):
        hk.parse_console_host_keys(
            "-----BEGIN SSH HOST KEY KEYS-----\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5A=\n-----END SSH HOST KEY KEYS-----\n"
        )


def test_a_block_with_no_usable_key_is_refused():
    text = "-----BEGIN SSH HOST KEY KEYS-----\nssh-dss AAAAB3NzaC1kc3M= root@x\n-----END SSH HOST KEY KEYS-----\n"
    with pytest.raises(hk.HostKeyError, match="holds no key"):
        hk.parse_console_host_keys(text)


def test_module_against_moto_waits_then_fails_clearly(capsys, monkeypatch):
    for var in ("AWS_URL", "AWS_ENDPOINT_URL", "EC2_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="ap-northeast-1")
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        assert "Linux version" in ec2.get_console_output(InstanceId=instance)["Output"]  # moto's fixed output
        args = {"instance_id": instance, "region": "ap-northeast-1", "wait_timeout": 2, "poll_interval": 1}
        with patch_module_args(args), pytest.raises(SystemExit) as exc:
            ec2_console_host_keys.main()
    res = json.loads(capsys.readouterr().out)
    assert exc.value.code == 1 and res["failed"] is True
    assert f"no complete -----BEGIN SSH HOST KEY KEYS----- block in the console output of {instance}" in res["msg"]


def test_module_returns_keys_from_real_shaped_output(capsys, monkeypatch):
    # moto cannot return another console text; the API call itself is stood in for here, the rest is real.
    class Client:
        def get_console_output(self, InstanceId, aws_retry=False):
            return {"InstanceId": InstanceId, "Output": SAMPLE}

    monkeypatch.setattr(ec2_console_host_keys.AnsibleAWSModule, "client", lambda self, *a, **k: Client())
    args = {"instance_id": "i-0123456789abcdef0", "host": "203.0.113.25", "region": "ap-northeast-1"}
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        ec2_console_host_keys.main()
    res = json.loads(capsys.readouterr().out)
    assert exc.value.code == 0 and res["changed"] is False
    assert [k["fingerprint"] for k in res["host_keys"]] == [ECDSA_FP, ED25519_FP]
    assert res["known_hosts"][1].startswith("203.0.113.25 ssh-ed25519 AAAAC3")
