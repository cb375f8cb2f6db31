"""Many rows per INSERT statement on SQLite (db/bulk.py) and the roster rows written through it.

Row values are flattened into each statement's parameters, so a row that lands in the wrong place would
shift every later value: these tests read back every row across statement boundaries and remainders.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from turnout_desktop.db import bulk
from turnout_desktop.db.bulk import bulk_insert, bulk_insert_columns
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.ingest.interpret.model import ROW_COLUMNS
from turnout_desktop.store.roster_store import store_roster_rows

ELECTION = dt.date(2026, 3, 3)
ROWS = 2 * bulk._SQLITE_ROWS_PER_STATEMENT + 37  # two whole statements and a remainder


def _parents(engine: Engine, files: int = 1) -> tuple[list[int], int]:
    with transaction(engine) as session:
        for index in range(files):
            session.execute(text("INSERT INTO source_file (kind, name, sha256, size_bytes, rows, uploaded_at, "
                                 "status) VALUES ('county_roster', :name, :sha, 1, 0, :now, 'complete')"),
                            {"name": f"r{index}.csv", "sha": str(index) * 64, "now": dt.datetime(2026, 3, 4)})
        session.execute(text("INSERT INTO submission (uuid, county, election_date, kind, submitted_by, submitted_at) "
                             "VALUES ('u', 'KING', :e, 'roster', 'clerk', :now)"),
                        {"e": ELECTION, "now": dt.datetime(2026, 3, 4)})
        file_ids = list(session.execute(text("SELECT id FROM source_file ORDER BY id")).scalars())
        submission_id = session.execute(text("SELECT id FROM submission")).scalar_one()
    return file_ids, submission_id


def _stored(engine: Engine, columns: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            f"SELECT {columns} FROM county_roster_row ORDER BY id"))]  # noqa: S608


def test_every_row_lands_whole_across_statements(db_engine: Engine) -> None:
    (file_id,), submission_id = _parents(db_engine)
    vuids = [f"{i:010d}" if i % 7 else None for i in range(ROWS)]
    columns = {"row_no": list(range(2, ROWS + 2)), "vuid": vuids, "vuid_raw": [f"raw {i}" for i in range(ROWS)],
               "party": ["DEM" if i % 3 else "REP" for i in range(ROWS)]}
    with transaction(db_engine) as session:
        bulk_insert_columns(session, "county_roster_row", columns, constants={
            "submission_id": submission_id, "source_file_id": file_id, "sheet": "", "election_date": ELECTION,
            "county": "KING", "voting_method": "mail-in"})
    assert _stored(db_engine, "row_no, vuid, vuid_raw, party, voting_method") == [
        (row_no, vuid, raw, party, "mail-in") for row_no, vuid, raw, party in zip(*columns.values(), strict=True)]


def test_the_statement_size_follows_the_connections_variable_limit(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    (file_id,), submission_id = _parents(engine)
    with transaction(engine) as session:
        driver = session.connection().connection.driver_connection
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 20)  # 6 columns: 3 rows per statement
        rows = [(i + 2, "DEM", "mail-in", f"{i:010d}", f"{i:010d}", f"{i % 50:04d}") for i in range(ROWS)]
        bulk_insert(session, "county_roster_row",
                    ["row_no", "party", "voting_method", "vuid", "vuid_raw", "precinct"], iter(rows),
                    constants={"submission_id": submission_id, "source_file_id": file_id, "sheet": "",
                               "election_date": ELECTION, "county": "KING"})
    assert _stored(engine, "row_no, party, voting_method, vuid, vuid_raw, precinct") == rows
    engine.dispose()


def test_rows_and_columns_of_the_wrong_size_are_refused_and_nothing_is_written(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    (file_id,), submission_id = _parents(engine)
    constants = {"submission_id": submission_id, "source_file_id": file_id, "sheet": "", "election_date": ELECTION,
                 "county": "KING", "party": "DEM", "voting_method": "mail-in"}
    with pytest.raises(ValueError, match="must hold 2 values"), transaction(engine) as session:
        bulk_insert(session, "county_roster_row", ["row_no", "vuid"], iter([(2, "1"), (3,), (4, "3", "x")]),
                    constants=constants)
    with pytest.raises(ValueError, match="differ in length"), transaction(engine) as session:
        bulk_insert_columns(session, "county_roster_row", {"row_no": [2, 3], "vuid": ["1"]}, constants=constants)
    with pytest.raises(ValueError, match="at least one"), transaction(engine) as session:
        bulk_insert_columns(session, "county_roster_row", {}, constants=constants)
    assert _stored(engine, "row_no") == []
    engine.dispose()


def _upload_rows(count: int, files: list[str]) -> pd.DataFrame:
    """Canonical upload rows (ingest.interpret.model.ROW_COLUMNS) in shuffled VUID order with a few oddities."""
    order = [(i * 7919) % count for i in range(count)]  # a permutation: VUIDs out of order
    rows = {
        "file": [files[i % len(files)] for i in order], "sheet": ["EV" if i % 2 else "ED" for i in order],
        "row_no": [i + 2 for i in order], "county": ["KING"] * count,
        "party": ["DEM" if i % 3 else "REP" for i in order],
        "voting_method": ["early-voting"] * count,
        "vuid": [f"{i:010d}" if i % 11 else None for i in order],
        "vuid_raw": [f"{i:010d}" if i % 11 else f"bad {i}" for i in order],
        "precinct": [f"{i % 40:04d}" if i % 5 else float("nan") for i in order],  # NaN: a missing precinct
        "vote_date": [dt.date(2026, 2, 17 + i % 3) if i % 4 else None for i in order],
        "problem_code": [None if i % 11 else "vuid_invalid" for i in order],
    }
    return pd.DataFrame({name: pd.Series(rows[name], dtype="int64" if name == "row_no" else object)
                         for name in ROW_COLUMNS})


@pytest.mark.parametrize("files", [["r0.csv"], ["r0.csv", "r1.csv"]])
def test_roster_rows_are_stored_in_vuid_order_with_every_value(db_engine: Engine, files: list[str]) -> None:
    file_ids, submission_id = _parents(db_engine, files=len(files))
    rows = _upload_rows(ROWS, files)
    with transaction(db_engine) as session:
        store_roster_rows(session, rows, "KING", ELECTION, submission_id, dict(zip(files, file_ids, strict=True)))
    stored = _stored(db_engine, "row_no, source_file_id, sheet, party, voting_method, vuid, vuid_raw, precinct, "
                                "vote_date, problem_code, county, submission_id")
    expected = []
    for i in range(ROWS):
        precinct = f"{i % 40:04d}" if i % 5 else None
        vote_date = dt.date(2026, 2, 17 + i % 3) if i % 4 else None
        if vote_date is not None and db_engine.dialect.name == "sqlite":
            vote_date = vote_date.isoformat()
        expected.append((i + 2, file_ids[i % len(files)], "EV" if i % 2 else "ED", "DEM" if i % 3 else "REP",
                         "early-voting", f"{i:010d}" if i % 11 else None, f"{i:010d}" if i % 11 else f"bad {i}",
                         precinct, vote_date, None if i % 11 else "vuid_invalid", "KING", submission_id))
    # VUID order, the rows without a VUID last in their file order.
    position = {row_no: index for index, row_no in enumerate(rows["row_no"])}
    expected.sort(key=lambda row: (row[5] is None, row[5] or "", position[row[0]]))
    assert stored == expected
