"""The set-based round (engine/bulk_round.py) writes what the per-pair loop writes, only faster.

Two elections get the same data; one is reconciled with the strategies as shipped (fill_gaps runs as one
set-based attempt for every county), the other with the same strategies stripped of ``execute_many`` (the
per-pair loop only). Every log row, attempt, fix and record must agree. Real SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from fake_strategies import per_pair_strategies
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    Fix,
    FixAction,
    ReconciliationAttempt,
    ReconciliationLog,
    SourceFile,
    Submission,
    SubmissionFile,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine.types import BulkStrategy
from turnout_desktop.errors import Cancelled
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.fixes import undo_fix
from turnout_desktop.services.submission import import_statewide
from turnout_desktop.strategies import default_strategies, refetch_statewide

pytestmark = pytest.mark.usefixtures("evidence_mode")  # narrow and wide evidence queries

BULK = dt.date(2026, 3, 3)
ONE_BY_ONE = dt.date(2026, 5, 26)
METHODS = ("early-voting", "election-day", "mail-in")


def seed(engine: Engine, election: dt.date, counties: dict[str, dict[str, Any]]) -> None:
    """Per county: a roster of ``voters`` VUIDs, statewide records for all but ``missing`` of them (plus
    ``extra_dupes`` duplicate records), and official counts equal to the roster's."""
    with transaction(engine) as session:
        for county, spec in counties.items():
            submission = Submission(uuid=str(uuid.uuid4()), county=county, election_date=election, kind="roster",
                                    submitted_by="clerk")
            session.add(submission)
            session.flush()
            file = SourceFile(kind="county_roster", name=f"{county}-{election}.csv", sha256=uuid.uuid4().hex * 2,
                              size_bytes=1, election_date=election, parser="csv", encoding="utf-8")
            session.add(file)
            session.flush()
            session.add(SubmissionFile(submission_id=submission.id, source_file_id=file.id))
            counts: dict[str, int] = {}
            for number in range(spec["voters"]):
                vuid = f"{spec['prefix']}{number:09d}"  # ten digits, as statewide files spell them
                method = METHODS[number % 3]
                counts[method] = counts.get(method, 0) + 1
                session.add(CountyRosterRow(
                    submission_id=submission.id, source_file_id=file.id, sheet="", row_no=number + 2,
                    election_date=election, county=county, party="DEM", voting_method=method, vuid=vuid,
                    vuid_raw=vuid, precinct="0001", vote_date=dt.date(2026, 2, 20)))
                if number >= spec.get("missing", 0):
                    session.add(_record(election, vuid, county, method))
            for number in range(spec.get("extra_dupes", 0)):
                session.add(_record(election, f"{spec['prefix']}{number + spec.get('missing', 0):09d}", county,
                                    "mail-in" if METHODS[(number + spec.get("missing", 0)) % 3] != "mail-in"
                                    else "early-voting"))
            for method, count in counts.items():
                session.add(CountyTurnoutReference(county=county, election_date=election, party="DEM",
                                                   voting_method=method, official_count=count))
            session.add(CountyTurnoutReference(county=county, election_date=election, party="DEM",
                                               voting_method="TOTAL", official_count=spec["voters"]))


def _record(election: dt.date, vuid: str, county: str, method: str) -> TurnoutRecord:
    return TurnoutRecord(election_date=election, vuid=vuid, county=county, party="DEM", voting_method=method,
                         precinct="0001", source="statewide", verification="verified", county_fallback=False)


COUNTIES = {
    "ANDERSON": {"voters": 40, "missing": 2, "prefix": "1"},
    "BEXAR": {"voters": 60, "missing": 5, "prefix": "2"},
    "COLLIN": {"voters": 30, "missing": 1, "prefix": "3"},
    "DALLAS": {"voters": 30, "missing": 0, "extra_dupes": 2, "prefix": "4"},  # remove_duplicates: per pair
    "ECTOR": {"voters": 20, "missing": 0, "prefix": "5"},  # already right
}


def _ctx(engine: Engine) -> AppContext:
    return AppContext(engine, user="ada", role="admin")


