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
  - Why this module exists - C(amazon.aws) has no EFS module, and C(community.aws.efs) calls the
    deprecated EFS tag API (C(DescribeTags)/C(CreateTags)) and has no check mode. This module only
    uses the current EFS API (C(CreateFileSystem) with C(Tags), C(TagResource),
    C(DescribeFileSystems), C(CreateMountTarget), C(DescribeMountTargets),
    C(DescribeMountTargetSecurityGroups), C(ModifyMountTargetSecurityGroups), C(DeleteMountTarget),
    C(DeleteFileSystem)) and supports check mode.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  name:
    description:
      - Value of the C(Name) tag of the file system.
      - With O(state=absent), file systems whose C(Name) tag equals O(name) are deleted too, even if
        their creation token differs.
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
  tags:
    description:
      - Additional tags. Missing or different tags are set with C(TagResource); other existing tags
        are kept. The C(Name) tag always comes from O(name).
    type: dict
    default: {}
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
notes:
  - Check mode is supported; in check mode nothing is created or deleted and RV(file_system) shows the
    existing file system (or, when it would be created, the requested settings without an ID).
  - C(--diff) is not supported.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
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

- name: Delete the mount targets, then the file system
  netattest.tls_syslog.efs_file_system:
    name: NetAttest-tlsSyslog-efs
    region: ap-northeast-1
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
"""

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
)

POLL_SECONDS = 2


class EfsError(Exception):
    """A failure with a message for the user."""


def dns_name(file_system_id, region):
    suffix = "amazonaws.com.cn" if region and region.startswith("cn-") else "amazonaws.com"
    return f"{file_system_id}.efs.{region}.{suffix}"


def wanted_tags(name, tags):
    result = {str(k): str(v) for k, v in (tags or {}).items()}
    result["Name"] = name
    return result


def find_file_systems(client, creation_token, name=None):
    """File systems with this creation token, plus (when ``name`` is given) those whose Name tag is ``name``."""
    found = {}
    for fs in client.describe_file_systems(CreationToken=creation_token, aws_retry=True).get("FileSystems", []):
        found[fs["FileSystemId"]] = fs
    if name is not None:
        paginator = client.get_paginator("describe_file_systems")
        for page in paginator.paginate():
            for fs in page.get("FileSystems", []):
                tags = boto3_tag_list_to_ansible_dict(fs.get("Tags", []))
                if fs.get("Name") == name or tags.get("Name") == name:
                    found.setdefault(fs["FileSystemId"], fs)
    return [fs for fs in found.values() if fs.get("LifeCycleState") not in ("deleted",)]


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


def ensure_tags(client, fs, tags, check_mode):
    """Set missing or different tags with TagResource. Returns (changed, new tag dict)."""
    current = boto3_tag_list_to_ansible_dict(fs.get("Tags", []))
    missing = {k: v for k, v in tags.items() if current.get(k) != v}
    if not missing:
        return False, current
    if not check_mode:
        client.tag_resource(ResourceId=fs["FileSystemId"], Tags=ansible_dict_to_boto3_tag_list(missing), aws_retry=True)
    current.update(missing)
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
    tags = wanted_tags(name, params["tags"])
    wait = params["wait"]
    timeout = params["wait_timeout"]
    changed = False

    systems = find_file_systems(client, token)
    if len(systems) > 1:
        raise EfsError(f"more than one file system has the creation token {token!r}")
    if systems:
        fs = systems[0]
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
            return changed, format_file_system(fs, region, mts)
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

    tags_changed, current_tags = ensure_tags(client, fs, tags, check_mode)
    changed |= tags_changed
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
    return changed, format_file_system(fs, region, mts)


def ensure_absent(client, params, check_mode):
    name = params["name"]
    token = params["creation_token"] or name
    wait = params["wait"]
    timeout = params["wait_timeout"]
    deleted = []
    for fs in find_file_systems(client, token, name=name):
        fs_id = fs["FileSystemId"]
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
    return bool(deleted), deleted


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        creation_token=dict(type="str", no_log=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        performance_mode=dict(type="str", choices=["generalPurpose", "maxIO"], default="generalPurpose"),
        throughput_mode=dict(type="str", choices=["bursting", "elastic"], default="bursting"),
        tags=dict(type="dict", default={}),
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
        changed, deleted = ensure_absent(client, params, module.check_mode)
        module.exit_json(changed=changed, file_system={}, deleted_file_system_ids=deleted)
    except EfsError as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="EFS API call failed")


if __name__ == "__main__":
    main()
