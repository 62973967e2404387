"""The documents a user reads: every link and path in them leads somewhere, none points to an
internal work item, and the README starts with its two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "content" / "README.md"]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# A path of this repository quoted in backticks: `bot/grammar.py`, `deploy/kubernetes/`.
REPO_PATH = re.compile(r"`((?:bot|adapters|content|deploy|docs|tests|benchmarks|\.ci)/[\w./-]*)`")
WORK_ITEM = re.compile(r"\b(issue|ticket)s? #?\d+", re.IGNORECASE)


def anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(document: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", document.read_text(), flags=re.S)
    return {anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def links(document: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", document.read_text(), flags=re.S)
    return [target for target in LINK.findall(text) if not target.startswith(("http://", "https://"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: str(d.relative_to(ROOT)))
def test_every_link_and_path_leads_somewhere(document: Path) -> None:
    broken = []
    for target in links(document):
        path, _, fragment = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists():
            broken.append(target)
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(target)
    for quoted in REPO_PATH.findall(document.read_text()):
        if not (ROOT / quoted).exists():
            broken.append(quoted)
    assert broken == []


@pytest.mark.parametrize("document", [*DOCUMENTS, ROOT / "Dockerfile"], ids=lambda d: d.name)
def test_nothing_points_to_internal_work_items_or_missing_docs(document: Path) -> None:
    text = document.read_text()
    assert WORK_ITEM.findall(text) == []
    for mentioned in re.findall(r"\bdocs/[\w.-]+\.md", text):
        assert (ROOT / mentioned).exists(), mentioned


def test_the_readme_starts_with_the_two_commands_and_links_the_docs() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [line.strip() for line in readme.splitlines()[:10] if line.startswith("    ")]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/studybot chat",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/ruff check . "
        "&& .venv/bin/mypy && .venv/bin/pytest",
    ]
    assert "## Contents" in readme
    for doc in ("docs/architecture.md", "docs/operations.md", "docs/benchmarks.md"):
        assert f"]({doc}" in readme
