"""Submit: one transaction, exact official counts, idempotent, supersedes with history, never half-writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from csv_files import write_csv
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import (
    AuditEvent,
    CountyRosterRow,
    CountyTurnoutReference,
    SourceFile,
    Submission,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide, submit_files
from turnout_desktop.services.upload_refusals import SubmissionBlocked

ELECTION = dt.date(2026, 3, 3)


def _roster(tmp_path: Path, name: str, rows: list[tuple[str, str, str]]) -> Path:
    return write_csv(tmp_path / name, ["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"],
                      [[v, p, m, "0001", "2026-02-20"] for v, p, m in rows])


def _reference(engine: Engine, county: str) -> dict[tuple[str, str], int]:
    with transaction(engine) as session:
        rows = session.execute(select(CountyTurnoutReference).where(CountyTurnoutReference.county == county))
        return {(r.party, r.voting_method): r.official_count for r in rows.scalars()}


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_submit_writes_counts_rows_and_is_idempotent(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="clerk1")
    path = _roster(tmp_path, "loving_roster.csv", [
        ("1151000001", "DEM", "early-voting"), ("1151000002", "DEM", "early-voting"),
        ("1151000003", "DEM", "mail-in"), ("1151000004", "REP", "election-day"),
    ])
    result = submit_files(ctx, [path], election=ELECTION, county="Loving", reconcile=False)
    assert result.stored and not result.duplicate and result.counties == ("LOVING",)
    assert (result.kind, result.rows, result.reconcile) == ("roster", 4, ())
    assert {(c.party, c.voting_method): c.count for c in result.counts if c.voting_method == "TOTAL"} == {
        ("DEM", "TOTAL"): 3, ("REP", "TOTAL"): 1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.stored = False
    assert _reference(db_engine, "LOVING") == {
        ("DEM", "early-voting"): 2, ("DEM", "election-day"): 0, ("DEM", "mail-in"): 1, ("DEM", "TOTAL"): 3,
        ("REP", "early-voting"): 0, ("REP", "election-day"): 1, ("REP", "mail-in"): 0, ("REP", "TOTAL"): 1,
    }
    assert _count(db_engine, CountyRosterRow) == 4
    with transaction(db_engine) as session:
        stored = session.execute(select(SourceFile)).scalar_one()
        assert stored.content == path.read_bytes() and len(stored.sha256) == 64
        assert session.execute(select(AuditEvent.event_type)).scalars().all() == ["submit"]

    again = submit_files(ctx, [path], election=ELECTION, county="Loving", reconcile=False)
    assert again.duplicate and not again.stored
    assert _count(db_engine, CountyRosterRow) == 4 and _count(db_engine, Submission) == 1


def test_newer_upload_supersedes_and_keeps_history(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="clerk1")
    first = _roster(tmp_path, "v1.csv", [("1151000001", "DEM", "early-voting")])
    second = _roster(tmp_path, "v2.csv", [("1151000001", "DEM", "early-voting"), ("1151000002", "DEM", "mail-in")])
    submit_files(ctx, [first], election=ELECTION, county="LOVING", reconcile=False)
    submit_files(ctx, [second], election=ELECTION, county="LOVING", reconcile=False)
    assert _reference(db_engine, "LOVING")[("DEM", "TOTAL")] == 2
    with transaction(db_engine) as session:
        submissions = session.execute(select(Submission).order_by(Submission.id)).scalars().all()
        assert [s.superseded_at is not None for s in submissions] == [True, False]
        assert submissions[0].superseded_by_id == submissions[1].id
    assert _count(db_engine, CountyRosterRow) == 3  # history kept


def test_blocking_problems_store_nothing(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="clerk1")
    path = _roster(tmp_path, "bad.csv", [("1151000001", "DEM", "early-voting"), ("115100000", "DEM", "mail-in")])
    with pytest.raises(SubmissionBlocked) as blocked:
        submit_files(ctx, [path], election=ELECTION, county="LOVING", reconcile=False)
    assert any(p.blocking and p.code == "vuid_too_short" for p in blocked.value.upload.problems)
    assert blocked.value.exit_code == 1
    assert _count(db_engine, CountyTurnoutReference) == 0 and _count(db_engine, SourceFile) == 0


def test_unreadable_file_stores_nothing(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="clerk1")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportRejected):
        submit_files(ctx, [empty], election=ELECTION, county="LOVING", reconcile=False)
    assert _count(db_engine, SourceFile) == 0 and _count(db_engine, Submission) == 0


def test_import_statewide_is_idempotent_and_collapses_repeats(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    rows = [
        ["1151000001", "LOVING", "DEM", "early-voting", "0001", "2026-02-20"],
        ["1151000001", "LOVING", "DEM", "early-voting", "0001", "2026-02-20"],  # exact repeat
        ["1151000001", "LOVING", "DEM", "mail-in", "0001", "2026-02-21"],  # same VUID, other method
        ["1131000001", "KENEDY", "REP", "election-day", "0002", "2026-03-03"],
    ]
    path = write_csv(tmp_path / "statewide_2026-03-03.csv",
                      ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"], rows)
    result = import_statewide(ctx, [path], election=ELECTION)
    assert result.inserted == 3 and result.duplicates_collapsed == 1
    assert [(f.file, f.skipped_file, f.rows_read, f.inserted, f.already_present) for f in result.files] == [
        (path.name, False, 4, 3, 1)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.inserted = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.files[0].inserted = 0
    assert _count(db_engine, TurnoutRecord) == 3
    again = import_statewide(ctx, [path], election=ELECTION)
    assert again.skipped_files == (path.name,) and again.inserted == 0
    assert _count(db_engine, TurnoutRecord) == 3
    assert _count(db_engine, AuditEvent) == 1  # the repeat is a no-op: not even an audit row
    with transaction(db_engine) as session:
        record = session.execute(select(TurnoutRecord).where(TurnoutRecord.county == "KENEDY")).scalar_one()
        assert (record.vuid, record.party, record.voting_method, record.vote_date) == (
            "1131000001", "REP", "election-day", dt.date(2026, 3, 3))
        assert (record.source, record.verification) == ("statewide", "verified")


def test_clerk_may_not_submit_for_another_county(db_engine: Engine, tmp_path: Path) -> None:
    from turnout_desktop.errors import PermissionDenied

    ctx = AppContext(db_engine, user="clerk-king", role="clerk", county="KING")
    path = _roster(tmp_path, "loving.csv", [("1151000001", "DEM", "early-voting")])
    with pytest.raises(PermissionDenied):
        submit_files(ctx, [path], election=ELECTION, county="LOVING", reconcile=False)
    assert _count(db_engine, Submission) == 0
