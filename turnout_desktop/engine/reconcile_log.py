"""Step 5: ``reconciliation_log`` / ``reconciliation_attempt`` rows and the typed record of a log row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconciliationAttempt, ReconciliationLog, utcnow
from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger
from turnout_desktop.engine.results import ByMethod, LogRow, ReconcileResult

# Attempt outcomes are stored in reconciliation_attempt.outcome; the enum and its labels live in domain.
HELPFUL_OUTCOMES = (AttemptOutcome.IMPROVED, AttemptOutcome.RESOLVED)

# The reconciliation_log columns every log record carries, in their JSON order (``results.LogRow``).
LOG_COLUMNS = tuple(column.name for column in fields(LogRow))
ATTEMPT_COLUMNS = (
    "id", "attempt_no", "strategy", "outcome", "before_actual", "after_actual", "before_accuracy_pct",
    "after_accuracy_pct", "before_counts", "after_counts", "fix_id", "message", "started_at", "finished_at",
)


@dataclass(frozen=True, slots=True)
class LoopTarget:
    """The unit the loop works on: one (county, election, party)."""

    county: str
    election_date: dt.date
    party: str


def open_log(session: Session, target: LoopTarget, trigger: Trigger, *,
             note_resume: bool = True) -> tuple[ReconciliationLog, bool]:
    """The IN_PROGRESS row a crashed run left for this target, else a new IN_PROGRESS row.

    ``note_resume=False``: the row was handed over by this same call's set-based round, not left by a crash.

    Returns:
        The log row (flushed, so it has an id) and whether it was resumed.
    """
    unfinished = list(session.execute(
        select(ReconciliationLog).where(
            ReconciliationLog.county == target.county, ReconciliationLog.election_date == target.election_date,
            ReconciliationLog.party == target.party, ReconciliationLog.status == Status.IN_PROGRESS,
        ).order_by(ReconciliationLog.id.desc())
    ).scalars())
    existing = unfinished[0] if unfinished else None
    for older in unfinished[1:]:  # runs that died before the one resumed now: closed, never left IN_PROGRESS
        older.status = Status.INTERRUPTED
        older.notes = _append_note(older.notes, f"Interrupted; superseded by log {existing.id if existing else '?'}.")
        older.updated_at = utcnow()
    if existing is not None:
        if note_resume:
            existing.notes = _append_note(existing.notes, f"Resumed by a {trigger} run after an interrupted run.")
        existing.updated_at = utcnow()
        session.flush()
        return existing, True
    log = ReconciliationLog(
        county=target.county, election_date=target.election_date, party=target.party, trigger_type=trigger,
        status=Status.IN_PROGRESS, attempts_count=0, strategies_tried=[], diagnosis=[], diagnosis_details={},
        created_at=utcnow(), updated_at=utcnow(),
    )
    session.add(log)
    session.flush()
    return log, False


def insert_logs(session: Session, rows: list[dict[str, Any]]) -> list[ReconciliationLog]:
    """Insert many log rows in one Core executemany and return them as (detached) log objects.

    One ORM object per row cost about 2 ms each on PostgreSQL (500 rows: most of a clean run).
    """
    if not rows:
        return []
    statement = insert(ReconciliationLog).returning(ReconciliationLog.id, sort_by_parameter_order=True)
    ids = list(session.execute(statement, rows).scalars())
    return [ReconciliationLog(id=log_id, **row) for log_id, row in zip(ids, rows, strict=True)]


def latest_log(session: Session, target: LoopTarget) -> ReconciliationLog | None:
    """The newest log row of one (county, election, party), if any."""
    return session.execute(
        select(ReconciliationLog).where(
            ReconciliationLog.county == target.county, ReconciliationLog.election_date == target.election_date,
            ReconciliationLog.party == target.party, ReconciliationLog.status != Status.CHECKED,
        ).order_by(ReconciliationLog.id.desc()).limit(1)).scalar_one_or_none()


def _append_note(notes: str | None, line: str) -> str:
    return f"{notes}\n{line}" if notes else line


def append_note(log: ReconciliationLog, line: str) -> None:
    log.notes = _append_note(log.notes, line)


def resolved_note(succeeded: str | None) -> str:
    """The note of a RESOLVED log row: the strategy that resolved it, or that nothing needed fixing."""
    return f"Resolved by {succeeded}." if succeeded else "Counts match; nothing to fix."


def attempts_of(session: Session, log_id: int) -> list[ReconciliationAttempt]:
    return list(session.execute(
        select(ReconciliationAttempt).where(ReconciliationAttempt.log_id == log_id)
        .order_by(ReconciliationAttempt.attempt_no)
    ).scalars())


def attempt_values(log_id: int, attempt_no: int, strategy: str, outcome: AttemptOutcome, *,
                   before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                   fix_id: int | None = None, message: str | None = None,
                   started_at: dt.datetime | None = None) -> dict[str, Any]:
    """The column values of one attempt row; ``before``/``after`` are ``{"actual", "accuracy_pct", "by_method"}``."""
    return {
        "log_id": log_id, "attempt_no": attempt_no, "strategy": strategy, "outcome": outcome,
        "before_actual": (before or {}).get("actual"), "after_actual": (after or {}).get("actual"),
        "before_accuracy_pct": (before or {}).get("accuracy_pct"),
        "after_accuracy_pct": (after or {}).get("accuracy_pct"),
        "before_counts": (before or {}).get("by_method"), "after_counts": (after or {}).get("by_method"),
        "fix_id": fix_id, "message": message, "started_at": started_at or utcnow(), "finished_at": utcnow(),
    }


def add_attempt(session: Session, log_id: int, attempt_no: int, strategy: str, outcome: AttemptOutcome, *,
                before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                fix_id: int | None = None, message: str | None = None,
                started_at: dt.datetime | None = None) -> ReconciliationAttempt:
    """One strategy tried (or skipped) within a log entry, with counts before and after.

    ``before``/``after`` are ``{"actual": n, "accuracy_pct": x, "by_method": {...}}``.
    """
    attempt = ReconciliationAttempt(**attempt_values(log_id, attempt_no, strategy, outcome, before=before,
                                                     after=after, fix_id=fix_id, message=message,
                                                     started_at=started_at))
    session.add(attempt)
    session.flush()
    return attempt


def log_row_values(log: ReconciliationLog) -> dict[str, Any]:
    """The :class:`LogRow` fields of a log row (JSON columns as tuples and a plain dict), to extend with more."""
    values = {column: getattr(log, column) for column in LOG_COLUMNS}
    values.update(diagnosis=tuple(log.diagnosis or ()), strategies_tried=tuple(log.strategies_tried or ()),
                  diagnosis_details=dict(log.diagnosis_details or {}), status=Status(log.status),
                  trigger_type=Trigger(log.trigger_type))
    return values


def run_result(log: ReconciliationLog, by_method: ByMethod, *, check: str | None = None) -> ReconcileResult:
    """The log row of a run as its typed result, with the counts per method the run ended on."""
    return ReconcileResult(**log_row_values(log), by_method=by_method, check=check)


def latest_logs(session: Session, election: dt.date) -> dict[tuple[str, str], ReconciliationLog]:
    """The newest log row of every (county, party) of an election."""
    newest = (
        select(ReconciliationLog.county, ReconciliationLog.party, ReconciliationLog.id)
        .where(ReconciliationLog.election_date == election, ReconciliationLog.status != Status.CHECKED)
        .order_by(ReconciliationLog.id)
    )
    ids: dict[tuple[str, str], int] = {}
    for county, party, log_id in session.execute(newest):
        ids[(county, party)] = log_id  # ascending ids: the last one wins
    if not ids:
        return {}
    rows = session.execute(select(ReconciliationLog).where(ReconciliationLog.id.in_(list(ids.values())))).scalars()
    return {(row.county, row.party): row for row in rows}
