"""What ``reconcile``, ``preview_reconcile`` and the scheduled check return: frozen results (``engine/results.py``),
and the audit trail of a run is written from those typed results."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import FrozenInstanceError, fields

import pytest
from reconciliation_rows import ED, ELECTION, EV, add_records, add_reference, add_roster, vuid
from sqlalchemy import Engine, select

from turnout_desktop.cli.common import print_json
from turnout_desktop.db.models import AuditEvent, Fix, ReconciliationAttempt
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.metrics import MethodCount
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine.results import DryRunResult, LogRow, ReconcileResult, StrategyPreview
from turnout_desktop.services import reconciliation
from turnout_desktop.services.check import CheckReport, run_check
from turnout_desktop.services.context import AppContext

RUN_EVENTS = ("reconcile_attempt", "fix_applied", "reconcile")


def _ctx(engine: Engine) -> AppContext:
    return AppContext(engine=engine, user="tester", role="admin")


def _travis_missing_one(engine: Engine) -> None:
    """TRAVIS DEM: 3 official early votes, 2 statewide records, the third voter on the county's roster."""
    add_reference(engine, "TRAVIS", "DEM", {EV: 3})
    add_roster(engine, "TRAVIS", [(vuid(i), "DEM", EV) for i in range(3)])
    add_records(engine, [(vuid(i), "TRAVIS", "DEM", EV) for i in range(2)])


def _run_events(engine: Engine) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(session.execute(select(AuditEvent).where(AuditEvent.event_type.in_(RUN_EVENTS))
                                    .order_by(AuditEvent.seq)).scalars())


def test_results_are_frozen(db_engine: Engine) -> None:
    _travis_missing_one(db_engine)
    add_reference(db_engine, "HAYS", "REP", {ED: 1})
    add_records(db_engine, [(vuid(10), "HAYS", "REP", ED)])
    (clean, preview) = reconciliation.preview_reconcile(_ctx(db_engine), Scope(ELECTION))
    assert isinstance(preview, DryRunResult) and isinstance(preview.preview[0], StrategyPreview)
    assert (clean.county, clean.status, clean.preview) == ("HAYS", "RESOLVED", ())
    (resolved, run) = reconciliation.reconcile(_ctx(db_engine), Scope(ELECTION))
    assert isinstance(run, ReconcileResult) and (run.county, run.check) == ("TRAVIS", None)
    report = run_check(_ctx(db_engine), ELECTION)
    assert isinstance(report, CheckReport) and [r.check for r in report.results] == ["unchanged", "unchanged"]
    for frozen, name, value in [(run, "status", "FAILED"), (resolved, "check", "reconciled"),
                                (preview, "status", "RESOLVED"), (preview.preview[0], "inserted", 0),
                                (report, "results", ()), (report.results[0], "id", 0)]:
        with pytest.raises(FrozenInstanceError):
            setattr(frozen, name, value)
    assert (run.status, resolved.check, report.results[0].id) == ("RESOLVED", None, resolved.id)
    assert isinstance(run.diagnosis, tuple) and isinstance(run.strategies_tried, tuple)
    assert run.by_method == {EV: MethodCount(expected=3, actual=3)}


def test_the_audit_trail_of_a_run_is_written_from_its_results(db_engine: Engine) -> None:
    _travis_missing_one(db_engine)
    (run,) = reconciliation.reconcile(_ctx(db_engine), Scope(ELECTION, county="TRAVIS"))
    assert (run.status, run.strategy_succeeded) == ("RESOLVED", "fill_gaps")
    with transaction(db_engine) as session:
        attempts = list(session.execute(select(ReconciliationAttempt.attempt_no, ReconciliationAttempt.strategy)
                                        .where(ReconciliationAttempt.log_id == run.id)
                                        .order_by(ReconciliationAttempt.attempt_no)))
        fix_ids = list(session.execute(select(Fix.id).where(Fix.log_id == run.id)).scalars())
    assert fix_ids, "fill_gaps recorded no fix"
    events = _run_events(db_engine)
    assert [e.event_type for e in events] == (["reconcile_attempt"] * len(attempts) + ["fix_applied"] * len(fix_ids)
                                              + ["reconcile"])
    assert all((e.county, e.election_date, e.user_name, e.details["log_id"]) == ("TRAVIS", ELECTION, "tester", run.id)
               for e in events)
    assert [(e.details["attempt_no"], e.details["strategy"]) for e in events[:len(attempts)]] == attempts
    assert [e.details["fix_id"] for e in events if e.event_type == "fix_applied"] == fix_ids
    summary = events[-1]
    assert summary.details == {"log_id": run.id, "trigger": "MANUAL", "status": "RESOLVED",
                               "attempts": run.attempts_count, "strategy_succeeded": "fill_gaps"}
    assert (summary.disposition, summary.message) == ("success", "MANUAL reconcile of TRAVIS DEM: RESOLVED")

    (unchanged,) = run_check(_ctx(db_engine), ELECTION).results  # nothing changed: reported, not run again
    assert (unchanged.check, unchanged.id) == ("unchanged", run.id)
    assert len(_run_events(db_engine)) == len(events)  # an unchanged pair gets no audit event
    reconciliation.preview_reconcile(_ctx(db_engine), Scope(ELECTION))
    assert len(_run_events(db_engine)) == len(events)  # nor does a preview


def test_a_run_and_its_log_entry_carry_the_same_log_row(db_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """The result of a run and the entry read back later are one record (``engine.results.LogRow``), equal field
    by field, with real dates and times; the JSON still prints them as ISO text."""
    _travis_missing_one(db_engine)
    (run,) = reconciliation.reconcile(_ctx(db_engine), Scope(ELECTION, county="TRAVIS"))
    (entry,) = reconciliation.log_entries(_ctx(db_engine), county="TRAVIS")
    detail = reconciliation.log_detail(_ctx(db_engine), run.id)
    assert isinstance(run, LogRow) and isinstance(entry, LogRow) and isinstance(detail, LogRow)
    columns = [item.name for item in fields(LogRow)]
    assert [item.name for item in fields(run)][:len(columns)] == columns
    assert [item.name for item in fields(entry)][:len(columns)] == columns
    assert {c: getattr(entry, c) for c in columns} == {c: getattr(run, c) for c in columns}
    assert {c: getattr(detail, c) for c in columns} == {c: getattr(run, c) for c in columns}
    assert type(entry.election_date) is dt.date and isinstance(entry.created_at, dt.datetime)
    assert (run.status, run.attempts_count, entry.strategies_tried) == ("RESOLVED", 1, ("fill_gaps",))
    print_json(entry)
    printed = json.loads(capsys.readouterr().out)
    assert list(printed)[:len(columns)] == columns
    assert (printed["election_date"], printed["created_at"]) == (ELECTION.isoformat(), entry.created_at.isoformat())
