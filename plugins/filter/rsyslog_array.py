# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rsyslog_array
short_description: Render a list of strings as an rsyslog array literal, safely
version_added: 0.1.0
description:
  - Turns a list of strings into an rsyslog RainerScript array literal such as C(["aws-syslog","syslog-b"]),
    for parameters like C(PermittedPeer).
  - Backslashes and double quotes are escaped. Empty lists, empty strings, non-strings, newlines and other control
    characters are refused with an error, so a peer name can never break or inject into the rsyslog configuration.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The strings, for example the permitted client certificate names.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: PermittedPeer line for the permitted OneGate client certificate names
  ansible.builtin.debug:
    msg: 'PermittedPeer={{ ["aws-syslog", "backup-client"] | netattest.tls_syslog.rsyslog_array }}'
  # PermittedPeer=["aws-syslog","backup-client"]
"""

RETURN = r"""
_value:
  description: The rsyslog array literal.
  type: str
  sample: '["aws-syslog","backup-client"]'
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._rsyslog_array import rsyslog_array


def _rsyslog_array(value):
    try:
        return rsyslog_array(value)
    except ValueError as exc:
        raise AnsibleFilterError("rsyslog_array: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"rsyslog_array": _rsyslog_array}
