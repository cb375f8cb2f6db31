"""An unknown county name is exit 2 with a message naming it, for every command that takes ``--county``
(one check: ``domain/counties.known_county_name``), and nothing is written: no empty report, no upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import ELECTION, loving_database
from sqlalchemy import func, select

from turnout_desktop.cli.main import main as turnout_main
from turnout_desktop.db.models import AuditEvent, Submission
from turnout_desktop.db.session import make_engine
from turnout_desktop.domain.counties import known_county_name
from turnout_desktop.domain.permissions import Role
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services import admin

STATEWIDE = [("1100000001", "Loving", "DEM", "early-voting"), ("1100000002", "Loving", "REP", "mail-in")]
ROSTER = [("1100000001", "DEM", "early-voting"), ("1100000002", "REP", "mail-in")]
UNKNOWN = "Nowhere"

# Every command with a --county option, with the rest of its arguments (OUT: a path in the test folder).
COMMANDS = {
    "precheck": ["precheck", "ROSTER", "--county", UNKNOWN, "--election", ELECTION],
    "submit": ["submit", "ROSTER", "--county", UNKNOWN, "--election", ELECTION],
    "submit --offline": ["submit", "ROSTER", "--county", UNKNOWN, "--election", ELECTION, "--offline"],
    "reconcile": ["reconcile", "--election", ELECTION, "--county", UNKNOWN],
    "gate": ["gate", "--election", ELECTION, "--county", UNKNOWN, "--party", "DEM"],
    "log": ["log", "--county", UNKNOWN],
    "override": ["override", "--election", ELECTION, "--county", UNKNOWN, "--party", "DEM", "--reason", "x"],
    "certify": ["certify", "--election", ELECTION, "--county", UNKNOWN, "--reason", "x"],
    "uncertify": ["uncertify", "--election", ELECTION, "--county", UNKNOWN, "--reason", "x"],
    "report pdf": ["report", "--election", ELECTION, "--county", UNKNOWN, "--format", "pdf", "--out", "OUT"],
    "report csv": ["report", "--election", ELECTION, "--county", UNKNOWN, "--format", "csv", "--out", "OUT"],
    "report xlsx": ["report", "--election", ELECTION, "--county", UNKNOWN, "--format", "xlsx", "--out", "OUT"],
}


def _counts(db_args: list[str]) -> tuple[int, int]:
    engine = make_engine(db_args[1])
    try:
        with engine.connect() as connection:
            return (connection.execute(select(func.count()).select_from(Submission)).scalar_one(),
                    connection.execute(select(func.count()).select_from(AuditEvent)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_an_unknown_county_is_exit_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                command: list[str]) -> None:
    db = loving_database(tmp_path, capsys, STATEWIDE, ROSTER)
    out = tmp_path / "exports"
    out.mkdir()
    replacements = {"ROSTER": str(tmp_path / "loving_roster.csv"), "OUT": str(out)}
    before = _counts(db)
    argv = [replacements.get(arg, arg) for arg in command]
    code = turnout_main(argv if command[0] == "precheck" else [*db, *argv])
    error = capsys.readouterr().err
    assert code == 2, error
    assert f"'{UNKNOWN}'" in error and "Texas counties" in error or f"Unknown Texas county '{UNKNOWN}'" in error
    assert list(out.iterdir()) == []  # no empty report
    submissions, events = _counts(db)
    assert submissions == before[0]
    if command[0] != "submit":  # a refused upload leaves its failure event in the trail (by design)
        assert events == before[1]


def test_a_known_county_in_any_spelling_still_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = loving_database(tmp_path, capsys, STATEWIDE, ROSTER)
    assert turnout_main([*db, "report", "--election", ELECTION, "--county", "loving", "--format", "csv",
                         "--out", str(tmp_path)]) == 0
    assert "LOVING" in capsys.readouterr().out


def test_admin_grant_clerk_refuses_an_unknown_county_before_touching_the_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'never-opened.db'}")
    try:
        with pytest.raises(InvalidRequest, match=f"Unknown Texas county '{UNKNOWN}'"):
            admin.grant(engine, "clerk1", Role.CLERK, ["Loving", UNKNOWN])
    finally:
        engine.dispose()
    assert not (tmp_path / "never-opened.db").exists()


def test_known_county_name_is_the_one_check() -> None:
    assert known_county_name("de witt") == "DEWITT"
    with pytest.raises(InvalidRequest, match="Unknown Texas county 'Atlantis'"):
        known_county_name("Atlantis")

