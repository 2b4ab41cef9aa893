"""The receiver's one set of settings (plugins/module_utils/_receiver.py): a table of what the user set and what the
playbooks take, including every refusal (two variables of one setting that differ, named both)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netattest.tls_syslog.plugins.filter.receiver_default import _receiver_default
from ansible_collections.netattest.tls_syslog.plugins.filter.receiver_settings import _receiver_settings
from ansible_collections.netattest.tls_syslog.plugins.module_utils import _receiver as r

D = {"port": 6514, "log_dir": "/mnt/efs/fs1", "log_file": "local0.log", "log_path": "/mnt/efs/fs1/local0.log",
     "permitted_peers": ["aws-syslog"], "auth_mode": None}  # fmt: skip

CASES = [
    ("nothing set: the defaults", {}, {}),
    ("tls_syslog_port", {"tls_syslog_port": 16514}, {"port": 16514}),
    ("tls_syslog_port from -e k=v (a string)", {"tls_syslog_port": "16514"}, {"port": 16514}),
    ("a role variable alone is followed", {"rsyslog_tls_port": 16514}, {"port": 16514}),
    ("aws_infra_syslog_port alone is followed", {"aws_infra_syslog_port": 16514}, {"port": 16514}),
    ("prove_delivery_port alone is followed", {"prove_delivery_port": 16514}, {"port": 16514}),
    ("equal values agree", {"tls_syslog_port": 16514, "rsyslog_tls_port": "16514", "aws_infra_syslog_port": 16514},
     {"port": 16514}),
    ("log dir, trailing slash", {"tls_syslog_log_dir": "/srv/efs/"},
     {"log_dir": "/srv/efs", "log_path": "/srv/efs/local0.log"}),
    ("the EFS mount point alone", {"aws_infra_efs_mount_point": "/srv/efs"},
     {"log_dir": "/srv/efs", "log_path": "/srv/efs/local0.log"}),
    ("log file", {"rsyslog_tls_log_file": "onegate.log"}, {"log_file": "onegate.log",
                                                           "log_path": "/mnt/efs/fs1/onegate.log"}),
    ("peers", {"tls_syslog_permitted_peers": ["a", "b"]}, {"permitted_peers": ["a", "b"]}),
    ("the role's anon [] is not a list of names", {"rsyslog_tls_permitted_peers": []}, {}),
    ("auth mode", {"tls_syslog_auth_mode": "x509/name"}, {"auth_mode": "x509/name"}),
    ("auth mode '' keeps the receiver's", {"tls_syslog_auth_mode": ""}, {}),
    ("role auth mode alone", {"rsyslog_tls_auth_mode": "anon"}, {"auth_mode": "anon"}),
    ("null is unset", {"tls_syslog_port": None}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("given", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_settings(given, want):
    assert _receiver_settings(given) == dict(D, **want)


REFUSED = [
    ("tls_syslog_port and rsyslog_tls_port differ", {"tls_syslog_port": 16514, "rsyslog_tls_port": 6514},
     "tls_syslog_port is 16514 but rsyslog_tls_port is 6514: they are one setting"),
    ("two role variables differ", {"aws_infra_syslog_port": 6514, "rsyslog_tls_port": 16514},
     "aws_infra_syslog_port is 6514 but rsyslog_tls_port is 16514"),
    ("log dir and EFS mount point differ", {"rsyslog_tls_log_dir": "/a", "aws_infra_efs_mount_point": "/b"},
     "rsyslog_tls_log_dir is '/a' but aws_infra_efs_mount_point is '/b'"),
    ("peers differ", {"tls_syslog_permitted_peers": ["a"], "rsyslog_tls_permitted_peers": ["b"]},
     "tls_syslog_permitted_peers is ['a'] but rsyslog_tls_permitted_peers is ['b']"),
    ("modes differ", {"tls_syslog_auth_mode": "anon", "rsyslog_tls_auth_mode": "x509/name"},
     "tls_syslog_auth_mode is 'anon' but rsyslog_tls_auth_mode is 'x509/name'"),
    ("not a port", {"tls_syslog_port": "65536"}, "tls_syslog_port must be a TCP port number (1-65535)"),
    ("not a port either", {"rsyslog_tls_port": "x"}, "rsyslog_tls_port must be a TCP port number"),
    ("relative log dir", {"tls_syslog_log_dir": "efs"}, "tls_syslog_log_dir must be an absolute directory path"),
    ("/ as log dir", {"tls_syslog_log_dir": "/"}, "must be an absolute directory path (not /)"),
    ("log file with a directory", {"tls_syslog_log_file": "a/b.log"}, "must be a file name without a directory"),
    ("peers as a string", {"tls_syslog_permitted_peers": "aws-syslog"}, "must be a list of names"),
    ("unknown mode", {"tls_syslog_auth_mode": "x509/fingerprint"}, "must be anon or x509/name"),
]  # fmt: skip


@pytest.mark.parametrize(("given", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_before_anything_changes(given, message):
    with pytest.raises(AnsibleFilterError) as exc:
        _receiver_settings(given)
    assert message in str(exc.value)
    assert str(exc.value).endswith("Nothing was changed.")


def test_every_problem_is_named_at_once():
    with pytest.raises(AnsibleFilterError) as exc:
        _receiver_settings({"tls_syslog_port": 1, "rsyslog_tls_port": 2, "tls_syslog_log_file": "a/b"})
    assert "tls_syslog_port is 1 but rsyslog_tls_port is 2" in str(exc.value)
    assert "tls_syslog_log_file must be a file name" in str(exc.value)


def test_the_receiver_must_match_the_controller():
    controller = _receiver_settings({"tls_syslog_port": 16514})
    assert _receiver_settings({"rsyslog_tls_port": 16514}, controller=controller)["port"] == 16514
    with pytest.raises(AnsibleFilterError, match=r"the receiver's port is 6514 but the controller's .* is 16514"):
        _receiver_settings({}, controller=controller)


def test_only_the_named_variables_are_read():
    assert _receiver_settings({"rsyslog_tls_dir": "/x", "tls_syslog_verify_port": 1}) == D


def test_defaults():
    assert [_receiver_default(s) for s in r.SETTINGS] == [6514, "/mnt/efs/fs1", "local0.log", ["aws-syslog"], None]
    with pytest.raises(AnsibleFilterError, match="unknown receiver setting 'nope'"):
        _receiver_default("nope")
