"""Role aws_infra against a real moto_server on 127.0.0.1.

Stages, in this order, on one moto server (reset between stages where an empty account is needed):
  1. bad input (every source list that could open a port wider than meant, among others) fails before any AWS call
  2. --check on an empty account: rc 0, nothing created, the estimated monthly cost printed; then what the account
     tells before anything is created (the instance type not offered in the AZ, the Elastic IP or VPC quota full)
     stops the run with the fix, nothing created; so does a missing permission (the fault proxy answers the DryRun
     calls UnauthorizedOperation: no mutating call is made); the AZ left to auto goes where the type is offered
     (in --check); a key pair of the stack whose private key never arrived (and no instance uses) is replaced
  3. create next to a pre-seeded "production" stack with our Names but no stack tags (built by hand from the same
     procedure), then boto3 assertions of every resource of ours, and of production being untouched
  4. create again: changed=0, production untouched; the refusals that must stop a run before any change (key pair
     not RSA, local key file of another pair, VPCs of two stacks); a second instance of the stack is its own
     duplicate, terminated
     4h-4j: the expiry (tags, InstanceInitiatedShutdownBehavior=stop, the timer in the user data; a larger
     aws_infra_expires_after extends it, the re-run after it changes nothing up to the host key pinning, which fails
     clearly on moto's console output without host keys; a run after the end is refused)
  5. teardown through playbooks/destroy.yml (it prints the time left and the lifetime cost): it lists exactly our
     IDs, deletes them, and leaves production as seeded;
     a second teardown changes nothing; the key file only goes when asked
  6. adoption: the untagged production stack becomes ours only with aws_infra_adopt_untagged, then behaves like any
     stack (re-run changed=0, teardown leaves nothing)
  7. host key pinning end to end, on an in-process moto server whose console output is a real-shaped AL2023 one
     whose first run loses the answers to CreateVpc, CreateRouteTable and RunInstances (tests/lib/netattest_local/
     aws_fault_proxy.py between the role and moto; botocore retries them): the re-run deletes the duplicates and
     names them, the next changes nothing, destroy.yml leaves nothing
  8. the expiry timer on the Amazon Linux 2023 stand-in container: it powers the machine off at the expiry, and
     again after the boot grace when it is started after the expiry

7 and 8 have their own servers and containers, none of the module's moto_server: they are marked instance_side, and
make test runs them in a pytest process of their own beside the rest (scripts/run-tests.sh, integration_aws_instance).
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
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
STACK_TAG, STACK_ID_TAG = "netattest:stack", "netattest:stack-id"
DESTROY = ROOT / "playbooks" / "destroy.yml"
CONSOLE_SAMPLE = ROOT / "tests" / "unit" / "plugins" / "module_utils" / "data" / "console_output_al2023.txt"

from netattest_local import moto as moto_helper
from netattest_local.aws_fault_proxy import FaultProxy, is_mutating

TIMINGS: list[tuple[str, float]] = []


@pytest.fixture(scope="module", autouse=True)
def timings_printed():
    """After the module: how long each stage's playbook runs took (on the module's moto_server, tests/lib)."""
    yield
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
        "aws_infra_pin_host_key": False,  # moto's console output has no host keys (stage 4c tests the call)
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

    def results(self, name: str) -> list[dict]:
        return [res for task, res in self.tasks() if task == name]

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
        return " | ".join(f"{name}: {res.get('msg', '')}" for name, res in self.tasks() if res.get("failed"))

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
        (
            "0.0.0.0/0 for OneGate with only the SSH opt-in",
            {"aws_infra_onegate_egress_ips": ["0.0.0.0/0"], "aws_infra_ssh_allow_any_source": True},
            "aws_infra_onegate_egress_ips item 1 (0.0.0.0/0) opens the port to the whole internet: refused. List the "
            "exact addresses; if you really mean any address, set aws_infra_syslog_allow_any_source=true",
        ),
        (
            "the old single opt-in",
            {"aws_infra_allow_any_source": True},
            "aws_infra_allow_any_source is no longer used",
        ),
        (
            "the internet in two halves for OneGate",
            {"aws_infra_onegate_egress_ips": ["0.0.0.0/1", "128.0.0.0/1"]},
            "aws_infra_onegate_egress_ips item 1 (0.0.0.0/1) overlaps the 'this network' range",
        ),
        (
            "the internet in two halves for SSH, wide prefixes allowed",
            {"aws_infra_ssh_cidrs": ["0.0.0.0/1", "128.0.0.0/1"], "aws_infra_ssh_allow_wide_prefixes": True},
            "aws_infra_ssh_cidrs: together, the IPv4 entries 0.0.0.0/1, 128.0.0.0/1 cover the whole IPv4 internet",
        ),
        (
            "the IPv6 internet in two halves for SSH",
            {"aws_infra_ssh_cidrs": ["::/1", "8000::/1"], "aws_infra_ssh_allow_wide_prefixes": True},
            "cover the whole IPv6 internet: refused. List the exact addresses; if you really mean any address, set "
            "aws_infra_ssh_allow_any_source=true",
        ),
        (
            "more than the share for SSH",
            {
                "aws_infra_ssh_cidrs": ["11.0.0.0/8", "12.0.0.0/8", "13.0.0.0/8"],
                "aws_infra_ssh_allow_wide_prefixes": True,
            },
            "more than the 1 % allowed",
        ),
        (
            "a /23 for OneGate",
            {"aws_infra_onegate_egress_ips": ["203.0.113.5", "198.51.0.0/23"]},
            "aws_infra_onegate_egress_ips item 2 (198.51.0.0/23) is wider than /24 (512 addresses): refused. Give the "
            "exact addresses or narrower CIDRs; if you really mean the whole range, set "
            "aws_infra_syslog_allow_wide_prefixes=true",
        ),
        (
            "a /15 for SSH",
            {"aws_infra_ssh_cidrs": ["198.50.0.0/15"]},
            "aws_infra_ssh_cidrs item 1 (198.50.0.0/15) is wider than /16",
        ),
        (
            "a private range for OneGate",
            {"aws_infra_onegate_egress_ips": ["10.0.0.0/8"]},
            "aws_infra_onegate_egress_ips item 1 (10.0.0.0/8) is in the private (RFC 1918) range 10.0.0.0/8",
        ),
        ("loopback for OneGate", {"aws_infra_onegate_egress_ips": ["127.0.0.1"]}, "is in the loopback range"),
        ("link-local for OneGate", {"aws_infra_onegate_egress_ips": ["169.254.169.254"]}, "is in the link-local"),
        (
            "300 OneGate addresses",
            {"aws_infra_onegate_egress_ips": [f"203.0.{113 + i // 250}.{i % 250 + 1}" for i in range(300)]},
            "aws_infra_onegate_egress_ips has 300 entries, more than the 60 rules a security group holds",
        ),
        (
            "61 IPv4 rules in the group",
            {
                "aws_infra_onegate_egress_ips": [f"203.0.113.{i}" for i in range(1, 41)],
                "aws_infra_ssh_cidrs": [f"198.51.100.{i}" for i in range(1, 22)],
            },
            "together need 61 IPv4 and 0 IPv6 rules in security group NetAttest-tlsSyslog-nsg, more than the 60",
        ),
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
    assert not any(
        name in ("VPC", "Look for the key pair in AWS", "Find this stack's VPC by its stack tags")
        for name in run.task_names()
    )
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
    assert "VPC" in changed and "Key pair" in changed
    plan = [res for name, res in run.tasks() if name.startswith("Show what would be created")]
    assert plan, "check mode must report what would be created"
    assert "VPC NetAttest-tlsSyslog-vpc: would be created or changed" in plan[0]["msg"]
    # The estimated monthly cost, from the collection's price table (t2.micro, public IPv4, 8 GB gp3, 1 GB EFS)
    (cost,) = run.results("Show the estimated monthly cost")
    assert cost["msg"][0].startswith("Estimated cost for a month (730 h), USD, ap-northeast-1 on-demand prices of")
    assert [line.split()[-1] for line in cost["msg"][1:6]] == ["11.10", "3.65", "0.77", "0.36", "15.87"]
    assert leftovers(aws) == {}
    assert not (workdir / "keys" / f"{PREFIX}-key.pem").exists()


# 2b. what the account tells stops the run before anything is created ------------------------------------
@pytest.mark.parametrize(
    ("case", "extra", "seed", "message"),
    [
        (
            "instance type not offered in the AZ",
            # moto's offerings (AWS's) have g5g.xlarge in ap-northeast-1c and 1d only
            {"aws_infra_instance_type": "g5g.xlarge", "aws_infra_availability_zone": "ap-northeast-1a"},
            None,
            "Instance type g5g.xlarge is not offered in ap-northeast-1a in this account (AZ names map to different "
            "physical zones in each account). It is offered in ap-northeast-1c, ap-northeast-1d: set "
            "aws_infra_availability_zone to one of them (or to auto), or set aws_infra_instance_type to a type "
            "offered in ap-northeast-1a (for example t3.micro). Nothing was created.",
        ),
        (
            "Elastic IP quota full",
            {},
            "elastic_ips",
            "Region ap-northeast-1 holds 5 Elastic IPs and the account may hold 5 (vpc-max-elastic-ips); this stack "
            "needs one more. Release an address you no longer use",
        ),
        (
            "VPC quota full",
            {},
            "vpcs",
            "Region ap-northeast-1 holds 5 VPCs and may hold 5 (Service Quotas vpc/L-F678F1CE); this stack needs one "
            "more. Delete a VPC you no longer use",
        ),
    ],
)
def test_2b_what_the_account_tells_stops_the_run_before_anything_is_created(
    moto_server, aws, workdir, case, extra, seed, message
):
    moto_server.reset()
    ec2 = aws["ec2"]
    if seed == "elastic_ips":
        for _ in range(5):
            ec2.allocate_address(Domain="vpc")
    if seed == "vpcs":  # moto's default VPC is the fifth
        for i in range(4):
            ec2.create_vpc(CidrBlock=f"10.{i}.0.0/24")
    before = leftovers(aws)
    run = playbook(moto_server, workdir, "create.yml", f"2b {case}", extra)
    assert run.rc != 0
    assert message in run.failure_messages(), run.failure_messages()
    assert "VPC" not in run.task_names() and leftovers(aws) == before
    assert not (workdir / "keys" / f"{PREFIX}-key.pem").exists()
    moto_server.reset()


def test_2b_missing_permission_stops_the_run_before_anything_is_created(moto_server, aws, workdir):
    """Credentials without ec2:CreateVpc, ec2:CreateSecurityGroup and ec2:RunInstances: the fault proxy answers their
    DryRun calls UnauthorizedOperation, as AWS does. The run stops at the check, naming the three and the fix; no
    mutating call reaches the account and nothing exists afterwards."""
    moto_server.reset()
    before = leftovers(aws)
    deny = {"CreateVpc", "CreateSecurityGroup", "RunInstances"}
    with FaultProxy(moto_server.endpoint, deny=deny) as proxy:

        class ThroughProxy:
            endpoint = proxy.endpoint

            def env(self, base=None):
                return moto_helper.aws_env(proxy.endpoint, base)

        run = playbook(ThroughProxy(), workdir, "create.yml", "2b permissions missing (DryRun denied)")
    assert run.rc != 0
    said = run.failure_messages()
    assert "These credentials may not call ec2:CreateVpc, ec2:CreateSecurityGroup, ec2:RunInstances" in said, said
    assert "not authorized to perform: ec2:RunInstances" in said and "Grant them to the user or role" in said
    assert "Nothing was created." in said
    assert sorted(set(proxy.denied)) == sorted(deny)
    assert [c for c in proxy.calls if is_mutating(c)] == [], proxy.calls
    assert leftovers(aws) == before and "VPC" not in run.task_names()
    assert not (workdir / "keys" / f"{PREFIX}-key.pem").exists()


def test_2b_auto_availability_zone_takes_one_that_offers_the_type(moto_server, aws, workdir):
    """aws_infra_availability_zone=auto (the default) with g5g.xlarge, which moto (as AWS) offers in
    ap-northeast-1c and 1d only: the run picks ap-northeast-1c and says why (in --check: the choice is made before
    anything is created; stage 3 shows the subnet created in the zone auto picked)."""
    moto_server.reset()
    run = playbook(
        moto_server, workdir, "create.yml", "2b auto AZ (--check)", {"aws_infra_instance_type": "g5g.xlarge"},
        check=True,
    )  # fmt: skip
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    (said,) = run.results("Say which availability zone")
    assert said["msg"] == (
        "Availability zone ap-northeast-1c (auto: the first of ap-northeast-1c, ap-northeast-1d, which offer "
        "g5g.xlarge)."
    )
    assert leftovers(aws) == {}
    assert not (workdir / "keys" / f"{PREFIX}-key.pem").exists()


def test_2c_key_pair_whose_private_key_never_arrived_is_replaced(moto_server, aws, workdir):
    """CreateKeyPair hands out the private key in its answer only: when that answer is lost or the run is killed
    before the file is written, the pair exists with this stack's id and its key nowhere. Unused, it is deleted and
    created again (here in --check: said, nothing changed). benchmarks/aws_faults.py runs both faults end to end."""
    moto_server.reset()
    ec2 = aws["ec2"]
    stack = [{"Key": STACK_TAG, "Value": PREFIX}, {"Key": STACK_ID_TAG, "Value": "0123456789"}]
    ec2.create_key_pair(
        KeyName=f"{PREFIX}-key", KeyType="rsa", TagSpecifications=[{"ResourceType": "key-pair", "Tags": stack}]
    )
    before = leftovers(aws)
    run = playbook(
        moto_server, workdir, "create.yml", "2c key pair without its private key (--check)",
        {"aws_infra_stack_id": "0123456789"}, check=True,
    )  # fmt: skip
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    (said,) = run.results("Say which key pair was deleted, to be created again")
    assert said["msg"].startswith(f"Deleted key pair {PREFIX}-key (") and "no instance uses it" in said["msg"]
    assert leftovers(aws) == before
    moto_server.reset()


# 3. create next to a production stack with our Names, and look at everything ----------------------------
def tags_of(resource: dict) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def name_spec(resource_type: str, name: str) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def seed_production(aws, workdir: Path) -> dict:
    """A stack built by hand from the same procedure: our Names everywhere, no stack tags. Its creation token and
    key pair name differ from ours, because AWS allows only one of each per account."""
    ec2, efs = aws["ec2"], aws["efs"]
    vpc = ec2.create_vpc(CidrBlock="192.168.200.0/24", TagSpecifications=name_spec("vpc", f"{PREFIX}-vpc"))["Vpc"][
        "VpcId"
    ]
    igw = ec2.create_internet_gateway(TagSpecifications=name_spec("internet-gateway", f"{PREFIX}-igw"))[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    subnet = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock="192.168.200.0/28",
        AvailabilityZone=f"{REGION}a",
        TagSpecifications=name_spec("subnet", f"{PREFIX}-server-sub"),
    )["Subnet"]["SubnetId"]
    rtb = ec2.create_route_table(VpcId=vpc, TagSpecifications=name_spec("route-table", f"{PREFIX}-rtb"))["RouteTable"][
        "RouteTableId"
    ]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    nsg = ec2.create_security_group(GroupName=f"{PREFIX}-nsg", Description="Allow_SyslogAndSSH", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=nsg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 6514,
                "ToPort": 6514,
                "IpRanges": [{"CidrIp": "192.0.2.50/32", "Description": "from_SOG1"}],
            }
        ],
    )
    nfs = ec2.create_security_group(GroupName=f"{PREFIX}-NFS-nsg", Description="Allow_NFS", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=nfs,
        # The description the role gives it: moto's UpdateSecurityGroupRuleDescriptionsIngress answers without the
        # "Return" field amazon.aws reads, so adoption (stage 6) must not need to change a description.
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 2049,
                "ToPort": 2049,
                "UserIdGroupPairs": [{"GroupId": nsg, "Description": f"from_{PREFIX}-nsg"}],
            }
        ],
    )
    key = ec2.create_key_pair(KeyName="production-key", KeyType="rsa")
    key_file = workdir / "production-key.pem"
    key_file.write_text(key["KeyMaterial"])
    key_file.chmod(0o600)
    ami = aws["ssm"].get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    instance = ec2.run_instances(
        ImageId=ami,
        MinCount=1,
        MaxCount=1,
        InstanceType="t2.micro",
        KeyName="production-key",
        # As the console launches it: its interface goes with it (moto keeps a SubnetId-only one after termination).
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [nsg], "DeleteOnTermination": True}],
        TagSpecifications=name_spec("instance", f"{PREFIX}-syslog-vm"),
    )["Instances"][0]["InstanceId"]
    eip = ec2.allocate_address(Domain="vpc", TagSpecifications=name_spec("elastic-ip", f"{PREFIX}-eip"))
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=instance)
    fs = efs.create_file_system(
        CreationToken="console-2b7e1f0c-production", Encrypted=True, Tags=[{"Key": "Name", "Value": f"{PREFIX}-efs"}]
    )["FileSystemId"]
    mt = efs.create_mount_target(FileSystemId=fs, SubnetId=subnet, SecurityGroups=[nfs])["MountTargetId"]
    prod = {
        "vpc": vpc,
        "igw": igw,
        "subnet": subnet,
        "rtb": rtb,
        "nsg": nsg,
        "nfs": nfs,
        "instance": instance,
        "allocation": eip["AllocationId"],
        "public_ip": eip["PublicIp"],
        "fs": fs,
        "mt": mt,
        "key_file": key_file,
        "key_id": key["KeyPairId"],
    }
    prod["snapshot"] = production_state(aws, prod)
    prod["leftovers"] = leftovers(aws)
    return prod


def production_state(aws, prod: dict) -> dict:
    """Everything of the production stack that a foreign run could change: tags, rules, associations, states."""
    ec2, efs = aws["ec2"], aws["efs"]
    (inst,) = ec2.describe_instances(InstanceIds=[prod["instance"]])["Reservations"][0]["Instances"]
    (eip,) = ec2.describe_addresses(AllocationIds=[prod["allocation"]])["Addresses"]
    (igw,) = ec2.describe_internet_gateways(InternetGatewayIds=[prod["igw"]])["InternetGateways"]
    groups = {
        g["GroupId"]: g for g in ec2.describe_security_groups(GroupIds=[prod["nsg"], prod["nfs"]])["SecurityGroups"]
    }
    (fs,) = efs.describe_file_systems(FileSystemId=prod["fs"])["FileSystems"]
    (rtb,) = ec2.describe_route_tables(RouteTableIds=[prod["rtb"]])["RouteTables"]
    (key,) = ec2.describe_key_pairs(KeyNames=["production-key"])["KeyPairs"]
    return {
        "vpc": tags_of(ec2.describe_vpcs(VpcIds=[prod["vpc"]])["Vpcs"][0]),
        "instance": (
            inst["State"]["Name"],
            inst["SubnetId"],
            [g["GroupId"] for g in inst["SecurityGroups"]],
            tags_of(inst),
        ),
        "eip": (eip.get("InstanceId"), eip["PublicIp"], tags_of(eip)),
        "igw": ([a["VpcId"] for a in igw.get("Attachments", [])], tags_of(igw)),
        "subnet": tags_of(ec2.describe_subnets(SubnetIds=[prod["subnet"]])["Subnets"][0]),
        "rtb": (
            tags_of(rtb),
            sorted((r.get("DestinationCidrBlock"), r.get("GatewayId")) for r in rtb["Routes"]),
            [a.get("SubnetId") for a in rtb["Associations"]],
        ),
        "groups": {gid: (g["IpPermissions"], tags_of(g)) for gid, g in groups.items()},
        "fs": (fs["LifeCycleState"], fs["CreationToken"], tags_of(fs)),
        "mount_targets": [
            m["MountTargetId"] for m in efs.describe_mount_targets(FileSystemId=prod["fs"])["MountTargets"]
        ],
        "key": (key["KeyName"], key["KeyFingerprint"], tags_of(key)),
    }


def assert_production_untouched(aws, prod: dict) -> None:
    now = production_state(aws, prod)
    assert now == prod["snapshot"]
    # Spelled out, the list: instance running, EIP kept (on its instance), EFS kept, VPC and IGW kept.
    assert now["instance"][0] == "running" and now["eip"][0] == prod["instance"]
    assert now["fs"][0] == "available" and now["igw"][0] == [prod["vpc"]]


@pytest.fixture(scope="module")
def production(moto_server, aws, workdir):
    moto_server.reset()
    return seed_production(aws, workdir)


def stack_filter(stack_id: str | None = None) -> list[dict]:
    filters = [{"Name": f"tag:{STACK_TAG}", "Values": [PREFIX]}]
    if stack_id:
        filters.append({"Name": f"tag:{STACK_ID_TAG}", "Values": [stack_id]})
    return filters


@pytest.fixture(scope="module")
def created(moto_server, aws, workdir, production):
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


def test_3_create_builds_everything_next_to_production(created, aws, workdir, production):
    run, recorded = created
    facts, ec2, efs = recorded["facts"], aws["ec2"], aws["efs"]

    # Stack identity: a made-up id, on our VPC (the only one with the stack tags, not production's)
    stack_id = facts["aws_infra_stack_id"]
    assert len(stack_id) == 10 and int(stack_id, 16) >= 0
    stack = {STACK_TAG: PREFIX, STACK_ID_TAG: stack_id}

    # VPC
    (vpc,) = ec2.describe_vpcs(Filters=stack_filter())["Vpcs"]
    assert tag(vpc) == f"{PREFIX}-vpc" and vpc["VpcId"] != production["vpc"]
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
    # in the zone aws_infra_availability_zone=auto (the default) picked and named: the first that offers t2.micro
    assert subnet["AvailabilityZone"] == "ap-northeast-1a"
    (said,) = run.results("Say which availability zone")
    assert said["msg"].startswith("Availability zone ap-northeast-1a (auto: the first of ap-northeast-1a, "), said
    assert said["msg"].endswith(", which offer t2.micro)."), said
    assert subnet["MapPublicIpOnLaunch"] is True
    assert facts["aws_infra_subnet_id"] == subnet["SubnetId"]

    # Route table: 0.0.0.0/0 -> IGW, associated with the subnet
    (rtb,) = ec2.describe_route_tables(
        Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-rtb"]}, {"Name": "vpc-id", "Values": [vpc_id]}]
    )["RouteTables"]
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
    (fs,) = efs.describe_file_systems(CreationToken=f"{PREFIX}-efs-{stack_id}")["FileSystems"]
    assert fs["FileSystemId"] != production["fs"]
    assert fs["Encrypted"] is True and fs["LifeCycleState"] == "available"
    (deny,) = json.loads(efs.describe_file_system_policy(FileSystemId=fs["FileSystemId"])["Policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Principal"] == {"AWS": "*"} and deny["Action"] == "*" and deny["Resource"] == fs["FileSystemArn"]
    assert fs["CreationToken"] == f"{PREFIX}-efs-{stack_id}" and tag(fs) == f"{PREFIX}-efs"
    assert facts["aws_infra_efs_id"] == fs["FileSystemId"]
    assert facts["aws_infra_efs_dns_name"] == f"{fs['FileSystemId']}.efs.{REGION}.amazonaws.com"
    (mt,) = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
    assert mt["SubnetId"] == subnet["SubnetId"] and mt["LifeCycleState"] == "available"
    assert efs.describe_mount_target_security_groups(MountTargetId=mt["MountTargetId"])["SecurityGroups"] == [
        nfs["GroupId"]
    ]

    # Key pair: RSA in AWS, private key saved once, 0600 in a 0700 directory, never printed
    (key,) = ec2.describe_key_pairs(KeyNames=[f"{PREFIX}-key"])["KeyPairs"]
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
            {"Name": "vpc-id", "Values": [vpc_id]},
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
    (eip,) = ec2.describe_addresses(Filters=stack_filter(stack_id))["Addresses"]
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
        "ansible_ssh_common_args": "",  # no pinning against moto's console output (stage 7 pins)
    }

    # Every resource of ours carries both stack tags.
    for resource in (vpc, igw, subnet, rtb, nsg, nfs, fs, key, inst, eip):
        assert {k: tags_of(resource).get(k) for k in stack} == stack, resource
    # Production, with the same Names, is exactly as seeded (its instance did not get our group or address).
    assert_production_untouched(aws, production)


# 4. idempotence, and the refusals that must stop a run before any change ----------------------------------
def test_4_second_create_changes_nothing(created, moto_server, aws, workdir, production):
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
    assert len(aws["ec2"].describe_addresses(Filters=stack_filter())["Addresses"]) == 1
    assert_production_untouched(aws, production)


def refused_before_any_change(run: Run, aws, before: dict, message: str) -> None:
    assert run.rc != 0, run.stdout[-2000:]
    assert message in run.failure_messages(), run.failure_messages()
    assert run.changed_tasks() == []
    assert leftovers(aws) == before


def test_4b_aws_key_without_local_file_fails_clearly(created, moto_server, aws, workdir):
    other = workdir / "elsewhere" / "missing.pem"
    run = playbook(
        moto_server, workdir, "create.yml", "4b key in AWS, local file missing", {"aws_infra_key_file": str(other)}
    )
    assert run.rc != 0
    assert "exists in AWS but its private key" in run.failure_messages()
    assert not other.exists()


def test_4c_local_key_of_another_pair_fails_before_any_change(created, moto_server, aws, workdir, production):
    other = workdir / "other.pem"
    other.write_bytes(production["key_file"].read_bytes())  # a valid RSA key, of another pair
    other.chmod(0o600)
    content = other.read_bytes()
    (pair,) = aws["ec2"].describe_key_pairs(KeyNames=[f"{PREFIX}-key"])["KeyPairs"]
    before = leftovers(aws)
    run = playbook(
        moto_server, workdir, "create.yml", "4c local key of another pair", {"aws_infra_key_file": str(other)}
    )
    refused_before_any_change(run, aws, before, f"{other} is not the private key of key pair {PREFIX}-key")
    assert other.read_bytes() == content
    assert aws["ec2"].describe_key_pairs(KeyNames=[f"{PREFIX}-key"])["KeyPairs"] == [pair]


def test_4d_key_pair_not_rsa_fails_before_any_change(created, moto_server, aws, workdir):
    _, recorded = created
    ec2 = aws["ec2"]
    stack = {STACK_TAG: PREFIX, STACK_ID_TAG: recorded["facts"]["aws_infra_stack_id"]}
    ed = ec2.create_key_pair(
        KeyName=f"{PREFIX}-ed25519",
        KeyType="ed25519",
        TagSpecifications=[{"ResourceType": "key-pair", "Tags": [{"Key": k, "Value": v} for k, v in stack.items()]}],
    )
    key_file = workdir / "ed25519.pem"
    key_file.write_text(ed["KeyMaterial"])
    key_file.chmod(0o600)
    before = leftovers(aws)
    try:
        run = playbook(
            moto_server,
            workdir,
            "create.yml",
            "4d key pair of type ed25519",
            {"aws_infra_key_name": f"{PREFIX}-ed25519", "aws_infra_key_file": str(key_file)},
        )
        refused_before_any_change(
            run, aws, before, f"Key pair {PREFIX}-ed25519 exists in AWS with type ed25519, not RSA"
        )
        (still,) = ec2.describe_key_pairs(KeyNames=[f"{PREFIX}-ed25519"])["KeyPairs"]
        assert still["KeyPairId"] == ed["KeyPairId"] and still["KeyFingerprint"] == ed["KeyFingerprint"]
        assert key_file.read_text() == ed["KeyMaterial"]
    finally:
        ec2.delete_key_pair(KeyName=f"{PREFIX}-ed25519")


def test_4e_key_pair_of_another_stack_fails_before_any_change(created, moto_server, aws, workdir, production):
    before = leftovers(aws)
    run = playbook(
        moto_server,
        workdir,
        "create.yml",
        "4e key pair without our stack tags",
        {"aws_infra_key_name": "production-key", "aws_infra_key_file": str(production["key_file"])},
    )
    refused_before_any_change(
        run, aws, before, "Key pair production-key exists in AWS but is not this stack's (it has no stack tags"
    )
    assert "aws_infra_adopt_untagged=true" in run.failure_messages()


def test_4f_two_vpcs_of_the_stack_are_refused_with_the_list(created, moto_server, aws, workdir):
    ec2 = aws["ec2"]
    _, recorded = created
    ours = recorded["facts"]["aws_infra_vpc_id"]
    tags = [{"Key": "Name", "Value": f"{PREFIX}-vpc"}, {"Key": STACK_TAG, "Value": PREFIX}]
    tags.append({"Key": STACK_ID_TAG, "Value": "aaaaaaaaaa"})
    second = ec2.create_vpc(CidrBlock="10.9.0.0/24", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags}])
    second = second["Vpc"]["VpcId"]
    try:
        before = leftovers(aws)
        run = playbook(moto_server, workdir, "create.yml", "4f two VPCs of the stack")
        refused_before_any_change(run, aws, before, f"2 VPCs match stack {PREFIX}:")
        msg = run.failure_messages()
        assert ours in msg and second in msg and "netattest:stack-id=aaaaaaaaaa" in msg and "aws_infra_stack_id" in msg
        assert not any(name == "VPC" for name in run.task_names())
    finally:
        ec2.delete_vpc(VpcId=second)


def test_4g_second_instance_of_the_stack_is_its_own_duplicate(created, moto_server, aws, workdir):
    """A second instance with this stack's id in its VPC (what a lost RunInstances answer leaves) is this stack's own:
    the one with the Elastic IP is kept, the other terminated and named."""
    ec2 = aws["ec2"]
    _, recorded = created
    facts = recorded["facts"]
    stack = [{"Key": STACK_TAG, "Value": PREFIX}, {"Key": STACK_ID_TAG, "Value": facts["aws_infra_stack_id"]}]
    extra = ec2.run_instances(
        ImageId=facts["aws_infra_instance_ami_id"],
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": facts["aws_infra_subnet_id"], "DeleteOnTermination": True}],
        TagSpecifications=[{"ResourceType": "instance", "Tags": stack}],
    )["Instances"][0]["InstanceId"]
    run = playbook(moto_server, workdir, "create.yml", "4g a duplicate instance of the stack")
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.changed_tasks() == ["Terminate this stack's duplicate instances"]
    (said,) = run.results("Say which duplicates of this stack's resources were deleted")
    assert f"instance {extra}" in said["msg"] and facts["aws_infra_instance_id"] not in said["msg"]
    states = {
        i["InstanceId"]: i["State"]["Name"]
        for r in ec2.describe_instances(InstanceIds=[extra, facts["aws_infra_instance_id"]])["Reservations"]
        for i in r["Instances"]
    }
    assert states == {extra: "terminated", facts["aws_infra_instance_id"]: "running"}


# 4h-4j. expiry: tags, the instance's shutdown behaviour and timer, extension, refusal after the end ------------------
def vpc_and_instance_tags(ec2) -> tuple[dict, dict]:
    (vpc,) = ec2.describe_vpcs(Filters=stack_filter())["Vpcs"]
    (instance,) = [
        i for r in ec2.describe_instances(Filters=stack_filter())["Reservations"] for i in r["Instances"]
        if i["State"]["Name"] == "running"
    ]  # fmt: skip
    return tags_of(vpc) | {"VpcId": vpc["VpcId"]}, tags_of(instance) | {"InstanceId": instance["InstanceId"]}


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def test_4h_expiry_tagged_stops_the_instance_and_a_larger_value_extends_it(created, moto_server, aws, workdir):
    """The stack ends aws_infra_expires_after (14d) after its creation: the VPC and the instance carry the end, the
    instance powers off itself then (timer in its user data) and InstanceInitiatedShutdownBehavior=stop makes that
    a stop. A re-run with 21d moves the end (tags and timer); the next changes nothing (4i); a run after the end is
    refused before any change, naming the value that extends it (4j)."""
    ec2 = aws["ec2"]
    run, _ = created
    vpc, instance = vpc_and_instance_tags(ec2)
    created_at = utc(vpc["netattest:created-at"])
    assert abs((datetime.now(timezone.utc) - created_at).total_seconds()) < 3600
    assert vpc["netattest:expires-after"] == "14d"
    ends = vpc["netattest:expires-at"]
    assert utc(ends) - created_at == timedelta(days=14) and instance["netattest:expires-at"] == ends
    (left,) = run.results("Show how long is left")
    assert f"at {ends} (created {vpc['netattest:created-at']}, aws_infra_expires_after=14d)" in left["msg"][0]
    assert "This stack expires in 13 d 23 h" in left["msg"][0] or "This stack expires in 14 d 0 h" in left["msg"][0]
    assert "Elastic IP (public IPv4 address), the EBS root volume and the EFS file system" in left["msg"][1]
    assert "still bill until destroy.yml" in left["msg"][1]

    attribute = ec2.describe_instance_attribute(
        InstanceId=instance["InstanceId"], Attribute="instanceInitiatedShutdownBehavior"
    )
    assert attribute["InstanceInitiatedShutdownBehavior"]["Value"] == "stop"
    user_data = base64.b64decode(
        ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")["UserData"]["Value"]
    ).decode()
    assert f"OnCalendar={ends.replace('T', ' ').replace('Z', ' UTC')}" in user_data
    assert f"-ge {int(utc(ends).timestamp())} ]" in user_data
    assert "systemctl enable --now netattest-expiry.timer" in user_data

    run = playbook(moto_server, workdir, "create.yml", "4h extend to 21d", {"aws_infra_expires_after": "21d"})
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    vpc2, instance2 = vpc_and_instance_tags(ec2)
    assert vpc2["netattest:created-at"] == vpc["netattest:created-at"] and vpc2["netattest:expires-after"] == "21d"
    assert utc(vpc2["netattest:expires-at"]) - created_at == timedelta(days=21)
    assert instance2["netattest:expires-at"] == vpc2["netattest:expires-at"]
    assert instance2["InstanceId"] == instance["InstanceId"]
    assert sorted(run.changed_tasks()) == ["Instance", "VPC"]
    (left,) = run.results("Show how long is left")
    assert "This stack expires in 20 d" in left["msg"][0] and vpc2["netattest:expires-at"] in left["msg"][0]


def test_4i_rerun_changes_nothing_and_host_key_pinning_against_moto_fails_clearly(created, moto_server, aws, workdir):
    """The re-run with 21d changes nothing; it also asks to pin the host key, the last step of the role, after every
    resource: moto's console output has no host keys, so the run fails there, clearly, having changed nothing and
    written no known_hosts file (stage 7 pins from a real-shaped console output)."""
    _, recorded = created
    ec2 = aws["ec2"]
    vpc, instance = vpc_and_instance_tags(ec2)
    assert vpc["netattest:expires-after"] == "21d"  # stage 4h's extension
    known_hosts = workdir / "pin" / "known_hosts"
    known_hosts.parent.mkdir()
    before = leftovers(aws)
    run = playbook(
        moto_server,
        workdir,
        "create.yml",
        "4i 21d again (changed=0), pinning the host key (moto's console has none)",
        {
            "aws_infra_expires_after": "21d",
            "aws_infra_pin_host_key": True,
            "aws_infra_host_key_timeout": 3,
            "aws_infra_known_hosts_file": str(known_hosts),
        },
    )
    instance_id = recorded["facts"]["aws_infra_instance_id"]
    refused_before_any_change(
        run, aws, before, f"no complete -----BEGIN SSH HOST KEY KEYS----- block in the console output of {instance_id}"
    )
    assert not known_hosts.exists()
    # Every resource's task ran before the pin, and none changed: the 21d re-run is stable.
    ran = run.task_names()
    assert {"VPC", "Instance", "Key pair"} <= set(ran), ran
    assert vpc_and_instance_tags(ec2) == (vpc, instance)


def test_4j_run_after_the_end_is_refused(created, moto_server, aws, workdir):
    ec2 = aws["ec2"]
    vpc, _ = vpc_and_instance_tags(ec2)
    created_at = utc(vpc["netattest:created-at"])
    # Twenty days later (the creation tag moved back, as the clock would): 14d has passed, the run is refused.
    old = (created_at - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ec2.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "netattest:created-at", "Value": old}])
    before = leftovers(aws)
    run = playbook(moto_server, workdir, "create.yml", "4j after the end: refused", {"aws_infra_expires_after": "14d"})
    refused_before_any_change(run, aws, before, "This stack expired 6 d 0 h ago, at ")
    assert "-e aws_infra_expires_after=22d (counted from its creation)" in run.failure_messages()
    assert "VPC" not in run.task_names()
    _, instance3 = vpc_and_instance_tags(ec2)
    assert instance3["netattest:expires-at"] == vpc["netattest:expires-at"]


# 5. teardown ---------------------------------------------------------------------------------------
def test_5_teardown_deletes_only_ours_and_is_idempotent(created, moto_server, aws, workdir, production):
    _, recorded = created
    facts = recorded["facts"]
    key_file = workdir / "keys" / f"{PREFIX}-key.pem"
    inventory = workdir / "generated-inventory.yml"
    inventory.write_text("all: {}\n")
    destroy_vars = {"confirm": "yes", "tls_syslog_inventory_file": str(inventory)}
    assert leftovers(aws) != production["leftovers"]  # there is something of ours to tear down

    run = playbook(moto_server, workdir, DESTROY, "5 teardown (playbooks/destroy.yml)", destroy_vars)
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    # The exact IDs were listed before anything was deleted, and none of production's.
    # Listed by the first pass (state owned), before the confirmation and the deletion.
    listing = run.results("Show exactly what belongs to this stack (and nothing else is deleted)")[0]
    for key in ("aws_infra_vpc_id", "aws_infra_subnet_id", "aws_infra_sg_id", "aws_infra_nfs_sg_id",
                "aws_infra_efs_id", "aws_infra_instance_id", "aws_infra_eip_allocation_id"):  # fmt: skip
        assert facts[key] in listing["msg"], (key, listing["msg"])
    assert f"netattest:stack-id={facts['aws_infra_stack_id']}" in listing["msg"]
    for key in ("vpc", "igw", "subnet", "rtb", "nsg", "nfs", "instance", "allocation", "fs"):
        assert production[key] not in listing["msg"], key
    names = run.task_names()
    assert names.index("Show exactly what belongs to this stack (and nothing else is deleted)") < names.index(
        "Terminate the instance and wait until it is gone"
    )
    # What the stack cost: created "20 days ago" (stage 4i moved the creation tag back), the price table times 480 h.
    (cost,) = run.results("Show how long was left and what the stack cost")
    # The recorded 21d from that creation: about a day left.
    assert cost["msg"][0].startswith("This stack expires in 23 h") and "aws_infra_expires_after=21d" in cost["msg"][0]
    assert "What this stack cost since it was created" in cost["msg"][2] and "480." in cost["msg"][2]
    items = {line[:34].strip(): float(line[34:]) for line in cost["msg"][3:8]}
    assert 7.29 <= items["instance t2.micro"] <= 7.32 and 2.40 <= items["public IPv4 address x1"] <= 2.41
    assert abs(items["total"] - sum(v for k, v in items.items() if k != "total")) <= 0.02  # summed before rounding
    assert leftovers(aws) == production["leftovers"]
    assert_production_untouched(aws, production)
    assert not inventory.exists()
    assert key_file.exists(), "the local key file is removed only when asked"

    run = playbook(moto_server, workdir, DESTROY, "5 teardown again", destroy_vars)
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.changed_tasks() == []
    listing = run.results("Show exactly what belongs to this stack (and nothing else is deleted)")[0]
    assert listing["msg"].startswith(f"No resources of stack {PREFIX} found")

    run = playbook(
        moto_server, workdir, "destroy.yml", "5 teardown, removing the key file", {"aws_infra_remove_key_file": True}
    )
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.changed_tasks() == ["Delete the local private key"]
    assert not key_file.exists()
    assert_production_untouched(aws, production)


# 6. adoption of an untagged (older, or hand-made) stack ------------------------------------------------------
def test_6_untagged_stack_is_adopted_only_when_asked(moto_server, aws, workdir, production):
    ec2 = aws["ec2"]
    adopt_vars = {
        "aws_infra_key_name": "production-key",
        "aws_infra_key_file": str(production["key_file"]),
        "aws_infra_efs_creation_token": "console-2b7e1f0c-production",
    }
    run = playbook(moto_server, workdir, "create.yml", "6 adopt (aws_infra_adopt_untagged)",
                   {**adopt_vars, "aws_infra_adopt_untagged": True})  # fmt: skip
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    facts = json.loads((workdir / "facts.json").read_text())["facts"]
    stack = {STACK_TAG: PREFIX, STACK_ID_TAG: facts["aws_infra_stack_id"]}
    # No second stack was built: production's resources are the stack now, tagged.
    assert (facts["aws_infra_vpc_id"], facts["aws_infra_instance_id"]) == (production["vpc"], production["instance"])
    assert (facts["aws_infra_efs_id"], facts["aws_infra_eip_allocation_id"]) == (
        production["fs"],
        production["allocation"],
    )
    assert (facts["aws_infra_sg_id"], facts["aws_infra_nfs_sg_id"]) == (production["nsg"], production["nfs"])
    assert len([v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]) == 1
    state = production_state(aws, production)
    adopted = [state["vpc"], state["instance"][3], state["eip"][2], state["igw"][1], state["subnet"]]
    adopted += [state["rtb"][0], state["fs"][2], state["key"][2], *(g[1] for g in state["groups"].values())]
    for tags in adopted:
        assert {k: tags.get(k) for k in stack} == stack, tags
    assert state["eip"][0] == production["instance"] and state["instance"][0] == "running"

    # From now on an ordinary stack: found by its tags without the flag, nothing to change.
    run = playbook(moto_server, workdir, "create.yml", "6 create after adoption", adopt_vars)
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.changed_tasks() == []

    # destroy.yml without a yes deletes nothing, after listing what it would.
    before = leftovers(aws)
    kept_inventory = workdir / "kept-inventory.yml"
    kept_inventory.write_text("all: {}\n")
    run = playbook(moto_server, workdir, DESTROY, "6 destroy.yml, answered no",
                   {**adopt_vars, "confirm": "no", "tls_syslog_inventory_file": str(kept_inventory)})  # fmt: skip
    assert run.rc != 0 and "Not confirmed: nothing was deleted" in run.failure_messages()
    listing = run.results("Show exactly what belongs to this stack (and nothing else is deleted)")[0]
    assert production["vpc"] in listing["msg"] and production["instance"] in listing["msg"]
    assert run.changed_tasks() == [] and leftovers(aws) == before and kept_inventory.exists()

    run = playbook(moto_server, workdir, "destroy.yml", "6 teardown of the adopted stack", adopt_vars)
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert leftovers(aws) == {}


# 7. host key pinning end to end ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def console_moto():
    """An in-process moto server (moto's own ThreadedMotoServer) whose GetConsoleOutput returns a real-shaped
    Amazon Linux 2023 first-boot console output with cloud-init's host key blocks, instead of moto's fixed kernel
    log, which has none."""
    from moto.ec2.responses import general
    from moto.server import ThreadedMotoServer

    port = moto_helper.free_port()
    server = ThreadedMotoServer(ip_address=moto_helper.HOST, port=port, verbose=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(general, "SAMPLE_CONSOLE_OUTPUT", CONSOLE_SAMPLE.read_text())
        server.start()
        endpoint = f"http://{moto_helper.HOST}:{port}"
        moto_helper.wait_until_up(endpoint)

        class Handle:
            def env(self, base=None):
                return moto_helper.aws_env(endpoint, base)

        handle = Handle()
        handle.endpoint = endpoint
        try:
            yield handle
        finally:
            server.stop()


#: The three calls whose lost answer stranded the stack (issue 24).
LOST = ("CreateVpc", "CreateRouteTable", "RunInstances")


@pytest.mark.instance_side
def test_7_host_keys_are_pinned_and_lost_answers_converge(console_moto, tmp_path):
    """Two things on one stack, to keep the runs few: host key pinning end to end, and lost answers. The first run
    goes through tests/lib/netattest_local/aws_fault_proxy.py: CreateVpc, CreateRouteTable and RunInstances each reach
    moto, their answers are dropped as a timeout does, botocore sends them again. That run ends with a duplicate of
    each (what stranded the stack before); the re-run keeps the ones in use, deletes the others and names them; the
    next re-run changes nothing; destroy.yml deletes everything."""
    ec2, efs = moto_helper.clients(console_moto.endpoint, "ec2", "efs")
    known_hosts = tmp_path / "keys" / f"{PREFIX}.known_hosts"
    pin = {"aws_infra_pin_host_key": True, "aws_infra_host_key_timeout": 60}
    with FaultProxy(console_moto.endpoint, faults=dict.fromkeys(LOST, 1)) as proxy:

        class ThroughProxy:
            endpoint = proxy.endpoint

            def env(self, base=None):
                return moto_helper.aws_env(proxy.endpoint, base)

        run = playbook(ThroughProxy(), tmp_path, "create.yml", "7 create, pinning the host keys, 3 answers lost", pin)
        assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
        assert sorted(proxy.injected) == sorted(LOST)
        for action in LOST:  # botocore sent each call again
            assert proxy.calls.count(action) == 2, (action, proxy.calls)
    vpcs = ec2.describe_vpcs(Filters=stack_filter())["Vpcs"]
    rtbs = ec2.describe_route_tables(Filters=stack_filter())["RouteTables"]
    instances = [
        i["InstanceId"]
        for r in ec2.describe_instances(Filters=stack_filter())["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] == "running"
    ]
    assert (len(vpcs), len(rtbs), len(instances)) == (2, 2, 2)

    recorded = json.loads((tmp_path / "facts.json").read_text())
    eip = recorded["facts"]["aws_infra_eip"]
    assert recorded["facts"]["aws_infra_known_hosts_path"] == str(known_hosts)
    # The inventory host checks host keys against that file only, and never asks.
    args = recorded["host"]["ansible_ssh_common_args"]
    assert f'-o UserKnownHostsFile="{known_hosts}"' in args and "-o StrictHostKeyChecking=yes" in args

    found = subprocess.run(["ssh-keygen", "-F", eip, "-f", str(known_hosts)], capture_output=True, text=True)
    assert found.returncode == 0
    lines = [line for line in found.stdout.splitlines() if line and not line.startswith("#")]
    assert sorted(line.split()[1] for line in lines) == ["ecdsa-sha2-nistp256", "ssh-ed25519"]
    printed = subprocess.run(["ssh-keygen", "-l", "-f", str(known_hosts)], capture_output=True, text=True, check=True)
    for fingerprint in ("SHA256:OLW/05+C+N4japZEDkbRuPoHCTt9a+Vi7aillibyPX0",
                        "SHA256:yL2g12r6VDhvmm4VoF1USoQPCRR0KtBUXNLNYlKeNHc"):  # fmt: skip
        assert fingerprint in printed.stdout and fingerprint in CONSOLE_SAMPLE.read_text()

    content = known_hosts.read_text()
    run = playbook(console_moto, tmp_path, "create.yml", "7 re-run: duplicates deleted, already pinned", pin)
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    (wait,) = run.results("Wait for the host keys in the instance's console output")
    assert wait.get("skipped") is True  # no API call once pinned
    assert known_hosts.read_text() == content
    facts = json.loads((tmp_path / "facts.json").read_text())["facts"]
    assert facts["aws_infra_eip"] == eip
    (said,) = run.results("Say which duplicates of this stack's resources were deleted")
    deleted = {v["VpcId"] for v in vpcs} - {facts["aws_infra_vpc_id"]}
    deleted |= {r["RouteTableId"] for r in rtbs if facts["aws_infra_subnet_id"] not in str(r["Associations"])}
    deleted |= set(instances) - {facts["aws_infra_instance_id"]}
    assert len(deleted) == 3 and all(i in said["msg"] for i in deleted), (deleted, said["msg"])
    left = moto_helper.leftovers(ec2=ec2, efs=efs)
    assert {k: len(v) for k, v in left.items() if k not in ("network_interfaces", "volumes")} == {
        "vpcs": 1, "subnets": 1, "internet_gateways": 1, "route_tables": 2,  # ours and the VPC's main one
        "security_groups": 3, "instances": 1, "elastic_ips": 1, "key_pairs": 1, "file_systems": 1,
        "mount_targets": 1,
    }  # fmt: skip

    run = playbook(console_moto, tmp_path, "create.yml", "7 re-run again: changed=0", pin)
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert run.changed_tasks() == []

    run = playbook(console_moto, tmp_path, "destroy.yml", "7 teardown")
    assert run.rc == 0, run.failure_messages() or run.stderr[-3000:]
    assert subprocess.run(["ssh-keygen", "-F", eip, "-f", str(known_hosts)], capture_output=True).returncode == 1
    assert moto_helper.leftovers(ec2=ec2, efs=efs) == {}


# 8. the expiry timer on a real systemd: the AL2023 stand-in container powers off at the expiry -----------------
def container_state(name: str) -> dict:
    out = subprocess.run(
        ["podman", "inspect", "--format", "{{json .State}}", name], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def wait_stopped(name: str, bound: float) -> dict:
    """Poll the container's state until it is no longer running, within ``bound`` seconds."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        state = container_state(name)
        if not state["Running"]:
            return state
        time.sleep(1)
    raise AssertionError(f"{name} still running after {bound} s: {container_state(name)}")


@pytest.mark.instance_side
def test_8_expiry_timer_powers_the_instance_off_at_its_expiry(tmp_path):
    """roles/aws_infra/tasks/expiry_timer.yml (what ssh.yml runs on the instance over SSH) against the Amazon Linux
    2023 stand-in (systemd as PID 1): the units pass systemd-analyze verify, the timer fires at the expiry (seconds
    away) and the machine powers off by itself, not before. Started again after its expiry, it powers off again
    after the boot grace. Nothing but the container's own systemd acts."""
    from netattest_local.env import AL2023_IMAGE, project_env
    from netattest_local.instance import Instance

    instance = Instance(f"netattest-expiry-{os.getpid()}", moto_helper.free_port(), tmp_path / "efs", AL2023_IMAGE)
    instance.start()
    try:
        ends = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=75)  # the play takes 10-40 s
        expiry = {
            "created_at": (ends - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expires_after": "1h",
            "expires_at": ends.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expires_epoch": int(ends.timestamp()),
        }
        play = [
            {
                "name": "The expiry timer on the stand-in",
                "hosts": instance.name,
                "gather_facts": False,
                "vars": instance.connection_vars() | {"aws_infra_expiry": expiry, "aws_infra_expiry_boot_grace": "5s"},
                "tasks": [
                    {
                        "name": "Expiry timer",
                        "ansible.builtin.include_role": {
                            "name": "netattest.tls_syslog.aws_infra",
                            "tasks_from": "expiry_timer.yml",
                        },
                    }
                ],
            }
        ]
        (tmp_path / "play.json").write_text(json.dumps(play))
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "ansible-playbook"), "-i", f"{instance.name},",
             str(tmp_path / "play.json")],
            cwd=ROOT, env=project_env(ROOT), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        verify = instance.exec("systemd-analyze", "verify", "/etc/systemd/system/netattest-expiry.timer", check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        timer = instance.read("/etc/systemd/system/netattest-expiry.timer")
        assert f"OnCalendar={ends.strftime('%Y-%m-%d %H:%M:%S')} UTC" in timer
        listed = instance.exec("systemctl", "list-timers", "--all", "netattest-expiry.timer").stdout
        assert "netattest-expiry.timer" in listed and "netattest-expiry.service" in listed
        # Run before its time (the timer also fires after boot), the check leaves the machine running.
        instance.exec("systemctl", "start", "netattest-expiry.service")
        said = instance.exec("journalctl", "-u", "netattest-expiry.service", "--no-pager", check=False).stdout
        assert f"expires at {expiry['expires_at']}: not yet" in said, said
        assert container_state(instance.name)["Running"]

        state = wait_stopped(instance.name, bound=75 + 90)
        finished = datetime.fromisoformat(state["FinishedAt"].split(".")[0].replace(" ", "T")[:19])
        assert finished.replace(tzinfo=timezone.utc) >= ends - timedelta(seconds=1), (state["FinishedAt"], ends)

        # Started again after the expiry (from the console, say): it powers off again once the boot grace is over.
        subprocess.run(["podman", "start", instance.name], capture_output=True, check=True)
        started = time.monotonic()
        wait_stopped(instance.name, bound=120)
        assert time.monotonic() - started >= 5
    finally:
        instance.remove()
