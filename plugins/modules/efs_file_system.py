#!/usr/bin/python
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: efs_file_system
short_description: Create or delete an Amazon EFS file system and its mount targets
version_added: 0.1.0
description:
  - Creates an Amazon EFS file system identified by its creation token (idempotent), tags it with a
    C(Name) tag, encrypted at rest by default, and waits until it is C(available).
  - Creates one mount target per listed subnet with the listed security groups and waits until each
    is C(available); changes the security groups of an existing mount target when they differ.
  - With O(state=absent), deletes every mount target of the file system, waits until they are gone,
    then deletes the file system.
  - The file system is found by its creation token only. With O(owner_tags), it must also carry those tags to be
    changed or deleted - a file system with the token but without them belongs to someone else (or predates the
    tags) - unless O(adopt=true).
  - Optionally sets a file system policy that denies every access not made over TLS (O(deny_insecure_transport)).
  - Why this module exists - C(amazon.aws) has no EFS module, and C(community.aws.efs) calls the
    deprecated EFS tag API (C(DescribeTags)/C(CreateTags)) and has no check mode. This module only
    uses the current EFS API (C(CreateFileSystem) with C(Tags), C(TagResource),
    C(DescribeFileSystems), C(CreateMountTarget), C(DescribeMountTargets),
    C(DescribeMountTargetSecurityGroups), C(ModifyMountTargetSecurityGroups), C(DeleteMountTarget),
    C(DeleteFileSystem), C(UntagResource), C(DescribeFileSystemPolicy), C(PutFileSystemPolicy)) and supports check
    mode.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  name:
    description:
      - Value of the C(Name) tag of the file system.
      - The C(Name) tag does not identify the file system (other stacks may use the same name); the creation token
        and O(owner_tags) do.
    type: str
    required: true
  creation_token:
    description:
      - The idempotency token of the file system (at most 64 characters). The file system is found by it.
      - Defaults to O(name).
    type: str
  state:
    description:
      - Whether the file system should exist.
    type: str
    choices: [present, absent]
    default: present
  encrypted:
    description:
      - Encrypt the file system at rest. Encryption cannot be changed after creation; the module
        fails when an existing file system does not match.
    type: bool
    default: true
  kms_key_id:
    description:
      - KMS key for encryption at rest. Default is the AWS managed key C(aws/elasticfilesystem).
      - Only used when the file system is created.
    type: str
  performance_mode:
    description:
      - Performance mode, only used when the file system is created.
    type: str
    choices: [generalPurpose, maxIO]
    default: generalPurpose
  throughput_mode:
    description:
      - Throughput mode, only used when the file system is created.
    type: str
    choices: [bursting, elastic]
    default: bursting
  owner_tags:
    description:
      - Tags that mark the file system as the caller's (for example a stack identity). They are added to the tags
        of a file system this module creates.
      - The C(Name) tag from O(name) and these tags are always ensured, whatever O(tags) and O(purge_tags) say.
      - With O(state=present), an existing file system found by the creation token that lacks any of them fails
        the module (nothing is changed), unless O(adopt=true), which adds them.
      - With O(state=absent), such a file system is left alone and reported in RV(kept_file_system_ids), unless
        O(adopt=true).
    type: dict
    default: {}
  adopt:
    description:
      - Treat a file system found by the creation token as the caller's even when it lacks O(owner_tags)
        (O(state=present) adds them). For file systems made before O(owner_tags) were used.
    type: bool
    default: false
  deny_insecure_transport:
    description:
      - Ensure the file system policy has a statement (Sid C(DenyInsecureTransport)) that denies every action to
        every principal when C(aws:SecureTransport) is false, so that only TLS mounts (mount option C(tls)) work.
        Other statements of an existing policy are kept.
      - When V(false), the policy is not touched.
    type: bool
    default: false
  mount_targets:
    description:
      - Mount targets to ensure, one per subnet. Ignored when O(state=absent).
    type: list
    elements: dict
    default: []
    suboptions:
      subnet_id:
        description: The subnet of the mount target.
        type: str
        required: true
      security_groups:
        description:
          - Security group IDs of the mount target (at most 5). When empty, AWS uses the VPC default group
            on creation and an existing mount target keeps its groups.
        type: list
        elements: str
        default: []
      ip_address:
        description: A fixed private address for the mount target, only used on creation.
        type: str
  purge_mount_targets:
    description:
      - Delete mount targets of the file system in subnets not listed in O(mount_targets).
    type: bool
    default: false
  wait:
    description:
      - Wait until the file system and mount targets are C(available) (or gone, for O(state=absent)).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, in total per resource.
    type: int
    default: 600
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created, changed or deleted; RV(file_system) shows the existing file system with the changes
        that would be made (or, when it would be created, the requested settings without an ID).
  diff_mode:
    support: none
  idempotent:
    support: full
  platform:
    support: full
    platforms: all
