"""The pytest fixtures shared by the tests (tests/conftest.py imports them; the helpers themselves are plain classes in
this package, for `make demo` and the benchmarks too): one moto server, one rsyslogd, one test PKI."""

from __future__ import annotations

import pytest

from .moto import MotoServer
from .rsyslogd import rsyslogd_started


@pytest.fixture(scope="module")
def moto_server():
    """A real moto_server on 127.0.0.1 (a port from the kernel), one per test module; stopped after it."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def rsyslogd_factory(tmp_path):
    """``start(pki, authmode="anon", permitted=(), driver="ossl")`` -> a running netattest_local.rsyslogd.Rsyslogd
    in a directory under the test's tmp_path (its port from the kernel); every one is stopped after the test."""
    with rsyslogd_started(tmp_path / "rsyslogd") as start:
        yield start
