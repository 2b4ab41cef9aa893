# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: receiver_state
short_description: What a receiver runs, from the rsyslog_tls role's local fact (or its older listener file)
version_added: 0.2.0
description:
  - The role rsyslog_tls writes its state as the local fact C(netattest_tls_syslog)
    (C(/etc/ansible/facts.d/netattest_tls_syslog.fact)) with the auth mode, permitted peers, front end and why,
    driver, port, config files, TLS files, log files, rsyslog version. This filter returns it from C(ansible_local).
  - On a receiver configured before the role wrote that fact, it returns the same keys read from the listener file
    80-Syslogtls.conf (O(conf)), with the paths the file does not name from O(settings).
  - An empty dict when neither is there (the receiver is not configured yet).
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The host's C(ansible_local) (local facts).
    type: dict
    required: true
  conf:
    description: The text of 80-Syslogtls.conf, for a receiver without the fact (empty when it has none).
    type: str
    default: ""
  settings:
    description: The playbooks' receiver settings (the receiver_settings filter's result), for log paths.
    type: dict
"""

EXAMPLES = r"""
- name: What the receiver runs
  ansible.builtin.set_fact:
    state: "{{ ansible_local | default({}) | netattest.tls_syslog.receiver_state }}"
  # {"auth_mode": "x509/name", "front_end": "stunnel", "port": 6514, ..., "source": "fact"}
"""

RETURN = r"""
_value:
  description: The state (empty when the receiver is not configured).
  type: dict
  contains:
    auth_mode:
      description: C(anon) or C(x509/name).
      type: str
    front_end:
      description: C(rsyslog) or C(stunnel).
      type: str
    front_end_why:
      description: The reason of the choice.
      type: str
    port:
      description: The TLS port.
      type: int
    log_files:
      description: C(onegate), C(verify) (and C(other) from the fact) paths.
      type: dict
    source:
      description: C(fact) or C(config) (the fallback).
      type: str
"""

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._receiver_state import receiver_state


def _receiver_state(local_facts, conf="", settings=None):
    return receiver_state(local_facts, conf=conf, settings=settings)


class FilterModule:
    def filters(self):
        return {"receiver_state": _receiver_state}
