"""The report of a real receiver, from end to end, and its page in a real browser.

1. A real rsyslogd on 127.0.0.1 (TLS, the ossl driver; local0 to a file in RSYSLOG_FileFormat, as the role stores
   it): the tests' one rsyslogd fixture (tests/lib/netattest_local/rsyslogd.py).
2. Messages sent over TLS with the collection's own sender (what syslog_send uses): the five
   kinds, failed logins, the delivery proof's test records, text that is not JSON, and log fields that carry HTML and
   script. A fence message sent last is waited for in the stored file.
3. playbooks/report.yml run with ansible-playbook against that file (the receiver is localhost): the module's
   counts must be exactly what was sent.
4. The page opened in headless Chromium (Debian's chromium): no console message at all (a broken page is shown to be
   caught by the same check), the chart laid out with a non-zero size, the page's numbers equal to the module's, the
   script from the logs shown as text and never run. A screenshot is saved under .cache/test-report/ (path printed).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from netattest_local import pki as certs
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _onegate_payloads, _rfc5424, _tls_client

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".cache" / "test-report"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
XSS_USER = '<script>document.title="pwned-user"</script>'
XSS_MESSAGE = '<img src=x id="pwned-img" onerror="document.title=\'pwned-img\'">'
XSS_TYPE = '"><svg id="pwned-svg" onload="document.title=1">'
XSS_FIELD = "</code></td><b id=pwned-field>x</b>"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca = certs.CA("Test OneGate CA")
    key, cert = ca.issue("127.0.0.1", names=["127.0.0.1"])
    return {
        "ca": certs.write(d / "ca.cer", ca.pem, 0o644),
        "server_cert": certs.write(d / "server.cer", certs.cert_pem(cert), 0o644),
        "server_key": certs.write(d / "server.key", certs.key_plain(key), 0o400),
    }


def sent_messages():
    """(what to send, as (payload text, severity, hostname, app_name)), and what the report must count."""
    out = []
    run = "report-%d" % time.time_ns()
    for i in range(7):
        for kind in _onegate_payloads.KINDS:
            out.append(
                (
                    _onegate_payloads.build_payload(kind=kind, index=i, fields={"test_run": run}),
                    "info",
                    "OneGate",
                    "manager",
                )
            )
    for i in range(4):
        failed = {"message": "Login failed.", "params": {"code": "IM-605-W-002001"}, "test_run": run}
        payload = _onegate_payloads.build_payload(kind="user_login", index=i, severity="warning", fields=failed)
        out.append((payload, "warning", "OneGate", "manager"))
    # the delivery proof's test records: not OneGate's, counted apart
    out.append(
        (_onegate_payloads.build_payload(kind="sync", fields={"verify_run": "verify-1"}), "info", "OneGate", "manager")
    )
    out.append(
        (_onegate_payloads.build_payload(kind="sync", fields={"test_run": run}), "info", "netattest-verify", "manager")
    )
    out.append(
        (_onegate_payloads.build_payload(kind="sync", fields={"test_run": run}), "info", "OneGate", "tls-syslog-verify")
    )
    # not JSON
    out.append(("plain text, not JSON", "info", "OneGate", "manager"))
    out.append(('{"log_type":"login_user","cut off', "info", "OneGate", "manager"))
    # HTML and script in the fields a page shows
    hostile = {
        "log_type": "login_user",
        "message": XSS_MESSAGE,
        "params": {"username": XSS_USER, "user_agent": XSS_MESSAGE, "code": "IM-605-E-<b>"},
        XSS_FIELD: XSS_USER,
        "test_run": run,
    }
    out.append(
        (
            _onegate_payloads.build_payload(kind="user_login", severity="err", fields=hostile),
            "err",
            "OneGate",
            "manager",
        )
    )
    out.append((_onegate_payloads.build_payload(kind="sync", fields={"log_type": XSS_TYPE, "test_run": run}), "info",
                "OneGate", "manager"))  # fmt: skip
    fence = _onegate_payloads.build_payload(kind="sync", fields={"test_run": run + "-fence"})
    out.append((fence, "info", "OneGate", "manager"))
    expected = {
        "lines": len(out),
        "events": 35 + 4 + 2 + 1,
        "by_type": {
            "login_manager": 7,
            "login_user": 7 + 4 + 1,
            "sso_access": 7,
            "certificate": 7,
            "sync": 7 + 1,
            XSS_TYPE: 1,
        },
        "excluded": {"count": 3, "by_reason": {"tag": 1, "hostname": 1, "verify_run": 1}},
        "unparsable": 2,
        "problems": 4 + 1,
        "fence": run + "-fence",
    }
    return out, expected


def send_all(port, ca, messages):
    ctx = _tls_client.make_client_context(ca_path=ca, validate_certs=True)
    frames, stamps = [], []
    for i, (payload, severity, host, app) in enumerate(messages):
        when = datetime.datetime(2025, 1, 15, 7, 0, tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=7 * i)
        stamps.append(_rfc5424.rfc3339(when))
        frames.append(_rfc5424.frame(_rfc5424.build_message(payload, severity=severity, hostname=host, app_name=app,
                                                          timestamp=when)))  # fmt: skip
    res = _tls_client.send("127.0.0.1", port, frames, ctx, server_name="127.0.0.1")
    assert res["sent"] == len(frames) and not res["errors"], res
    return stamps


def ansible_env(tmp_path):
    env = dict(os.environ)
    env.update(
        PATH="%s:%s" % (ROOT / ".venv" / "bin", env.get("PATH", "")),
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
    )
    return env


def run_report_playbook(tmp_path, log_file, out_dir, *extra):
    """playbooks/report.yml as a user runs it, the receiver being this machine (local connection)."""
    inv = tmp_path / "inventory.yml"
    inv.write_text(json.dumps({
        "all": {"children": {"tls_syslog_servers": {"hosts": {"receiver-test": {
            "ansible_connection": "local",
            "ansible_python_interpreter": str(ROOT / ".venv" / "bin" / "python"),
            "ansible_become": False,
            "rsyslog_tls_log_dir": str(log_file.parent),
            "rsyslog_tls_log_file": log_file.name,
        }}}}}
    }))  # fmt: skip
    proc = subprocess.run(
        ["ansible-playbook", "-i", str(inv), str(ROOT / "playbooks" / "report.yml"),
         "-e", "tls_syslog_report_dir=%s" % out_dir, *extra],
        cwd=tmp_path, env=ansible_env(tmp_path), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return proc


def chromium(url, *args):
    """Headless Chromium with console messages on stderr: (returncode, stdout, console lines)."""
    profile = ARTIFACTS / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--user-data-dir=%s" % profile, "--enable-logging=stderr", "--v=0", *args, url],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.returncode, proc.stdout, console


class Elements(HTMLParser):
    """The elements of the browser's DOM as parsed HTML (text that looks like markup is text, not elements)."""

    def __init__(self):
        super().__init__()
        self.ids, self.tags, self.handlers = set(), Counter(), []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            if name == "id":
                self.ids.add(value)
            if name.startswith("on"):
                self.handlers.append((tag, name, value))