extends_documentation_fragment:
  - netattest.tls_syslog._attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - amazon.aws.tags
"""

EXAMPLES = r"""
- name: EFS for the syslog receiver, mounted from one subnet
  netattest.tls_syslog.efs_file_system:
    name: NetAttest-tlsSyslog-efs
    region: ap-northeast-1
    mount_targets:
      - subnet_id: subnet-0123456789abcdef0
        security_groups: [sg-0123456789abcdef0]
  register: efs

- name: Show the DNS name used in /etc/fstab
  ansible.builtin.debug:
    msg: "{{ efs.file_system.dns_name }}:/ /mnt/efs/fs1 efs _netdev,tls 0 0"

- name: Only this stack's file system, reachable over TLS only
  netattest.tls_syslog.efs_file_system:
    name: NetAttest-tlsSyslog-efs
    region: ap-northeast-1
    owner_tags:
      "netattest:stack": NetAttest-tlsSyslog
      "netattest:stack-id": 3f2a9c0d1e
    deny_insecure_transport: true

- name: Delete the mount targets, then the file system (only if it carries the owner tags)
  netattest.tls_syslog.efs_file_system:
    name: NetAttest-tlsSyslog-efs
    region: ap-northeast-1
    owner_tags:
      "netattest:stack-id": 3f2a9c0d1e
    state: absent
