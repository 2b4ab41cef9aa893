"""Unit tests of netattest.tls_syslog.efs_file_system against moto's EFS and EC2 (in-process, real moto)."""

from __future__ import annotations

import json

import boto3
import pytest

from moto import mock_aws  # the moto library, in-process (the moto server helper is tests/lib/netattest_local/moto.py)

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


def test_absent_never_deletes_by_name_tag_alone(capsys, client, network):
    # Another stack's file system with our Name but its own creation token (issue: it used to be deleted).
    other = client.create_file_system(CreationToken="console-1234", Tags=[{"Key": "Name", "Value": NAME}])
    rc, res = run(capsys, state="absent")
    assert rc == 0 and res["changed"] is False and res["deleted_file_system_ids"] == []
    assert [fs["FileSystemId"] for fs in client.describe_file_systems()["FileSystems"]] == [other["FileSystemId"]]


OWNER = {"netattest:stack": "NetAttest-tlsSyslog", "netattest:stack-id": "0123456789"}


def test_owner_tags_are_set_on_creation_and_required_later(capsys, client, network):
    rc, res = run(capsys, owner_tags=OWNER)
    assert rc == 0 and res["changed"] is True
    fs_id = res["file_system"]["file_system_id"]
    tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=fs_id)["Tags"]}
    assert tags == {"Name": NAME, **OWNER}
    rc, res = run(capsys, owner_tags=OWNER)
    assert rc == 0 and res["changed"] is False
    # Another stack id: refused, nothing changed.
    rc, res = run(capsys, owner_tags={**OWNER, "netattest:stack-id": "other"}, tags={"Extra": "x"})
    assert rc == 1 and "not the owner tag(s) netattest:stack-id of this stack" in res["msg"]
    tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=fs_id)["Tags"]}
    assert tags == {"Name": NAME, **OWNER}


def test_absent_keeps_a_file_system_without_the_owner_tags(capsys, client, network):
    foreign = client.create_file_system(CreationToken=NAME, Tags=[{"Key": "Name", "Value": NAME}])["FileSystemId"]
    rc, res = run(capsys, state="absent", owner_tags=OWNER)
    assert rc == 0 and res["changed"] is False
    assert res["deleted_file_system_ids"] == [] and res["kept_file_system_ids"] == [foreign]
    assert len(client.describe_file_systems()["FileSystems"]) == 1
    rc, res = run(capsys, state="absent", owner_tags=OWNER, adopt=True)
    assert rc == 0 and res["deleted_file_system_ids"] == [foreign]
    assert client.describe_file_systems()["FileSystems"] == []


def test_adopt_adds_the_owner_tags_to_an_untagged_file_system(capsys, client, network):
    old = client.create_file_system(CreationToken=NAME, Encrypted=True, Tags=[{"Key": "Name", "Value": NAME}])
    rc, res = run(capsys, owner_tags=OWNER)
    assert rc == 1 and "adopt" in res["msg"]
    rc, res = run(capsys, owner_tags=OWNER, adopt=True)
    assert rc == 0 and res["changed"] is True and res["file_system"]["file_system_id"] == old["FileSystemId"]
    rc, res = run(capsys, owner_tags=OWNER)  # adopted: now it is ours without the flag
    assert rc == 0 and res["changed"] is False


def test_tags_and_purge_tags_follow_amazon_aws(capsys, client, network):
    _, res = run(capsys, tags={"A": "1", "B": "2"})
    fs_id = res["file_system"]["file_system_id"]
    client.tag_resource(ResourceId=fs_id, Tags=[{"Key": "Manual", "Value": "yes"}])

    def tags():
        return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=fs_id)["Tags"]}

    # No tags given: nothing purged, even with purge_tags (the default true).
    rc, res = run(capsys)
    assert rc == 0 and res["changed"] is False and tags() == {"Name": NAME, "A": "1", "B": "2", "Manual": "yes"}
    # purge_tags=false: only added.
    rc, res = run(capsys, tags={"C": "3"}, purge_tags=False)
    assert res["changed"] is True and tags() == {"Name": NAME, "A": "1", "B": "2", "Manual": "yes", "C": "3"}
    # Check mode reports the purge without doing it.
    rc, res = run(capsys, check_mode=True, tags={"A": "1"})
    assert res["changed"] is True and res["file_system"]["tags"] == {"Name": NAME, "A": "1"}
    assert len(tags()) == 5
    # Default purge: exactly tags + Name.
    rc, res = run(capsys, tags={"A": "1"})
    assert res["changed"] is True and tags() == {"Name": NAME, "A": "1"} == res["file_system"]["tags"]
    rc, res = run(capsys, tags={"A": "1"})
    assert res["changed"] is False


def test_deny_insecure_transport_policy_is_set_once_and_keeps_other_statements(capsys, client, network):
    _, res = run(capsys)
    fs_id, arn = res["file_system"]["file_system_id"], res["file_system"]["file_system_arn"]
    other = {"Sid": "ReadOnly", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "elasticfilesystem:ClientMount"}
    client.put_file_system_policy(
        FileSystemId=fs_id, Policy=json.dumps({"Version": "2012-10-17", "Statement": [other]})
    )

    rc, res = run(capsys, check_mode=True, deny_insecure_transport=True)
    assert rc == 0 and res["changed"] is True
    assert json.loads(client.describe_file_system_policy(FileSystemId=fs_id)["Policy"])["Statement"] == [other]

    rc, res = run(capsys, deny_insecure_transport=True)
    assert rc == 0 and res["changed"] is True
    policy = json.loads(client.describe_file_system_policy(FileSystemId=fs_id)["Policy"])
    deny = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Resource": arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert policy["Statement"] == [other, deny] and res["file_system"]["policy"] == policy
    rc, res = run(capsys, deny_insecure_transport=True)
    assert res["changed"] is False


def test_deny_insecure_transport_on_creation(capsys, client, network):
    rc, res = run(capsys, deny_insecure_transport=True)
    assert rc == 0
    fs_id = res["file_system"]["file_system_id"]
    (st,) = json.loads(client.describe_file_system_policy(FileSystemId=fs_id)["Policy"])["Statement"]
    assert st["Effect"] == "Deny" and st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


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
