"""Role aws_infra against a real moto_server on 127.0.0.1 (issue 4's five test points).

Stages, in this order, on one moto server (reset between stages where an empty account is needed):
  1. bad input fails before any AWS call (account still empty)
  2. --check on an empty account: rc 0, nothing created
  3. create, then boto3 assertions of every resource and attribute of SPEC.md section 1
  4. create again: changed=0 for every task
  5. teardown: nothing of ours left; a second teardown changes nothing; the key file only goes when asked
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PLAYBOOKS = HERE / "aws_infra"
REGION = "ap-northeast-1"
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
ONEGATE = ["203.0.113.5", "203.0.113.6/32", "2001:db8::10"]
OPERATOR = ["198.51.100.7/32"]
PREFIX = "NetAttest-tlsSyslog"
ROLE_PREFIX = "netattest.tls_syslog.aws_infra : "

from netattest_local import moto as moto_helper

TIMINGS: list[tuple[str, float]] = []


@pytest.fixture(scope="module")
def moto_server():
    with moto_helper.MotoServer() as server:
        yield server
    print("\n[aws_infra] stage timings:")
    for name, took in TIMINGS:
        print(f"  {name:<44} {took:6.1f} s")
    print(f"  {'total (ansible-playbook runs)':<44} {sum(t for _, t in TIMINGS):6.1f} s")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("aws_infra")


@pytest.fixture(scope="module")
def aws(moto_server):
    kw = {
        "region_name": REGION,
        "endpoint_url": moto_server.endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return {name: boto3.client(name, **kw) for name in ("ec2", "efs", "ssm")}


def base_vars(workdir: Path) -> dict:
    return {
        "aws_infra_onegate_egress_ips": ONEGATE,
        "aws_infra_ssh_cidrs": OPERATOR,
        "aws_infra_key_file": str(workdir / "keys" / f"{PREFIX}-key.pem"),
        "aws_infra_wait_for_ssh": False,  # moto boots nothing
        "aws_infra_test_facts_file": str(workdir / "facts.json"),
    }


class Run:
    def __init__(self, proc: subprocess.CompletedProcess, took: float):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.took = took
        try:
            self.json = json.loads(proc.stdout)
        except json.JSONDecodeError:
            self.json = {"plays": [], "stats": {}}

    def tasks(self):
        """(task name, host result) for every task that ran on localhost."""
        for play in self.json.get("plays", []):
            for task in play.get("tasks", []):
                res = task.get("hosts", {}).get("localhost")
                if res is not None:
                    yield task["task"]["name"].removeprefix(ROLE_PREFIX), res

    def changed_tasks(self) -> list[str]:
        return [name for name, res in self.tasks() if res.get("changed")]

    def failure_messages(self) -> str:
        return " | ".join(str(res.get("msg", "")) for _, res in self.tasks() if res.get("failed"))

    def task_names(self) -> list[str]:
        return [name for name, _ in self.tasks()]

    def stats(self) -> dict:
        return self.json.get("stats", {}).get("localhost", {})


def playbook(
    server, workdir: Path, name: str, stage: str, extra: dict | None = None, check: bool = False, endpoint="both"
) -> Run:
    """Run a test playbook. ``endpoint`` says how the role learns moto's URL: "both" (AWS_URL and
    AWS_ENDPOINT_URL), "AWS_URL" or "AWS_ENDPOINT_URL" only, or "variable" (aws_infra_endpoint_url only)."""
    variables = base_vars(workdir)
    variables.update(extra or {})
    if endpoint == "variable":
        variables["aws_infra_endpoint_url"] = server.endpoint
    vars_file = workdir / f"vars-{len(TIMINGS)}.json"
    vars_file.write_text(json.dumps(variables))
    env = server.env()
    for var in ("AWS_URL", "AWS_ENDPOINT_URL"):
        if endpoint not in ("both", var):
            env.pop(var)
    env.update(
        {
            "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".cache" / "collections"),
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
            "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.json",  # no profile_tasks lines inside the JSON
            "ANSIBLE_LOCAL_TEMP": str(workdir / "ansible-tmp"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_PIPELINING": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOKS / name), "-e", f"@{vars_file}"]
    if check:
        cmd.append("--check")
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    took = time.monotonic() - start
    TIMINGS.append((stage, took))
    print(f"\n[aws_infra] {stage}: rc={proc.returncode} in {took:.1f} s")
    return Run(proc, took)


def tag(resource: dict, key: str = "Name") -> str | None:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}.get(key)


def leftovers(aws) -> dict:
    """Everything in the account beyond moto's default VPC and its parts (what would keep billing)."""
    return moto_helper.leftovers(ec2=aws["ec2"], efs=aws["efs"])


