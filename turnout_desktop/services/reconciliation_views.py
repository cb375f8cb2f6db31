"""The read side of reconciliation: status, county overview, gate, log entries and the statewide source.

Each function returns frozen records (``services/reconciliation_results.py``) whose field names are the
CLI's JSON keys; ``services/reconciliation.py`` re-exports them next to the runs they describe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.models import (
    CountyTurnoutReference,
    Fix,
    FixAction,
    ReconciliationAttempt,
    ReconciliationLog,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.codes import METHODS, TOTAL
from turnout_desktop.domain.diagnosis import DiagnosisCode
from turnout_desktop.domain.gate import GateDecision
from turnout_desktop.domain.metrics import rounded
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger
from turnout_desktop.engine import reconcile_log as rlog
from turnout_desktop.engine.publication import Publication, certification_labels, publications
from turnout_desktop.errors import InvalidRequest, NotFound
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reconciliation_results import (
    CountyOverviewRow,
    EvidenceRow,
    FailingVuid,
    FixActionRow,
    FixDetail,
    GateResult,
    LogAttempt,
    LogDetail,
    LogEntry,
    StatusRow,
)

if TYPE_CHECKING:  # the store loads only when the source is described (``status`` and ``gate`` never do)
    from turnout_desktop.store.statewide_source import SourceDescription

LEVEL_NO_DATA = "no_data"


def _gate_result(decision: GateDecision) -> GateResult:
    accuracy = decision.accuracy_pct
    return GateResult(allowed=decision.allowed, accuracy_pct=rounded(accuracy) if accuracy is not None else None,
                      message=decision.message, level=decision.level)


def gate(ctx: AppContext, scope: Scope) -> GateResult:
    """The public gate for the (county, party) of ``scope``: allowed, statewide-confirmed accuracy, message, level.

    Raises:
        InvalidRequest: ``scope`` names no county or no party (the gate decides one figure).
    """
    if scope.county is None or scope.party is None:
        raise InvalidRequest("The public gate needs a county and a party.")
    county = ctx.scoped_county(scope.county) or scope.county
    with transaction(ctx.engine) as session:
        found = publications(session, scope.election, county=county, party=scope.party).get((county, scope.party))
    if found is None:
        return GateResult(allowed=False, accuracy_pct=None, level=LEVEL_NO_DATA,
                          message="Blocked: no official county count to verify against")
    return _gate_result(found.decision)


def status(ctx: AppContext, election: dt.date) -> tuple[StatusRow, ...]:
    """One row per official count (TOTAL rows included) with live database counts and the gate.

    ``accuracy_pct`` counts every active record (what the engine heals towards);
    ``confirmed_accuracy_pct`` counts the statewide-confirmed ones the gate publishes on.
    """
    rows: list[StatusRow] = []
    with transaction(ctx.engine) as session:
        threshold = settings_store.success_threshold(session)
        found = publications(session, election)
        labels = certification_labels(session, election)
        references = session.execute(
            select(CountyTurnoutReference).where(CountyTurnoutReference.election_date == election)
            ).scalars()
        for ref in sorted(references, key=_reference_order):
            publication = found.get((ref.county, ref.party))
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
            rows.append(StatusRow(
                county=ref.county, party=ref.party, voting_method=ref.voting_method,
                official_count=ref.official_count, database_count=database_count, confirmed_count=confirmed_count,
                # Live, like database_count: the stored flag is only as fresh as the last compare, and an
                # undo or a new import since then may have changed the numbers.
                verified=comparison is not None and comparison.accuracy >= threshold,
                status=_status_of(publication),
                accuracy_pct=rounded(comparison.accuracy) if comparison else None,
                confirmed_accuracy_pct=rounded(publication.confirmed_accuracy) if publication else None,
                public=bool(decision and decision.allowed),
                public_message=decision.message if decision else "Blocked: no official county count",
                public_level=decision.level if decision else LEVEL_NO_DATA,
                certification=labels(ref.county),
                last_verified_at=ref.last_verified_at.isoformat() if ref.last_verified_at else None,
            ))
    return tuple(rows)


def _status_of(publication: Publication | None) -> Status:
    if publication is None:
        return Status.PENDING
    if publication.override is not None:
        return Status.OVERRIDDEN
    log = publication.state.log
    return Status(log.status) if log is not None else Status.PENDING


def _reference_order(ref: CountyTurnoutReference) -> tuple[str, str, int, str]:
    """County, party, then the methods in their usual order with TOTAL last."""
    order = [str(m) for m in METHODS] + [TOTAL]
    rank = order.index(ref.voting_method) if ref.voting_method in order else len(order) - 1
    return (ref.county, ref.party, rank, ref.voting_method)


def county_overview(ctx: AppContext, election: dt.date) -> tuple[CountyOverviewRow, ...]:
    """One row per (county, party) with official counts: totals, accuracy, status and gate."""
    rows: list[CountyOverviewRow] = []
    with transaction(ctx.engine) as session:
        labels = certification_labels(session, election)
        for (county, party), publication in sorted(publications(session, election).items()):
            comparison, decision, log = publication.comparison, publication.decision, publication.state.log
            rows.append(CountyOverviewRow(
                county=county, party=party, expected_total=comparison.expected_total,
                actual_total=comparison.actual_total, accuracy_pct=rounded(comparison.accuracy),
                confirmed_total=publication.confirmed_total,
                confirmed_accuracy_pct=rounded(publication.confirmed_accuracy),
                status=_status_of(publication), public=decision.allowed,
                public_message=decision.message, public_level=decision.level,
                certification=labels(county),
                last_log_id=log.id if log else None,
                last_reconciled_at=(log.updated_at or log.created_at).isoformat() if log else None,
                attempts_count=log.attempts_count if log else 0,
                current_strategy=log.current_strategy if log else None,
                by_method=comparison.counts_json(),
            ))
    return tuple(rows)


def log_entries(ctx: AppContext, *, county: str | None = None, election: dt.date | None = None,
                limit: int = 200, trigger: Trigger | None = None) -> tuple[LogEntry, ...]:
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
        attempts = attempts_by_log(session, [log.id for log in logs])  # one query, not one per entry
        return tuple(LogEntry(**_log_fields(log, attempts.get(log.id, []))) for log in logs)


def attempts_by_log(session: Session, log_ids: Sequence[int]) -> dict[int, list[ReconciliationAttempt]]:
    """``ReconciliationAttempt`` rows of each log entry, in attempt order (the ids are sent in chunks)."""
    attempts: dict[int, list[ReconciliationAttempt]] = {}
    for start in range(0, len(log_ids), 500):
        for attempt in session.execute(select(ReconciliationAttempt).where(
                ReconciliationAttempt.log_id.in_(log_ids[start:start + 500]))
                .order_by(ReconciliationAttempt.log_id, ReconciliationAttempt.attempt_no)).scalars():
            attempts.setdefault(attempt.log_id, []).append(attempt)
    return attempts


def _iso(value: Any) -> Any:
    """An attempt's times as the ISO text its JSON has always carried."""
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _log_attempt(attempt: ReconciliationAttempt) -> LogAttempt:
    values = {column: _iso(getattr(attempt, column)) for column in rlog.ATTEMPT_COLUMNS}
    return LogAttempt(**{**values, "outcome": AttemptOutcome(attempt.outcome)})


