"""docs/procedure.md and the code's comments cite files and task names that exist.

The procedure map quotes tasks by their ``name:``. In a table's last column ("where") and in a paragraph, a quoted
name ("...") belongs to the nearest task file cited before it in the same cell or paragraph: a link to a ``.yml``
file, or a bare ``file.yml`` (resolved in the section's role, or unique among the roles' tasks and the playbooks).
It must be the exact name of a task of that file, or of a file it includes or imports (a role's ``tasks/main.yml``
when a role is cited). Text that is not a task name is written in backticks or in other quotes.

A comment in a ``.yml``, ``.py`` or ``.j2`` file that cites a file of the collection (``tasks/x.yml``,
``templates/x.j2``, ``plugins/.../x.py``) must name one that exists, relative to the citing file's directory or one
of its parents (the role, the collection root).
"""

from __future__ import annotations

import io
import re
import subprocess
import tokenize
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "procedure.md"

CODE = re.compile(r"`[^`\n]*`")
QUOTE = re.compile(r'"([^"\n]+)"')
#: A cited task file: a Markdown link to a .yml file, a role (``role `x```), or a bare ``name.yml``.
YML_LINK = re.compile(r"\]\(([^)\s]+\.ya?ml)\)")
ROLE = re.compile(r"\brole `(\w+)`")
BARE_YML = re.compile(r"(?<![\w/.\[-])((?:[\w-]+/)*[\w-]+\.ya?ml)\b(?!\])")
SECTION_ROLE = re.compile(r"^## .*\(role `(\w+)`\)", re.M)
INCLUDES = ("include_tasks", "import_tasks", "include_role", "import_role", "import_playbook")
#: Task lists of a play or a block.
TASK_LISTS = ("pre_tasks", "tasks", "post_tasks", "handlers", "block", "rescue", "always")

#: A cited path of the collection in a comment: a directory part and one of these suffixes.
CITED_PATH = re.compile(r"(?<![\w./{-])((?:[\w.-]+/)+[\w-]+\.(?:ya?ml|j2|py|md|sh))\b")
#: Paths that are not the collection's own: other collections, the system's, a pattern.
NOT_OURS = re.compile(r"^(?:ansible_collections/(?!netattest/tls_syslog/)|amazon/|community/|ansible/|\.\./\.\./)")


def tracked(suffixes: tuple[str, ...]) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    files = [ROOT / name for name in out.decode().split("\0") if name.endswith(suffixes)]
    return [f for f in files if f.is_file() and not f.is_symlink()]


# --- the task names a file offers ---------------------------------------------------------------------------------


def _role_main(role: str) -> list[Path]:
    tasks = ROOT / "roles" / role / "tasks" / "main.yml"
    handlers = ROOT / "roles" / role / "handlers" / "main.yml"
    return [p for p in (tasks, handlers) if p.exists()]


def _targets(path: Path, key: str, value) -> list[Path]:
    """The files an include/import task brings in (a Jinja part of the name matches any file)."""
    if key in ("include_role", "import_role"):
        name = value.get("name", "") if isinstance(value, dict) else str(value)
        return _role_main(name.rsplit(".", 1)[-1])
    ref = value.get("file", "") if isinstance(value, dict) else str(value)
    pattern = re.sub(r"\{\{.*?\}\}", "*", ref)
    return sorted(p for p in path.parent.glob(pattern) if p.suffix in (".yml", ".yaml"))


def _walk(path: Path, items, names: set[str], seen: set[Path]) -> None:
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("name"), str):
            names.add(item["name"])
        for key, value in item.items():
            short = key.rsplit(".", 1)[-1]
            if short in TASK_LISTS:
                _walk(path, value, names, seen)
            elif short == "roles" and isinstance(value, list):
                for role in value:
                    role = role.get("role", role.get("name")) if isinstance(role, dict) else role
                    for target in _role_main(str(role).rsplit(".", 1)[-1]):
                        _collect(target, names, seen)
            elif short in INCLUDES:
                for target in _targets(path, short, value):
                    _collect(target, names, seen)


def _collect(path: Path, names: set[str], seen: set[Path]) -> None:
    if path in seen:
        return
    seen.add(path)
    _walk(path, yaml.safe_load(path.read_text(encoding="utf-8")), names, seen)


def task_names(paths: list[Path]) -> set[str]:
    """Every ``name:`` of the files, of the plays and blocks in them, and of what they include or import."""
    names: set[str] = set()
    seen: set[Path] = set()
    for path in paths:
        _collect(path, names, seen)
    return names


# --- the doc's citations ------------------------------------------------------------------------------------------


def units(text: str) -> list[tuple[int, str | None, str]]:
    """(line, the section's role, text) of each table row's last cell and each paragraph or list item."""
    out = []
    role = None
    paragraph: list[str] = []
    start = 0

    def flush():
        if paragraph:
            out.append((start, role, " ".join(part.strip() for part in paragraph)))
            paragraph.clear()

    for number, line in enumerate(text.splitlines(), 1):
        heading = SECTION_ROLE.match(line)
        if line.startswith("#"):
            flush()
            role = heading.group(1) if heading else None
        elif line.startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set(cells[-1]) <= set("-: "):
                out.append((number, role, cells[-1]))
        elif not line.strip() or line.lstrip().startswith("- "):
            flush()
            if line.strip():
                start, paragraph[:] = number, [line]
        else:
            if not paragraph:
                start = number
            paragraph.append(line)
    flush()
    return out


