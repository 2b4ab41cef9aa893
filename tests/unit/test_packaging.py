"""What the collection declares about its dependencies is what it uses.

- requirements.txt (run time) and meta/ee-requirements.txt (execution environment) list the same Python packages, and
  neither names a development tool; requirements-dev.txt builds on requirements.txt.
- Every collection that the shipped content (roles, playbooks, plugins) uses is a dependency in galaxy.yml, with a
  minimum no lower than the ``version_added`` of each plugin it uses; every dependency is used.
- Every other collection that the development content (tests, molecule, benchmarks, scripts, ansible.cfg, the
  checkout's inventory) uses is in requirements.yml, and nothing there is unused or also a dependency.
- The collections installed here (from the ``ansible`` package) satisfy both files: requirements.yml is checked
  here, never downloaded.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
SELF = "%s.%s" % (GALAXY["namespace"], GALAXY["name"])
DEV_TOOLS = {"ruff", "molecule", "molecule-plugins", "moto", "pytest", "ansible-lint", "yamllint", "ansible-builder",
             "antsibull-changelog"}  # fmt: skip
SECOND_ANSIBLE = {"ansible", "ansible-core", "ansible-base"}
SHIPPED = ["roles", "playbooks", "plugins", "meta"]
DEVELOPMENT = ["tests", "extensions", "benchmarks", "scripts", "inventory", "ansible.cfg"]
NOT_DEPENDENCIES = {"ansible.builtin", "ansible.legacy", SELF}


def requirements(path: Path) -> dict[str, Requirement]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            out[req.name.lower()] = req
    return out


def installed_collections() -> dict[str, Path]:
    """namespace.name -> directory, for every collection with a MANIFEST.json on sys.path (the venv's ansible)."""
    found: dict[str, Path] = {}
    for entry in sys.path:
        base = Path(entry) / "ansible_collections"
        for manifest in sorted(base.glob("*/*/MANIFEST.json")) if base.is_dir() else []:
            found.setdefault("%s.%s" % (manifest.parent.parent.name, manifest.parent.name), manifest.parent)
    return found


INSTALLED = installed_collections()
FQCN = re.compile(r"(?<![\w.])([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)")
# How a YAML line uses a plugin, by what precedes the name: ``x is ns.name.test``, ``x | ns.name.filter``,
# ``lookup('ns.name.lookup', ...)``, ``- ns.name.module:`` (a task).
KIND_BEFORE = [
    (re.compile(r"\bis\s+(not\s+)?$"), "test"),
    (re.compile(r"\|\s*$"), "filter"),
    (re.compile(r"\b(lookup|query|q)\(\s*['\"]$"), "lookup"),
    (re.compile(r"^\s*(-\s+)?$"), "modules"),
]


def kind_of(line: str, start: int) -> str | None:
    before = line[:start]
    return next((kind for pattern, kind in KIND_BEFORE if pattern.search(before)), None)


PY_IMPORT = re.compile(r"ansible_collections\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)(?:\.plugins\.\w+\.(\w+))?")


def used_plugins(parts: list[str]) -> dict[str, set[tuple[str, str | None]]]:
    """namespace.name -> (name, kind) used, from task keys, filters, tests, lookups, callbacks, connections (YAML,
    cfg and Python string literals) and imports (Python). Comments and prose in docstrings do not count."""
    used: dict[str, set[tuple[str, str | None]]] = {}

    def add(ns: str, name: str, plugin: str | None, kind: str | None = None) -> None:
        coll = "%s.%s" % (ns, name)
        if coll in INSTALLED or coll == SELF:
            used.setdefault(coll, set()).update([(plugin, kind)] if plugin else [])

    for part in parts:
        path = ROOT / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if f.suffix == ".py":
                tree = ast.parse(f.read_text())
                for node in ast.walk(tree):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        names = (
                            [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                        )
                        for mod in names:
                            for m in PY_IMPORT.finditer(mod):
                                add(m.group(1), m.group(2), m.group(3), "module_utils")
                    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" not in node.value:
                        for m in FQCN.finditer(node.value):
                            add(*m.groups())
            elif f.suffix in (".yml", ".yaml", ".j2", ".cfg", ".example") or f.name == "ansible.cfg":
                for line in f.read_text().splitlines():
                    if line.lstrip().startswith(("#", ";")):
                        continue
                    for m in FQCN.finditer(line):
                        add(*m.groups(), kind=kind_of(line, m.start()))
    return used


SHIPPED_USE = used_plugins(SHIPPED)
DEVELOPMENT_USE = used_plugins(DEVELOPMENT)


def installed_version(coll: str) -> Version:
    return Version(json.loads((INSTALLED[coll] / "MANIFEST.json").read_text())["collection_info"]["version"])


def version_added(coll: str, plugin: str, kind: str | None) -> Version | None:
    """The version_added of a plugin of an installed collection, from its DOCUMENTATION (None when not given).
    When the kind is not known, the earliest of the plugins of that name."""
    found = []
    for f in sorted((INSTALLED[coll] / "plugins").glob("%s/%s.py" % (kind or "*", plugin))):
        for node in ast.parse(f.read_text()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DOCUMENTATION" for t in node.targets):
                doc = yaml.safe_load(node.value.value) or {}
                if doc.get("version_added") and doc.get("version_added_collection", coll) == coll:
                    found.append(Version(str(doc["version_added"])))
    return min(found, default=None)


def test_run_time_requirements_are_the_ee_requirements_and_no_dev_tool():
    run_time = requirements(ROOT / "requirements.txt")
    ee = requirements(ROOT / "meta" / "ee-requirements.txt")
    assert {k: str(v) for k, v in run_time.items()} == {k: str(v) for k, v in ee.items()}
    assert set(run_time) == {"boto3", "botocore", "cryptography"}
    assert not set(run_time) & (DEV_TOOLS | SECOND_ANSIBLE)
    for req in run_time.values():
        assert req.specifier, "%s has no minimum version in requirements.txt" % req.name
    dev = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements.txt" in dev
    assert DEV_TOOLS <= set(requirements(ROOT / "requirements-dev.txt"))


def test_execution_environment_file_points_at_the_ee_files():
    ee = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    assert ee["version"] == 1
    assert ee["dependencies"] == {"python": "meta/ee-requirements.txt", "system": "meta/ee-bindep.txt"}


def test_galaxy_dependencies_are_the_collections_the_shipped_content_uses():
    used = set(SHIPPED_USE) - NOT_DEPENDENCIES
    assert used == set(GALAXY["dependencies"]), "galaxy.yml dependencies differ from what roles/playbooks/plugins use"
    assert "ansible.posix" not in GALAXY["dependencies"]


@pytest.mark.parametrize("coll", sorted(GALAXY["dependencies"]))
def test_dependency_minimum_covers_every_plugin_used(coll):
    spec = SpecifierSet(GALAXY["dependencies"][coll])
    minimum = max(Version(s.version) for s in spec if s.operator == ">=")
    needed = {"%s (%s)" % use: version_added(coll, *use) for use in SHIPPED_USE[coll] if use[1] != "module_utils"}
    too_new = {p: str(v) for p, v in sorted(needed.items()) if v is not None and v > minimum}
    assert not too_new, "%s >= %s, but these plugins came later: %s" % (coll, minimum, too_new)
    have = installed_version(coll)
    assert have in spec, "the installed %s %s does not satisfy %s" % (coll, have, spec)


def test_requirements_yml_lists_the_test_only_collections_and_is_satisfied():
    wanted = yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]
    listed = {c["name"]: c.get("version", "*") for c in wanted}
    dev_only = set(DEVELOPMENT_USE) - NOT_DEPENDENCIES - set(GALAXY["dependencies"])
    assert set(listed) == dev_only, "requirements.yml must list exactly the collections only the tests use"
    for coll, spec in listed.items():
        assert coll in INSTALLED, "%s (requirements.yml) is not installed: pip install -r requirements-dev.txt" % coll
        assert spec == "*" or installed_version(coll) in SpecifierSet(spec), (coll, spec, installed_version(coll))
