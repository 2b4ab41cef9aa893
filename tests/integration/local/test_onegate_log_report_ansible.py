"""onegate_log_report run by ansible-core (``ansible`` ad hoc, with the project's Python and, with NETATTEST_PY39 set,
a Python 3.9) on fuzzed lines (tests/lib/netattest_local/onegate_fuzz.py), so that ansible-core's own result handling
(its UTF-8 check, its JSON) is part of the test. The in-process tests are tests/unit/plugins/modules/
test_onegate_log_report_hostile.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _log_report as lr
from netattest_local.onegate_fuzz import assert_all_lines_accounted, assert_result_is_safe, fuzz_file

ROOT = Path(__file__).resolve().parents[3]
# A Python 3.9 to run the fuzz test with too, only when asked for (NETATTEST_PY39=/path/to/python3.9): make test must
# run the same everywhere, and a fresh machine has no 3.9. In make test, Python 3.9 is covered by vermin (lint) and
# the receiver-side run of the module on the AL2023 stand-in (molecule al2023).
PY39 = [p for p in (os.environ.get("NETATTEST_PY39", ""),) if p and os.access(p, os.X_OK)]


def test_fuzzed_lines_through_ansible_core(tmp_path):
    """The module run by ansible-core (ad hoc, local connection), its result taken through ansible-core's own
    handling: with the project's Python, and with a Python 3.9 when NETATTEST_PY39 names one."""
    path = fuzz_file(tmp_path / "local0.log", 2026, 1200)
    hosts = {"py-project": sys.executable}
    if PY39:
        hosts["py39"] = PY39[0]
    inv = tmp_path / "inventory.json"
    inv.write_text(json.dumps({"all": {"hosts": {
        name: {"ansible_connection": "local", "ansible_python_interpreter": python} for name, python in hosts.items()
    }}}))  # fmt: skip
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",  # ad hoc: the json callback, its output one JSON document
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
    )
    ansible = str(Path(sys.executable).with_name("ansible"))
    proc = subprocess.run(
        [ansible, "all", "-i", str(inv), "-m", "netattest.tls_syslog.onegate_log_report", "-a",
         json.dumps({"path": path, "top": 5})],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # the document, without the lines of ansible.cfg's profile_tasks around it
    out, _end = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{\n") :])
    results = out["plays"][0]["tasks"][0]["hosts"]
    assert set(results) == set(hosts), proc.stdout[-2000:]
    for res in results.values():
        assert not res.get("failed") and not res.get("exception"), str(res)[:3000]
    expected = lr.report(path, top=5)
    for res in results.values():
        assert res["lines"] == 1200 and res["events"] == expected["events"]
        assert res["unparsable"]["by_reason"] == expected["unparsable"]["by_reason"]
        assert_all_lines_accounted(res)
        assert_result_is_safe(res)
