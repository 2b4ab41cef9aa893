#!/usr/bin/python
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ec2_console_host_keys
short_description: Read an EC2 instance's SSH host keys from its console output
version_added: 0.1.0
description:
  - Waits until the instance's console output (C(GetConsoleOutput)) holds the block cloud-init prints at first boot
    between C(-----BEGIN SSH HOST KEY KEYS-----) and C(-----END SSH HOST KEY KEYS-----), and returns the keys, so
    that the first SSH connection can check the host key (for example with M(ansible.builtin.known_hosts)) instead
    of accepting whatever key answers.
  - The console output comes from the EC2 API over an authenticated TLS connection, not from the network path that
    SSH will use, so a key read here can be trusted for that host.
  - Each key is checked (its base64 decodes and names its own type). When the output also has cloud-init's
    C(SSH HOST KEY FINGERPRINTS) block, every key's SHA256 fingerprint must be in it, or the module fails.
  - Lines of other programs written in between, and log prefixes before the markers, are tolerated; when the
    blocks appear more than once (a reboot), the last complete one is used.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  instance_id:
    description: The instance.
    type: str
    required: true
  host:
    description: The host name or address the keys are for; RV(known_hosts) is returned when it is set.
    type: str
  wait_timeout:
    description:
      - How many seconds to wait for the block. The console output of a new instance appears a few minutes
        after it starts.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two reads of the console output.
    type: int
    default: 10
notes:
  - The console output only holds the last 64 KB; on an instance that has run for long, the block may have scrolled
    out, and the module times out with a message that says so.
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs the same in check mode.
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
"""

EXAMPLES = r"""
- name: Wait for the host keys the instance printed at first boot
  netattest.tls_syslog.ec2_console_host_keys:
    instance_id: i-0123456789abcdef0
    host: 203.0.113.25
  register: host_keys

- name: Pin them for the Elastic IP
  ansible.builtin.known_hosts:
    path: ~/.ssh/NetAttest-tlsSyslog.known_hosts
    name: 203.0.113.25
    key: "{{ item }}"
  loop: "{{ host_keys.known_hosts }}"
"""

RETURN = r"""
host_keys:
  description: The host keys, in the order printed.
  returned: success
  type: list
  elements: dict
  contains:
    type:
      description: The key type.
      type: str
      sample: ssh-ed25519
    key:
      description: The public key, base64.
      type: str
      sample: AAAAC3NzaC1lZDI1NTE5AAAAIBJ2A7S00mjWTTLbFzWgGOQXASGpQGJD6oSDx7kztSPk
    fingerprint:
      description: Its SHA256 fingerprint, as C(ssh-keygen -l) prints it.
      type: str
      sample: SHA256:yL2g12r6VDhvmm4VoF1USoQPCRR0KtBUXNLNYlKeNHc
known_hosts:
  description: One known_hosts line (C(host type key)) per key.
  returned: when O(host) is set
  type: list
  elements: str
  sample: ["203.0.113.25 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBJ2A7S00mjWTTLbFzWgGOQXASGpQGJD6oSDx7kztSPk"]
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.netattest.tls_syslog.plugins.module_utils._ssh_host_keys import (
    KEYS_BEGIN,
    HostKeyError,
    known_hosts_lines,
    parse_console_host_keys,
)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            host=dict(type="str"),
            wait_timeout=dict(type="int", default=600),
            poll_interval=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    instance_id = module.params["instance_id"]
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    deadline = time.monotonic() + module.params["wait_timeout"]
    seen = 0
    while True:
        try:
            # botocore decodes the base64 Output of GetConsoleOutput.
            result = client.get_console_output(InstanceId=instance_id, aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"could not read the console output of {instance_id}")
        output = result.get("Output") or ""
        seen = len(output)
        try:
            keys = parse_console_host_keys(output)
        except HostKeyError as e:
            module.fail_json(msg=f"console output of {instance_id}: {e}")
        if keys:
            break
        if time.monotonic() >= deadline:
            module.fail_json(
                msg=(
                    f"no complete {KEYS_BEGIN} block in the console output of {instance_id} after "
                    f"{module.params['wait_timeout']} s ({seen} characters of output). cloud-init prints it at first "
                    "boot, and the output appears a few minutes after the start; wait longer (wait_timeout), or, on "
                    "an instance whose output has scrolled past it or an image without cloud-init, pin the host key "
                    "by another trusted path. Nothing was written."
                )
            )
        time.sleep(max(1, module.params["poll_interval"]))
    result = {"changed": False, "host_keys": keys}
    if module.params["host"]:
        result["known_hosts"] = known_hosts_lines(module.params["host"], keys)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
