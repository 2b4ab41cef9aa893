# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: onegate_log
short_description: Parse a OneGate audit log line as rsyslog stored it
version_added: 0.1.0
description:
  - Takes one line as written by rsyslog with the C(RSYSLOG_FileFormat) template, for example
    C(2025-01-15T07:25:36+00:00 OneGate manager {"log_type":"login_manager",...}), and returns a dictionary with
    the line's timestamp, host and tag, and the fields of OneGate's JSON message.
  - A line whose message is not JSON is not an error; its raw text is kept and RV(_value.error) says why.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: One log line.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Read the received lines
  ansible.builtin.slurp:
    src: /mnt/efs/fs1/local0.log
  register: received

- name: Show log type and user of each line
  ansible.builtin.debug:
    msg: "{{ item.timestamp }} {{ item.log_type }} {{ item.params.username | default('-') }}"
  loop: "{{ (received.content | b64decode).splitlines() | map('netattest.tls_syslog.onegate_log') | list }}"
"""

RETURN = r"""
_value:
  description: The parsed line.
  type: dict
  contains:
    raw:
      description: The line as given, without its line end.
      type: str
    timestamp:
      description: The RFC 3339 timestamp rsyslog wrote.
      type: str
      sample: "2025-01-15T07:25:36+00:00"
    host:
      description: The sender's host name (C(OneGate)).
      type: str
    tag:
      description: The syslog tag (OneGate's app name, for example C(manager)).
      type: str
    message:
      description: The message text after the tag.
      type: str
    is_json:
      description: Whether the message is a JSON object.
      type: bool
    data:
      description: The whole parsed JSON object, or null.
      type: dict
    log_type:
      description: OneGate's C(log_type), for example C(login_manager).
      type: str
    log_level:
      description: OneGate's C(log_level), for example C(INFO).
      type: str
    tenantcode:
      description: OneGate's tenant code.
      type: str
    log_message:
      description: OneGate's C(message) field.
      type: str
    params:
      description: OneGate's C(params) object (code, ip_address, user_agent, username, ...).
      type: dict
    log_timestamp:
      description: OneGate's own C(timestamp) field (milliseconds).
      type: str
    error:
      description: Why the line could not be parsed as a OneGate line, or null.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_log import onegate_log


def _onegate_log(line):
    try:
        return onegate_log(line)
    except ValueError as exc:
        raise AnsibleFilterError("onegate_log: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"onegate_log": _onegate_log}
