# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: receiver_input_problems
short_description: What is wrong with the names and paths the receiver writes into its configuration files
version_added: 0.1.0
description:
  - Checks the variables of the role netattest.tls_syslog.rsyslog_tls that go into rsyslog, logrotate, stunnel and
    systemd files, and returns the list of problems found, each naming the variable, the problem and the fix. An empty
    list means every value means only what it says. The role asserts that the list is empty before it changes anything.
  - Directories (C(rsyslog_tls_dir), C(rsyslog_tls_log_dir)) must be absolute, not C(/), without C(.), C(..) or empty
    components.
  - File names (C(rsyslog_tls_log_file), C(rsyslog_tls_verify_log_file), C(rsyslog_tls_other_log_file)) must be plain
    names (no C(/), not C(.) or C(..)); the group (C(rsyslog_tls_log_group)) a plain group name.
  - In all of these only ASCII letters, digits and C(. _ + -) (and C(/) between the directories of a path) - no quotes,
    spaces, backslashes, control characters, glob characters (logrotate), C(%) or C($) (systemd and rsyslog expand
    them), and no component starting with C(-).
  - Permitted peer names (C(rsyslog_tls_permitted_peers)) are matched by OpenSSL's host check (X509_check_host, which
    stunnel's C(checkHost) uses) and by rsyslog's PermittedPeer. Refused - a leading dot (OpenSSL reads C(.example) as
    any name under C(example)), a trailing dot, an empty label, C(*) unless O(allow_wildcard_peers=true), and spaces,
    C(;), C(#), C(=), quotes, backslashes and control characters.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description:
      - The variables to check, by name, with their values. Known names are C(rsyslog_tls_dir), C(rsyslog_tls_log_dir),
        C(rsyslog_tls_log_file), C(rsyslog_tls_verify_log_file), C(rsyslog_tls_other_log_file),
        C(rsyslog_tls_log_group) and C(rsyslog_tls_permitted_peers); any other name is an error.
    type: dict
    required: true
  allow_wildcard_peers:
    description: Allow C(*) in permitted peer names (it admits every certificate of the CA whose name it matches).
    type: bool
    default: false
  wildcard_option:
    description: The name the messages give for O(allow_wildcard_peers) (the variable a user sets).
    type: str
    default: rsyslog_tls_allow_wildcard_peers
"""

EXAMPLES = r"""
- name: Refuse names and paths that would mean more than they say, before anything changes
  vars:
    problems: >-
      {{ {'rsyslog_tls_dir': rsyslog_tls_dir, 'rsyslog_tls_other_log_file': rsyslog_tls_other_log_file,
          'rsyslog_tls_permitted_peers': rsyslog_tls_permitted_peers}
         | netattest.tls_syslog.receiver_input_problems(allow_wildcard_peers=rsyslog_tls_allow_wildcard_peers) }}
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join(' ') }} Nothing was changed."
  # {'rsyslog_tls_other_log_file': '../../var/log/x'} gives
  # ['rsyslog_tls_other_log_file="../../var/log/x" is not a plain file name: ...']
"""

RETURN = r"""
_value:
  description: The problems found, one message each (the variable, the problem, the fix); empty when all is well.
  type: list
  elements: str
  sample:
    - >-
      rsyslog_tls_permitted_peers item 1 (".example") starts with a dot: OpenSSL's host check (X509_check_host,
      stunnel's checkHost) reads a leading dot as 'any name under example', ...
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._receiver_inputs import receiver_input_problems


def _receiver_input_problems(values, allow_wildcard_peers=False, wildcard_option="rsyslog_tls_allow_wildcard_peers"):
    try:
        allow = boolean(allow_wildcard_peers, strict=True)
        return receiver_input_problems(values, allow_wildcard_peers=allow, wildcard_option=wildcard_option)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("receiver_input_problems: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"receiver_input_problems": _receiver_input_problems}
