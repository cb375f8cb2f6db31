"""Values longer than their columns are refused by our code with a location, never by PostgreSQL mid-import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import PrecinctDistrict, SourceFile, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.limits import MAX_PRECINCT
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.precinct_import import import_precincts
from turnout_desktop.services.submission import import_statewide, submit_files
from turnout_desktop.services.upload_refusals import SubmissionBlocked

ELECTION = dt.date(2026, 3, 3)
LONG = "PRECINCT 101 - FIRST BAPTIST CHURCH FELLOWSHIP HALL"  # a polling place name in the precinct column


def _count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_roster_precinct_longer_than_the_column_blocks_with_its_row(db_engine: Engine, tmp_path: Path) -> None:
    assert len(LONG) > MAX_PRECINCT
    path = tmp_path / "Loving roster EV REP.csv"
    path.write_text(f"VUID,Precinct\n1000000001,101\n1000000002,{LONG}\n", encoding="utf-8")
    with pytest.raises(SubmissionBlocked) as blocked:
        submit_files(AppContext(db_engine), [path], election=ELECTION, county="Loving", reconcile=False)
    problems = [(p.code, p.row, p.column, p.value, p.blocking) for p in blocked.value.upload.problems]
    assert problems == [("value_too_long", 3, "Precinct", LONG, True)]
    assert _count(db_engine, SourceFile) == 0


def test_statewide_rows_with_an_overlong_precinct_are_skipped_and_counted(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "statewide_EV_2026-03-03.csv"
    path.write_text("VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n"
                    "1000000001,LOVING,REP,EARLY VOTING,101,2026-02-20\n"
                    f"1000000002,LOVING,REP,EARLY VOTING,{LONG},2026-02-20\n", encoding="utf-8")
    result = import_statewide(AppContext(db_engine), [path], election=ELECTION)
    assert result.inserted == 1
    assert result.files[0].rows_skipped == {"value_too_long": 1}
    assert _count(db_engine, TurnoutRecord) == 1


def test_precinct_map_with_an_overlong_district_is_refused_whole(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "precincts.csv"
    path.write_text(f"County,Precinct,District\nLoving,101,CD-23\nLoving,102,{'D' * 101}\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_precincts(AppContext(db_engine), path)
    assert (refused.value.reason, refused.value.row, refused.value.column) == ("too_long", 3, "District")
    assert _count(db_engine, PrecinctDistrict) == 0 and _count(db_engine, SourceFile) == 0
