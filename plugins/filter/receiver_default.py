# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: receiver_default
short_description: The collection's default for one receiver setting (port, log directory, ...)
version_added: 0.2.0
description:
  - The roles' defaults read the receiver's defaults from the collection's one table
    (plugins/module_utils/_receiver.py), as the playbooks' C(tls_syslog_*) values, syslog_send and sg_ingress_rules do.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The setting.
    type: str
    choices: [port, log_dir, log_file, permitted_peers, auth_mode]
    required: true
"""

EXAMPLES = r"""
rsyslog_tls_port: "{{ 'port' | netattest.tls_syslog.receiver_default }}"  # 6514
"""

RETURN = r"""
_value:
  description: The default (C(port) an int, C(permitted_peers) a list, the others strings; C(auth_mode) null).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.module_utils._receiver import receiver_default


def _receiver_default(setting):
    try:
        return receiver_default(setting)
    except ValueError as exc:
        raise AnsibleFilterError("receiver_default: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"receiver_default": _receiver_default}
