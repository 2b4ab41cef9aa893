# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: onegate_kinds
short_description: OneGate's forwarded log kinds, from the collection's one table
version_added: 0.2.0
description:
  - The five kinds OneGate forwards, in the order of its forwarding form (転送するログ), from the one table the
    payloads, syslog_send's O(netattest.tls_syslog.syslog_send#module:kind) choices and the report's login kinds use.
  - With an attribute name as input, the list of that attribute; with an empty string, the rows as dicts.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: An attribute of the rows, or an empty string for the whole rows.
    type: str
    choices: ["", kind, log_type, message, login, label_ja, label_en, label, failure_message]
    required: true
"""

EXAMPLES = r"""
- name: The five kinds, as syslog_send names them
  ansible.builtin.debug:
    msg: "{{ 'kind' | netattest.tls_syslog.onegate_kinds }}"
  # [admin_login, user_login, sso_access, cert_issue, sync]
"""

RETURN = r"""
_value:
  description:
    - The attribute of each row, or the rows (C(kind), C(log_type), C(message), C(login), C(label_ja), C(label_en),
      C(label), the form's label in Japanese with the English in brackets, C(failure_message)).
  type: list
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.module_utils._onegate_kinds import table


def _onegate_kinds(attribute=""):
    rows = table()
    if not attribute:
        return rows
    if attribute not in rows[0]:
        raise AnsibleFilterError("onegate_kinds: no attribute %r; expected one of %s" % (attribute, ", ".join(rows[0])))
    return [row[attribute] for row in rows]


class FilterModule:
    def filters(self):
        return {"onegate_kinds": _onegate_kinds}
