# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: stale_paths
short_description: Which managed files and directories differ from what a run would write
version_added: 0.1.0
description:
  - Compares the C(files) list of one M(ansible.builtin.find) call (with
    O(ansible.builtin.find#module:get_checksum=true) and O(ansible.builtin.find#module:file_type=any)) with the wanted
    state of each managed path, and returns the paths that are missing, of another type, a symbolic link, or differ in
    mode, owner, group or content.
  - The C(netattest.tls_syslog.rsyslog_tls) role uses it to skip, in one remote call, every write that would change
    nothing, so that a re-run on a converged receiver stays fast. Expected checksums come from rendering the templates
    on the controller (V(lookup('ansible.builtin.template', ...\) | hash('sha1'\))).
  - Anything unexpected counts as stale, so the write runs; it never counts as up to date.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The C(files) returned by M(ansible.builtin.find).
    type: list
    elements: dict
    required: true
  wanted:
    description:
      - One entry per managed path, with keys C(path), C(state) (V(file) or V(directory)), C(mode) (for example
        V("0644")), optional C(uid) and C(gid) (default 0), and for a file C(checksum), the SHA-1 of the content.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the managed files in one call
  ansible.builtin.find:
    paths: /etc
    patterns: [rsyslog.conf, local0.conf]
    recurse: true
    depth: 2
    file_type: any
    get_checksum: true
  register: found

- name: Write only what differs
  ansible.builtin.template:
    src: local0.conf.j2
    dest: /etc/rsyslog.d/local0.conf
    mode: "0644"
  when: "'/etc/rsyslog.d/local0.conf' in stale"
  vars:
    stale: >-
      {{ found.files | netattest.tls_syslog.stale_paths([
           {'path': '/etc/rsyslog.d/local0.conf', 'state': 'file', 'mode': '0644',
            'checksum': lookup('ansible.builtin.template', 'local0.conf.j2') | hash('sha1')}]) }}
"""

RETURN = r"""
_value:
  description: The stale paths, in the order of O(wanted); empty when everything is as wanted.
  type: list
  elements: str
  sample: ["/etc/rsyslog.d/local0.conf"]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._stale_paths import stale_paths


def _stale_paths(found, wanted):
    try:
        return stale_paths(found, wanted)
    except ValueError as exc:
        raise AnsibleFilterError("stale_paths: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"stale_paths": _stale_paths}
