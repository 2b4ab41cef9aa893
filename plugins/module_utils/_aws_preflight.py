# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: what an account can tell before anything is created (module ec2_capacity_info).
# Every function takes boto3 clients and only reads; DryRun calls create nothing.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

#: Service Quotas code of "VPCs per Region" (service vpc); AWS's default is 5.
VPC_QUOTA_CODE = "L-F678F1CE"
DEFAULT_VPC_QUOTA = 5

#: EC2 error codes that mean "the credentials may not do this" (DryRun answers DryRunOperation when they may).
DENIED_CODES = ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation")


def _error_code(exc):
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def offered_zones(ec2, instance_type):
    """The availability zones of the client's region that offer ``instance_type`` (sorted)."""
    zones = set()
    kwargs = {
        "LocationType": "availability-zone",
        "Filters": [{"Name": "instance-type", "Values": [instance_type]}],
    }
    while True:
        page = ec2.describe_instance_type_offerings(**kwargs)
        zones.update(o["Location"] for o in page.get("InstanceTypeOfferings", []))
        if not page.get("NextToken"):
            return sorted(zones)
        kwargs["NextToken"] = page["NextToken"]


def available_zones(ec2):
    return sorted(
        z["ZoneName"]
        for z in ec2.describe_availability_zones(
            Filters=[{"Name": "state", "Values": ["available"]}, {"Name": "zone-type", "Values": ["availability-zone"]}]
        )["AvailabilityZones"]
    )


def vpc_room(ec2, quotas):
    """(VPCs in the region, the VPC quota, where the quota comes from). ``quotas`` is a service-quotas client or
    None; when it cannot be read (no permission, no endpoint), AWS's default of 5 is assumed and said."""
    count = 0
    kwargs = {}
    while True:
        page = ec2.describe_vpcs(**kwargs)
        count += len(page.get("Vpcs", []))
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    if quotas is not None:
        try:
            value = quotas.get_service_quota(ServiceCode="vpc", QuotaCode=VPC_QUOTA_CODE)["Quota"]["Value"]
            return count, int(value), "Service Quotas vpc/" + VPC_QUOTA_CODE
        except Exception as exc:  # any failure falls back to the documented default, and says why
            return (
                count,
                DEFAULT_VPC_QUOTA,
                "AWS's default (Service Quotas not readable: %s)" % (_error_code(exc) or type(exc).__name__),
            )
    return count, DEFAULT_VPC_QUOTA, "AWS's default"


def elastic_ip_room(ec2):
    """(Elastic IPs in the region, the account's vpc-max-elastic-ips)."""
    used = len(ec2.describe_addresses(Filters=[{"Name": "domain", "Values": ["vpc"]}]).get("Addresses", []))
    quota = None
    attributes = ec2.describe_account_attributes(AttributeNames=["vpc-max-elastic-ips"])["AccountAttributes"]
    for attribute in attributes:
        if attribute["AttributeName"] == "vpc-max-elastic-ips":
            quota = int(attribute["AttributeValues"][0]["AttributeValue"])
    return used, quota


#: What to delete when an endpoint ignores DryRun and creates (moto 5 does for CreateVpc; AWS never does):
#: call -> (key of the answer, key of the id, the deleting method, its id argument).
IGNORED_DRY_RUN_UNDO = {"CreateVpc": ("Vpc", "VpcId", "delete_vpc", "VpcId")}


def dry_run_denied(ec2, calls, ignored=None):
    """The calls of ``calls`` (name -> keyword arguments) that the credentials may not make, as
    {name: AWS's message}. Each is sent with DryRun=True: AWS answers DryRunOperation when the call would be
    allowed, UnauthorizedOperation when not (it checks the permission before the IDs, so an ID that does not exist
    yet, such as the stack's VPC, may stand in); any other answer is not about permission and is not reported.
    An endpoint that ignores DryRun and creates (moto, for CreateVpc) has what it made deleted at once, and the call
    appended to ``ignored``."""
    denied = {}
    for name, kwargs in calls.items():
        method = getattr(ec2, _snake(name))
        try:
            answer = method(DryRun=True, **kwargs)
        except Exception as exc:  # only the permission answers matter here
            if _error_code(exc) in DENIED_CODES:
                denied[name] = getattr(exc, "response", {}).get("Error", {}).get("Message", str(exc))
            continue
        undo = IGNORED_DRY_RUN_UNDO.get(name)
        if undo and undo[0] in answer:
            getattr(ec2, undo[2])(**{undo[3]: answer[undo[0]][undo[1]]})
        if ignored is not None:
            ignored.append(name)
    return denied


def _snake(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
