"""Run a module through its real entry point (main()) with patched module args, as Ansible would."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args


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
