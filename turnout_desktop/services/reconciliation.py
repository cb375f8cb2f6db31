"""Reconciliation services: the one place the CLI and the GUI run, inspect and gate reconciliation.

This module is the composition root of the engine: it hands it the strategies the registry finds
(``turnout_desktop.strategies.default_strategies()``) and the fix recorder, reads the settings, and enforces
who may do what (clerks act for their own county only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.audit import append_events, new_event, record_event
from turnout_desktop.db.models import CountyTurnoutReference, Fix, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status, Trigger
from turnout_desktop.engine.certification import certifications_in_force, refuse_if_certified
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.results import CHECK_UNCHANGED, DryRunResult, ReconcileResult
from turnout_desktop.engine.types import (
    CancelCheck,
    FixRecorderProtocol,
    ProgressCallback,
    Strategy,
)
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reconciliation_views import (  # the read side, next to the runs it describes
    attempts_by_log,
    county_overview,
    describe_statewide_source,
    gate,
    get_statewide_source,
    log_detail,
    log_entries,
    status,
)

__all__ = ["DryRunResult", "ReconcileResult", "county_overview", "describe_statewide_source", "elections",
           "export_public", "gate",
           "get_statewide_source", "log_detail", "log_entries", "preview_reconcile", "reconcile",
           "set_statewide_source", "status"]

if TYPE_CHECKING:  # the engine's loop loads only for a run (see ``reconcile``)
    from turnout_desktop.engine.loop import LoopOptions

PUBLIC_HEADER = ["county", "election_date", "party", "voting_method", "turnout", "official_count",
                 "accuracy_pct", "verification", "certification"]


def _recorder_factory(user: str) -> Any:
    from turnout_desktop.engine.fixes import FixRecorder

    def build(session: Session, target: LoopTarget, log_id: int | None, dry_run: bool) -> FixRecorderProtocol:
        return FixRecorder(session, election_date=target.election_date, county=target.county, party=target.party,
                           log_id=log_id, user=user, dry_run=dry_run)

    return build


def reconcile(ctx: AppContext, scope: Scope, *, trigger: Trigger = Trigger.MANUAL, statewide_source: str | None = None,
              strategies: Sequence[Strategy] | None = None, progress: ProgressCallback | None = None,
              cancel: CancelCheck | None = None,
              targets: Collection[tuple[str, str]] | None = None) -> list[ReconcileResult]:
    """Reconcile one county (or all counties with official counts) of an election.

    Args:
        ctx: Database and acting user.
        scope: The election, optionally one county (clerks: their own county) and one party.
        trigger: ``COUNTY_UPLOAD``, ``AUTO_CHECK`` or ``MANUAL``.
        statewide_source: Overrides the configured statewide source for this run.
        strategies: Strategy plugins (the engine orders them); default: every strategy the registry finds
            (``turnout_desktop.strategies.default_strategies()``).
        progress: ``progress(fraction, message)`` callback.
        cancel: Callable checked between attempts; when it returns True, ``Cancelled`` is raised.
        targets: Only these (county, party) pairs (the scheduled check's choice); the rest are reported
            unchanged.

    Returns:
        One result per (county, party): the ``reconciliation_log`` columns plus ``by_method``.
    """
    # The engine's loop loads only for a run: ``turnout status`` and ``gate`` start without it.
    from turnout_desktop.engine.batch import reconcile_election

    ctx.require(Action.RECONCILE)
    county = ctx.scoped_county(scope.county)
    with transaction(ctx.engine) as session:
        if trigger in (Trigger.MANUAL, Trigger.COUNTY_UPLOAD):  # None: the whole election
            refuse_if_certified(session, scope.election, [county],
                                f"{trigger.lower().replace('_', ' ')} reconciliation")
        options = _loop_options(ctx, session, trigger, statewide_source)
        if county is None:
            targets = _leave_certified_alone(session, scope.election, scope.party, targets)
    results = reconcile_election(ctx.engine, scope.election, strategies=_strategies(strategies),
                                 recorder_factory=_recorder_factory(ctx.user), options=options, county=county,
                                 party=scope.party, targets=targets, progress=progress, cancel=cancel)
    _audit_runs(ctx, scope.election, trigger, results)
    return results


def preview_reconcile(ctx: AppContext, scope: Scope, *, statewide_source: str | None = None,
                      strategies: Sequence[Strategy] | None = None) -> list[DryRunResult]:
    """Dry run of ``reconcile``: what each strategy would do per (county, party); nothing is written.

    Certified scopes are previewed too (a preview changes nothing), and no audit event is written.
    """
    from turnout_desktop.engine.batch import preview_election

    ctx.require(Action.RECONCILE)
    county = ctx.scoped_county(scope.county)
    with transaction(ctx.engine) as session:
        options = _loop_options(ctx, session, Trigger.MANUAL, statewide_source)
    return preview_election(ctx.engine, scope.election, strategies=_strategies(strategies),
                            recorder_factory=_recorder_factory(ctx.user), options=options, county=county,
                            party=scope.party)


def _strategies(chosen: Sequence[Strategy] | None) -> Sequence[Strategy]:
    """The strategies a run uses: those given, else every strategy the registry finds."""
    if chosen is not None:
        return chosen
    from turnout_desktop.strategies import default_strategies

    return default_strategies()


def _loop_options(ctx: AppContext, session: Session, trigger: Trigger, statewide_source: str | None) -> LoopOptions:
    from turnout_desktop.engine.loop import LoopOptions

    return LoopOptions(
        trigger=trigger, success_threshold=settings_store.success_threshold(session),
        statewide_source=statewide_source or settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE),
        user=ctx.user, may_change_statewide=is_allowed(ctx.role, Action.IMPORT_STATEWIDE),
    )


def _leave_certified_alone(session: Session, election: dt.date, party: str | None,
                           targets: Collection[tuple[str, str]] | None) -> Collection[tuple[str, str]] | None:
    """An election-wide run skips certified counties (reported unchanged): certified figures never move."""
    certified = certifications_in_force(session, election)
    if not certified:
        return targets
    pairs = session.execute(select(CountyTurnoutReference.county, CountyTurnoutReference.party).where(
        CountyTurnoutReference.election_date == election).distinct())
    open_pairs = {(c, p) for c, p in pairs if c not in certified and (party is None or p == party)}
    return open_pairs if targets is None else open_pairs & set(targets)


def _audit_runs(ctx: AppContext, election: dt.date, trigger: Trigger, results: Sequence[ReconcileResult]) -> None:
    """One audit event per run, per attempt and per applied fix (docs/reliability.md T14 event coverage).

    All events of one reconcile call are chained in one write: a statewide run touches hundreds of
    (county, party) pairs, and one head lookup per event dominated a clean run on PostgreSQL.

    This write is its own transaction, after the engine committed the runs (docs/reliability.md T14 says
    so): a crash in between leaves those attempts and fixes without events, though their rows (each fix
    with its maker, time and actions) stay. They are not written in the engine's attempt transactions because each
    event there would take the chain's lock (``db/audit.py``, held until commit on PostgreSQL) inside
    every attempt of every office, serialising all runs on one lock, and one head lookup per event.
    """
    runs = [r for r in results if r.check != CHECK_UNCHANGED]  # an unchanged pair was not run by this call
    if not runs:
        return
    log_ids = [r.id for r in runs]
    with transaction(ctx.engine) as session:
        attempts = attempts_by_log(session, log_ids)
        fixes: dict[int, list[Fix]] = {}
        for fix in session.execute(select(Fix).where(Fix.log_id.in_(log_ids)).order_by(Fix.id)).scalars():
            fixes.setdefault(fix.log_id or 0, []).append(fix)
        events = []
        for result in runs:
            log_id = result.id
            where: dict[str, Any] = {"user": ctx.user, "role": ctx.role, "county": result.county,
                                     "election_date": election}
            for attempt in attempts.get(log_id, []):
                events.append(new_event(
                    "reconcile_attempt", f"Log {log_id} attempt {attempt.attempt_no}: "
                    f"{attempt.strategy} -> {attempt.outcome}", **where,
                    details={"log_id": log_id, "attempt_no": attempt.attempt_no, "strategy": attempt.strategy,
                             "outcome": attempt.outcome}))
            for fix in fixes.get(log_id, []):
                events.append(new_event("fix_applied", f"Fix {fix.id} ({fix.strategy}): {fix.summary or ''}"[:1000],
                                        **where, details={"log_id": log_id, "fix_id": fix.id,
                                                          "strategy": fix.strategy}))
            status = result.status
            events.append(new_event(
                "reconcile", f"{trigger} reconcile of {result.county} {result.party}: {status}",
                disposition="success" if status == Status.RESOLVED else "na", **where,
                details={"log_id": log_id, "trigger": trigger, "status": status,
                         "attempts": result.attempts_count, "strategy_succeeded": result.strategy_succeeded}))
        append_events(session, events)


def set_statewide_source(ctx: AppContext, path: str, *, probe: bool = True) -> str:
    """Store the statewide source (a folder, a file or an https URL, probed unless ``probe`` is False).

    Admin only; audited. Returns what was stored (an absolute path, or the URL).

    Raises:
        InvalidRequest: see ``statewide_source.validate_source``.
    """
    from turnout_desktop.services import shared_settings

    shared_settings.update(ctx, statewide_source=path, probe_source=probe)
    return get_statewide_source(ctx) or ""


def elections(ctx: AppContext) -> list[dt.date]:
    """Every election with official counts or records, newest first."""
    with transaction(ctx.engine) as session:
        days = _distinct_days(session, CountyTurnoutReference.election_date)
        days |= _distinct_days(session, TurnoutRecord.election_date)
    return sorted(days, reverse=True)


def _distinct_days(session: Session, column: Any) -> set[dt.date]:
    """The distinct values of an indexed date column, one index probe per value.

    ``SELECT DISTINCT`` read every index entry: 0.2 s over 3M records each time the dashboard loads
    (benchmarks/dashboard.py); an election has millions of records but there are only a few elections.
    """
    days: set[dt.date] = set()
    value = session.execute(select(func.min(column))).scalar()
    while value is not None:
        days.add(_as_date(value))
        value = session.execute(select(func.min(column)).where(column > value)).scalar()
    return days



def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def export_public(ctx: AppContext, election: dt.date, out: Path) -> int:
    """Write the public CSV: the official count of every figure the gate lets through. Returns the rows.

    The public figure is the county's official count (the source of truth); ``accuracy_pct`` is the
    statewide-confirmed accuracy the gate decided on, ``verification`` its label, ``certification``
    "certified" or "unofficial". The ``export_public`` audit event (file name, rows, sha256) is committed
    before the finished file replaces ``out`` (docs/reliability.md T16), so any file a crash leaves there has
    its hash recorded.

    Raises:
        InvalidRequest: the database holds demo data (``settings_store.is_demo_database``).
    """
    ctx.require(Action.EXPORT_PUBLIC)
    with transaction(ctx.engine) as session:
        if settings_store.is_demo_database(session):
            # Made-up figures under real county names must never look published; a DEMO row would break
            # the readers of the fixed public columns, so the file is refused instead (exit 2).
            raise InvalidRequest("This is a demo database (made-up figures): no public CSV is written from it.")
    rows: list[list[object]] = []
    for row in status(ctx, election):
        if not row.public:
            continue
        rows.append([row.county, election.isoformat(), row.party, row.voting_method, row.official_count,
                     row.official_count, row.confirmed_accuracy_pct, row.public_message, row.certification])
    from turnout_desktop.reports.safe_io import write_csv_atomic

    def record(sha256: str) -> None:
        with transaction(ctx.engine) as session:
            record_event(session, "export_public", f"Public CSV {Path(out).name}: {len(rows)} gated rows",
                         user=ctx.user, role=ctx.role, election_date=election,
                         details={"file": Path(out).name, "rows": len(rows), "sha256": sha256})

    write_csv_atomic(Path(out), PUBLIC_HEADER, rows, before_replace=record)
    return len(rows)
