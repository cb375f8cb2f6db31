"""The README's command-line synopsis is the one generated from the parser (turnout_desktop/cli/synopsis.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from turnout_desktop.cli.main import build_parser
from turnout_desktop.cli.synopsis import (
    END_MARKER,
    REGENERATE,
    START_MARKER,
    current_synopsis,
    synopsis_block,
    synopsis_lines,
    with_synopsis,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_synopsis_matches_the_parser() -> None:
    generated = synopsis_block(build_parser())
    written = current_synopsis(README.read_text(encoding="utf-8"))
    assert written == generated, f"README.md's command-line synopsis is out of date; run: {REGENERATE}"


def test_readme_documents_the_database_settings_next_to_the_synopsis() -> None:
    text = README.read_text(encoding="utf-8")
    after = text[text.index(END_MARKER):]
    for name in ("TURNOUT_DB_URL", "TURNOUT_DATA_DIR"):
        assert name in after[:2000], f"{name} is not explained right after the synopsis"


def _toy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tool")
    parser.add_argument("--db", metavar="URL", help="database")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run")
    run.add_argument("files", nargs="+", metavar="FILE", help="inputs")
    run.add_argument("--election", required=True, metavar="D", help="date")
    scope = run.add_mutually_exclusive_group()
    scope.add_argument("--county", help="one county")
    scope.add_argument("--escalation", type=int, metavar="ID", help="one entry")
    run.add_argument("--format", choices=("pdf", "csv"), required=True, help="format")
    run.add_argument("--tag", action="append", metavar="T", help="repeatable")
    run.add_argument("--json", action="store_true", help="print JSON")
    decide = commands.add_parser("decide", help="checks its own options")
    decide.add_argument("--reason", metavar="TEXT", help="why (required)")
    undo = decide.add_subparsers(dest="action").add_parser("undo", help="undo")
    undo.add_argument("decision_id", metavar="ID", help="which")
    group = commands.add_parser("group", help="needs an action")
    group.add_subparsers(dest="action", required=True).add_parser("list", help="list")
    return parser


def test_synopsis_lines_follow_the_parser() -> None:
    assert synopsis_lines(_toy_parser()) == [
        "tool [--db URL] run FILE [FILE ...] --election D [--county COUNTY | --escalation ID] --format pdf|csv "
        "[--tag T ...] [--json]",
        "tool [--db URL] decide --reason TEXT",
        "tool [--db URL] decide undo ID",
        "tool [--db URL] group list",
    ]


def test_a_required_exclusive_group_is_shown_in_parentheses() -> None:
    parser = argparse.ArgumentParser(prog="tool")
    group = parser.add_subparsers(dest="command").add_parser("x", help="x").add_mutually_exclusive_group(
        required=True)
    group.add_argument("--a", action="store_true", help="a")
    group.add_argument("--b", metavar="B", help="b")
    assert synopsis_lines(parser) == ["tool x (--a | --b B)"]


def test_with_synopsis_replaces_only_the_text_between_the_markers() -> None:
    readme = f"intro\n{START_MARKER}\nold text\n{END_MARKER}\nrest\n"
    updated = with_synopsis(readme, "```\nnew\n```\n")
    assert updated == f"intro\n{START_MARKER}\n```\nnew\n```\n{END_MARKER}\nrest\n"
    assert current_synopsis(updated) == "```\nnew\n```\n"
    with pytest.raises(ValueError, match="markers"):
        current_synopsis("no markers here")