# 1. bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "extra", "message"),
    [
        ("empty OneGate list", {"aws_infra_onegate_egress_ips": []}, "FAQ No.16880"),
        ("0.0.0.0/0 without opt-in", {"aws_infra_onegate_egress_ips": ["0.0.0.0/0"]}, "whole internet"),
        ("invalid VPC CIDR", {"aws_infra_vpc_cidr": "192.168.300.0/24"}, "not a valid VPC CIDR"),
        ("subnet outside the VPC", {"aws_infra_subnet_cidr": "10.0.0.0/28"}, "is outside aws_infra_vpc_cidr"),
    ],
)
def test_1_bad_input_fails_before_any_resource(moto_server, aws, workdir, case, extra, message):
    moto_server.reset()
    run = playbook(moto_server, workdir, "create.yml", f"1 bad input: {case}", extra)
    assert run.rc != 0, run.stdout[-2000:]
    assert message in run.failure_messages(), run.failure_messages()
    # Nothing past validation ran: no AWS task at all.
    assert not any(name in ("VPC", "Look for the key pair in AWS") for name in run.task_names())
    assert leftovers(aws) == {}
    assert not (workdir / "keys").exists()


# 2. --check on an empty account --------------------------------------------------------------------
def test_2_check_mode_on_empty_account_creates_nothing(moto_server, aws, workdir):
    moto_server.reset()
    run = playbook(
        moto_server,
        workdir,
        "create.yml",
        "2 --check, empty account (AWS_ENDPOINT_URL)",
        check=True,
        endpoint="AWS_ENDPOINT_URL",
    )
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.stats().get("failures", 0) == 0
    changed = run.changed_tasks()
    assert "VPC" in changed and "Key pair (RSA; the private key is written once, mode 0600)" in changed
    plan = [res for name, res in run.tasks() if name.startswith("Show what would be created")]
    assert plan, "check mode must report what would be created"
    assert "VPC NetAttest-tlsSyslog-vpc: would be created or changed" in plan[0]["msg"]
    assert leftovers(aws) == {}
    assert not (workdir / "keys" / f"{PREFIX}-key.pem").exists()


# 3. create and look at everything ------------------------------------------------------------------
@pytest.fixture(scope="module")
def created(moto_server, aws, workdir):
    moto_server.reset()
    # The endpoint through the role's variable only (no AWS_URL/AWS_ENDPOINT_URL in the environment).
    run = playbook(
        moto_server,
        workdir,
        "create.yml",
        "3 create (endpoint: aws_infra_endpoint_url)",
        endpoint="variable",
    )
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    return run, json.loads((workdir / "facts.json").read_text())


