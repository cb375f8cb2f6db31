"""`turnout import-statewide --as-of` and the as-of stored in source_file, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import SourceFile
from turnout_desktop.db.session import make_engine, transaction

ELECTION = "2026-03-03"
ROWS = ("VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n"
        "1151000001,LOVING,DEM,early-voting,1,2026-02-20\n"
        "1151000002,LOVING,DEM,early-voting,1,2026-02-27\n")


def write_text(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def stored_as_of(engine: Engine) -> dict[str, dt.datetime | None]:
    with transaction(engine) as session:
        rows = session.execute(select(SourceFile.name, SourceFile.as_of).where(SourceFile.kind == "statewide"))
        return {name: value.replace(tzinfo=None) if value is not None else None for name, value in rows}


def import_json(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    assert main(["--db", db_url, "import-statewide", *args, "--election", ELECTION, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_explicit_as_of_beats_the_name_marker(db_url: str, capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    marked = write_text(tmp_path / "statewide_2026-03-03_asof_2026-03-01.csv", ROWS)
    result = import_json(db_url, capsys, str(marked), "--as-of", "2026-02-28T18:30")
    assert (result["files"][0]["as_of"], result["files"][0]["as_of_from"]) == ("2026-02-28T18:30:00", "option")
    engine = make_engine(db_url)
    try:
        assert stored_as_of(engine) == {marked.name: dt.datetime(2026, 2, 28, 18, 30)}
    finally:
        engine.dispose()


def test_name_marker_then_latest_vote_date_without_the_option(db_url: str, capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    marked = write_text(tmp_path / "statewide_2026-03-03_asof_2026-03-01.csv", ROWS)
    dated = write_text(tmp_path / "statewide_2026-03-03.csv",
                       ROWS + "1151000003,LOVING,DEM,mail-in,1,2026-02-25\n")
    result = import_json(db_url, capsys, str(marked), str(dated))
    assert [(f["as_of"], f["as_of_from"]) for f in result["files"]] == [
        ("2026-03-01T00:00:00", "file name"), ("2026-02-27T23:59:59", "latest vote date")]
    engine = make_engine(db_url)
    try:
        assert stored_as_of(engine) == {marked.name: dt.datetime(2026, 3, 1),
                                        dated.name: dt.datetime(2026, 2, 27, 23, 59, 59)}
    finally:
        engine.dispose()


def test_a_malformed_as_of_is_bad_input(db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_text(tmp_path / "statewide.csv", ROWS)
    with pytest.raises(SystemExit) as caught:
        main(["--db", db_url, "import-statewide", str(path), "--election", ELECTION, "--as-of", "03/01/2026"])
    assert caught.value.code == 2
    assert "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, got '03/01/2026'" in capsys.readouterr().err
