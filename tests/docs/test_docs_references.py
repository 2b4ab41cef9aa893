"""Every document the project refers to is in the repository.

The procedure the collection automates is described in docs/procedure.md. Files must point there, or say what they
mean in place, and never cite documents that only existed outside the repository (a specification, test recipes and
a style guide kept next to the project during its development, and the article it started from). Markdown links
between the project's files must resolve.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()

#: The documents that were kept next to the project while it was developed (a specification, test recipes, a style
#: guide, and the article the procedure came from, which the project called by a nickname), by what files would cite.
#: Spelled in pieces, so that this file does not cite them itself; the project's own account is docs/procedure.md.
_SPEC, _RECIPES, _STYLE = ("SPEC", ".md"), ("TESTING", ".md"), ("STYLE", ".md")
_ARTICLE = "se" + "ed"
_SHARED_DIR = "/work/" + "shared"
OUTSIDE = {
    "specification": re.compile(r"\b%s\b" % re.escape("".join(_SPEC))),
    "test recipes": re.compile(r"\b%s\b" % re.escape("".join(_RECIPES))),
    "style guide": re.compile(r"\b%s\b" % re.escape("".join(_STYLE))),
    "shared directory": re.compile(r"%s\b" % re.escape(_SHARED_DIR)),
    "article nickname": re.compile(r"\bthe %s\b|\b%s's\b" % (_ARTICLE, _ARTICLE), re.IGNORECASE),
}
#: ``../shared/...``: an offender when it does not resolve, from the file's directory, to a path in the repository
#: (extensions/molecule/<scenario>/ rightly uses ../shared/ for extensions/molecule/shared/).
SHARED = re.compile(r"(?:\.\./)+shared(?:/[\w.-]+)*")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|#|//)", re.IGNORECASE)


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    files = [ROOT / name for name in out.decode().split("\0") if name]
    assert len(files) > 50, "git ls-files listed only %d files: not the project's checkout?" % len(files)
    return [f for f in files if f.is_file() and not f.is_symlink()]


def text_of(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def inside_repository(path: Path, target: str) -> bool:
    resolved = (path.parent / target).resolve()
    return ROOT in [resolved, *resolved.parents] and resolved.exists()


def test_no_file_cites_a_document_outside_the_repository():
    offenders = []
    for path in tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        text = text_of(path)
        if rel == THIS or text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for name, pattern in OUTSIDE.items():
                if pattern.search(line):
                    offenders.append("%s:%d: cites %s: %s" % (rel, number, name, line.strip()[:100]))
            for match in SHARED.finditer(line):
                if not inside_repository(path, match.group(0)):
                    offenders.append("%s:%d: cites %s: %s" % (rel, number, match.group(0), line.strip()[:100]))
    assert not offenders, "%d citation(s) of documents not in the repository (point at docs/procedure.md):\n%s" % (
        len(offenders),
        "\n".join(offenders),
    )


def test_relative_markdown_links_resolve():
    broken = []
    for path in tracked_files():
        if path.suffix.lower() != ".md":
            continue
        rel = path.relative_to(ROOT).as_posix()
        text = CODE.sub("", FENCE.sub("", text_of(path) or ""))
        for match in LINK.finditer(text):
            target = match.group(1)
            if EXTERNAL.match(target):
                continue
            if not inside_repository(path, target.split("#", 1)[0]):
                broken.append("%s: %s is not a file or directory of the repository" % (rel, target))
    assert not broken, "%d broken relative link(s):\n%s" % (len(broken), "\n".join(broken))


def test_the_checks_catch_what_they_look_for():
    """The patterns find each kind of citation and a broken link (so a passing run means something)."""
    samples = {
        "specification": "see %s section 6" % "".join(_SPEC),
        "test recipes": "(%s)" % "".join(_RECIPES),
        "style guide": "%s says" % "".join(_STYLE),
        "shared directory": "%s/%s" % (_SHARED_DIR, "".join(_SPEC)),
        "article nickname": "The %s's names" % _ARTICLE,
    }
    for name, sample in samples.items():
        assert OUTSIDE[name].search(sample), name
    molecule = ROOT / "extensions" / "molecule" / "default" / "molecule.yml"
    assert [m.group(0) for m in SHARED.finditer("create: ../shared/create.yml")] == ["../shared/create.yml"]
    assert inside_repository(molecule, "../shared/create.yml")
    assert not inside_repository(ROOT / "README.md", "../shared/%s/x.txt" % _ARTICLE)
    sample = "benchmarks/playbooks/%s_receiver.yml, a %sed random" % (_ARTICLE, _ARTICLE)
    assert not any(p.search(sample) for p in OUTSIDE.values())
    links = [m.group(1) for m in LINK.finditer("[a](docs/x.md#top) ![b](<img.png>) [c](https://x.org) `[d](e.md)`")]
    assert links[:3] == ["docs/x.md#top", "img.png", "https://x.org"]
    assert [m.group(1) for m in LINK.finditer(CODE.sub("", "`[d](e.md)`"))] == []