def test_3_create_builds_everything_of_spec_section_1(created, aws, workdir):
    run, recorded = created
    facts, ec2, efs = recorded["facts"], aws["ec2"], aws["efs"]

    # VPC
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-vpc"]}])["Vpcs"]
    assert vpc["CidrBlock"] == "192.168.200.0/24"
    assert not vpc.get("Ipv6CidrBlockAssociationSet")
    assert facts["aws_infra_vpc_id"] == vpc["VpcId"]
    vpc_id = vpc["VpcId"]
    for attr, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
        assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attr)[key]["Value"] is True

    # Internet gateway, attached
    (igw,) = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"
    ]
    assert tag(igw) == f"{PREFIX}-igw"

    # Subnet
    (subnet,) = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert tag(subnet) == f"{PREFIX}-server-sub"
    assert subnet["CidrBlock"] == "192.168.200.0/28"
    assert subnet["AvailabilityZone"] == "ap-northeast-1a"
    assert subnet["MapPublicIpOnLaunch"] is True
    assert facts["aws_infra_subnet_id"] == subnet["SubnetId"]

    # Route table: 0.0.0.0/0 -> IGW, associated with the subnet
    (rtb,) = ec2.describe_route_tables(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-rtb"]}])["RouteTables"]
    assert rtb["VpcId"] == vpc_id
    default_routes = [r for r in rtb["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert [r["GatewayId"] for r in default_routes] == [igw["InternetGatewayId"]]
    assert [a["SubnetId"] for a in rtb["Associations"] if a.get("SubnetId")] == [subnet["SubnetId"]]

    # Security groups
    groups = {
        g["GroupName"]: g
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    }
    nsg, nfs = groups[f"{PREFIX}-nsg"], groups[f"{PREFIX}-NFS-nsg"]
    assert nsg["Description"] == "Allow_SyslogAndSSH" and nfs["Description"] == "Allow_NFS"
    assert facts["aws_infra_sg_id"] == nsg["GroupId"] and facts["aws_infra_nfs_sg_id"] == nfs["GroupId"]
    rules = set()
    for perm in nsg["IpPermissions"]:
        assert not perm.get("UserIdGroupPairs")
        for r in perm.get("IpRanges", []):
            rules.add((perm["IpProtocol"], perm["FromPort"], perm["ToPort"], r["CidrIp"], r.get("Description")))
        for r in perm.get("Ipv6Ranges", []):
            rules.add((perm["IpProtocol"], perm["FromPort"], perm["ToPort"], r["CidrIpv6"], r.get("Description")))
    assert rules == {
        ("tcp", 6514, 6514, "203.0.113.5/32", "from_SOG1"),
        ("tcp", 6514, 6514, "203.0.113.6/32", "from_SOG2"),
        ("tcp", 6514, 6514, "2001:db8::10/128", "from_SOG3"),
        ("tcp", 22, 22, "198.51.100.7/32", "from_HQ"),
    }
    (nfs_perm,) = nfs["IpPermissions"]
    assert (nfs_perm["IpProtocol"], nfs_perm["FromPort"], nfs_perm["ToPort"]) == ("tcp", 2049, 2049)
    assert [p["GroupId"] for p in nfs_perm["UserIdGroupPairs"]] == [nsg["GroupId"]]
    assert not nfs_perm.get("IpRanges") and not nfs_perm.get("Ipv6Ranges")
    for group in (nsg, nfs):  # out: all
        assert any(
            p["IpProtocol"] == "-1" and {"CidrIp": "0.0.0.0/0"} in [{"CidrIp": r["CidrIp"]} for r in p["IpRanges"]]
            for p in group["IpPermissionsEgress"]
        )

    # EFS: encrypted, Name tag, one available mount target in the subnet guarded by the NFS group
    (fs,) = efs.describe_file_systems()["FileSystems"]
    assert fs["Encrypted"] is True and fs["LifeCycleState"] == "available"
    assert fs["CreationToken"] == f"{PREFIX}-efs" and tag(fs) == f"{PREFIX}-efs"
    assert facts["aws_infra_efs_id"] == fs["FileSystemId"]
    assert facts["aws_infra_efs_dns_name"] == f"{fs['FileSystemId']}.efs.{REGION}.amazonaws.com"
    (mt,) = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
    assert mt["SubnetId"] == subnet["SubnetId"] and mt["LifeCycleState"] == "available"
    assert efs.describe_mount_target_security_groups(MountTargetId=mt["MountTargetId"])["SecurityGroups"] == [
        nfs["GroupId"]
    ]

    # Key pair: RSA in AWS, private key saved once, 0600 in a 0700 directory, never printed
    (key,) = ec2.describe_key_pairs()["KeyPairs"]
    assert key["KeyName"] == f"{PREFIX}-key" and key.get("KeyType", "rsa") == "rsa"
    key_file = workdir / "keys" / f"{PREFIX}-key.pem"
    assert facts["aws_infra_key_path"] == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    pem = key_file.read_text()
    assert "PRIVATE KEY-----" in pem
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    assert isinstance(load_pem_private_key(pem.encode(), password=None), rsa.RSAPrivateKey)
    body = "".join(pem.strip().splitlines()[1:-1])
    assert body[:40] not in run.stdout and body[-40:] not in run.stdout and body[:40] not in run.stderr

    # Instance
    (reservation,) = ec2.describe_instances(
        Filters=[
            {"Name": "tag:Name", "Values": [f"{PREFIX}-syslog-vm"]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
    )["Reservations"]
    (inst,) = reservation["Instances"]
    ami = aws["ssm"].get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    assert inst["InstanceType"] == "t2.micro"
    assert inst["ImageId"] == ami == facts["aws_infra_instance_ami_id"]
    assert inst["SubnetId"] == subnet["SubnetId"]
    assert [g["GroupId"] for g in inst["SecurityGroups"]] == [nsg["GroupId"]]
    assert inst["KeyName"] == f"{PREFIX}-key"
    assert inst["MetadataOptions"]["HttpTokens"] == "required"
    assert inst["MetadataOptions"]["HttpEndpoint"] == "enabled"
    assert facts["aws_infra_instance_id"] == inst["InstanceId"]
    root = [b for b in inst["BlockDeviceMappings"] if b["DeviceName"] == inst.get("RootDeviceName", "/dev/xvda")]
    assert root, inst["BlockDeviceMappings"]
    (volume,) = ec2.describe_volumes(VolumeIds=[root[0]["Ebs"]["VolumeId"]])["Volumes"]
    assert volume["Encrypted"] is True
    user_data = base64.b64decode(
        ec2.describe_instance_attribute(InstanceId=inst["InstanceId"], Attribute="userData")["UserData"]["Value"]
    ).decode()
    assert "dnf -y install amazon-efs-utils" in user_data
    fstab = f"{fs['FileSystemId']}:/ /mnt/efs/fs1 efs _netdev,tls"
    assert fstab in user_data and ">> /etc/fstab" in user_data
    assert "mount /mnt/efs/fs1" in user_data

    # Elastic IP: tagged, associated with the instance; the inventory points at it
    (eip,) = ec2.describe_addresses()["Addresses"]
    assert tag(eip) == f"{PREFIX}-eip" and eip["Domain"] == "vpc"
    assert eip["InstanceId"] == inst["InstanceId"]
    assert facts["aws_infra_eip"] == eip["PublicIp"]
    assert facts["aws_infra_eip_allocation_id"] == eip["AllocationId"]
    assert recorded["group"] == [f"{PREFIX}-syslog-vm"]
    assert recorded["host"] == {
        "name": f"{PREFIX}-syslog-vm",
        "ansible_host": eip["PublicIp"],
        "ansible_user": "ec2-user",
        "ansible_ssh_private_key_file": str(key_file),
    }


# 4. idempotence ------------------------------------------------------------------------------------
def test_4_second_create_changes_nothing(created, moto_server, aws, workdir):
    _, first = created
    key_file = workdir / "keys" / f"{PREFIX}-key.pem"
    key_before = key_file.read_bytes()
    run = playbook(moto_server, workdir, "create.yml", "4 create again (endpoint: AWS_URL)", endpoint="AWS_URL")
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    # The last task of create.yml rewrites the facts file with identical content: it is not the role's.
    assert run.changed_tasks() == []
    second = json.loads((workdir / "facts.json").read_text())
    assert second == first
    assert key_file.read_bytes() == key_before
    assert len(aws["ec2"].describe_addresses()["Addresses"]) == 1


def test_4b_aws_key_without_local_file_fails_clearly(created, moto_server, aws, workdir):
    other = workdir / "elsewhere" / "missing.pem"
    run = playbook(
        moto_server, workdir, "create.yml", "4b key in AWS, local file missing", {"aws_infra_key_file": str(other)}
    )
    assert run.rc != 0
    assert "exists in AWS but its private key" in run.failure_messages()
    assert not other.exists()


# 5. teardown ---------------------------------------------------------------------------------------
def test_5_teardown_leaves_nothing_and_is_idempotent(created, moto_server, aws, workdir):
    key_file = workdir / "keys" / f"{PREFIX}-key.pem"
    assert leftovers(aws)  # there is something to tear down

    run = playbook(moto_server, workdir, "destroy.yml", "5 teardown")
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert leftovers(aws) == {}
    assert key_file.exists(), "the local key file is removed only when asked"

    run = playbook(moto_server, workdir, "destroy.yml", "5 teardown again")
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.changed_tasks() == []

    run = playbook(
        moto_server, workdir, "destroy.yml", "5 teardown, removing the key file", {"aws_infra_remove_key_file": True}
    )
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.changed_tasks() == ["Delete the local private key"]
    assert not key_file.exists()
