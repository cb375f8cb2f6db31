"""Reconciliation services: the one place the CLI and the GUI run, inspect and gate reconciliation.

This module is the composition root of the engine: it hands it the strategies the registry finds
(``turnout_desktop.strategies.default_strategies()``) and the fix recorder, reads the settings, and enforces
who may do what (clerks act for their own county only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.audit import append_events, new_event, record_event
from turnout_desktop.db.models import (
    CountyTurnoutReference,
    Fix,
    FixAction,
    ReconciliationLog,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.codes import METHODS, TOTAL
from turnout_desktop.domain.gate import GateDecision
from turnout_desktop.domain.metrics import rounded
from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.engine import reconcile_log as rlog
from turnout_desktop.engine.certification import certifications_in_force, refuse_if_certified
from turnout_desktop.engine.publication import Publication, certification_labels, publications
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.types import (
    STATUS_RESOLVED,
    TRIGGER_COUNTY_UPLOAD,
    TRIGGER_MANUAL,
    CancelCheck,
    FixRecorderProtocol,
    ProgressCallback,
    Strategy,
)
from turnout_desktop.errors import NotFound
from turnout_desktop.services.context import AppContext

STATUS_OVERRIDDEN = "OVERRIDDEN"
STATUS_PENDING = "PENDING"  # official counts exist but no run has looked at them yet
PUBLIC_HEADER = ["county", "election_date", "party", "voting_method", "turnout", "official_count",
                 "accuracy_pct", "verification", "certification"]
LEVEL_NO_DATA = "no_data"


def _recorder_factory(user: str) -> Any:
    from turnout_desktop.engine.fixes import FixRecorder

    def build(session: Session, target: LoopTarget, log_id: int | None, dry_run: bool) -> FixRecorderProtocol:
        return FixRecorder(session, election_date=target.election_date, county=target.county, party=target.party,
                           log_id=log_id, user=user, dry_run=dry_run)

    return build


def reconcile(ctx: AppContext, election: dt.date, *, county: str | None = None, party: str | None = None,
              trigger: str = TRIGGER_MANUAL, statewide_source: str | None = None, dry_run: bool = False,
              strategies: Sequence[Strategy] | None = None, progress: ProgressCallback | None = None,
              cancel: CancelCheck | None = None,
              targets: Collection[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Reconcile one county (or all counties with official counts) of an election.

    Args:
        ctx: Database and acting user.
        election: Election date.
        county: Only this county (clerks: their own county).
        party: Only this party.
        trigger: ``COUNTY_UPLOAD``, ``AUTO_CHECK`` or ``MANUAL``.
        statewide_source: Overrides the configured statewide source for this run.
        dry_run: Preview what the strategies would do; nothing is written.
        strategies: Strategy plugins (the engine orders them); default: every strategy the registry finds
            (``turnout_desktop.strategies.default_strategies()``).
        progress: ``progress(fraction, message)`` callback.
        cancel: Callable checked between attempts; when it returns True, ``Cancelled`` is raised.
        targets: Only these (county, party) pairs (the scheduled check's choice); the rest are reported
            unchanged.

    Returns:
        One dict per (county, party): the ``reconciliation_log`` columns plus ``by_method``.
    """
    # The engine's loop loads only for a run: ``turnout status`` and ``gate`` start without it.
    from turnout_desktop.engine.batch import reconcile_election
    from turnout_desktop.engine.loop import LoopOptions

    ctx.require(Action.RECONCILE)
    county = ctx.scoped_county(county)
    if strategies is None:
        from turnout_desktop.strategies import default_strategies

        strategies = default_strategies()
    with transaction(ctx.engine) as session:
        if not dry_run and trigger in (TRIGGER_MANUAL, TRIGGER_COUNTY_UPLOAD):  # None: the whole election
            refuse_if_certified(session, election, [county], f"{trigger.lower().replace('_', ' ')} reconciliation")
        options = LoopOptions(
            trigger=trigger, success_threshold=settings_store.success_threshold(session),
            statewide_source=statewide_source or settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE),
            user=ctx.user, may_change_statewide=is_allowed(ctx.role, Action.IMPORT_STATEWIDE),
        )
        if not dry_run and county is None:
            targets = _leave_certified_alone(session, election, party, targets)
    results = reconcile_election(ctx.engine, election, strategies=strategies,
                                 recorder_factory=_recorder_factory(ctx.user), options=options, county=county,
                                 party=party, dry_run=dry_run, targets=targets, progress=progress,
                                 cancel=cancel)
    if not dry_run:
        _audit_runs(ctx, election, trigger, results)
    return results


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


