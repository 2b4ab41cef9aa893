# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netattest.tls_syslog developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error of the syslog sender's building blocks (_rfc5424, _onegate_payloads, _tls_client).

Private to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class SyslogSendError(Exception):
    """A problem with the input (bad option, unreadable file): nothing was sent."""