def _log_fields(log: ReconciliationLog, attempts: Sequence[ReconciliationAttempt]) -> dict[str, Any]:
    """The fields of a :class:`LogEntry`: the log's columns (``engine.reconcile_log.log_row_values``), the
    stored ``by_method`` and the attempts."""
    row = rlog.log_row_values(log)
    row.update(by_method=row["diagnosis_details"].get("by_method", {}),
               attempts=tuple(_log_attempt(attempt) for attempt in attempts))
    return row


def log_detail(ctx: AppContext, log_id: int) -> LogDetail:
    """One log entry with attempts, fixes (with their actions), failing VUID evidence and the gate."""
    with transaction(ctx.engine) as session:
        log = session.get(ReconciliationLog, log_id)
        if log is None:
            raise NotFound(f"No reconciliation log entry {log_id}.")
        ctx.require_county(log.county)
        entry = _log_fields(log, rlog.attempts_of(session, log.id))
        fixes = tuple(_fix_detail(session, fix) for fix in session.execute(
            select(Fix).where(Fix.log_id == log_id).order_by(Fix.id)).scalars())
        details = log.diagnosis_details or {}
        failing = tuple(
            FailingVuid(vuid=row.get("vuid"), row_no=row.get("row_no"), file=row.get("file"),
                        sheet=row.get("sheet"), precinct=row.get("precinct"), voting_method=row.get("voting_method"))
            for row in (details.get("missing_vuids") or {}).get("vuids", []))
        scope = Scope(log.election_date, log.county, log.party)
    return LogDetail(**entry, fixes=fixes, failing_vuids=failing, evidence=evidence_rows(failing, details),
                     gate=gate(ctx, scope))


def evidence_rows(failing: Sequence[FailingVuid], details: Mapping[str, Any]) -> tuple[EvidenceRow, ...]:
    """The evidence of a log entry: its failing VUIDs, else the diagnosis's stored ``evidence`` rows.

    Stored rows keep the keys they were written with: ``kind`` or ``code``, ``row_no`` or ``row``,
    ``source_file`` or ``file``; a row with neither a kind nor a reason but a ``voting_method`` is a vote
    missing from the database, like a failing VUID.
    """
    if failing:
        return tuple(EvidenceRow(vuid=row.vuid, kind=DiagnosisCode.MISSING_VUIDS, reason=None, row_no=row.row_no,
                                 source_file=row.file, precinct=row.precinct) for row in failing)
    return tuple(_stored_evidence(row) for row in details.get("evidence") or ())


def _stored_evidence(row: Mapping[str, Any]) -> EvidenceRow:
    reason = str(row["reason"]) if row.get("reason") else None
    kind = row.get("kind") or row.get("code")
    if not kind and reason is None and "voting_method" in row:
        kind = DiagnosisCode.MISSING_VUIDS
    return EvidenceRow(vuid=row.get("vuid"), kind=str(kind) if kind else None, reason=reason,
                       row_no=row["row_no"] if "row_no" in row else row.get("row"),
                       source_file=row.get("source_file") or row.get("file"), precinct=row.get("precinct"))


def _fix_detail(session: Session, fix: Fix) -> FixDetail:
    actions = session.execute(select(FixAction).where(FixAction.fix_id == fix.id).order_by(FixAction.id)).scalars()
    return FixDetail(
        id=fix.id, strategy=fix.strategy, summary=fix.summary, created_at=fix.created_at.isoformat(),
        created_by=fix.created_by, undone_at=fix.undone_at.isoformat() if fix.undone_at else None,
        actions=tuple(FixActionRow(id=a.id, action=a.action, table_name=a.table_name, record_id=a.record_id,
                                   vuid=a.vuid, before=a.before, after=a.after) for a in actions))


def get_statewide_source(ctx: AppContext) -> str | None:
    with transaction(ctx.engine) as session:
        return settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE)


def describe_statewide_source(ctx: AppContext) -> SourceDescription:
    """The stored source, its kind (folder, file, url or None) and the URL's last download (``source show``)."""
    from turnout_desktop.store.statewide_source import describe_source

    return describe_source(get_statewide_source(ctx))
