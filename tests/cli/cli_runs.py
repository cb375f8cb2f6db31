"""``turnout`` run in-process for the JSON-key tests: the exit code checked, stdout parsed, small CSV inputs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from csv_files import write_csv

from turnout_desktop.cli.main import main as turnout_main

ELECTION = "2026-03-03"
VOTE_DATE = "2026-02-20"  # every statewide record's vote date


def turnout_json(capsys: pytest.CaptureFixture[str], *args: str, expect: int = 0) -> Any:
    """Run ``turnout ARGS``, check its exit code and return the JSON it printed."""
    assert turnout_main(list(args)) == expect
    return json.loads(capsys.readouterr().out)


def write_statewide(path: Path, rows: Sequence[tuple[str, str, str, str]]) -> Path:
    """A statewide file of (VUID, county, party, method) records, all voted on ``VOTE_DATE``."""
    return write_csv(path, ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "VOTE_DATE"],
                     [(*row, VOTE_DATE) for row in rows])


def write_roster(path: Path, rows: Sequence[tuple[str, str, str]]) -> Path:
    """A county roster of (VUID, party, method) rows."""
    return write_csv(path, ["VUID", "PARTY", "VOTING_METHOD"], rows)


def loving_database(tmp_path: Path, capsys: pytest.CaptureFixture[str], statewide: Sequence[tuple[str, str, str, str]],
                    roster: Sequence[tuple[str, str, str]], *submit_options: str) -> list[str]:
    """The ``--db`` arguments of a new SQLite file holding ``statewide`` and LOVING's ``roster``, submitted."""
    db = ["--db", f"sqlite:///{tmp_path / 't.db'}"]
    turnout_json(capsys, *db, "import-statewide", str(write_statewide(tmp_path / "statewide.csv", statewide)),
                 "--election", ELECTION, "--json")
    turnout_json(capsys, *db, "submit", str(write_roster(tmp_path / "loving_roster.csv", roster)), "--county",
                 "Loving", "--election", ELECTION, *submit_options, "--json")
    return db
