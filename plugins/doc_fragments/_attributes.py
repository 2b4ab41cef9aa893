# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: the meaning of each module attribute, said once, for every module of the collection
# (instead of ansible.builtin.action_common_attributes next to it). Each module states its support.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode (C(--check)) and predict whether it would change something, without changing it.
  diff_mode:
    description: Shows what changed (or, in check mode, what would change) when run with C(--diff).
  idempotent:
    description:
      - Run twice in a row with the same arguments (outside check mode), the second run reports no change.
      - This assumes that nothing else changed what the module manages in between.
  platform:
    description: The target platforms this module runs against (an AWS API module runs on the controller).
"""