def _trail(engine: Engine, election: dt.date) -> dict[str, Any]:
    """Everything a run wrote for an election, without ids, times and the election itself."""
    with transaction(engine) as session:
        logs = session.execute(select(ReconciliationLog).where(ReconciliationLog.election_date == election)
                               .order_by(ReconciliationLog.county)).scalars().all()
        trail: dict[str, Any] = {}
        for log in logs:
            attempts = session.execute(select(ReconciliationAttempt).where(ReconciliationAttempt.log_id == log.id)
                                       .order_by(ReconciliationAttempt.attempt_no)).scalars().all()
            fixes = session.execute(select(Fix).where(Fix.log_id == log.id)).scalars().all()
            actions = [(a.action, a.table_name, a.vuid) for fix in fixes for a in session.execute(
                select(FixAction).where(FixAction.fix_id == fix.id).order_by(FixAction.id)).scalars()]
            details = {key: value for key, value in (log.diagnosis_details or {}).items()
                       if key not in ("statewide_seen", "submission_ids")}
            trail[log.county] = {
                "status": log.status, "diagnosis": log.diagnosis, "details": _without_ids(details),
                "tried": log.strategies_tried, "succeeded": log.strategy_succeeded, "attempts": log.attempts_count,
                "accuracy": log.final_accuracy_pct, "actual": log.actual_total, "notes": log.notes,
                "attempt_rows": [(a.attempt_no, a.strategy, a.outcome, a.before_counts, a.after_counts, a.message)
                                 for a in attempts],
                "fixes": [(f.strategy, f.county, f.party, f.summary) for f in fixes], "actions": actions,
            }
        trail["reference"] = sorted(session.execute(
            select(CountyTurnoutReference.county, CountyTurnoutReference.voting_method,
                   CountyTurnoutReference.database_count, CountyTurnoutReference.verified)
            .where(CountyTurnoutReference.election_date == election)).all())
        trail["records"] = sorted(session.execute(
            select(TurnoutRecord.vuid, TurnoutRecord.county, TurnoutRecord.voting_method, TurnoutRecord.source,
                   TurnoutRecord.verification, TurnoutRecord.removed_at.is_(None))
            .where(TurnoutRecord.election_date == election)).all())
    return trail


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key not in ("record_id", "file")}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def test_the_round_writes_what_the_per_pair_loop_writes(db_engine: Engine) -> None:
    seed(db_engine, BULK, COUNTIES)
    seed(db_engine, ONE_BY_ONE, COUNTIES)
    assert any(isinstance(s, BulkStrategy) for s in default_strategies())
    assert not any(isinstance(s, BulkStrategy) for s in per_pair_strategies())

    bulk = reconciliation.reconcile(_ctx(db_engine), Scope(BULK))
    one_by_one = reconciliation.reconcile(_ctx(db_engine), Scope(ONE_BY_ONE), strategies=per_pair_strategies())

    assert [(r.county, r.status, r.strategy_succeeded) for r in bulk] == [
        ("ANDERSON", "RESOLVED", "fill_gaps"), ("BEXAR", "RESOLVED", "fill_gaps"),
        ("COLLIN", "RESOLVED", "fill_gaps"), ("DALLAS", "RESOLVED", "remove_duplicates"),
        ("ECTOR", "RESOLVED", None)]
    assert [(r.county, r.status, r.strategy_succeeded) for r in one_by_one] == [
        (r.county, r.status, r.strategy_succeeded) for r in bulk]
    bulk_trail, per_pair_trail = _trail(db_engine, BULK), _trail(db_engine, ONE_BY_ONE)
    for county in COUNTIES:
        assert bulk_trail[county] == per_pair_trail[county], county
    assert bulk_trail["records"] == per_pair_trail["records"]
    assert bulk_trail["reference"] == per_pair_trail["reference"]  # the database counts the dashboard shows
    assert len(bulk_trail["BEXAR"]["actions"]) == 5  # one insert action per filled VUID, in BEXAR's own fix
    assert "Resumed" not in (bulk_trail["DALLAS"]["notes"] or "")  # handed over, not a crash


def test_undoing_one_countys_fill_leaves_the_others(db_engine: Engine) -> None:
    seed(db_engine, BULK, COUNTIES)
    reconciliation.reconcile(_ctx(db_engine), Scope(BULK))
    with transaction(db_engine) as session:
        fixes = {county: fix_id for county, fix_id in session.execute(
            select(Fix.county, Fix.id).where(Fix.strategy == "fill_gaps"))}
    assert set(fixes) == {"ANDERSON", "BEXAR", "COLLIN"}

    undo_fix(_ctx(db_engine), fixes["BEXAR"], reason="checking the set-based round keeps fixes apart")

    with transaction(db_engine) as session:
        county_records = dict(session.execute(
            select(TurnoutRecord.county, func.count()).where(
                TurnoutRecord.source == "county", TurnoutRecord.removed_at.is_(None))
            .group_by(TurnoutRecord.county)).all())
    assert county_records == {"ANDERSON": 2, "COLLIN": 1}


def test_a_tombstone_sends_the_fill_to_the_per_pair_loop(db_engine: Engine) -> None:
    """With removed county records in the election, fill_gaps declines the set-based form (a tombstone may
    need reviving); the per-pair loop fills each county, continuing the round's log rows."""
    seed(db_engine, BULK, COUNTIES)
    with transaction(db_engine) as session:
        session.add(TurnoutRecord(election_date=BULK, vuid="9000000000", county="ECTOR", party="DEM",
                                  voting_method="mail-in", source="county", verification="pending",
                                  county_fallback=False, removed_at=dt.datetime(2026, 3, 4)))

    results = reconciliation.reconcile(_ctx(db_engine), Scope(BULK))

    assert {r.county: r.strategy_succeeded for r in results if r.county != "DALLAS"} == {
        "ANDERSON": "fill_gaps", "BEXAR": "fill_gaps", "COLLIN": "fill_gaps", "ECTOR": None}
    for row in results:
        assert "Resumed" not in (row.notes or ""), row.county
        assert row.status == "RESOLVED"
    with transaction(db_engine) as session:
        fills = session.execute(select(func.count()).select_from(ReconciliationAttempt).where(
            ReconciliationAttempt.strategy == "fill_gaps")).scalar()
    assert fills == 3  # one attempt per county, none left behind by the declined round


