"""Comments and docs cite only documents inside the repository, and every cited file exists.

The design notes the project started from lived outside the repository; what the code relies on from
them is now in docs/ (architecture.md, reliability.md, data-formats.md). A comment naming one of the
outside documents, or a docs/ file that does not exist, sends a newcomer nowhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FOLDERS = ("turnout_desktop", "strategies", "tests", "benchmarks")
_OUTSIDE_NAMES = ("ARCHITECTURE", "RELIABILITY", "DATA_FORMATS", "PERFORMANCE", "STYLE")
# NAME.md for every outside document, the bare names too where no identifier uses them (the Hidalgo column
# "BALLOT STYLE" does), and anything under the sibling folder they came from.
OUTSIDE_CITATION = re.compile(
    r"\b(?:" + "|".join(_OUTSIDE_NAMES) + r")\.md\b"
    r"|\b(?:" + "|".join(name for name in _OUTSIDE_NAMES if name != "STYLE") + r")\b"
    r"|\.\./shared",
)
# docs/<path> as a citation, not the tail of a URL (postgresql.org/docs/current) or of another folder.
DOCS_CITATION = re.compile(r"(?<![\w./-])docs/[\w.-]+(?:/[\w.-]+)*")
# A repository path in backticks inside a Markdown document.
MARKDOWN_PATH = re.compile(r"`((?:turnout_desktop|strategies|tests|benchmarks|docs|resources)/[^`\s]*)`")


def _python_files() -> list[Path]:
    files = [path for folder in SOURCE_FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))]
    this_file = Path(__file__).resolve()  # it spells the names out to look for them
    return [path for path in files if "__pycache__" not in path.parts and path != this_file]


def _cited_docs(text: str) -> set[str]:
    return {match.group(0).rstrip(".") for match in DOCS_CITATION.finditer(text)}


def outside_citations(text: str) -> list[str]:
    return [match.group(0) for match in OUTSIDE_CITATION.finditer(text)]


def missing_docs(text: str) -> list[str]:
    return sorted(cited for cited in _cited_docs(text) if not (ROOT / cited).exists())


def test_no_python_file_cites_a_document_outside_the_repository() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {cited}"
             for path in _python_files()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for cited in outside_citations(line)]
    assert found == [], "cite docs/architecture.md, docs/reliability.md or docs/data-formats.md instead:\n" + \
        "\n".join(found)


def test_every_docs_file_a_python_file_cites_exists() -> None:
    found = [f"{path.relative_to(ROOT)}: {cited}" for path in _python_files()
             for cited in missing_docs(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("document", ["README.md", *sorted(p.name for p in (ROOT / "docs").glob("*.md"))])
def test_every_repository_path_a_document_names_exists(document: str) -> None:
    path = ROOT / document if document == "README.md" else ROOT / "docs" / document
    text = path.read_text(encoding="utf-8")
    named = sorted({match.group(1).rstrip(".,:;") for match in MARKDOWN_PATH.finditer(text)})
    assert named, f"{document} names no repository path"
    missing = [name for name in named if not (ROOT / name).exists()]
    assert missing == []


def test_the_checks_see_what_they_are_for() -> None:
    """The patterns catch the citations this test exists to stop, and leave URLs and column names alone."""
    assert outside_citations("see RELIABILITY.md T7") == ["RELIABILITY.md"]
    assert outside_citations("(DATA_FORMATS 2.2)") == ["DATA_FORMATS"]
    assert outside_citations("STYLE.md practice 1; ../shared/tools/x.py") == ["STYLE.md", "../shared"]
    assert outside_citations('"BALLOT STYLE,PARTY"; docs/reliability.md T7') == []
    assert missing_docs("docs/reliability.md T7 and docs/architecture.md.") == []
    assert missing_docs("see docs/no-such-page.md") == ["docs/no-such-page.md"]
    assert missing_docs("https://www.postgresql.org/docs/current/sql-insert.html") == []