def selfcheck(dom):
    m = re.search(r'<output id="selfcheck">(.*?)</output>', dom, re.S)
    assert m and m.group(1), "the page's self-check did not run: %s" % dom[-2000:]
    return json.loads(m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def test_console_check_catches_a_broken_page(tmp_path):
    """The browser check below is not blind: a script error on a page shows up as a console line."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>")
    _rc, _dom, console = chromium(page.as_uri(), "--dump-dom")
    assert any("undefinedFunction" in line for line in console), console


def test_report_of_a_real_receiver_and_its_page(pki, tmp_path, rsyslogd_factory):
    receiver = rsyslogd_factory(pki)
    try:
        messages, expected = sent_messages()
        stamps = send_all(receiver.port, pki["ca"], messages)
        receiver.wait_for_line(expected["fence"])
    finally:
        receiver.stop()
    stored = receiver.log.read_text().splitlines()
    assert len(stored) == len(messages), "rsyslogd stored %d of %d lines" % (len(stored), len(messages))

    out_dir = tmp_path / "out"
    proc = run_report_playbook(tmp_path, receiver.log, out_dir)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = out_dir / "onegate-report-receiver-test.html"
    data = json.loads((out_dir / "onegate-report-receiver-test.json").read_text())
    print("report page: %s" % html)

    # the module counted exactly what was sent
    assert data["lines"] == expected["lines"]
    assert data["events"] == expected["events"]
    assert {t["log_type"]: t["count"] for t in data["by_log_type"]} == expected["by_type"]
    assert data["excluded_test_records"] == expected["excluded"]
    assert data["unparsable"]["count"] == expected["unparsable"]
    assert data["unparsable"]["by_reason"] == {"the message is not JSON": 2}
    assert data["problems"]["count"] == expected["problems"]
    assert data["by_log_level"] == {"INFO": 37, "WARN": 4, "ERROR": 1}
    counted = [s for s, m in zip(stamps, messages) if m[3] != "tls-syslog-verify" and m[2] != "netattest-verify"]
    counted = [s for s, m in zip(stamps, messages) if '"verify_run"' not in m[0] and s in counted]
    assert data["first_timestamp"] == stamps[0] and data["last_timestamp"] == stamps[-1] == max(counted)
    assert sum(b["total"] for b in data["timeline"]["buckets"]) == expected["events"]
    assert data["logins"]["users"][0] == {"value": "admin", "count": 7, "error": 0}
    assert "Report (レポート): %s" % html in proc.stdout
    assert (
        "OneGate events (OneGate のイベント): %d of %d lines read" % (expected["events"], expected["lines"])
        in proc.stdout
    )
    assert oct(html.stat().st_mode & 0o777) == "0o600"

    # the page is one file: nothing it would load from elsewhere
    text = html.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, re.I)
    assert "@import" not in text and "url(" not in text
    # every value from the log is escaped in the file itself
    for hostile in (XSS_USER, XSS_MESSAGE, XSS_TYPE, XSS_FIELD):
        assert hostile not in text, hostile
    assert "&lt;script&gt;document.title=&#34;pwned-user&#34;&lt;/script&gt;" in text

    rc, dom, console = chromium(html.as_uri(), "--dump-dom")
    assert rc == 0
    assert console == [], "console messages:\n" + "\n".join(console)
    check = selfcheck(dom)
    assert check["chart"]["width"] > 100 and check["chart"]["height"] > 20, check["chart"]
    assert check["chart"]["bars"] >= len(expected["by_type"])
    assert check["counts"] == {k: v for k, v in expected["by_type"].items()}
    assert check["fields"]["events"] == str(expected["events"])
    assert check["fields"]["unparsable"] == str(expected["unparsable"])
    assert check["fields"]["excluded"] == str(expected["excluded"]["count"])
    assert check["fields"]["lines"] == str(expected["lines"])
    assert check["fields"]["first"] == data["first_timestamp"]
    # the script and markup from the log stayed text: only the page's own script exists, none of theirs ran
    assert check["scripts"] == 1
    assert "pwned" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    elements = Elements()
    elements.feed(dom)
    assert not {"pwned-img", "pwned-svg", "pwned-field"} & elements.ids, elements.ids
    assert elements.tags["script"] == 1 and elements.tags["svg"] == 1 and "img" not in elements.tags, elements.tags
    assert not elements.handlers, elements.handlers  # no onerror=, onload=, ... attribute anywhere
    assert '&lt;script&gt;document.title="pwned-user"&lt;/script&gt;' in dom

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    rc, _out, console = chromium(html.as_uri(), "--window-size=1280,2400", "--screenshot=%s" % shot)
    assert rc == 0 and console == []
    assert shot.stat().st_size > 20000  # a rendered page, not a blank one
    print("screenshot: %s" % shot)


def test_report_playbook_default_directory_is_outside_the_collection(tmp_path):
    """Without tls_syslog_report_dir: the inventory's directory (here tmp_path), never the checkout; with the
    inventory inside the checkout and the checkout as the current directory: the home directory."""
    log = tmp_path / "local0.log"
    log.write_text(_onegate_payloads.to_json({"x": 1}))  # one unparsable line: the page still renders
    inv = tmp_path / "inventory.yml"
    proc = run_report_playbook(tmp_path, log, tmp_path)  # writes the inventory
    assert proc.returncode == 0, proc.stdout[-2000:]
    proc = subprocess.run(
        ["ansible-playbook", "-i", str(inv), str(ROOT / "playbooks" / "report.yml")],
        cwd=ROOT, env=ansible_env(tmp_path), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "Report (レポート): %s/onegate-report-receiver-test.html" % tmp_path in proc.stdout
    assert not list(ROOT.glob("onegate-report-*"))

    inside = ROOT / ".cache" / ("test-report-inventory-%d" % os.getpid())
    inside.mkdir(parents=True)
    try:
        shutil.copy(inv, inside / "inventory.yml")
        home = tmp_path / "home"
        home.mkdir()
        env = dict(ansible_env(tmp_path), HOME=str(home), PWD=str(ROOT))
        proc = subprocess.run(
            ["ansible-playbook", "-i", str(inside / "inventory.yml"), str(ROOT / "playbooks" / "report.yml")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-2000:]
        assert "Report (レポート): %s/onegate-report-receiver-test.html" % home in proc.stdout
        assert not list(inside.glob("onegate-report-*")) and not list(ROOT.glob("onegate-report-*"))
    finally:
        shutil.rmtree(inside)


def test_report_of_a_missing_file_warns_and_still_writes_the_page(tmp_path):
    proc = run_report_playbook(tmp_path, tmp_path / "no-such.log", tmp_path / "out")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert re.search(r"\[WARNING\]: .*no-such\.log: not found", proc.stdout + proc.stderr), proc.stdout[-2000:]
    assert "OneGate events (OneGate のイベント): 0 of 0 lines read" in proc.stdout
    page = (tmp_path / "out" / "onegate-report-receiver-test.html").read_text()
    assert "not found" in page and "No OneGate event." in page


# ---- issue 21: a hostile sender, and directories that are not the report's to change ------------------------------

RLO = "\u202e"


def hostile_lines():
    """Rows 1, 2, 5 and 6 of issue 21 in one stored file: a line nested ~990 deep, a lone surrogate, a user name with
    a right-to-left override, and 10,000 failed logins with made-up names followed by 500 for one real account."""
    stamp = "2025-01-15T07:25:36+00:00 OneGate manager "

    def failed_login(user, i):
        return stamp + json.dumps({"log_type": "login_user", "log_level": "WARN", "message": "Login failed.",
                                   "params": {"username": user, "ip_address": "198.51.100.%d" % (i % 200),
                                              "code": "IM-605-W-002001"}})  # fmt: skip

    lines = [stamp + '{"log_type":"sync","x":%s}' % ("[" * 990 + "]" * 990)]
    lines.append(stamp + '{"log_type":"login_user","params":{"username":"\\ud800","ip_address":"203.0.113.1"}}')
    user = {"username": "bob" + RLO + "from: 198.51.100.7"}
    lines.append(stamp + json.dumps({"log_type": "login_user", "params": user}, ensure_ascii=False))
    lines.append(stamp + json.dumps({"log_type": "sync" + RLO + "evil"}, ensure_ascii=False))
    lines += [failed_login("spray-%05d" % i, i) for i in range(10000)]
    lines += [failed_login("taro.yamada", i) for i in range(500)]
    return lines


def test_hostile_lines_give_a_page_with_the_line_counted(tmp_path):
    """Before: the deep line and the surrogate each failed report.yml (no page); the real account was absent from
    Top users ((other) = 500); the override reordered the page and the summary. Also: an output directory whose name
    carries an override is printed with U+FFFD in its place by the summary's own last pass."""
    log = tmp_path / "local0.log"
    log.write_text("\n".join(hostile_lines()) + "\n", encoding="utf-8")
    out_dir = tmp_path / ("out" + RLO + "dir")
    proc = run_report_playbook(tmp_path, log, out_dir)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = out_dir / "onegate-report-receiver-test.html"
    data = json.loads((out_dir / "onegate-report-receiver-test.json").read_text())
    assert data["lines"] == 10504 and data["unparsable"]["by_reason"] == {
        "the message is JSON nested too deeply (more than 500 levels)": 1
    }
    assert data["events"] == 10503
    users = data["logins"]["users"]
    assert users[0]["value"] == "taro.yamada" and users[0]["count"] - users[0]["error"] <= 500 <= users[0]["count"]

    # the terminal: no override anywhere, the user name's shown as its escape, the directory's replaced
    assert RLO not in proc.stdout and RLO not in proc.stderr
    assert "Top users (上位ユーザー): taro.yamada=%d, " % users[0]["count"] in proc.stdout
    assert "(each count at most %d over)" % users[0]["error"] in proc.stdout
    summary = proc.stdout[proc.stdout.index("TASK [Summary]") :].replace("\\\\", "\\")  # the callback's JSON
    assert "sync\\u202eevil=1" in summary
    assert "Report (レポート): %s" % (str(html).replace(RLO, "\ufffd")) in proc.stdout
    page = html.read_text()
    assert RLO not in page and "\ud800" not in page
    assert "<bdi>bob\\u202efrom: 198.51.100.7</bdi>" in page
    assert "<bdi>\\ud800</bdi>" in page
    assert "<bdi>taro.yamada</bdi>" in page
    # every cell of the top tables is isolated
    for table in re.findall(r'<table id="top-[a-z_]+">(.*?)</table>', page, re.S):
        cells = re.findall(r"<td><code>(.*?)</code></td>", table)
        assert cells and all(c.startswith("<bdi>") and c.endswith("</bdi>") for c in cells), cells
    assert "bdi, pre.raw { unicode-bidi: isolate; }" in page
    # the bound is said on the page, with the figures of this report
    bound = re.search(r'<p class="meta" id="top-bound">(.*?)</p>', page, re.S).group(1)
    assert "Misra\u2013Gries" in bound and "N / (k + 1)" in bound
    assert '<span data-hh-counted="users">10,502</span>' in bound
    assert '<span data-hh-error="users">%s</span>' % "{:,}".format(users[0]["error"]) in bound
    assert "{:,}\u2013{:,}".format(users[0]["count"] - users[0]["error"], users[0]["count"]) in page


def test_report_directory_is_created_0700_and_an_existing_one_is_left_alone(tmp_path):
    """Before: the directory was set to 0700 on every run; a 1777 directory lost its sticky bit (as root with
    tls_syslog_report_dir=/tmp, every other user was locked out of /tmp)."""
    log = tmp_path / "local0.log"
    log.write_text('2025-01-15T07:25:36+00:00 OneGate manager {"log_type":"sync"}\n')
    old_umask = os.umask(0o022)
    try:
        # does not exist (nor its parent): created, 0700
        new = tmp_path / "new" / "reports"
        proc = run_report_playbook(tmp_path, log, new)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert oct(new.stat().st_mode & 0o7777) == "0o700"
        for ext in ("html", "json"):
            assert oct((new / ("onegate-report-receiver-test." + ext)).stat().st_mode & 0o7777) == "0o600"

        # exists, shared like /tmp (1777) and, when the test runs as root, owned by someone else: left alone
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o1777)
        owner = (65534, 65534) if os.geteuid() == 0 else (os.geteuid(), os.getegid())
        os.chown(shared, *owner)
        proc = run_report_playbook(tmp_path, log, shared)
        assert proc.returncode == 0, proc.stdout[-3000:]
        st = shared.stat()
        assert oct(st.st_mode & 0o7777) == "0o1777" and (st.st_uid, st.st_gid) == owner
        for ext in ("html", "json"):
            assert oct((shared / ("onegate-report-receiver-test." + ext)).stat().st_mode & 0o7777) == "0o600"

        # exists, 0755: still 0755 after a second run over the same files
        open_dir = tmp_path / "open"
        open_dir.mkdir(mode=0o755)
        for _ in range(2):
            proc = run_report_playbook(tmp_path, log, open_dir)
            assert proc.returncode == 0, proc.stdout[-3000:]
        assert oct(open_dir.stat().st_mode & 0o7777) == "0o755"
        assert oct((open_dir / "onegate-report-receiver-test.html").stat().st_mode & 0o7777) == "0o600"

        # a link to a directory: used, the directory behind it left alone
        link = tmp_path / "link"
        link.symlink_to(open_dir)
        proc = run_report_playbook(tmp_path, log, link)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert link.is_symlink() and oct(open_dir.stat().st_mode & 0o7777) == "0o755"

        # a file where the directory should be: refused with the reason, nothing written
        a_file = tmp_path / "a-file"
        a_file.write_text("x")
        proc = run_report_playbook(tmp_path, log, a_file)
        assert proc.returncode != 0 and "exists and is not a directory" in proc.stdout, proc.stdout[-3000:]
        assert a_file.read_text() == "x"
    finally:
        os.umask(old_umask)
