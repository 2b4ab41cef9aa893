"""The sg_ingress_rules filter, through the plugin file as a playbook loads it: the rules it builds, and every list
it must refuse (a list that would open the port wider than meant), with the entry and the fix in the message."""

import importlib

import pytest
from ansible.errors import AnsibleFilterError


def sg(*args, **kwargs):
    plugin = importlib.import_module("ansible_collections.netattest.tls_syslog.plugins.filter.sg_ingress_rules")
    return plugin.FilterModule().filters()["sg_ingress_rules"](*args, **kwargs)


def test_one_rule_per_address_with_descriptions():
    rules = sg(["203.0.113.5", "198.51.100.0/28", "2001:db8::1"])
    assert rules == [
        {"proto": "tcp", "from_port": 6514, "to_port": 6514, "cidr_ip": "203.0.113.5/32", "rule_desc": "from_SOG1"},
        {"proto": "tcp", "from_port": 6514, "to_port": 6514, "cidr_ip": "198.51.100.0/28", "rule_desc": "from_SOG2"},
        {"proto": "tcp", "from_port": 6514, "to_port": 6514, "cidr_ipv6": "2001:db8::1/128", "rule_desc": "from_SOG3"},
    ]


def test_port_and_prefix():
    rules = sg(["192.0.2.1"], port=22, description_prefix="from_HQ")
    assert rules[0]["from_port"] == 22 and rules[0]["rule_desc"] == "from_HQ1"


def test_the_whole_internet_only_when_asked():
    for whole in (["0.0.0.0/0"], ["::/0"]):
        with pytest.raises(AnsibleFilterError, match="whole internet"):
            sg(whole)
    assert sg(["0.0.0.0/0"], allow_any=True)[0]["cidr_ip"] == "0.0.0.0/0"


@pytest.mark.parametrize(
    "value",
    [
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["::/1", "8000::/1"],
        ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
    ],
)
def test_a_union_that_covers_everything_is_the_whole_internet(value):
    # Even with wide prefixes allowed, the pieces together are /0.
    with pytest.raises(AnsibleFilterError, match=r"together, the IPv[46] entries .* cover the whole IPv[46] internet"):
        sg(value, allow_wide_prefixes=True)
    assert len(sg(value, allow_any=True)) == len(value)


def test_a_union_above_the_share_is_refused_and_the_share_is_configurable():
    wide = ["11.0.0.0/8", "12.0.0.0/8", "13.0.0.0/8"]  # 3/256 = 1.17 % of IPv4
    with pytest.raises(AnsibleFilterError, match=r"cover 1.172 % of the IPv4 address space, more than the 1 %"):
        sg(wide, allow_wide_prefixes=True)
    assert len(sg(wide, allow_wide_prefixes=True, max_share=0.02)) == 3
    assert len(sg(wide[:2], allow_wide_prefixes=True)) == 2  # 0.78 %: under the default share


def test_wide_prefixes_refused_by_family_unless_opted_in():
    with pytest.raises(AnsibleFilterError, match=r"item 2 \(198.51.0.0/23\) is wider than /24"):
        sg(["203.0.113.5", "198.51.0.0/23"])
    assert sg(["198.51.100.0/24"])[0]["cidr_ip"] == "198.51.100.0/24"
    with pytest.raises(AnsibleFilterError, match=r"2001:db8::/63\) is wider than /64"):
        sg(["2001:db8::/63"])
    # SSH's limits: /16 and /48.
    assert sg(["198.51.0.0/16"], min_prefix=16)[0]["cidr_ip"] == "198.51.0.0/16"
    with pytest.raises(AnsibleFilterError, match="wider than /16"):
        sg(["198.50.0.0/15"], min_prefix=16)
    assert sg(["198.50.0.0/15"], min_prefix=16, allow_wide_prefixes=True)[0]["cidr_ip"] == "198.50.0.0/15"


def test_messages_name_the_list_and_the_variable_to_set():
    names = {"allow_wide_prefixes": "aws_infra_ssh_allow_wide_prefixes", "allow_any": "aws_infra_ssh_allow_any_source"}
    with pytest.raises(AnsibleFilterError) as exc:
        sg(["198.50.0.0/15"], min_prefix=16, list_name="aws_infra_ssh_cidrs", option_names=names)
    assert "aws_infra_ssh_cidrs item 1 (198.50.0.0/15)" in str(exc.value)
    assert "set aws_infra_ssh_allow_wide_prefixes=true" in str(exc.value)
    with pytest.raises(AnsibleFilterError, match="set aws_infra_ssh_allow_any_source=true"):
        sg(["0.0.0.0/0"], option_names=names)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (["10.0.0.0/8"], r"is in the private \(RFC 1918\) range 10.0.0.0/8"),
        (["10.1.2.3"], "private"),
        (["172.16.5.4"], "private"),
        (["192.168.200.10"], "private"),
        (["100.64.1.1"], "shared address space"),
        (["127.0.0.1"], "loopback"),
        (["169.254.169.254"], "link-local"),
        (["224.0.0.1"], "multicast"),
        (["::1"], "loopback"),
        (["fe80::1"], "link-local"),
        (["fd00::5"], "unique local"),
        (["::ffff:203.0.113.5"], "IPv4-mapped"),
        (["203.0.113.5", "10.0.0.1"], r"item 2 \(10.0.0.1\)"),
    ],
)
def test_public_only_refuses_non_public_ranges(value, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        sg(value, public_only=True)
    sg(value, allow_wide_prefixes=True)  # without public_only (SSH from a VPN, say), they are fine


def test_public_only_refuses_a_wide_entry_that_overlaps_a_private_range():
    with pytest.raises(AnsibleFilterError, match="overlaps the private"):
        sg(["8.0.0.0/6"], public_only=True, allow_wide_prefixes=True)


def test_public_documentation_ranges_pass_public_only():
    assert len(sg(["203.0.113.5", "198.51.100.7", "192.0.2.1", "2001:db8::10", "8.8.8.8"], public_only=True)) == 5


def test_at_most_60_rules():
    sixty = ["203.0.113.%d" % i for i in range(1, 61)]
    assert len(sg(sixty)) == 60
    with pytest.raises(AnsibleFilterError, match="has 61 entries, more than the 60 rules a security group holds"):
        sg([*sixty, "198.51.100.1"])
    with pytest.raises(AnsibleFilterError, match="has 300 entries"):
        sg(["198.51.100.%d" % (i % 250) for i in range(300)])
    with pytest.raises(AnsibleFilterError, match="more than the 2 rules"):
        sg(sixty[:3], max_rules=2)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ([], "is empty"),
        (["300.1.2.3"], "not a valid IP address"),
        (["203.0.113.5/33"], "not a valid IP address"),
        (["203.0.113.5/24"], "host bits"),
        (["onegate.example.com"], "not a valid IP address"),
        (["203.0.113.5", "203.0.113.5/32"], "duplicates item 1"),
        ({"a": 1}, "expected a list"),
    ],
)
def test_refuses(value, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        sg(value)


def test_a_string_list_is_split():
    assert [r["cidr_ip"] for r in sg("203.0.113.5, 203.0.113.6")] == ["203.0.113.5/32", "203.0.113.6/32"]


@pytest.mark.parametrize("options", [{"port": 70000}, {"port": "x"}, {"max_share": 0}, {"max_share": "lots"}])
def test_bad_options(options):
    with pytest.raises(AnsibleFilterError, match=r"port|max_share"):
        sg(["203.0.113.5"], **options)