"""

RETURN = r"""
file_system:
  description:
    - The file system after the change. Empty when O(state=absent).
    - In check mode, when the file system would be created, only the requested settings (no ID).
  returned: always
  type: dict
  contains:
    file_system_id:
      description: The ID of the file system.
      type: str
      returned: when the file system exists
      sample: fs-0123456789abcdef0
    file_system_arn:
      description: The ARN of the file system.
      type: str
      returned: when the file system exists
      sample: arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-0123456789abcdef0
    creation_token:
      description: The creation token.
      type: str
      returned: always
      sample: NetAttest-tlsSyslog-efs
    name:
      description: The C(Name) tag.
      type: str
      returned: always
      sample: NetAttest-tlsSyslog-efs
    dns_name:
      description: The DNS name to mount (C(<file_system_id>.efs.<region>.amazonaws.com)).
      type: str
      returned: when the file system exists
      sample: fs-0123456789abcdef0.efs.ap-northeast-1.amazonaws.com
    encrypted:
      description: Whether the file system is encrypted at rest.
      type: bool
      returned: always
      sample: true
    kms_key_id:
      description: The KMS key used for encryption at rest.
      type: str
      returned: when the file system is encrypted and exists
    life_cycle_state:
      description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
      type: str
      returned: when the file system exists
      sample: available
    performance_mode:
      description: The performance mode.
      type: str
      returned: always
      sample: generalPurpose
    throughput_mode:
      description: The throughput mode.
      type: str
      returned: always
      sample: bursting
    tags:
      description: The tags of the file system.
      type: dict
      returned: always
      sample: {"Name": "NetAttest-tlsSyslog-efs"}
    policy:
      description: The file system policy, parsed. Empty when it has none.
      type: dict
      returned: when O(deny_insecure_transport=true)
      sample: {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny"}]}
    mount_targets:
      description: The mount targets of the file system.
      type: list
      elements: dict
      returned: always
      contains:
        mount_target_id:
          description: The ID of the mount target.
          type: str
          sample: fsmt-0123456789abcdef0
        subnet_id:
          description: Its subnet.
          type: str
        availability_zone_name:
          description: Its availability zone.
          type: str
          sample: ap-northeast-1a
        ip_address:
          description: Its private address.
          type: str
        network_interface_id:
          description: Its network interface.
          type: str
        life_cycle_state:
          description: Its state.
          type: str
          sample: available
        security_groups:
          description: The security group IDs of its network interface.
          type: list
          elements: str
deleted_file_system_ids:
  description: IDs of the file systems deleted (or that would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [fs-0123456789abcdef0]
kept_file_system_ids:
  description: IDs of file systems with the creation token that were left alone because they lack O(owner_tags).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: []
"""

import json
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)

POLL_SECONDS = 2
TLS_SID = "DenyInsecureTransport"


class EfsError(Exception):
    """A failure with a message for the user."""


def dns_name(file_system_id, region):
    suffix = "amazonaws.com.cn" if region and region.startswith("cn-") else "amazonaws.com"
    return f"{file_system_id}.efs.{region}.{suffix}"


def wanted_tags(name, tags, owner_tags=None):
    result = {str(k): str(v) for k, v in (tags or {}).items()}
    result.update({str(k): str(v) for k, v in (owner_tags or {}).items()})
    result["Name"] = name
    return result


def find_file_systems(client, creation_token):
    """File systems with this creation token (the Name tag is no identity: another stack may share it)."""
    found = client.describe_file_systems(CreationToken=creation_token, aws_retry=True).get("FileSystems", [])
    return [fs for fs in found if fs.get("LifeCycleState") not in ("deleted",)]


def missing_owner_tags(fs, owner_tags):
    """The owner tags ``fs`` lacks (or carries with another value), as a sorted list of keys."""
    current = boto3_tag_list_to_ansible_dict(fs.get("Tags", []))
    return sorted(k for k, v in (owner_tags or {}).items() if current.get(str(k)) != str(v))


def tls_statement(file_system_arn):
    return {
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Resource": file_system_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def describe_policy(client, file_system_id):
    try:
        result = client.describe_file_system_policy(FileSystemId=file_system_id, aws_retry=True)
    except is_boto3_error_code("PolicyNotFound"):
        return {}
    return json.loads(result.get("Policy") or "{}")


def ensure_tls_policy(client, fs, check_mode):
    """Add (or correct) the deny-without-TLS statement, keeping other statements. Returns (changed, policy)."""
    current = describe_policy(client, fs["FileSystemId"]) if fs.get("FileSystemId") else {}
    wanted_statement = tls_statement(fs.get("FileSystemArn", ""))
    statements = current.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if [st for st in statements if st.get("Sid") == TLS_SID] == [wanted_statement]:
        return False, current
    policy = {
        "Version": current.get("Version", "2012-10-17"),
        "Statement": [st for st in statements if st.get("Sid") != TLS_SID] + [wanted_statement],
    }
    if not check_mode:
        client.put_file_system_policy(FileSystemId=fs["FileSystemId"], Policy=json.dumps(policy), aws_retry=True)
    return True, policy


def describe_file_system(client, file_system_id):
    try:
        result = client.describe_file_systems(FileSystemId=file_system_id, aws_retry=True)
    except is_boto3_error_code("FileSystemNotFound"):
        return None
    systems = result.get("FileSystems", [])
    return systems[0] if systems else None


def describe_mount_targets(client, file_system_id):
    try:
        result = client.describe_mount_targets(FileSystemId=file_system_id, aws_retry=True)
    except is_boto3_error_code("FileSystemNotFound"):
        return []
    targets = []
    for mt in result.get("MountTargets", []):
        if mt.get("LifeCycleState") == "deleted":
            continue
        mt = dict(mt)
        try:
            groups = client.describe_mount_target_security_groups(MountTargetId=mt["MountTargetId"], aws_retry=True)
            mt["SecurityGroups"] = sorted(groups.get("SecurityGroups", []))
        except is_boto3_error_code("MountTargetNotFound"):
            continue
        targets.append(mt)
    return targets


def wait_for(check, timeout, what):
    """Call ``check()`` until it returns a true value; raise EfsError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise EfsError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(POLL_SECONDS)


def wait_file_system_available(client, file_system_id, timeout):
    def check():
        fs = describe_file_system(client, file_system_id)
        if fs is None:
            raise EfsError(f"file system {file_system_id} disappeared while waiting for it")
        if fs["LifeCycleState"] == "error":
            raise EfsError(f"file system {file_system_id} is in state error")
        return fs if fs["LifeCycleState"] == "available" else None

    return wait_for(check, timeout, f"file system {file_system_id} to be available")


def wait_mount_target_available(client, file_system_id, mount_target_id, timeout):
    def check():
        for mt in client.describe_mount_targets(FileSystemId=file_system_id, aws_retry=True).get("MountTargets", []):
            if mt["MountTargetId"] == mount_target_id:
                if mt["LifeCycleState"] == "error":
                    raise EfsError(f"mount target {mount_target_id} is in state error")
                return mt["LifeCycleState"] == "available"
        raise EfsError(f"mount target {mount_target_id} disappeared while waiting for it")

    wait_for(check, timeout, f"mount target {mount_target_id} to be available")


def wait_mount_targets_gone(client, file_system_id, timeout):
    wait_for(
        lambda: not describe_mount_targets(client, file_system_id),
        timeout,
        f"the mount targets of {file_system_id} to be deleted",
    )


def wait_file_system_gone(client, file_system_id, timeout):
    wait_for(
        lambda: describe_file_system(client, file_system_id) is None,
        timeout,
        f"file system {file_system_id} to be deleted",
    )


def format_mount_target(mt):
    return {
        "mount_target_id": mt.get("MountTargetId"),
        "subnet_id": mt.get("SubnetId"),
        "availability_zone_name": mt.get("AvailabilityZoneName"),
        "ip_address": mt.get("IpAddress"),
        "network_interface_id": mt.get("NetworkInterfaceId"),
        "life_cycle_state": mt.get("LifeCycleState"),
        "security_groups": list(mt.get("SecurityGroups", [])),
    }


def format_file_system(fs, region, mount_targets):
    tags = boto3_tag_list_to_ansible_dict(fs.get("Tags", []))
    result = {
        "file_system_id": fs.get("FileSystemId"),
        "file_system_arn": fs.get("FileSystemArn"),
        "creation_token": fs.get("CreationToken"),
        "name": fs.get("Name", tags.get("Name")),
        "encrypted": bool(fs.get("Encrypted", False)),
        "life_cycle_state": fs.get("LifeCycleState"),
        "performance_mode": fs.get("PerformanceMode"),
        "throughput_mode": fs.get("ThroughputMode"),
        "tags": tags,
        "mount_targets": [format_mount_target(mt) for mt in mount_targets],
    }
    for key in ("file_system_id", "file_system_arn", "life_cycle_state"):
        if result[key] is None:
            del result[key]
    if fs.get("FileSystemId"):
        result["dns_name"] = dns_name(fs["FileSystemId"], region)
    if fs.get("KmsKeyId"):
        result["kms_key_id"] = fs["KmsKeyId"]
    return result


def ensure_tags(client, fs, tags, purge_tags, check_mode):
    """amazon.aws tag semantics: set missing or different tags; with ``purge_tags``, remove the others (never
    ``aws:`` keys). Returns (changed, new tag dict)."""
    current = boto3_tag_list_to_ansible_dict(fs.get("Tags", []))
    to_set, to_unset = compare_aws_tags(current, tags, purge_tags=purge_tags)
    if not to_set and not to_unset:
        return False, current
    if not check_mode:
        if to_unset:
            client.untag_resource(ResourceId=fs["FileSystemId"], TagKeys=to_unset, aws_retry=True)
        if to_set:
            client.tag_resource(
                ResourceId=fs["FileSystemId"], Tags=ansible_dict_to_boto3_tag_list(to_set), aws_retry=True
            )
    current = {k: v for k, v in current.items() if k not in to_unset}
    current.update(to_set)
    return True, current


def ensure_mount_targets(client, file_system_id, wanted, purge, check_mode, wait, timeout):
    """Make the mount targets match ``wanted``. Returns (changed, list of mount target dicts)."""
    changed = False
    existing = {mt["SubnetId"]: mt for mt in describe_mount_targets(client, file_system_id)}
    result = []
    wanted_subnets = set()
    for spec in wanted:
        subnet_id = spec["subnet_id"]
        wanted_subnets.add(subnet_id)
        groups = sorted(set(spec.get("security_groups") or []))
        mt = existing.get(subnet_id)
        if mt is None:
            changed = True
            if check_mode:
                result.append({"SubnetId": subnet_id, "SecurityGroups": groups})
                continue
            params = {"FileSystemId": file_system_id, "SubnetId": subnet_id}
            if groups:
                params["SecurityGroups"] = groups
            if spec.get("ip_address"):
                params["IpAddress"] = spec["ip_address"]
            created = client.create_mount_target(aws_retry=True, **params)
            if wait:
                wait_mount_target_available(client, file_system_id, created["MountTargetId"], timeout)
            mt = {m["MountTargetId"]: m for m in describe_mount_targets(client, file_system_id)}[
                created["MountTargetId"]
            ]
        elif groups and groups != mt.get("SecurityGroups"):
            changed = True
            if not check_mode:
                client.modify_mount_target_security_groups(
                    MountTargetId=mt["MountTargetId"], SecurityGroups=groups, aws_retry=True
                )
            mt = dict(mt, SecurityGroups=groups)
        result.append(mt)
    if purge:
        stale = [mt for subnet, mt in existing.items() if subnet not in wanted_subnets]
        for mt in stale:
            changed = True
            if not check_mode:
                client.delete_mount_target(MountTargetId=mt["MountTargetId"], aws_retry=True)
        if stale and wait and not check_mode:
            wait_for(
                lambda: not ({mt["MountTargetId"] for mt in stale} & mt_ids(client, file_system_id)),
                timeout,
                f"stale mount targets of {file_system_id} to be deleted",
            )
    return changed, result


def mt_ids(client, file_system_id):
    return {mt["MountTargetId"] for mt in describe_mount_targets(client, file_system_id)}


def ensure_present(client, params, region, check_mode):
    name = params["name"]
    token = params["creation_token"] or name
    owner_tags = params["owner_tags"]
    # Without ``tags``, only Name and the owner tags are ensured and nothing is purged (amazon.aws semantics).
    tags = wanted_tags(name, params["tags"], owner_tags)
    purge_tags = params["purge_tags"] and params["tags"] is not None
    wait = params["wait"]
    timeout = params["wait_timeout"]
    changed = False

    systems = find_file_systems(client, token)
    if len(systems) > 1:
        raise EfsError(f"more than one file system has the creation token {token!r}")
    if systems:
        fs = systems[0]
        missing = missing_owner_tags(fs, owner_tags)
        if missing and not params["adopt"]:
            raise EfsError(
                f"file system {fs['FileSystemId']} has the creation token {token!r} but not the owner tag(s) "
                f"{', '.join(missing)} of this stack: it belongs to another stack or was made before these tags. "
                "Nothing was changed. Use another creation token for a file system of this stack, or adopt this one "
                "(adopt=true) if it really is this stack's"
            )
        if bool(fs.get("Encrypted")) != params["encrypted"]:
            raise EfsError(
                f"file system {fs['FileSystemId']} exists with encrypted={bool(fs.get('Encrypted'))}; "
                "encryption at rest cannot be changed after creation"
            )
    else:
        changed = True
        if check_mode:
            fs = {
                "CreationToken": token,
                "Name": name,
                "Encrypted": params["encrypted"],
                "PerformanceMode": params["performance_mode"],
                "ThroughputMode": params["throughput_mode"],
                "Tags": ansible_dict_to_boto3_tag_list(tags),
            }
            mts = [
                {"SubnetId": mt["subnet_id"], "SecurityGroups": sorted(set(mt.get("security_groups") or []))}
                for mt in params["mount_targets"]
            ]
            result = format_file_system(fs, region, mts)
            if params["deny_insecure_transport"]:
                result["policy"] = {"Version": "2012-10-17", "Statement": [tls_statement("")]}
            return changed, result
        create = {
            "CreationToken": token,
            "PerformanceMode": params["performance_mode"],
            "ThroughputMode": params["throughput_mode"],
            "Encrypted": params["encrypted"],
            "Tags": ansible_dict_to_boto3_tag_list(tags),
        }
        if params["encrypted"] and params["kms_key_id"]:
            create["KmsKeyId"] = params["kms_key_id"]
        fs = client.create_file_system(aws_retry=True, **create)

    if wait and not check_mode and fs.get("LifeCycleState") != "available":
        fs = wait_file_system_available(client, fs["FileSystemId"], timeout)

    tags_changed, current_tags = ensure_tags(client, fs, tags, purge_tags, check_mode)
    changed |= tags_changed
    policy = None
    if params["deny_insecure_transport"]:
        policy_changed, policy = ensure_tls_policy(client, fs, check_mode)
        changed |= policy_changed
    fs = dict(fs, Tags=ansible_dict_to_boto3_tag_list(current_tags), Name=current_tags.get("Name"))

    mt_changed, mts = ensure_mount_targets(
        client,
        fs["FileSystemId"],
        params["mount_targets"],
        params["purge_mount_targets"],
        check_mode,
        wait,
        timeout,
    )
    changed |= mt_changed
    if changed and not check_mode:
        fs = dict(describe_file_system(client, fs["FileSystemId"]) or fs)
        fs["Tags"] = ansible_dict_to_boto3_tag_list(current_tags)
    result = format_file_system(fs, region, mts)
    if policy is not None:
        result["policy"] = policy
    return changed, result


def ensure_absent(client, params, check_mode):
    name = params["name"]
    token = params["creation_token"] or name
    wait = params["wait"]
    timeout = params["wait_timeout"]
    deleted = []
    kept = []
    for fs in find_file_systems(client, token):
        fs_id = fs["FileSystemId"]
        if missing_owner_tags(fs, params["owner_tags"]) and not params["adopt"]:
            kept.append(fs_id)  # someone else's: never deleted
            continue
        deleted.append(fs_id)
        if check_mode:
            continue
        targets = describe_mount_targets(client, fs_id)
        for mt in targets:
            try:
                client.delete_mount_target(MountTargetId=mt["MountTargetId"], aws_retry=True)
            except is_boto3_error_code("MountTargetNotFound"):
                pass
        # DeleteFileSystem fails with FileSystemInUse until every mount target is gone.
        if targets:
            wait_mount_targets_gone(client, fs_id, timeout)
        try:
            client.delete_file_system(FileSystemId=fs_id, aws_retry=True)
        except is_boto3_error_code("FileSystemNotFound"):
            continue
        if wait:
            wait_file_system_gone(client, fs_id, timeout)
    return bool(deleted), deleted, kept


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        creation_token=dict(type="str", no_log=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        performance_mode=dict(type="str", choices=["generalPurpose", "maxIO"], default="generalPurpose"),
        throughput_mode=dict(type="str", choices=["bursting", "elastic"], default="bursting"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        owner_tags=dict(type="dict", default={}),
        adopt=dict(type="bool", default=False),
        deny_insecure_transport=dict(type="bool", default=False),
        mount_targets=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                subnet_id=dict(type="str", required=True),
                security_groups=dict(type="list", elements="str", default=[]),
                ip_address=dict(type="str"),
            ),
        ),
        purge_mount_targets=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["creation_token"] is not None and not 1 <= len(params["creation_token"]) <= 64:
        module.fail_json(msg="creation_token must be 1 to 64 characters long")
    client = module.client(
        "efs", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException"])
    )

    try:
        if params["state"] == "present":
            changed, fs = ensure_present(client, params, module.region, module.check_mode)
            module.exit_json(changed=changed, file_system=fs)
        changed, deleted, kept = ensure_absent(client, params, module.check_mode)
        module.exit_json(changed=changed, file_system={}, deleted_file_system_ids=deleted, kept_file_system_ids=kept)
    except EfsError as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="EFS API call failed")


if __name__ == "__main__":
    main()
