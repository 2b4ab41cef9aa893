# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: tls_frontend
short_description: Who terminates the receiver's TLS (rsyslog or stunnel), with which driver, and why
version_added: 0.2.0
description:
  - The rsyslog_tls role's choice of the TLS front end, decided from what the host has, not its OS name.
  - rsyslog before 8.2206.0 (Amazon Linux 2023 ships 8.2204.0) spins at 100 % CPU and stops receiving when one TLS
    client idles after its handshake (amazon-linux-2023 issue 845, fixed upstream by commit 6ffc14fd4). There stunnel
    terminates TLS in both modes and rsyslog reads plain TCP on 127.0.0.1 only.
  - Elsewhere C(anon) is rsyslog's ossl listener (the manual procedure). C(x509/name) is rsyslog with ossl from
    8.2602.0 (rsyslog issue 6350), with gtls where its package can be installed, else stunnel.
  - With a CRL (O(crl)) and x509/name, rsyslog terminates TLS only from 8.2308.0, the first release whose drivers read
    a CRL; before, stunnel does (C(CRLfile)).
  - An override that would put an unsound rsyslog on the port gives a refusal with the reason and the fix.
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The TLS client authentication mode.
    type: str
    choices: [anon, x509/name]
    required: true
  rsyslog_version:
    description: The installed rsyslog version (C(unknown) before it is installed).
    type: str
    required: true
  gtls_installable:
    description: Whether the gtls driver package is installed or can be installed.
    type: bool
    default: false
  driver:
    description: The role's C(rsyslog_tls_driver).
    type: str
    choices: [auto, ossl, gtls]
    default: auto
  mtls_frontend:
    description: The role's C(rsyslog_tls_mtls_frontend).
    type: str
    choices: [auto, rsyslog, stunnel]
    default: auto
  anon_frontend:
    description: The role's C(rsyslog_tls_anon_frontend).
    type: str
    choices: [auto, rsyslog, stunnel]
    default: auto
  accept_ossl_bypass:
    description: The role's C(rsyslog_tls_accept_ossl_permittedpeer_bypass).
    type: bool
    default: false
  gtls_package:
    description: The gtls driver's package name, for the messages.
    type: str
    default: rsyslog-gnutls
  crl:
    description:
      - Whether a certificate revocation list is configured (the role's C(rsyslog_tls_crl_file)). With x509/name,
        rsyslog before 8.2308.0 reads no CRL, so C(auto) chooses stunnel (C(CRLfile)) and an override that puts
        rsyslog on the port is refused.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Choose the front end
  ansible.builtin.set_fact:
    frontend: "{{ 'anon' | netattest.tls_syslog.tls_frontend(rsyslog_version='8.2204.0') }}"
  # {"frontend": "stunnel", "driver": "", "why": "rsyslog 8.2204.0 < 8.2206.0: ...", "refusal": ""}
"""

RETURN = r"""
_value:
  description: The choice.
  type: dict
  contains:
    frontend:
      description: C(rsyslog) or C(stunnel).
      type: str
    driver:
      description: rsyslog's stream driver (C(ossl) or C(gtls)) when rsyslog terminates TLS, else empty.
      type: str
    why:
      description: The reason, citing the upstream issue.
      type: str
    refusal:
      description: Empty, or why the overrides must not be followed and how to fix them (nothing may change then).
      type: str
    warning:
      description: Empty, or the risk that an override accepted (ossl with x509/name before 8.2602.0).
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._tls_frontend import tls_frontend


def _tls_frontend(auth_mode, **options):
    try:
        return tls_frontend(auth_mode, **options)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("tls_frontend: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"tls_frontend": _tls_frontend}
