"""The set-based paths of the engine (for speed on large counties) on both backends, with exact results.

- fill_gaps inserts every missing VUID with one INSERT ... SELECT and writes exactly one fix_action per
  inserted record (bulk), more VUIDs than one old 500-VUID batch; undo restores, a re-run revives.
- fix_districts and remove_duplicates load their candidates with subqueries, not VUID batches.
- a clean election-wide run writes its RESOLVED log rows with one bulk insert; ids match the table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from turnout_desktop.cli.common import json_ready
from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    Fix,
    FixAction,
    PrecinctDistrict,
    ReconciliationLog,
    SourceFile,
    Submission,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.metrics import MethodCount
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine.fixes import FixRecorder, snapshot, undo_fix
from turnout_desktop.engine.types import (
    DUPLICATE_RECORDS,
    MISSING_VUIDS,
    WRONG_DISTRICT,
    Diagnosis,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.strategies import get_strategy

ELECTION = dt.date(2026, 3, 3)
TRAVIS, BASTROP = "TRAVIS", "BASTROP"
MANY = 1234  # more than one old batch of 500 VUIDs


def _vuid(number: int) -> str:
    return f"{3_000_000_000 + number:010d}"


def _roster(session: Session, county: str, rows: list[tuple[str, str, str | None]], party: str = "DEM") -> None:
    """A current roster submission of ``county`` with (vuid, method, precinct) rows numbered from 2."""
    submission = Submission(uuid=str(uuid.uuid4()), county=county, election_date=ELECTION, kind="roster",
                            submitted_by="clerk")
    file = SourceFile(kind="county_roster", name=f"{county}.csv", sha256=uuid.uuid4().hex * 2, size_bytes=1,
                      election_date=ELECTION)
    session.add_all([submission, file])
    session.flush()
    session.add_all([CountyRosterRow(submission_id=submission.id, source_file_id=file.id, sheet="", row_no=number,
                                     election_date=ELECTION, county=county, party=party, voting_method=method,
                                     vuid=vuid, vuid_raw=vuid, precinct=precinct, vote_date=dt.date(2026, 2, 20))
                     for number, (vuid, method, precinct) in enumerate(rows, start=2)])
    session.flush()


def _record(vuid: str, county: str, method: str = "early-voting", *, source: str = "statewide",
            district: str | None = None, precinct: str | None = None) -> TurnoutRecord:
    return TurnoutRecord(election_date=ELECTION, vuid=vuid, county=county, party="DEM", voting_method=method,
                         precinct=precinct, district=district, source=source,
                         verification="verified" if source == "statewide" else "pending")


def _run(engine: Engine, name: str, county: str, codes: list[str], *, dry_run: bool = False) -> StrategyResult:
    with transaction(engine) as session:
        diagnosis = Diagnosis(county=county, election_date=ELECTION, party="DEM", expected_total=0, actual_total=0,
                              by_method={}, accuracy=Decimal(0), codes=codes)
        recorder = FixRecorder(session, election_date=ELECTION, county=county, party="DEM", user="tester",
                               dry_run=dry_run)
        return get_strategy(name).execute(StrategyContext(
            session=session, election_date=ELECTION, county=county, party="DEM", diagnosis=diagnosis,
            fixes=recorder, dry_run=dry_run, user="tester"))


def _active(engine: Engine) -> list[tuple[object, ...]]:
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(
            select(TurnoutRecord.id, TurnoutRecord.vuid, TurnoutRecord.county, TurnoutRecord.voting_method,
                   TurnoutRecord.district).where(TurnoutRecord.removed_at.is_(None)).order_by(TurnoutRecord.id))]


def _gap_state(engine: Engine) -> None:
    """TRAVIS roster of MANY VUIDs (one listed twice); the first 100 are in the database; one identity
    was removed by an earlier fix (it must stay removed)."""
    rows = [(_vuid(n), "mail-in" if n % 3 == 0 else "early-voting", "101" if n % 2 else None) for n in range(MANY)]
    rows.append((_vuid(500), "election-day", "101"))  # listed again: its first row wins
    with transaction(engine) as session:
        _roster(session, TRAVIS, rows)
        _roster(session, TRAVIS, [(_vuid(n), "early-voting", None) for n in range(5)], party="REP")
        session.add(PrecinctDistrict(county=TRAVIS, precinct="101", district="HD-49"))
        session.add_all([_record(_vuid(n), TRAVIS, rows[n][1]) for n in range(100)])
        fix = Fix(strategy="remove_duplicates", county=TRAVIS, election_date=ELECTION, party="DEM", summary="old")
        session.add(fix)
        session.flush()
        kept_removed = _record(_vuid(100), TRAVIS, rows[100][1], source="county")
        kept_removed.removed_at, kept_removed.removed_by_fix = dt.datetime(2026, 3, 2), fix.id
        session.add(kept_removed)


def test_fill_gaps_set_based_one_fix_action_per_record_and_undo(db_engine: Engine):
    _gap_state(db_engine)
    active_before = _active(db_engine)
    preview = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS], dry_run=True)
    assert (preview.inserted, preview.updated, preview.fix_id) == (MANY - 101, 0, None)
    assert _active(db_engine) == active_before

    result = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS])
    assert (result.inserted, result.updated, result.removed) == (MANY - 101, 0, 0)
    assert result.message.endswith(f"; 1 kept as a fix left them (Changed {MANY - 101} row(s))")
    with Session(db_engine) as session:
        added = session.execute(select(TurnoutRecord).where(TurnoutRecord.created_by_fix == result.fix_id)
                                .order_by(TurnoutRecord.id)).scalars().all()
        actions = session.execute(select(FixAction).where(FixAction.fix_id == result.fix_id)
                                  .order_by(FixAction.id)).scalars().all()
        assert len(added) == len(actions) == MANY - 101
        assert [(a.action, a.table_name, a.record_id, a.vuid, a.before) for a in actions] == [
            ("insert", "turnout_record", r.id, r.vuid, None) for r in added]
        assert [a.after for a in actions] == [snapshot(r) for r in added]
        assert {r.vuid for r in added} == {_vuid(n) for n in range(101, MANY)}
        repeated = next(r for r in added if r.vuid == _vuid(500))
        assert (repeated.voting_method, repeated.source, repeated.verification, repeated.county_fallback) == (
            "early-voting", "county", "pending", False)  # its first roster row, not the later election-day one
        assert [(r.precinct, r.district) for r in added if r.vuid in {_vuid(101), _vuid(102)}] == [
            ("101", "HD-49"), (None, None)]
        assert session.execute(select(func.count()).select_from(TurnoutRecord).where(
            TurnoutRecord.party == "REP")).scalar_one() == 0  # another party's roster is not this run's

    with transaction(db_engine) as session:
        assert undo_fix(session, result.fix_id, "admin").reversed == MANY - 101
    assert _active(db_engine) == active_before
    again = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS])  # revives the undo tombstones
    assert (again.inserted, again.updated) == (0, MANY - 101)
    assert len(_active(db_engine)) == MANY - 1
    nothing = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS])  # only the identity a fix removed is left
    assert (nothing.applied, nothing.inserted, nothing.updated, nothing.fix_id) == (False, 0, 0, None)
    with Session(db_engine) as session:
        assert session.execute(select(func.count()).select_from(Fix)).scalar_one() == 3  # no empty fix row


def test_remove_duplicates_and_fix_districts_beyond_one_batch(db_engine: Engine):
    with transaction(db_engine) as session:
        _roster(session, TRAVIS, [(_vuid(n), "mail-in", "7") for n in range(MANY)])
        session.add(PrecinctDistrict(county=TRAVIS, precinct="7", district="SD-14"))
        session.add_all([_record(_vuid(n), TRAVIS, "early-voting", precinct="7") for n in range(MANY)])
        session.add_all([_record(_vuid(n), TRAVIS, "mail-in", source="county", precinct="7") for n in range(600)])
        session.add_all([_record(_vuid(n), BASTROP, "election-day", precinct="7")
                         for n in range(MANY, MANY + 700)])  # not TRAVIS's business
        session.add_all([_record(_vuid(n), BASTROP, "election-day") for n in range(MANY + 700, MANY + 705)])
    removed = _run(db_engine, "remove_duplicates", TRAVIS, [DUPLICATE_RECORDS])
    assert (removed.removed, removed.inserted) == (600, 0)
    with Session(db_engine) as session:
        losers = session.execute(select(TurnoutRecord.source, func.count()).where(
            TurnoutRecord.removed_by_fix == removed.fix_id).group_by(TurnoutRecord.source)).all()
        assert [tuple(row) for row in losers] == [("county", 600)]  # statewide wins over county
        assert session.execute(select(func.count()).select_from(FixAction).where(
            FixAction.fix_id == removed.fix_id, FixAction.action == "remove")).scalar_one() == 600

    districts = _run(db_engine, "fix_districts", TRAVIS, [WRONG_DISTRICT])
    assert districts.reassigned == MANY  # every active TRAVIS record gets precinct 7's district
    with Session(db_engine) as session:
        assigned = session.execute(select(TurnoutRecord.county, TurnoutRecord.district, func.count()).where(
            TurnoutRecord.removed_at.is_(None)).group_by(TurnoutRecord.county, TurnoutRecord.district)
            .order_by(TurnoutRecord.county, TurnoutRecord.district)).all()
        assert [tuple(row) for row in assigned] == [(BASTROP, None, 705), (TRAVIS, "SD-14", MANY)]


def test_clean_election_run_bulk_logs_match_the_table(db_engine: Engine):
    with transaction(db_engine) as session:
        for county, size in ((TRAVIS, 30), (BASTROP, 12)):
            start = 0 if county == TRAVIS else 100
            session.add_all([_record(_vuid(start + n), county, "early-voting" if n % 2 else "mail-in")
                             for n in range(size)])
            for method, count in (("early-voting", size // 2), ("mail-in", size - size // 2), ("TOTAL", size)):
                session.add(CountyTurnoutReference(county=county, election_date=ELECTION, party="DEM",
                                                   voting_method=method, official_count=count, verified=False))
    ctx = AppContext(engine=db_engine, user="tester")
    results = reconciliation.reconcile(ctx, Scope(ELECTION))
    assert [(r.county, r.status, r.expected_total, r.actual_total, r.attempts_count)
            for r in results] == [(BASTROP, "RESOLVED", 12, 12, 0), (TRAVIS, "RESOLVED", 30, 30, 0)]
    assert results[1].by_method == {"early-voting": MethodCount(expected=15, actual=15),
                                    "mail-in": MethodCount(expected=15, actual=15)}
    with Session(db_engine) as session:
        stored = session.execute(select(ReconciliationLog).order_by(ReconciliationLog.county)).scalars().all()
        assert [(log.id, log.county, log.status, log.notes, log.diagnosis, log.strategies_tried)
                for log in stored] == [(r.id, r.county, "RESOLVED", "Counts match; nothing to fix.", [], [])
                                       for r in results]
        assert [log.diagnosis_details["by_method"] for log in stored] == [json_ready(r.by_method) for r in results]
