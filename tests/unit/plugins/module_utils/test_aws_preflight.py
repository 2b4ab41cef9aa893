"""Unit tests of plugins/module_utils/_aws_preflight.py (module ec2_capacity_info): against moto in-process for
what moto answers, and against AWS's recorded error answers (botocore's Stubber) for what moto cannot do: refuse a
permission, or refuse Service Quotas."""

from __future__ import annotations


import boto3
import pytest
from botocore.stub import Stubber

from moto import mock_aws

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _aws_preflight as pf

REGION = "ap-northeast-1"


@pytest.fixture
def aws(monkeypatch):
    for var in ("AWS_URL", "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION), boto3.client("service-quotas", region_name=REGION)


def test_offered_zones(aws):
    ec2, _ = aws
    assert pf.offered_zones(ec2, "t2.micro") == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
    # moto's offerings (from AWS's) have g5g.xlarge in 1c and 1d only: what the role's check names
    assert pf.offered_zones(ec2, "g5g.xlarge") == ["ap-northeast-1c", "ap-northeast-1d"]
    assert pf.offered_zones(ec2, "no.such-type") == []
    assert "ap-northeast-1a" in pf.available_zones(ec2)


def test_vpc_and_elastic_ip_room(aws):
    ec2, quotas = aws
    assert pf.vpc_room(ec2, quotas) == (1, 5, "Service Quotas vpc/L-F678F1CE")  # moto's default VPC counts
    ec2.create_vpc(CidrBlock="10.0.0.0/24")
    assert pf.vpc_room(ec2, None) == (2, 5, "AWS's default")
    assert pf.elastic_ip_room(ec2) == (0, 5)
    for _ in range(2):
        ec2.allocate_address(Domain="vpc")
    assert pf.elastic_ip_room(ec2) == (2, 5)


def test_dry_run_allowed_on_moto(aws):
    ec2, _ = aws
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    calls = {
        "CreateInternetGateway": {},
        "CreateKeyPair": {"KeyName": "k"},
        "AllocateAddress": {"Domain": "vpc"},
        "RunInstances": {"ImageId": ami, "InstanceType": "t2.micro", "MinCount": 1, "MaxCount": 1},
    }
    assert pf.dry_run_denied(ec2, calls) == {}
    # Nothing created. (moto's CreateVpc ignores DryRun and creates the VPC: see the next test.)
    assert ec2.describe_internet_gateways()["InternetGateways"] == []
    assert ec2.describe_key_pairs()["KeyPairs"] == [] and pf.elastic_ip_room(ec2)[0] == 0
    assert ec2.describe_instances()["Reservations"] == []


def test_dry_run_ignored_by_the_endpoint_is_undone(aws):
    """moto carries out a DryRun CreateVpc (AWS never does): the VPC it made is deleted at once and the call named;
    the calls that need IDs not made yet answer DryRunOperation first (as AWS), and nothing else is created."""
    ec2, _ = aws
    before = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    ignored = []
    calls = {
        "CreateVpc": {"CidrBlock": "192.168.200.0/24"},
        "CreateSecurityGroup": {"GroupName": "g", "Description": "d", "VpcId": "vpc-0123456789abcdef0"},
        "AttachInternetGateway": {"InternetGatewayId": "igw-0123456789abcdef0", "VpcId": "vpc-0123456789abcdef0"},
    }
    assert pf.dry_run_denied(ec2, calls, ignored) == {}
    assert ignored == ["CreateVpc"]
    assert {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]} == before
    assert [g for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] == "g"] == []


# AWS's answers, as the EC2 API returns them (error code and message of a DryRun without the permission).
DENIED = "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/op is not authorized"


def test_dry_run_denied_and_other_errors_from_recorded_answers():
    ec2 = boto3.client("ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(ec2) as stub:
        stub.add_client_error("create_vpc", "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        stub.add_client_error("allocate_address", "UnauthorizedOperation", DENIED, http_status_code=403)
        stub.add_client_error("create_key_pair", "InvalidParameterValue", "not about permission")
        denied = pf.dry_run_denied(
            ec2,
            {
                "CreateVpc": {"CidrBlock": "10.0.0.0/24"},
                "AllocateAddress": {"Domain": "vpc"},
                "CreateKeyPair": {"KeyName": "k"},
            },
        )
    assert denied == {"AllocateAddress": DENIED}


def test_service_quotas_refused_falls_back_to_the_default_and_says_so():
    ec2 = boto3.client("ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    quotas = boto3.client("service-quotas", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(ec2) as ec2_stub, Stubber(quotas) as quota_stub:
        ec2_stub.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1"}, {"VpcId": "vpc-2"}]})
        quota_stub.add_client_error("get_service_quota", "AccessDeniedException", "no", http_status_code=400)
        assert pf.vpc_room(ec2, quotas) == (
            2,
            5,
            "AWS's default (Service Quotas not readable: AccessDeniedException)",
        )
