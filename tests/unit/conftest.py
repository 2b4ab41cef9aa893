"""pytest set-up of the unit tests, which are pure: they start no process, container or server and open no socket
(`make check` runs them in its 2-minute loop; whatever does, is under tests/integration). The guard below makes every
way of starting a process, and binding, connecting or listening on a socket, raise in a unit test: in its set-up
(module fixtures too), its call, its tear-down and its module's import. Also the run_module fixture."""

import json
import os
import socket
import subprocess

import pytest
from ansible.module_utils.testing import patch_module_args

# Imported here, before the guard: at import, ansible's display asks ctypes.util.find_library for libc, which runs
# ldconfig (a process the library starts once, not the test).
import ansible.utils.display  # noqa: F401


class NotAPureUnitTest(AssertionError):
    """A unit test started a process or used a socket."""


def _refuse(what):
    def refuse(*args, **kwargs):
        raise NotAPureUnitTest(
            "a unit test must not %s (tests/unit are pure: no process, container, server or socket); "
            "move the test to tests/integration" % what
        )

    return refuse


# (owner, attribute, what it does): every path to a new process ends in one of these, every network use in a socket.
_GUARDED = [
    (subprocess.Popen, "_execute_child", "start a process"),  # subprocess.run, check_output, call, Popen
    (os, "system", "start a process"),
    (os, "popen", "start a process"),
    (os, "fork", "start a process"),
    (os, "forkpty", "start a process"),
    (os, "posix_spawn", "start a process"),
    (os, "posix_spawnp", "start a process"),
    *((os, name, "start a process") for name in ("execv", "execve", "execvp", "execvpe", "execl", "execlp")),
    *((os, name, "start a process") for name in ("spawnv", "spawnve", "spawnvp", "spawnvpe")),
    (socket.socket, "bind", "bind a socket (a server)"),
    (socket.socket, "listen", "listen on a socket (a server)"),
    (socket.socket, "connect", "connect a socket"),
    (socket.socket, "connect_ex", "connect a socket"),
    (socket.socket, "sendto", "send on a socket"),
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with pytest.MonkeyPatch.context() as mp:
        for owner, name, what in _GUARDED:
            if hasattr(owner, name):
                mp.setattr(owner, name, _refuse(what))
        yield


pytest_runtest_call = pytest_runtest_setup
pytest_runtest_teardown = pytest_runtest_setup


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    with pytest.MonkeyPatch.context() as mp:
        if isinstance(collector, pytest.Module):
            for owner, name, what in _GUARDED:
                if hasattr(owner, name):
                    mp.setattr(owner, name, _refuse(what))
        yield


@pytest.fixture
def run_module(capsys):
    """run_module(main, args, check_mode=False, diff=False) -> (failed, result dict)."""

    def _run(main, args, check_mode=False, diff=False):
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        capsys.readouterr()
        with patch_module_args(args), pytest.raises(SystemExit) as exc:
            main()
        out = capsys.readouterr().out
        result = json.loads(out)
        failed = bool(result.get("failed")) or exc.value.code not in (0, None)
        return failed, result

    return _run