def resolve(ref: str, base: Path, role: str | None) -> list[Path] | str:
    """The files a citation means, or why it cannot be resolved."""
    if ref.startswith("role:"):
        found = _role_main(ref[5:])
        return found or "role %s has no tasks/main.yml" % ref[5:]
    if "/" in ref and (base / ref).resolve().exists():
        return [(base / ref).resolve()]
    candidates = [ROOT / "roles" / role / "tasks" / ref] if role else []
    candidates = [p for p in candidates if p.exists()]
    if not candidates:
        pool = tracked((".yml", ".yaml"))
        candidates = [p for p in pool if p.relative_to(ROOT).as_posix().endswith("/" + ref)]
        candidates = [p for p in candidates if p.parent.name == "tasks" or p.parent.name == "playbooks"]
    if len(candidates) == 1:
        return candidates
    if not candidates:
        return "%s is not a file of the collection" % ref
    return "%s is ambiguous (%s): link the file" % (ref, ", ".join(p.relative_to(ROOT).as_posix() for p in candidates))


def citations(cell: str) -> list[tuple[str, str]]:
    """(kind, text) in order: ("file", ref) or ("name", quoted name); code spans removed."""
    found = [(m.start(), "file", "role:" + m.group(1)) for m in ROLE.finditer(cell)]
    cell = CODE.sub(lambda m: " " * len(m.group(0)), cell)
    for m in YML_LINK.finditer(cell):
        found.append((m.start(), "file", m.group(1)))
    links = [(m.start(), m.end()) for m in re.finditer(r"\[[^\]]*\]\([^)]*\)", cell)]
    for m in BARE_YML.finditer(cell):
        if not any(a <= m.start() < b for a, b in links):
            found.append((m.start(), "file", m.group(1)))
    for m in QUOTE.finditer(cell):
        found.append((m.start(), "name", m.group(1)))
    return [(kind, value) for _, kind, value in sorted(found)]


def is_task_name(quoted: str, names: set[str]) -> bool:
    """Exactly a name; a name's Jinja expressions stand for what they render to (at least one character)."""
    if quoted in names:
        return True
    for name in names:
        if "{{" in name:
            pattern = ".+".join(re.escape(part) for part in re.split(r"\{\{.*?\}\}", name))
            if re.fullmatch(pattern, quoted):
                return True
    return False


def stale_references(text: str, base: Path) -> list[str]:
    problems = []
    cache: dict[tuple[Path, ...], set[str]] = {}
    for line, role, cell in units(text):
        current: list[Path] | str | None = None
        for kind, value in citations(cell):
            if kind == "file":
                current = resolve(value, base, role)
                if isinstance(current, str):
                    problems.append("line %d: %s" % (line, current))
                continue
            if isinstance(current, str):
                continue  # the file is reported already
            if current is None:
                problems.append(
                    'line %d: "%s" follows no task file (cite the file, or write it in backticks)' % (line, value)
                )
                continue
            key = tuple(current)
            names = cache.setdefault(key, task_names(current))
            if not is_task_name(value, names):
                where = ", ".join(p.relative_to(ROOT).as_posix() for p in current)
                near = [n for n in sorted(names) if n.lower().startswith(value.lower()[:12])]
                hint = " (near: %s)" % "; ".join(near[:3]) if near else ""
                problems.append('line %d: "%s" is not a task name in %s%s' % (line, value, where, hint))
    return problems


def test_procedure_cites_existing_files_and_exact_task_names():
    text = DOC.read_text(encoding="utf-8")
    problems = stale_references(text, DOC.parent)
    assert not problems, "docs/procedure.md: %d stale reference(s):\n%s" % (len(problems), "\n".join(problems))
    cited = sum(1 for _, _, cell in units(text) for kind, _ in citations(cell) if kind == "name")
    assert cited >= 40, "only %d task names found in docs/procedure.md: is the parser still reading it?" % cited


