"""The molecule scenarios run the images that scripts/setup.sh builds.

tests/podman/image.env is the one home of the images' names and versions (the tag carries the version). A
molecule.yml cannot read it, so it repeats the name; this test keeps the copies equal, and keeps the SSH access
that .config/molecule/config.yml configures possible (openssh-server in both images).
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def image_env() -> dict[str, str]:
    out = {}
    for line in (ROOT / "tests" / "podman" / "image.env").read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            out[name.strip()] = value.strip()
    return out


def test_each_scenario_runs_an_image_that_setup_builds():
    env = image_env()
    built = {env["NETATTEST_IMAGE"], env["NETATTEST_AL2023_IMAGE"]}
    scenarios = sorted((ROOT / "extensions" / "molecule").glob("*/molecule.yml"))
    assert scenarios
    for path in scenarios:
        platforms = yaml.safe_load(path.read_text())["platforms"]
        for platform in platforms:
            assert platform["image"] in built, (path, platform["image"], sorted(built))


def test_the_tags_carry_the_versions():
    env = image_env()
    assert env["NETATTEST_IMAGE"].endswith("-v" + env["NETATTEST_IMAGE_VERSION"])
    assert env["NETATTEST_AL2023_IMAGE"].endswith("-v" + env["NETATTEST_AL2023_IMAGE_VERSION"])


def test_both_images_have_sshd_for_the_scenarios():
    config = yaml.safe_load((ROOT / ".config" / "molecule" / "config.yml").read_text())
    assert config["provisioner"]["connection_options"]["ansible_connection"] == "ansible.builtin.ssh"
    for script in ("build-image.sh", "build-al2023-image.sh"):
        text = (ROOT / "scripts" / script).read_text()
        includes = [line for line in text.splitlines() if "--include=" in line]
        assert any("openssh-server" in line.split("--include=")[1].split()[0].split(",") for line in includes), script
