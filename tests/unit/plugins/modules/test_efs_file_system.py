"""Unit tests of netattest.tls_syslog.efs_file_system against moto's EFS and EC2 (in-process, real moto)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[4]
if str(ROOT / ".cache" / "collections") not in sys.path:
    sys.path.insert(0, str(ROOT / ".cache" / "collections"))


from moto import mock_aws  # the moto library, in-process (the helper is tests/integration/motoserver.py)

from ansible.module_utils.testing import patch_module_args

from ansible_collections.netattest.tls_syslog.plugins.modules import efs_file_system as efs

REGION = "ap-northeast-1"
NAME = "NetAttest-tlsSyslog-efs"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch):
    for var in ("AWS_URL", "AWS_ENDPOINT_URL", "EC2_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield


@pytest.fixture
def network():
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="192.168.200.0/24")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="192.168.200.0/28", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
    sg_nfs = ec2.create_security_group(GroupName="nfs", Description="Allow_NFS", VpcId=vpc)["GroupId"]
    sg_other = ec2.create_security_group(GroupName="other", Description="other", VpcId=vpc)["GroupId"]
    return {"ec2": ec2, "vpc": vpc, "subnet": subnet, "sg_nfs": sg_nfs, "sg_other": sg_other}


@pytest.fixture
def client():
    return boto3.client("efs", region_name=REGION)


def run(capsys, check_mode=False, **args):
    """Run the module's main() with these arguments; return (rc, result dict)."""
    args = {"name": NAME, "region": REGION, **args}
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        efs.main()
    out = capsys.readouterr().out
    return exc.value.code, json.loads(out)


def mount(network, groups=None):
    return [{"subnet_id": network["subnet"], "security_groups": groups or [network["sg_nfs"]]}]


def test_create_is_encrypted_tagged_with_a_mount_target_then_idempotent(capsys, client, network):
    rc, res = run(capsys, mount_targets=mount(network))
    assert rc == 0 and res["changed"] is True
    fs = res["file_system"]
    assert fs["file_system_id"].startswith("fs-")
    assert fs["dns_name"] == f"{fs['file_system_id']}.efs.{REGION}.amazonaws.com"
    assert fs["encrypted"] is True and fs["life_cycle_state"] == "available"
    assert fs["creation_token"] == NAME and fs["tags"]["Name"] == NAME

    (aws_fs,) = client.describe_file_systems(CreationToken=NAME)["FileSystems"]
    assert aws_fs["Encrypted"] is True
    assert {"Key": "Name", "Value": NAME} in aws_fs["Tags"]
    (mt,) = client.describe_mount_targets(FileSystemId=aws_fs["FileSystemId"])["MountTargets"]
    assert mt["SubnetId"] == network["subnet"] and mt["LifeCycleState"] == "available"
    sgs = client.describe_mount_target_security_groups(MountTargetId=mt["MountTargetId"])["SecurityGroups"]
    assert sgs == [network["sg_nfs"]]
    assert fs["mount_targets"][0]["mount_target_id"] == mt["MountTargetId"]
    assert fs["mount_targets"][0]["security_groups"] == [network["sg_nfs"]]

    rc, again = run(capsys, mount_targets=mount(network))
    assert rc == 0 and again["changed"] is False
    assert again["file_system"]["file_system_id"] == fs["file_system_id"]
    assert len(client.describe_file_systems()["FileSystems"]) == 1
    assert len(client.describe_mount_targets(FileSystemId=fs["file_system_id"])["MountTargets"]) == 1


def test_check_mode_on_empty_account_creates_nothing(capsys, client, network):
    rc, res = run(capsys, check_mode=True, mount_targets=mount(network))
    assert rc == 0 and res["changed"] is True
    assert "file_system_id" not in res["file_system"]
    assert res["file_system"]["encrypted"] is True
    assert res["file_system"]["mount_targets"][0]["subnet_id"] == network["subnet"]
    assert client.describe_file_systems()["FileSystems"] == []


def test_check_mode_reports_a_missing_mount_target_without_creating_it(capsys, client, network):
    run(capsys)  # file system only
    rc, res = run(capsys, check_mode=True, mount_targets=mount(network))
    assert rc == 0 and res["changed"] is True
    fs_id = res["file_system"]["file_system_id"]
    assert client.describe_mount_targets(FileSystemId=fs_id)["MountTargets"] == []


