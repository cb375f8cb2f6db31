"""Bulk inserts with constant columns: literals rendered safely on SQLite, appended to COPY rows on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from turnout_desktop.db.bulk import bulk_insert
from turnout_desktop.db.session import transaction
from turnout_desktop.store.roster_store import vuid_order

ELECTION = dt.date(2026, 3, 3)


def _parents(engine: Engine) -> tuple[int, int]:
    with transaction(engine) as session:
        session.execute(text("INSERT INTO source_file (kind, name, sha256, size_bytes, rows, uploaded_at, status) "
                             "VALUES ('county_roster', 'r.csv', :sha, 1, 0, :now, 'complete')"),
                        {"sha": "1" * 64, "now": dt.datetime(2026, 3, 4)})
        session.execute(text("INSERT INTO submission (uuid, county, election_date, kind, submitted_by, submitted_at) "
                             "VALUES ('u', 'KING', :e, 'roster', 'clerk', :now)"),
                        {"e": ELECTION, "now": dt.datetime(2026, 3, 4)})
        file_id = session.execute(text("SELECT id FROM source_file")).scalar_one()
        submission_id = session.execute(text("SELECT id FROM submission")).scalar_one()
    return file_id, submission_id


def test_constant_columns_are_stored_exactly(db_engine: Engine) -> None:
    file_id, submission_id = _parents(db_engine)
    hostile_sheet = "O'Brien's \"sheet\"); DROP TABLE source_file; --"
    rows = [(2, "DEM", "1000000001"), (3, "REP", None)]
    with transaction(db_engine) as session:
        bulk_insert(session, "county_roster_row", ["row_no", "party", "vuid"], iter(rows), constants={
            "submission_id": submission_id, "source_file_id": file_id, "sheet": hostile_sheet,
            "election_date": ELECTION, "county": "KING", "voting_method": "mail-in", "vote_date": None})
    with db_engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT row_no, party, vuid, submission_id, source_file_id, sheet, election_date, county, "
            "voting_method, vote_date FROM county_roster_row ORDER BY row_no")).all()
        assert connection.execute(text("SELECT COUNT(*) FROM source_file")).scalar_one() == 1
    assert [tuple(r) for r in stored] == [
        (2, "DEM", "1000000001", submission_id, file_id, hostile_sheet, _stored_date(db_engine), "KING", "mail-in",
         None),
        (3, "REP", None, submission_id, file_id, hostile_sheet, _stored_date(db_engine), "KING", "mail-in", None),
    ]


def _stored_date(engine: Engine) -> object:
    """SQLite keeps dates as ISO text, PostgreSQL as a DATE."""
    return ELECTION.isoformat() if engine.dialect.name == "sqlite" else ELECTION


@pytest.mark.parametrize("value", [True, dt.datetime(2026, 3, 3, 12), 1.5, "nul\x00inside"])
def test_unsupported_constants_are_refused(sqlite_url: str, value: object) -> None:
    from turnout_desktop.db.session import make_engine

    engine = make_engine(sqlite_url)
    with pytest.raises((TypeError, ValueError)), transaction(engine) as session:
        bulk_insert(session, "app_setting", ["key"], iter([("k",)]), constants={"value": value})  # type: ignore[dict-item]
    engine.dispose()


def test_vuid_order_is_numeric_stable_and_puts_missing_last() -> None:
    vuids = pd.Series(["2000000000", None, "0000000123", "1000000000", "0000000123", None], dtype=object)
    assert vuid_order(vuids).tolist() == [2, 4, 3, 0, 1, 5]
