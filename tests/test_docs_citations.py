"""Comments and docs cite only documents inside the repository, and every cited file exists.

The design notes the project started from lived outside the repository; what the code relies on from
them is now in docs/ (architecture.md, reliability.md, data-formats.md). A comment naming one of the
outside documents, or a docs/ file that does not exist, sends a newcomer nowhere. So does an issue-tracker
number ("issue 11") or a threat code without its document (write "docs/reliability.md T5"), and a test
reading a path outside the repository fails on a clean clone in CI.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
    r"|\.\./shared"
    r"|(?<![\w.-])/work/",  # the developers' machines, where the sibling folder lives
)
# An issue-tracker number: the reason it stands for belongs in the comment instead.
ISSUE_NUMBER = re.compile(r"\bissues?[\s-]*#?\d+", re.IGNORECASE)
# A threat code of docs/reliability.md (T1-T16; not T09:30 or T99 in a time stamp).
THREAT_CODE = re.compile(r"\bT(?:1[0-9]|[1-9])\b")
# The threats docs/reliability.md defines, one "## T<n> title" heading each.
DEFINED_THREATS = set(re.findall(r"^## (T\d+) ", (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8"),
                                 re.MULTILINE))
# A folder above this file: it must still be inside the repository.
FOLDER_ABOVE = re.compile(r"Path\(__file__\)\.resolve\(\)\.parents\[(\d+)\]")
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


def issue_numbers(line: str) -> list[str]:
    return [match.group(0) for match in ISSUE_NUMBER.finditer(line)]


def bare_threat_codes(line: str) -> list[str]:
    """Threat codes with no "reliability.md" before them on their line, and codes docs/reliability.md lacks."""
    return [match.group(0) for match in THREAT_CODE.finditer(line)
            if "reliability.md" not in line[:match.start()] or match.group(0) not in DEFINED_THREATS]


def folders_outside_the_repository(path: Path, text: str) -> list[str]:
    """``Path(__file__).resolve().parents[n]`` that climbs above the repository root."""
    return [match.group(0) for match in FOLDER_ABOVE.finditer(text)
            if int(match.group(1)) >= len(path.relative_to(ROOT).parts)]  # parents[len - 1] is the root


def _lines_matching(check: Callable[[str], list[str]]) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{number}: {found}"
            for path in _python_files()
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            for found in check(line)]


def test_no_python_file_cites_a_document_outside_the_repository() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {cited}"
             for path in _python_files()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for cited in outside_citations(line)]
    assert found == [], "cite docs/architecture.md, docs/reliability.md or docs/data-formats.md instead:\n" + \
        "\n".join(found)


def test_no_python_file_cites_an_issue_number() -> None:
    found = _lines_matching(issue_numbers)
    assert found == [], "write the reason the issue stood for instead of its number:\n" + "\n".join(found)


def test_every_threat_code_names_docs_reliability_md() -> None:
    found = _lines_matching(bare_threat_codes)
    assert found == [], "write docs/reliability.md T<n> (a threat it defines):\n" + "\n".join(found)


def test_no_python_file_climbs_out_of_the_repository() -> None:
    found = [f"{path.relative_to(ROOT)}: {climb}" for path in _python_files()
             for climb in folders_outside_the_repository(path, path.read_text(encoding="utf-8"))]
    assert found == [], "tests read only the repository (real data: tests/corpus/real/):\n" + "\n".join(found)


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
    assert outside_citations('Path("/work/shared/data/real")') == ["/work/"]
    assert outside_citations('"xl/workbook.xml"; tests/corpus/real/') == []
    assert issue_numbers("speed (issue 11, part 4); Issue-13 gaps; issue #9") == ["issue 11", "Issue-13", "issue #9"]
    assert issue_numbers("no issues: 3 of them") == []
    assert bare_threat_codes("escaped (T5)") == ["T5"]
    assert bare_threat_codes("docs/reliability.md T1-T4 and T16") == []
    assert bare_threat_codes("docs/reliability.md T17") == ["T17"]  # no such threat
    assert bare_threat_codes("2026-03-01T09:30, T0930, T99") == []
    conftest = ROOT / "tests" / "ingest" / "conftest.py"
    assert folders_outside_the_repository(conftest, 'Path(__file__).resolve().parents[3] / "shared"') == [
        "Path(__file__).resolve().parents[3]"]
    assert folders_outside_the_repository(conftest, 'Path(__file__).resolve().parents[2] / "README.md"') == []