def test_missing_name_tag_is_added_with_tag_resource(capsys, client, network):
    fs_id = client.create_file_system(CreationToken=NAME, Encrypted=True)["FileSystemId"]
    rc, res = run(capsys, tags={"Project": "tls-syslog"})
    assert rc == 0 and res["changed"] is True
    tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=fs_id)["Tags"]}
    assert tags == {"Name": NAME, "Project": "tls-syslog"}
    assert res["file_system"]["file_system_id"] == fs_id
    rc, res = run(capsys, tags={"Project": "tls-syslog"})
    assert res["changed"] is False


def test_mount_target_security_groups_are_corrected(capsys, client, network):
    run(capsys, mount_targets=mount(network, [network["sg_other"]]))
    rc, res = run(capsys, mount_targets=mount(network))
    assert rc == 0 and res["changed"] is True
    mt_id = res["file_system"]["mount_targets"][0]["mount_target_id"]
    assert client.describe_mount_target_security_groups(MountTargetId=mt_id)["SecurityGroups"] == [network["sg_nfs"]]


def test_purge_mount_targets_removes_unlisted_subnets(capsys, client, network):
    run(capsys, mount_targets=mount(network))
    rc, res = run(capsys, mount_targets=[], purge_mount_targets=True)
    assert rc == 0 and res["changed"] is True
    fs_id = res["file_system"]["file_system_id"]
    assert client.describe_mount_targets(FileSystemId=fs_id)["MountTargets"] == []


def test_encryption_mismatch_fails_clearly(capsys, client, network):
    client.create_file_system(CreationToken=NAME, Encrypted=False)
    rc, res = run(capsys)
    assert rc == 1 and res["failed"] is True
    assert "encryption at rest cannot be changed" in res["msg"]


def test_absent_deletes_mount_targets_then_file_system_and_is_idempotent(capsys, client, network):
    _, res = run(capsys, mount_targets=mount(network))
    fs_id = res["file_system"]["file_system_id"]

    rc, res = run(capsys, check_mode=True, state="absent")
    assert rc == 0 and res["changed"] is True and res["deleted_file_system_ids"] == [fs_id]
    assert len(client.describe_file_systems()["FileSystems"]) == 1  # check mode deleted nothing

    rc, res = run(capsys, state="absent")
    assert rc == 0 and res["changed"] is True and res["deleted_file_system_ids"] == [fs_id]
    assert client.describe_file_systems()["FileSystems"] == []
    enis = network["ec2"].describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [network["vpc"]]}])
    assert enis["NetworkInterfaces"] == []  # the mount target's interface went with it

    rc, res = run(capsys, state="absent")
    assert rc == 0 and res["changed"] is False and res["deleted_file_system_ids"] == []


def test_absent_also_finds_file_systems_by_name_tag(capsys, client, network):
    fs_id = client.create_file_system(CreationToken="other-token", Tags=[{"Key": "Name", "Value": NAME}])[
        "FileSystemId"
    ]
    keep = client.create_file_system(CreationToken="unrelated", Tags=[{"Key": "Name", "Value": "keep"}])["FileSystemId"]
    rc, res = run(capsys, state="absent")
    assert rc == 0 and res["deleted_file_system_ids"] == [fs_id]
    assert [fs["FileSystemId"] for fs in client.describe_file_systems()["FileSystems"]] == [keep]


def test_creation_token_too_long_is_rejected(capsys, client):
    rc, res = run(capsys, creation_token="x" * 65)
    assert rc == 1 and "64 characters" in res["msg"]
    assert client.describe_file_systems()["FileSystems"] == []


def test_wait_for_times_out_with_a_message(monkeypatch):
    monkeypatch.setattr(efs, "POLL_SECONDS", 0)
    calls = []

    def never():
        calls.append(1)
        return False

    with pytest.raises(efs.EfsError, match="timed out after 0 s waiting for thing"):
        efs.wait_for(never, 0, "thing")
    assert calls == [1]


def test_dns_name_by_partition():
    assert efs.dns_name("fs-1", "ap-northeast-1") == "fs-1.efs.ap-northeast-1.amazonaws.com"
    assert efs.dns_name("fs-1", "cn-north-1") == "fs-1.efs.cn-north-1.amazonaws.com.cn"