def test_the_procedure_check_fails_on_a_stale_name_or_file():
    base = DOC.parent
    table = "## Part 2 (role `rsyslog_tls`)\n| # | step | where |\n|---|---|---|\n| 1 | x | %s |\n"
    good = table % 'install.yml: "Enable and start rsyslog"; [proof.yml](../roles/rsyslog_tls/tasks/proof.yml)'
    assert stale_references(good, base) == []
    for cell, expected in (
        ('install.yml: "Enable and start rsyslog now"', "is not a task name in roles/rsyslog_tls/tasks/install.yml"),
        ('[x](../roles/rsyslog_tls/tasks/frontend.yml): "A"', "is not a file of the collection"),
        ('by hand; summary prints "Client certificate"', "follows no task file"),
    ):
        problems = stale_references(table % cell, base)
        assert len(problems) == 1 and expected in problems[0], (cell, problems)
    ambiguous = stale_references('## Not in a role\n- preflight.yml "Install stunnel"\n', base)
    assert len(ambiguous) == 1 and "preflight.yml is ambiguous" in ambiguous[0], ambiguous
    # A role's names include its imported and included files, its handlers, and a playbook's include_role.
    assert "Complete a TLS handshake with the listener, verifying its certificate against the CA" in task_names(
        _role_main("rsyslog_tls")
    )
    assert "Enable and start rsyslog" in task_names([ROOT / "playbooks" / "site.yml"])
    assert stale_references(table % 'the role `rsyslog_tls`: "Enable and start rsyslog"', base) == []
    # A code span hides a quote; a bare "task file" with a path is resolved from the doc's directory.
    assert stale_references(table % 'by hand; `"not a task"`', base) == []
    # A name with Jinja matches what it renders to, and nothing shorter.
    assert is_task_name("Create the certificate directory /etc/x", {"Create the certificate directory {{ d }}"})
    assert not is_task_name("Create the certificate directory", {"Create the certificate directory {{ d }}"})


# --- comments that cite a file ------------------------------------------------------------------------------------


def comments(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the comments of a YAML, Python or Jinja file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        found = []
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.string))
            elif token.type == tokenize.STRING and token.string.lstrip("rbuRBU").startswith(('"""', "'''")):
                for offset, line in enumerate(token.string.splitlines()):
                    found.append((token.start[0] + offset, line))
        return found
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if path.suffix == ".j2":
            parts = re.findall(r"\{#(.*?)(?:#\}|$)", line)
            if line.lstrip().startswith(("#", ";")):
                parts.append(line)
        else:
            parts = [m.group(1) for m in re.finditer(r"(?:^|\s)(#.*)$", line)]
        found.extend((number, part) for part in parts)
    return found


def ignored(cited: str, root: Path) -> bool:
    """A file the collection generates and git ignores (site.yml's inventory, say)."""
    return subprocess.run(["git", "check-ignore", "-q", cited], cwd=root, check=False).returncode == 0


def unresolved(path: Path, cited: str, root: Path) -> bool:
    cited = re.sub(r"^.*?ansible_collections/netattest/tls_syslog/", "", cited)
    if NOT_OURS.match(cited) or ignored(cited, root):
        return False
    folders = [f for f in [path.parent, *path.parent.parents] if root in [f, *f.parents]]
    return not any((folder / cited).exists() for folder in folders)


def stale_file_citations(files: list[Path], root: Path = ROOT) -> list[str]:
    problems = []
    for path in files:
        for number, comment in comments(path):
            for match in CITED_PATH.finditer(comment):
                if unresolved(path, match.group(1), root):
                    rel = path.relative_to(root).as_posix()
                    problems.append("%s:%d: cites %s, which does not exist" % (rel, number, match.group(1)))
    return problems


def test_comments_cite_existing_files():
    files = tracked((".yml", ".yaml", ".py", ".j2"))
    files = [f for f in files if f != Path(__file__).resolve()]
    problems = stale_file_citations(files)
    assert not problems, "%d comment(s) cite a file that does not exist:\n%s" % (len(problems), "\n".join(problems))


def test_the_comment_check_finds_a_stale_file(tmp_path):
    """A cited file resolves from the citing file's directory or a parent; a missing one is found, in any kind."""
    (tmp_path / "plugins" / "plugin_utils").mkdir(parents=True)
    (tmp_path / "plugins" / "plugin_utils" / "_tls_frontend.py").write_text("")
    (tmp_path / "roles" / "r" / "tasks").mkdir(parents=True)
    (tmp_path / "roles" / "r" / "tasks" / "install.yml").write_text("")
    (tmp_path / "roles" / "r" / "vars").mkdir()
    sample = tmp_path / "roles" / "r" / "vars" / "main.yml"
    cases = {
        "# written by tasks/frontend.yml\nx: 1\n": ["tasks/frontend.yml"],
        "# by tasks/install.yml and plugins/plugin_utils/_tls_frontend.py\nx: 1  # see tasks/gone.yml\n": [
            "tasks/gone.yml"
        ],
        'x: "tasks/frontend.yml"\n': [],
        "# amazon/aws/plugins/modules/ec2_instance.py does it\n": [],
    }
    for text, stale in cases.items():
        sample.write_text(text, encoding="utf-8")
        found = stale_file_citations([sample], tmp_path)
        assert [p.split("cites ", 1)[1].split(",")[0] for p in found] == stale, (text, found)
    j2 = tmp_path / "roles" / "r" / "templates" / "x.j2"
    j2.parent.mkdir()
    j2.write_text("{# from tasks/install.yml #}\n# rendered by tasks/old.yml\nport={{ p }} tasks/not_a_comment.yml\n")
    assert [p.split(":")[1] for p in stale_file_citations([j2], tmp_path)] == ["2"]
    py = tmp_path / "x.py"
    py.write_text(
        '"""Made by plugins/module_utils/_gone.py."""\nx = "plugins/module_utils/_gone.py"  # tasks/gone.yml\n'
    )
    assert [p.split(":")[1] for p in stale_file_citations([py], tmp_path)] == ["1", "2"]
