# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: crl_check
short_description: Check a certificate revocation list against the CA file before it is installed
version_added: 0.2.0
description:
  - The rsyslog_tls role's check of C(rsyslog_tls_crl_file), made before anything changes, like the CA file's.
  - The CRL must parse as an X.509 CRL (PEM or DER), be issued and signed by a certificate of the CA file, and be
    within its validity (thisUpdate <= now < nextUpdate). Each problem names the file, what is wrong and the fix.
  - An expired CRL is refused because stunnel (OpenSSL's chain check with X509_V_FLAG_CRL_CHECK) would refuse every
    client certificate of that CA with it. A CRL whose nextUpdate comes within O(warn_days) gives a warning.
  - Needs the Python cryptography library on the controller (version 36 or later).
author:
  - netattest.tls_syslog developers (@netattest)
options:
  _input:
    description: The CRL file's content, base64-encoded (the C(content) of M(ansible.builtin.slurp)).
    type: str
    required: true
  ca:
    description: The CA file's content, base64-encoded (PEM certificates).
    type: str
    required: true
  crl_path:
    description: The CRL's path, for the messages.
    type: str
    default: rsyslog_tls_crl_file
  ca_path:
    description: The CA file's path, for the messages.
    type: str
    default: rsyslog_tls_ca_file
  warn_days:
    description: Warn when the CRL's nextUpdate is less than this many days away.
    type: int
    default: 7
"""

EXAMPLES = r"""
- name: Check the CRL
  ansible.builtin.set_fact:
    crl: "{{ crl_slurp.content | netattest.tls_syslog.crl_check(ca=ca_slurp.content, crl_path='onegate.crl') }}"
  # {"problems": [], "pem": "-----BEGIN X509 CRL-----...", "warning": "",
  #  "crls": [{"issuer": "CN=...", "this_update": "...", "next_update": "...", "revoked": 1, "days_left": 29.9}]}
"""

RETURN = r"""
_value:
  description: The result of the check.
  type: dict
  contains:
    problems:
      description: What is wrong, one message each with the fix; empty when the CRL may be installed.
      type: list
      elements: str
    pem:
      description: The CRL(s) as PEM text, to install (empty when there are problems).
      type: str
    crls:
      description: Each CRL's issuer, this_update, next_update (ISO 8601, UTC), revoked (count) and days_left.
      type: list
      elements: dict
    warning:
      description: Empty, or the nextUpdate that comes within O(warn_days) days.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.plugin_utils._crl import WARN_DAYS, crl_check


def _crl_check(crl, ca, crl_path="rsyslog_tls_crl_file", ca_path="rsyslog_tls_ca_file", warn_days=WARN_DAYS):
    try:
        return crl_check(crl, ca, crl_path=crl_path, ca_path=ca_path, warn_days=int(warn_days))
    except ImportError as exc:
        raise AnsibleFilterError(
            "crl_check: the Python cryptography library is missing on the controller (%s): install it "
            "(pip install cryptography) to check rsyslog_tls_crl_file" % exc
        ) from exc
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("crl_check: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"crl_check": _crl_check}
