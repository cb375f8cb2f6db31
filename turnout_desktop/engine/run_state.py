"""What one reconciliation run has learned (``RunState``) and how it is written down: attempt snapshots and
outcomes, the log row's progress and its closing values; shared by the loop and the set-based round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconciliationLog, utcnow
from turnout_desktop.domain.metrics import rounded
from turnout_desktop.domain.status import AttemptOutcome, Status
from turnout_desktop.engine import reconcile_log as rlog
from turnout_desktop.engine.compare import Comparison
from turnout_desktop.engine.diagnose import evidence_for_log
from turnout_desktop.engine.types import DIAGNOSIS_CODES, Diagnosis, Strategy, StrategyResult


@dataclass(slots=True)
class RunState:
    """What the loop has learned so far (rebuilt from attempt rows when a run is resumed)."""

    next_attempt_no: int = 1
    executed: int = 0
    tried: list[str] = field(default_factory=list)
    exhausted: set[str] = field(default_factory=set)
    codes_seen: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    succeeded: str | None = None


def resume_state(session: Session, log: ReconciliationLog, strategies: Sequence[Strategy]) -> RunState:
    """The state of a run picked up again (after a crash), rebuilt from its attempt rows and its log row."""
    escalating = {s.name for s in strategies if s.escalates}  # an escalation is not an attempt at a fix
    state = RunState()
    for attempt in rlog.attempts_of(session, log.id):
        state.next_attempt_no = attempt.attempt_no + 1
        if attempt.outcome != AttemptOutcome.SKIPPED:
            state.executed += 1 if attempt.strategy not in escalating else 0
            state.tried.append(attempt.strategy)
        if attempt.outcome not in rlog.HELPFUL_OUTCOMES:
            state.exhausted.add(attempt.strategy)
    state.codes_seen = list(log.diagnosis or [])
    state.evidence = {code: (log.diagnosis_details or {}).get(code) for code in state.codes_seen}
    return state


def note_diagnosis(state: RunState, diagnosis: Diagnosis) -> None:
    for code in diagnosis.codes:
        if code not in state.codes_seen:
            state.codes_seen.append(code)
            state.evidence[code] = diagnosis.details.get(code)


def attempt_snapshot(comparison: Comparison) -> dict[str, Any]:
    return {"actual": comparison.actual_total, "accuracy_pct": rounded(comparison.accuracy),
            "by_method": comparison.counts_json()}


def attempt_outcome(before: Comparison, after: Comparison, threshold: Decimal) -> AttemptOutcome:
    """What an attempt did to the accuracy: resolved, improved, worse or no change."""
    if after.accuracy >= threshold:
        return AttemptOutcome.RESOLVED
    if after.accuracy > before.accuracy:
        return AttemptOutcome.IMPROVED
    if after.accuracy < before.accuracy:
        return AttemptOutcome.WORSE
    return AttemptOutcome.NO_CHANGE


def result_message(result: StrategyResult) -> str:
    counts = (f"inserted {result.inserted}, removed {result.removed}, reassigned {result.reassigned}, "
              f"updated {result.updated}")
    return f"{result.message} ({counts})" if result.message else counts


def write_progress(log: ReconciliationLog, state: RunState, comparison: Comparison,
                    current: str | None = None) -> None:
    log.expected_total = comparison.expected_total
    log.actual_total = comparison.actual_total
    log.discrepancy = comparison.discrepancy
    log.discrepancy_pct = rounded(comparison.discrepancy_pct)
    log.final_accuracy_pct = rounded(comparison.accuracy)
    log.diagnosis = [code for code in DIAGNOSIS_CODES if code in state.codes_seen]
    details = evidence_for_log({code: state.evidence[code] for code in log.diagnosis})
    details["by_method"] = comparison.counts_json()
    details["accuracy_pct"] = rounded(comparison.accuracy)
    log.diagnosis_details = {**(log.diagnosis_details or {}), **details}
    log.strategies_tried = list(state.tried)
    log.attempts_count = state.executed
    log.current_strategy = current
    log.updated_at = utcnow()


def close_log(log: ReconciliationLog, state: RunState, status: Status, note: str, remaining: Sequence[str] | None,
              now: dt.datetime) -> None:
    """The final values of a run's log row (the loop's and the set-based round's): status, timing, note and
    the causes still present (``remaining``; None leaves the details as they are)."""
    log.status = status
    log.strategy_succeeded = state.succeeded if status == Status.RESOLVED else None
    log.resolution_time_seconds = round((now - log.created_at).total_seconds(), 3)
    log.resolved_at = now if status == Status.RESOLVED else None
    log.updated_at = now
    rlog.append_note(log, note)
    if remaining is not None:
        log.diagnosis_details = {**(log.diagnosis_details or {}), "remaining": list(remaining)}
