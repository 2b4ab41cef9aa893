# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: receiver_settings
short_description: The receiver's one set of settings, from tls_syslog_* and the roles' own variables
version_added: 0.2.0
description:
  - The playbooks take one set of C(tls_syslog_*) values (port, log directory and file, permitted peers, auth mode)
    and map them onto the roles' variables in one place (playbooks/tasks/receiver_settings.yml), so that the security
    group, the listener, the proof, the summary and the report cannot disagree.
  - A setting comes from C(tls_syslog_<setting>), else from the one role variable set for it (which is then followed
    everywhere), else from the collection's default.
  - Two variables of one setting set to different values (C(tls_syslog_port=16514) and C(rsyslog_tls_port=6514),
    or C(aws_infra_syslog_port) and C(rsyslog_tls_port)) are refused, naming both, before anything changes.
  - "The settings and the role variables that carry them: port (C(aws_infra_syslog_port), C(rsyslog_tls_port),
    C(prove_delivery_port)); log_dir (C(rsyslog_tls_log_dir), C(aws_infra_efs_mount_point)); log_file
    (C(rsyslog_tls_log_file)); permitted_peers (C(rsyslog_tls_permitted_peers)); auth_mode (C(rsyslog_tls_auth_mode))."
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description:
      - The variables the user set, without the roles' defaults, such as C(hostvars[inventory_hostname]) before any
        role of the play ran.
    type: dict
    required: true
  controller:
    description:
      - The settings already resolved on the controller (the play that made the AWS resources); a port or log
        directory that differs from them is refused.
    type: dict
"""

EXAMPLES = r"""
- name: One set of receiver settings
  ansible.builtin.set_fact:
    tls_syslog: "{{ hostvars[inventory_hostname] | netattest.tls_syslog.receiver_settings }}"
  # {"port": 6514, "log_dir": "/mnt/efs/fs1", "log_file": "local0.log", "log_path": "/mnt/efs/fs1/local0.log",
  #  "permitted_peers": ["aws-syslog"], "auth_mode": null}
"""

RETURN = r"""
_value:
  description: One value per setting.
  type: dict
  contains:
    port:
      description: The TLS syslog port (the security group's rule, the listener, the proof).
      type: int
    log_dir:
      description: Where the received messages are written (the EFS mount point), without a trailing slash.
      type: str
    log_file:
      description: OneGate's file in O(log_dir).
      type: str
    log_path:
      description: O(log_dir)/O(log_file).
      type: str
    permitted_peers:
      description: The client certificate names mutual TLS admits.
      type: list
      elements: str
    auth_mode:
      description: C(anon), C(x509/name), or null (keep the receiver's mode).
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import VARIABLES, receiver_settings


def _receiver_settings(variables, controller=None):
    given = {name: variables[name] for name in VARIABLES if name in variables}
    try:
        return receiver_settings(given, controller=controller or None)
    except ValueError as exc:
        raise AnsibleFilterError("receiver_settings: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"receiver_settings": _receiver_settings}
