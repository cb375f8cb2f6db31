"""Reconciliation services: the one place the CLI and the GUI run, inspect and gate reconciliation.

This module is the composition root of the engine: it picks the strategy plugins
(``strategies.default_strategies()``) and the fix recorder, reads the settings, and enforces who may
do what (clerks act for their own county only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.audit import append_events, new_event, record_event
from turnout_desktop.db.models import (
    CountyTurnoutReference,
    Fix,
    FixAction,
    ManualOverride,
    ReconciliationLog,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.codes import METHODS, TOTAL
from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.engine import reconcile_log as rlog
from turnout_desktop.engine.batch import reconcile_election
from turnout_desktop.engine.compare import Comparison, compare
from turnout_desktop.engine.gate import GateDecision, GateThresholds, can_show_data_publicly
from turnout_desktop.engine.loop import LoopOptions
from turnout_desktop.engine.metrics import rounded
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.types import (
    STATUS_RESOLVED,
    TRIGGER_AUTO_CHECK,
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
                 "accuracy_pct", "verification"]


def _recorder_factory(user: str) -> Any:
    from turnout_desktop.engine.fixes import FixRecorder

    def build(session: Session, target: LoopTarget, log_id: int | None, dry_run: bool) -> FixRecorderProtocol:
        return FixRecorder(session, election_date=target.election_date, county=target.county, party=target.party,
                           log_id=log_id, user=user, dry_run=dry_run)

    return build


def _scope_county(ctx: AppContext, county: str | None) -> str | None:
    """A clerk works on their own county only; an admin on any (or all). Names become SOS names."""
    if county is not None:
        county = canonical_county_name(county) or county
        ctx.require_county(county)
        return county
    return ctx.default_county()


def reconcile(ctx: AppContext, election: dt.date, *, county: str | None = None, party: str | None = None,
              trigger: str = TRIGGER_MANUAL, statewide_source: str | None = None, dry_run: bool = False,
              strategies: Sequence[Strategy] | None = None, progress: ProgressCallback | None = None,
              cancel: CancelCheck | None = None, _only_changed: bool = False) -> list[dict[str, Any]]:
    """Reconcile one county (or all counties with official counts) of an election.

    Args:
        ctx: Database and acting user.
        election: Election date.
        county: Only this county (clerks: their own county).
        party: Only this party.
        trigger: ``COUNTY_UPLOAD``, ``AUTO_CHECK`` or ``MANUAL``.
        statewide_source: Overrides the configured statewide source for this run.
        dry_run: Preview what the strategies would do; nothing is written.
        strategies: Ordered strategy plugins; default ``strategies.default_strategies()``.
        progress: ``progress(fraction, message)`` callback.
        cancel: Callable checked between attempts; when it returns True, ``Cancelled`` is raised.

    Returns:
        One dict per (county, party): the ``reconciliation_log`` columns plus ``by_method``.
    """
    ctx.require(Action.RECONCILE)
    county = _scope_county(ctx, county)
    if strategies is None:
        from strategies import default_strategies

        strategies = default_strategies()
    with transaction(ctx.engine) as session:
        options = LoopOptions(
            trigger=trigger, success_threshold=settings_store.success_threshold(session),
            statewide_source=statewide_source or settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE),
            user=ctx.user, may_import_statewide=is_allowed(ctx.role, Action.IMPORT_STATEWIDE),
        )
    results = reconcile_election(ctx.engine, election, strategies=strategies,
                                 recorder_factory=_recorder_factory(ctx.user), options=options, county=county,
                                 party=party, dry_run=dry_run, only_changed=_only_changed, progress=progress,
                                 cancel=cancel)
    if not dry_run:
        _audit_runs(ctx, election, trigger, results)
    return results


def _audit_runs(ctx: AppContext, election: dt.date, trigger: str, results: list[dict[str, Any]]) -> None:
    """One audit event per run, per attempt and per applied fix (RELIABILITY.md T14 event coverage).

    All events of one reconcile call are chained in one write: a statewide run touches hundreds of
    (county, party) pairs, and one head lookup per event dominated a clean run on PostgreSQL.
    """
    from turnout_desktop.db.models import ReconciliationAttempt

    runs = [r for r in results if r.get("id") is not None and r.get("check") != "unchanged"]
    if not runs:
        return
    log_ids = [r["id"] for r in runs]
    with transaction(ctx.engine) as session:
        attempts: dict[int, list[ReconciliationAttempt]] = {}
        for attempt in session.execute(select(ReconciliationAttempt).where(
                ReconciliationAttempt.log_id.in_(log_ids)).order_by(ReconciliationAttempt.attempt_no)).scalars():
            attempts.setdefault(attempt.log_id, []).append(attempt)
        fixes: dict[int, list[Fix]] = {}
        for fix in session.execute(select(Fix).where(Fix.log_id.in_(log_ids)).order_by(Fix.id)).scalars():
            fixes.setdefault(fix.log_id or 0, []).append(fix)
        events = []
        for result in runs:
            log_id = result["id"]
            where = {"user": ctx.user, "role": ctx.role, "county": result.get("county"), "election_date": election}
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


def check(ctx: AppContext, election: dt.date | None = None, *, progress: ProgressCallback | None = None,
          cancel: CancelCheck | None = None) -> list[dict[str, Any]]:
    """AUTO_CHECK: re-verify every county with official counts (one election, or all of them).

    A (county, party) whose last run still holds is reported with ``"check": "unchanged"`` and gets
    no new log row; one whose numbers drifted (or that never ran, or was interrupted) is
    reconciled again (``"check": "reconciled"``).
    """
    ctx.require(Action.CHECK)
    chosen = [election] if election is not None else elections(ctx)
    results: list[dict[str, Any]] = []
    for index, day in enumerate(chosen):
        def election_progress(fraction: float, message: str, _index: int = index) -> None:
            if progress is not None:
                progress((_index + fraction) / len(chosen), message)

        results.extend(reconcile(ctx, day, trigger=TRIGGER_AUTO_CHECK, progress=election_progress, cancel=cancel,
                                 _only_changed=True))
    return results


def _thresholds_and_overrides(session: Session, election: dt.date) -> tuple[GateThresholds, dict[tuple[str, str],
                                                                                             ManualOverride]]:
    overrides = {
        (row.county, row.party): row for row in session.execute(
            select(ManualOverride).where(ManualOverride.election_date == election,
                                         ManualOverride.revoked_at.is_(None)).order_by(ManualOverride.id)
        ).scalars()
    }
    return settings_store.gate_thresholds(session), overrides


def _decide(comparison: Comparison | None, thresholds: GateThresholds,
            override: ManualOverride | None) -> GateDecision:
    """The gate on the live accuracy; an override lets the figure through only when it says RESOLVED."""
    accuracy = comparison.accuracy if comparison is not None else None
    if override is not None and override.status != STATUS_RESOLVED:
        return GateDecision(False, accuracy, f"Blocked by manual override ({override.status}): {override.reason}",
                            "blocked")
    return can_show_data_publicly(accuracy, thresholds, override_reason=override.reason if override else None)


def _live(session: Session, election: dt.date, county: str | None = None,
          party: str | None = None) -> dict[tuple[str, str], Comparison]:
    return {(c.county, c.party): c for c in compare(session, election, county=county, party=party, update=False)}


def _status_of(log: ReconciliationLog | None, override: ManualOverride | None) -> str:
    if override is not None:
        return STATUS_OVERRIDDEN
    return log.status if log is not None else STATUS_PENDING


def gate(ctx: AppContext, election: dt.date, county: str, party: str) -> dict[str, Any]:
    """The public gate for one (county, party), on the live counts: allowed, accuracy_pct, message."""
    county = _scope_county(ctx, county) or county
    with transaction(ctx.engine) as session:
        thresholds, overrides = _thresholds_and_overrides(session, election)
        comparison = _live(session, election, county, party).get((county, party))
        decision = _decide(comparison, thresholds, overrides.get((county, party)))
    accuracy = decision.accuracy_pct
    return {"allowed": decision.allowed, "accuracy_pct": rounded(accuracy) if accuracy is not None else None,
            "message": decision.message, "level": decision.level}


def status(ctx: AppContext, election: dt.date) -> list[dict[str, Any]]:
    """One row per official count (TOTAL rows included) with live database counts and the gate."""
    rows: list[dict[str, Any]] = []
    with transaction(ctx.engine) as session:
        thresholds, overrides = _thresholds_and_overrides(session, election)
        threshold = settings_store.success_threshold(session)
        live = _live(session, election)
        latest = rlog.latest_logs(session, election)
        references = session.execute(
            select(CountyTurnoutReference).where(CountyTurnoutReference.election_date == election)
            ).scalars()
        for ref in sorted(references, key=_reference_order):
            key = (ref.county, ref.party)
            comparison = live.get(key)
            decision = _decide(comparison, thresholds, overrides.get(key))
            if comparison is None:
                database_count = 0
            elif ref.voting_method == TOTAL:
                database_count = comparison.actual_total
            else:
                method = comparison.by_method.get(ref.voting_method)
                database_count = method.actual if method else 0
            rows.append({
                "county": ref.county, "party": ref.party, "voting_method": ref.voting_method,
                "official_count": ref.official_count, "database_count": database_count,
                # Live, like database_count: the stored flag is only as fresh as the last compare, and an
                # undo or a new import since then may have changed the numbers.
                "verified": comparison is not None and comparison.accuracy >= threshold,
                "status": _status_of(latest.get(key), overrides.get(key)),
                "accuracy_pct": rounded(comparison.accuracy) if comparison else None,
                "public": decision.allowed, "public_message": decision.message,
                "last_verified_at": ref.last_verified_at.isoformat() if ref.last_verified_at else None,
            })
    return rows


def _reference_order(ref: CountyTurnoutReference) -> tuple[str, str, int, str]:
    """County, party, then the methods in their usual order with TOTAL last."""
    order = [str(m) for m in METHODS] + [TOTAL]
    rank = order.index(ref.voting_method) if ref.voting_method in order else len(order) - 1
    return (ref.county, ref.party, rank, ref.voting_method)


def county_overview(ctx: AppContext, election: dt.date) -> list[dict[str, Any]]:
    """One row per (county, party) with official counts: totals, accuracy, status and gate."""
    rows: list[dict[str, Any]] = []
    with transaction(ctx.engine) as session:
        thresholds, overrides = _thresholds_and_overrides(session, election)
        latest = rlog.latest_logs(session, election)
        for key, comparison in sorted(_live(session, election).items()):
            decision = _decide(comparison, thresholds, overrides.get(key))
            log = latest.get(key)
            rows.append({
                "county": key[0], "party": key[1], "expected_total": comparison.expected_total,
                "actual_total": comparison.actual_total, "accuracy_pct": rounded(comparison.accuracy),
                "status": _status_of(log, overrides.get(key)), "public": decision.allowed,
                "public_message": decision.message, "last_log_id": log.id if log else None,
                "last_reconciled_at": (log.updated_at or log.created_at).isoformat() if log else None,
                "attempts_count": log.attempts_count if log else 0,
                "current_strategy": log.current_strategy if log else None,
                "by_method": comparison.counts_json(),
            })
    return rows


def log_entries(ctx: AppContext, *, county: str | None = None, election: dt.date | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
    """Log entries, newest first, each with its ``attempts``."""
    county = _scope_county(ctx, county)
    with transaction(ctx.engine) as session:
        query = select(ReconciliationLog).order_by(ReconciliationLog.id.desc()).limit(limit)
        if county is not None:
            query = query.where(ReconciliationLog.county == county)
        if election is not None:
            query = query.where(ReconciliationLog.election_date == election)
        entries = []
        for log in session.execute(query).scalars():
            entry = rlog.log_to_dict(log)
            entry["attempts"] = [rlog.attempt_to_dict(a) for a in rlog.attempts_of(session, log.id)]
            entries.append(entry)
    return entries


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


def set_statewide_source(ctx: AppContext, path: str) -> None:
    """Store the statewide source (a folder or file; later an HTTPS URL). Admin only; audited."""
    from turnout_desktop.services import shared_settings

    shared_settings.update(ctx, statewide_source=path)


def get_statewide_source(ctx: AppContext) -> str | None:
    with transaction(ctx.engine) as session:
        return settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE)


def elections(ctx: AppContext) -> list[dt.date]:
    """Every election with official counts or records, newest first."""
    with transaction(ctx.engine) as session:
        query = union(select(CountyTurnoutReference.election_date).distinct(),
                      select(TurnoutRecord.election_date).distinct())
        days = {_as_date(value) for (value,) in session.execute(query)}
    return sorted(days, reverse=True)



def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def export_public(ctx: AppContext, election: dt.date, out: Path) -> int:
    """Write the public CSV: only figures the gate lets through. Returns the data rows written.

    The ``export_public`` audit event (file name, rows, sha256) is committed before the finished file
    replaces ``out`` (RELIABILITY.md T16), so any file a crash leaves there has its hash recorded.
    """
    ctx.require(Action.EXPORT_PUBLIC)
    rows: list[list[object]] = []
    for row in status(ctx, election):
        if not row["public"]:
            continue
        rows.append([row["county"], election.isoformat(), row["party"], row["voting_method"], row["database_count"],
                     row["official_count"], row["accuracy_pct"], row["public_message"]])
    from turnout_desktop.reports.safe_io import write_csv_atomic

    def record(sha256: str) -> None:
        with transaction(ctx.engine) as session:
            record_event(session, "export_public", f"Public CSV {Path(out).name}: {len(rows)} gated rows",
                         user=ctx.user, role=ctx.role, election_date=election,
                         details={"file": Path(out).name, "rows": len(rows), "sha256": sha256})

    write_csv_atomic(Path(out), PUBLIC_HEADER, rows, before_replace=record)
    return len(rows)