def _audit_runs(ctx: AppContext, election: dt.date, trigger: str, results: list[dict[str, Any]]) -> None:
    """One audit event per run, per attempt and per applied fix (docs/reliability.md T14 event coverage).

    All events of one reconcile call are chained in one write: a statewide run touches hundreds of
    (county, party) pairs, and one head lookup per event dominated a clean run on PostgreSQL.
    """
    runs = [r for r in results if r.get("id") is not None and r.get("check") != "unchanged"]
    if not runs:
        return
    log_ids = [r["id"] for r in runs]
    with transaction(ctx.engine) as session:
        attempts = _attempts_by_log(session, log_ids)
        fixes: dict[int, list[Fix]] = {}
        for fix in session.execute(select(Fix).where(Fix.log_id.in_(log_ids)).order_by(Fix.id)).scalars():
            fixes.setdefault(fix.log_id or 0, []).append(fix)
        events = []
        for result in runs:
            log_id = result["id"]
            where: dict[str, Any] = {"user": ctx.user, "role": ctx.role, "county": result.get("county"),
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
            status = result.get("status")
            events.append(new_event(
                "reconcile", f"{trigger} reconcile of {result.get('county')} {result.get('party')}: {status}",
                disposition="success" if status == STATUS_RESOLVED else "na", **where,
                details={"log_id": log_id, "trigger": trigger, "status": status,
                         "attempts": result.get("attempts_count"),
                         "strategy_succeeded": result.get("strategy_succeeded")}))
        append_events(session, events)


def _gate_json(decision: GateDecision) -> dict[str, Any]:
    accuracy = decision.accuracy_pct
    return {"allowed": decision.allowed, "accuracy_pct": rounded(accuracy) if accuracy is not None else None,
            "message": decision.message, "level": decision.level}


def gate(ctx: AppContext, election: dt.date, county: str, party: str) -> dict[str, Any]:
    """The public gate for one (county, party): allowed, accuracy_pct (statewide-confirmed), message, level."""
    county = ctx.scoped_county(county) or county
    with transaction(ctx.engine) as session:
        found = publications(session, election, county=county, party=party).get((county, party))
    if found is None:
        return {"allowed": False, "accuracy_pct": None, "level": LEVEL_NO_DATA,
                "message": "Blocked: no official county count to verify against"}
    return _gate_json(found.decision)


def status(ctx: AppContext, election: dt.date) -> list[dict[str, Any]]:
    """One row per official count (TOTAL rows included) with live database counts and the gate.

    ``accuracy_pct`` counts every active record (what the engine heals towards);
    ``confirmed_accuracy_pct`` counts the statewide-confirmed ones the gate publishes on.
    """
    rows: list[dict[str, Any]] = []
    with transaction(ctx.engine) as session:
        threshold = settings_store.success_threshold(session)
        found = publications(session, election)
        labels = certification_labels(session, election)
        references = session.execute(
            select(CountyTurnoutReference).where(CountyTurnoutReference.election_date == election)
            ).scalars()
        for ref in sorted(references, key=_reference_order):
            key = (ref.county, ref.party)
            publication = found.get(key)
            comparison = publication.comparison if publication else None
            if publication is None or comparison is None:
                database_count = confirmed_count = 0
            elif ref.voting_method == TOTAL:
                database_count, confirmed_count = comparison.actual_total, publication.confirmed_total
            else:
                method = comparison.by_method.get(ref.voting_method)
                database_count = method.actual if method else 0
                confirmed_count = publication.confirmed.get(ref.voting_method, 0)
            decision = publication.decision if publication else None
            rows.append({
                "county": ref.county, "party": ref.party, "voting_method": ref.voting_method,
                "official_count": ref.official_count, "database_count": database_count,
                "confirmed_count": confirmed_count,
                # Live, like database_count: the stored flag is only as fresh as the last compare, and an
                # undo or a new import since then may have changed the numbers.
                "verified": comparison is not None and comparison.accuracy >= threshold,
                "status": _status_of(publication),
                "accuracy_pct": rounded(comparison.accuracy) if comparison else None,
                "confirmed_accuracy_pct": rounded(publication.confirmed_accuracy) if publication else None,
                "public": bool(decision and decision.allowed),
                "public_message": decision.message if decision else "Blocked: no official county count",
                "public_level": decision.level if decision else LEVEL_NO_DATA,
                "certification": labels(ref.county),
                "last_verified_at": ref.last_verified_at.isoformat() if ref.last_verified_at else None,
            })
    return rows


def _status_of(publication: Publication | None) -> str:
    if publication is None:
        return STATUS_PENDING
    if publication.override is not None:
        return STATUS_OVERRIDDEN
    log = publication.state.log
    return log.status if log is not None else STATUS_PENDING


def _reference_order(ref: CountyTurnoutReference) -> tuple[str, str, int, str]:
    """County, party, then the methods in their usual order with TOTAL last."""
    order = [str(m) for m in METHODS] + [TOTAL]
    rank = order.index(ref.voting_method) if ref.voting_method in order else len(order) - 1
    return (ref.county, ref.party, rank, ref.voting_method)


def county_overview(ctx: AppContext, election: dt.date) -> list[dict[str, Any]]:
    """One row per (county, party) with official counts: totals, accuracy, status and gate."""
    rows: list[dict[str, Any]] = []
    with transaction(ctx.engine) as session:
        labels = certification_labels(session, election)
        for key, publication in sorted(publications(session, election).items()):
            comparison, decision, log = publication.comparison, publication.decision, publication.state.log
            rows.append({
                "county": key[0], "party": key[1], "expected_total": comparison.expected_total,
                "actual_total": comparison.actual_total, "accuracy_pct": rounded(comparison.accuracy),
                "confirmed_total": publication.confirmed_total,
                "confirmed_accuracy_pct": rounded(publication.confirmed_accuracy),
                "status": _status_of(publication), "public": decision.allowed,
                "public_message": decision.message, "public_level": decision.level,
                "certification": labels(key[0]),
                "last_log_id": log.id if log else None,
                "last_reconciled_at": (log.updated_at or log.created_at).isoformat() if log else None,
                "attempts_count": log.attempts_count if log else 0,
                "current_strategy": log.current_strategy if log else None,
                "by_method": comparison.counts_json(),
            })
    return rows


def log_entries(ctx: AppContext, *, county: str | None = None, election: dt.date | None = None,
                limit: int = 200, trigger: str | None = None) -> list[dict[str, Any]]:
    """Log entries, newest first, each with its ``attempts``; ``trigger`` keeps one ``trigger_type`` only."""
    county = ctx.scoped_county(county)
    with transaction(ctx.engine) as session:
        query = select(ReconciliationLog).order_by(ReconciliationLog.id.desc()).limit(limit)
        if county is not None:
            query = query.where(ReconciliationLog.county == county)
        if election is not None:
            query = query.where(ReconciliationLog.election_date == election)
        if trigger is not None:
            query = query.where(ReconciliationLog.trigger_type == trigger)
        logs = list(session.execute(query).scalars())
        attempts = _attempts_by_log(session, [log.id for log in logs])  # one query, not one per entry
        entries = []
        for log in logs:
            entry = rlog.log_to_dict(log)
            entry["attempts"] = [rlog.attempt_to_dict(a) for a in attempts.get(log.id, [])]
            entries.append(entry)
    return entries


def _attempts_by_log(session: Session, log_ids: Sequence[int]) -> dict[int, list[Any]]:
    """``ReconciliationAttempt`` rows of each log entry, in attempt order (the ids are sent in chunks)."""
    from turnout_desktop.db.models import ReconciliationAttempt

    attempts: dict[int, list[Any]] = {}
    for start in range(0, len(log_ids), 500):
        for attempt in session.execute(select(ReconciliationAttempt).where(
                ReconciliationAttempt.log_id.in_(log_ids[start:start + 500]))
                .order_by(ReconciliationAttempt.log_id, ReconciliationAttempt.attempt_no)).scalars():
            attempts.setdefault(attempt.log_id, []).append(attempt)
    return attempts


def log_detail(ctx: AppContext, log_id: int) -> dict[str, Any]:
    """One log entry with attempts, fixes (with their actions), failing VUID evidence and the gate."""
    with transaction(ctx.engine) as session:
        log = session.get(ReconciliationLog, log_id)
        if log is None:
            raise NotFound(f"No reconciliation log entry {log_id}.")
        ctx.require_county(log.county)
        entry = rlog.log_to_dict(log)
        entry["attempts"] = [rlog.attempt_to_dict(a) for a in rlog.attempts_of(session, log.id)]
        fixes = []
        for fix in session.execute(select(Fix).where(Fix.log_id == log_id).order_by(Fix.id)).scalars():
            actions = session.execute(select(FixAction).where(FixAction.fix_id == fix.id)
                                      .order_by(FixAction.id)).scalars()
            fixes.append({
                "id": fix.id, "strategy": fix.strategy, "summary": fix.summary,
                "created_at": fix.created_at.isoformat(), "created_by": fix.created_by,
                "undone_at": fix.undone_at.isoformat() if fix.undone_at else None,
                "actions": [{"id": a.id, "action": a.action, "table_name": a.table_name, "record_id": a.record_id,
                             "vuid": a.vuid, "before": a.before, "after": a.after} for a in actions],
            })
        entry["fixes"] = fixes
        details = log.diagnosis_details or {}
        entry["failing_vuids"] = [
            {"vuid": row.get("vuid"), "row_no": row.get("row_no"), "file": row.get("file"),
             "sheet": row.get("sheet"), "precinct": row.get("precinct"), "voting_method": row.get("voting_method")}
            for row in (details.get("missing_vuids") or {}).get("vuids", [])
        ]
        county, party, election = log.county, log.party, log.election_date
    entry["gate"] = gate(ctx, election, county, party)
    return entry


def set_statewide_source(ctx: AppContext, path: str, *, probe: bool = True) -> str:
    """Store the statewide source (a folder, a file or an https URL, probed unless ``probe`` is False).

    Admin only; audited. Returns what was stored (an absolute path, or the URL).

    Raises:
        InvalidRequest: see ``statewide_source.validate_source``.
    """
    from turnout_desktop.services import shared_settings

    shared_settings.update(ctx, statewide_source=path, probe_source=probe)
    return get_statewide_source(ctx) or ""


def get_statewide_source(ctx: AppContext) -> str | None:
    with transaction(ctx.engine) as session:
        return settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE)


def describe_statewide_source(ctx: AppContext) -> dict[str, Any]:
    """The stored source, its kind (folder, file, url or None) and the URL's last download (``source show``)."""
    from turnout_desktop.store.statewide_source import describe_source

    return describe_source(get_statewide_source(ctx))


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
    """
    ctx.require(Action.EXPORT_PUBLIC)
    rows: list[list[object]] = []
    for row in status(ctx, election):
        if not row["public"]:
            continue
        rows.append([row["county"], election.isoformat(), row["party"], row["voting_method"], row["official_count"],
                     row["official_count"], row["confirmed_accuracy_pct"], row["public_message"],
                     row["certification"]])
    from turnout_desktop.reports.safe_io import write_csv_atomic

    def record(sha256: str) -> None:
        with transaction(ctx.engine) as session:
            record_event(session, "export_public", f"Public CSV {Path(out).name}: {len(rows)} gated rows",
                         user=ctx.user, role=ctx.role, election_date=election,
                         details={"file": Path(out).name, "rows": len(rows), "sha256": sha256})

    write_csv_atomic(Path(out), PUBLIC_HEADER, rows, before_replace=record)
    return len(rows)
