"""The guard of tests/unit/conftest.py bites: in a unit test, starting a process or using a socket raises."""

import os
import socket
import subprocess
import sys

import pytest

REFUSED = "(tests/unit are pure: no process, container, server or socket); move the test to tests/integration"


@pytest.mark.parametrize(
    "start",
    [
        lambda: subprocess.run(["true"], check=False),
        lambda: subprocess.check_output([sys.executable, "-c", "pass"]),
        lambda: subprocess.Popen(["true"]),
        lambda: os.system("true"),  # noqa: S605 (refused before any shell runs)
        lambda: os.posix_spawn("/bin/true", ["true"], {}),
        lambda: os.fork(),
    ],
    ids=["subprocess.run", "check_output", "Popen", "os.system", "posix_spawn", "fork"],
)
def test_starting_a_process_is_refused(start):
    with pytest.raises(AssertionError, match="must not start a process") as exc:
        start()
    assert REFUSED in str(exc.value)


def test_a_server_is_refused():
    with socket.socket() as s, pytest.raises(AssertionError, match="must not bind a socket"):
        s.bind(("127.0.0.1", 0))
    with socket.socket() as s, pytest.raises(AssertionError, match="must not listen on a socket"):
        s.listen()


def test_a_connection_is_refused():
    with pytest.raises(AssertionError, match="must not connect a socket"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(AssertionError, match="must not send"):
        s.sendto(b"x", ("127.0.0.1", 9))


@pytest.fixture(scope="module")
def module_fixture_result():
    """A module-scoped fixture is set up inside the guard too (the first test's set-up)."""
    try:
        subprocess.run(["true"], check=False)
    except AssertionError as exc:
        return str(exc)
    return "started"


def test_a_module_fixture_is_guarded_too(module_fixture_result):
    assert REFUSED in module_fixture_result