def test_cancelling_during_the_round_leaves_rows_a_rerun_finishes(db_engine: Engine) -> None:
    seed(db_engine, BULK, COUNTIES)

    with pytest.raises(Cancelled):  # the round checks before each set of attempts: the rows are open by then
        reconciliation.reconcile(_ctx(db_engine), Scope(BULK), cancel=lambda: True)
    with transaction(db_engine) as session:
        open_rows = session.execute(select(ReconciliationLog.county, ReconciliationLog.notes).where(
            ReconciliationLog.status == "IN_PROGRESS")).all()
    assert {county for county, _notes in open_rows} == {"ANDERSON", "BEXAR", "COLLIN", "DALLAS"}
    assert all("Cancelled" in (notes or "") for _county, notes in open_rows)

    results = reconciliation.reconcile(_ctx(db_engine), Scope(BULK))

    assert {r.status for r in results} == {"RESOLVED"}
    assert all("Resumed" in (r.notes or "") for r in results if r.county != "ECTOR")


def _statewide_file(path: Path, county: str, numbers: range) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        for number in numbers:
            writer.writerow([f"{1_100_000_000 + number}", county, "DEM", "early-voting", "0001", "2026-02-20"])
    return path


def test_a_source_already_imported_is_read_once_for_every_county(db_engine: Engine, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Strategy A in a round: the folder's file is already imported, so every county gets the "nothing new"
    attempt a run of its own would write, then fill_gaps; the source is read once, nothing imported twice."""
    seed(db_engine, BULK, COUNTIES)
    source = tmp_path / "statewide"
    import_statewide(_ctx(db_engine), [_statewide_file(source / "sw.csv", "FANNIN", range(3))], election=BULK)
    reads: list[str] = []

    def counted(where: str) -> Any:
        reads.append(where)
        return real_resolve(where)

    real_resolve = refetch_statewide.resolve_statewide_files
    monkeypatch.setattr(refetch_statewide, "resolve_statewide_files", counted)

    results = reconciliation.reconcile(_ctx(db_engine), Scope(BULK), statewide_source=str(source))

    assert reads == [str(source)]  # one read for the four counties (a loop per county read it four times)

    assert {r.county: r.strategy_succeeded for r in results if r.county in ("ANDERSON", "BEXAR")} == {
        "ANDERSON": "fill_gaps", "BEXAR": "fill_gaps"}
    trail = _trail(db_engine, BULK)
    for county in ("ANDERSON", "BEXAR", "COLLIN"):
        first = trail[county]["attempt_rows"][0]
        assert first[:3] == (1, "refetch_statewide", "no_change")
        assert first[5].startswith("Re-fetched 1 statewide file(s): 0 new record(s), 1 file(s) already imported")
    with transaction(db_engine) as session:
        assert session.execute(select(func.count()).select_from(SourceFile).where(
            SourceFile.kind == "statewide")).scalar() == 1


def test_a_new_statewide_file_is_imported_once_by_the_per_pair_loop(db_engine: Engine, tmp_path: Path) -> None:
    """A file not imported yet: the round leaves A to the per-pair loop, whose first county imports it; the
    missing voters it brings are no longer missing anywhere."""
    seed(db_engine, BULK, COUNTIES)
    source = tmp_path / "statewide"
    with transaction(db_engine) as session:
        first_missing = session.execute(select(CountyRosterRow.vuid).where(
            CountyRosterRow.county == "ANDERSON").order_by(CountyRosterRow.row_no).limit(1)).scalar_one()
    path = source / "new.csv"
    path.parent.mkdir(parents=True)
    path.write_text("VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n"
                    f"{first_missing},ANDERSON,DEM,early-voting,0001,2026-02-20\n", encoding="utf-8")

    results = reconciliation.reconcile(_ctx(db_engine), Scope(BULK), statewide_source=str(source))

    assert {r.status for r in results} == {"RESOLVED"}
    with transaction(db_engine) as session:
        imported = session.execute(select(func.count()).select_from(SourceFile).where(
            SourceFile.kind == "statewide")).scalar()
        filled = set(session.execute(select(TurnoutRecord.vuid).where(TurnoutRecord.source == "county")).scalars())
    assert imported == 1
    assert first_missing not in filled  # the statewide import brought it; fill_gaps did not insert it too
