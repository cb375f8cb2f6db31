"""Step 4: the self-healing loop for one (county, election, party).

Compare, diagnose, then try strategies - the ones declaring a cause the diagnosis found first, then the
rest, each group by declared priority (``strategy_order``) - each in its own transaction together with its
``reconciliation_attempt`` and ``fix_action`` rows, re-diagnosing after every attempt, until the accuracy
reaches the success threshold or 10 attempts are spent; then escalate (the strategy declaring ``escalates``:
F). The log row is committed IN_PROGRESS before any work, so a crash leaves a row the next run picks up
and finishes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconciliationLog, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.metrics import rounded
from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger
from turnout_desktop.engine import inputs
from turnout_desktop.engine import reconcile_log as rlog
from turnout_desktop.engine.compare import Comparison, compare
from turnout_desktop.engine.diagnose import diagnose, sample_vuids
from turnout_desktop.engine.freshness import change_note
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.repository import lock_county, newest_statewide_file
from turnout_desktop.engine.results import ReconcileResult
from turnout_desktop.engine.run_lock import DEFAULT_WAIT_SECONDS, county_run_lock
from turnout_desktop.engine.run_state import (
    RunState,
    attempt_outcome,
    attempt_snapshot,
    close_log,
    note_diagnosis,
    result_message,
    resume_state,
    write_progress,
)
from turnout_desktop.engine.side_effects import record_side_effects
from turnout_desktop.engine.types import (
    DATA_FORMAT,
    DUPLICATE_RECORDS,
    MISSING_VUIDS,
    TIMING,
    WRONG_DISTRICT,
    CancelCheck,
    Diagnosis,
    FixRecorderProtocol,
    ProgressCallback,
    Strategy,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.errors import Cancelled

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
STATEWIDE_SEEN = "statewide_seen"  # diagnosis_details key: the newest statewide file id when the run started
ESCALATION_MAX_ATTEMPTS = "MAX_ATTEMPTS_EXCEEDED"
ESCALATION_NO_STRATEGY = "NO_STRATEGY_LEFT"
# Which found cause is fixed first when a diagnosis finds several: the source of truth (a wrong parse) before
# the records, missing records before moving or removing any. Causes not listed here come after, as found.
CODE_PRECEDENCE = (DATA_FORMAT, TIMING, MISSING_VUIDS, WRONG_DISTRICT, DUPLICATE_RECORDS)

RecorderFactory = Callable[[Session, LoopTarget, int | None, bool], FixRecorderProtocol]


@dataclass(slots=True)
class LoopOptions:
    """Settings of one run (read from the database by the service)."""

    trigger: Trigger
    success_threshold: Decimal = Decimal("99.9")
    statewide_source: str | None = None
    user: str = "engine"
    may_change_statewide: bool = True  # False for a clerk: statewide changes are left to the scheduled check
    max_attempts: int = MAX_ATTEMPTS
    lock_wait_seconds: float = DEFAULT_WAIT_SECONDS  # how long to wait for another run of the same county


class _MadeWorse(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside an attempt's transaction when its changes lowered the accuracy (they are rolled back)."""

    def __init__(self, result: StrategyResult, after: Comparison) -> None:
        super().__init__("the attempt made the accuracy worse")
        self.result = result
        self.after = after


def strategy_order(diagnosis: Diagnosis, strategies: Sequence[Strategy]) -> list[Strategy]:
    """The fixes to try, from what each strategy declares: for each cause the diagnosis found (in
    ``CODE_PRECEDENCE``), the strategies that handle it, then the rest; each group by priority (a tie keeps
    the given order). Escalating strategies are not fixes: ``escalation_strategy`` picks the one to run last."""
    fixes = sorted((s for s in strategies if not s.escalates), key=lambda s: s.priority)
    causes = [*(c for c in CODE_PRECEDENCE if c in diagnosis.codes),
              *(c for c in diagnosis.codes if c not in CODE_PRECEDENCE)]
    ordered: list[Strategy] = []
    for cause in causes:
        ordered.extend(s for s in fixes if cause in s.handles and not any(s is o for o in ordered))
    ordered.extend(s for s in fixes if not any(s is o for o in ordered))
    return ordered


def escalation_strategy(strategies: Sequence[Strategy]) -> Strategy | None:
    """The strategy the loop runs when it gives up (the escalating one of lowest priority), if any."""
    return min((s for s in strategies if s.escalates), key=lambda s: s.priority, default=None)


def compare_one(session: Session, target: LoopTarget, options: LoopOptions, *, update: bool = True) -> Comparison:
    found = compare(session, target.election_date, county=target.county, party=target.party,
                    success_threshold=options.success_threshold, update=update)
    if not found:
        raise LookupError(f"no official counts for {target.county} {target.party} {target.election_date}")
    return found[0]


class ReconciliationLoop:
    """Runs the loop for one target; construct per run."""

    def __init__(self, engine: Engine, target: LoopTarget, strategies: Sequence[Strategy],
                 recorder_factory: RecorderFactory, options: LoopOptions, *,
                 progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
                 continues_round: bool = False, lock_held: bool = False) -> None:
        """``continues_round``: the target's IN_PROGRESS row comes from this call's set-based round
        (``engine/bulk_round.py``), which handed it over; it is continued, not "resumed after a crash".
        ``lock_held``: the caller holds the county's run lock already (the round keeps it until then)."""
        self.engine = engine
        self.target = target
        self.strategies = list(strategies)
        self.recorder_factory = recorder_factory
        self.options = options
        self.progress = progress or (lambda _fraction, _message: None)
        self.cancel = cancel or (lambda: False)
        self.continues_round = continues_round
        self.lock_held = lock_held

    def run(self) -> ReconcileResult:
        """Run to RESOLVED or ESCALATED; returns the log entry (with ``by_method``).

        The whole run holds the county's run lock (``run_lock``): a second run of the same county waits for
        this one to finish instead of resuming its IN_PROGRESS row.

        Raises:
            Cancelled: when ``cancel()`` turned true between attempts (the row stays IN_PROGRESS).
            RunBusy: another run of the county held the lock for ``lock_wait_seconds``.
        """
        if self.lock_held:
            return self._run_locked()
        with county_run_lock(self.engine, self.target.county, self.target.election_date,
                             wait_seconds=self.options.lock_wait_seconds, cancel=self.cancel):
            return self._run_locked()

    def _run_locked(self) -> ReconcileResult:
        with transaction(self.engine) as session:
            lock_county(session, self.target.county, self.target.election_date)
            # Read before the compare: a change committed after this read gets a higher version, so a run
            # never records a version newer than the data it compared.
            current = inputs.versions(session, self.target.election_date, self.target.county).get(self.target.county)
            previous = rlog.latest_log(session, self.target)
            log, resumed = rlog.open_log(session, self.target, self.options.trigger,
                                         note_resume=not self.continues_round)
            log.input_version = current.version if current is not None else 0
            log.diagnosis_details = {**(log.diagnosis_details or {}),
                                     STATEWIDE_SEEN: newest_statewide_file(session, self.target.election_date)}
            note = change_note(previous, current) if previous is not log else None
            if note:  # what changed where it landed (an upload, another county's fix, an undo, ...)
                rlog.append_note(log, note)
            state = resume_state(session, log, self.strategies) if resumed else RunState()
            comparison = compare_one(session, self.target, self.options)
            diagnosis = self.diagnose_now(session, comparison)
            note_diagnosis(state, diagnosis)
            write_progress(log, state, comparison)
            log_id = log.id
        try:
            comparison, diagnosis = self._attempts(log_id, state, comparison, diagnosis)
        except Cancelled:
            raise
        except Exception as exc:
            self._finish(log_id, state, None, Status.FAILED, f"Run failed: {type(exc).__name__}: {exc}")
            raise
        if comparison.accuracy >= self.options.success_threshold:
            return self._finish(log_id, state, diagnosis, Status.RESOLVED, rlog.resolved_note(state.succeeded))
        self._escalate(log_id, state, diagnosis)
        return self._finish(log_id, state, diagnosis, Status.ESCALATED, self._escalation_report(state, diagnosis))

    def diagnose_now(self, session: Session, comparison: Comparison) -> Diagnosis:
        """Diagnose a comparison with this run's settings."""
        return diagnose(session, comparison, has_statewide_source=bool(self.options.statewide_source))

    def _attempts(self, log_id: int, state: RunState, comparison: Comparison,
                  diagnosis: Diagnosis) -> tuple[Comparison, Diagnosis]:
        threshold = self.options.success_threshold
        while comparison.accuracy < threshold and state.executed < self.options.max_attempts:
            if self.cancel():
                self._note(log_id, f"Cancelled by the user after {state.executed} attempt(s).")
                raise Cancelled(f"reconciliation of {self.target.county} {self.target.party} cancelled")
            strategy = next((s for s in strategy_order(diagnosis, self.strategies)
                             if s.name not in state.exhausted), None)
            if strategy is None:
                break
            if not strategy.applies(diagnosis):
                self._record_skip(log_id, state, strategy.name, comparison)
                continue
            self.progress(state.executed / self.options.max_attempts,
                          f"{self.target.county} {self.target.party}: {strategy.name}")
            comparison = self._execute(log_id, state, strategy, comparison, diagnosis)
            with transaction(self.engine) as session:
                diagnosis = self.diagnose_now(session, comparison)
                note_diagnosis(state, diagnosis)
        return comparison, diagnosis

    def _record_skip(self, log_id: int, state: RunState, name: str, comparison: Comparison) -> None:
        with transaction(self.engine) as session:
            rlog.add_attempt(session, log_id, state.next_attempt_no, name, AttemptOutcome.SKIPPED,
                             before=attempt_snapshot(comparison), after=attempt_snapshot(comparison),
                             message="does not apply to this diagnosis")
        state.next_attempt_no += 1
        state.exhausted.add(name)

    def _execute(self, log_id: int, state: RunState, strategy: Strategy, before: Comparison,
                 diagnosis: Diagnosis) -> Comparison:
        """One attempt in one transaction: the strategy's changes, its fix rows, the attempt row, the log row."""
        started = utcnow()
        saved = (list(state.tried), state.executed, state.succeeded)
        try:
            with transaction(self.engine) as session:
                lock_county(session, self.target.county, self.target.election_date)
                versions_before = inputs.versions(session, self.target.election_date)
                result = strategy.execute(self.strategy_context(session, diagnosis, log_id))
                session.flush()
                landed_elsewhere = record_side_effects(session, self.target, log_id, result.fix_id,
                                                       versions_before, strategy.name)
                after = compare_one(session, self.target, self.options)
                outcome = attempt_outcome(before, after, self.options.success_threshold)
                if result.source_unavailable:
                    outcome = AttemptOutcome.SOURCE_UNAVAILABLE
                if outcome == AttemptOutcome.WORSE:
                    raise _MadeWorse(result, after)  # verify failed: the transaction takes the changes back
                rlog.add_attempt(session, log_id, state.next_attempt_no, strategy.name, outcome,
                                 before=attempt_snapshot(before), after=attempt_snapshot(after), fix_id=result.fix_id,
                                 message=result_message(result) + landed_elsewhere, started_at=started)
                state.tried.append(strategy.name)
                state.executed += 1
                if outcome == AttemptOutcome.RESOLVED:
                    state.succeeded = strategy.name
                log = session.get(ReconciliationLog, log_id)
                assert log is not None
                write_progress(log, state, after, current=strategy.name)
        except _MadeWorse as worse:
            self._record_rolled_back(log_id, state, strategy.name, before, worse, started)
            return before
        except Exception as exc:  # a broken strategy must not stop the loop: log it, try the next one
            logger.exception("strategy %s failed for %s", strategy.name, self.target)
            state.tried, state.executed, state.succeeded = saved  # its transaction rolled back
            with transaction(self.engine) as session:
                rlog.add_attempt(session, log_id, state.next_attempt_no, strategy.name, AttemptOutcome.ERROR,
                                 before=attempt_snapshot(before), message=f"{type(exc).__name__}: {exc}",
                                 started_at=started)
            state.next_attempt_no += 1
            state.exhausted.add(strategy.name)
            return before
        state.next_attempt_no += 1
        if outcome not in rlog.HELPFUL_OUTCOMES:
            state.exhausted.add(strategy.name)
        return after

    def _record_rolled_back(self, log_id: int, state: RunState, name: str, before: Comparison, worse: _MadeWorse,
                            started: dt.datetime) -> None:
        """The attempt row of a strategy whose changes made the accuracy worse and were rolled back."""
        message = (f"{result_message(worse.result)}; accuracy would have fallen from {rounded(before.accuracy)}% "
                   f"to {rounded(worse.after.accuracy)}%: its changes were rolled back")
        state.tried.append(name)
        state.executed += 1
        with transaction(self.engine) as session:
            rlog.add_attempt(session, log_id, state.next_attempt_no, name, AttemptOutcome.WORSE,
                             before=attempt_snapshot(before), after=attempt_snapshot(worse.after), message=message,
                             started_at=started)
            log = session.get(ReconciliationLog, log_id)
            assert log is not None
            write_progress(log, state, before, current=name)
        state.next_attempt_no += 1
        state.exhausted.add(name)

    def strategy_context(self, session: Session, diagnosis: Diagnosis, log_id: int | None,
                 dry_run: bool = False) -> StrategyContext:
        """What a strategy gets: the attempt's session, the diagnosis and a fresh fix recorder."""
        return StrategyContext(
            session=session, election_date=self.target.election_date, county=self.target.county,
            party=self.target.party, diagnosis=diagnosis,
            fixes=self.recorder_factory(session, self.target, log_id, dry_run),
            statewide_source=self.options.statewide_source, dry_run=dry_run, user=self.options.user, log_id=log_id,
            may_change_statewide=self.options.may_change_statewide,
        )

    def _escalate(self, log_id: int, state: RunState, diagnosis: Diagnosis) -> None:
        """The escalating strategy (F): hand the county to a person (the strategy may record a notification)."""
        escalation = escalation_strategy(self.strategies)
        if escalation is None:
            return
        started = utcnow()
        with transaction(self.engine) as session:
            result = escalation.execute(self.strategy_context(session, diagnosis, log_id))
            comparison = compare_one(session, self.target, self.options)
            rlog.add_attempt(session, log_id, state.next_attempt_no, escalation.name, AttemptOutcome.NO_CHANGE,
                             before=attempt_snapshot(comparison), after=attempt_snapshot(comparison),
                             fix_id=result.fix_id, message=result_message(result), started_at=started)
        state.next_attempt_no += 1
        state.tried.append(escalation.name)

    def _escalation_reason(self, state: RunState) -> str:
        """Why the loop stopped short: the attempt cap, or no strategy left that could still help."""
        return ESCALATION_MAX_ATTEMPTS if state.executed >= self.options.max_attempts else ESCALATION_NO_STRATEGY

    def _escalation_report(self, state: RunState, diagnosis: Diagnosis) -> str:
        samples = sample_vuids(diagnosis.details)
        lines = [
            f"Escalated for manual review: {self.target.county} {self.target.party} "
            f"{self.target.election_date.isoformat()}.",
            f"Expected {diagnosis.expected_total}, actual {diagnosis.actual_total}, "
            f"discrepancy {diagnosis.discrepancy:+d}, accuracy {rounded(diagnosis.accuracy)}% "
            f"(needs {self.options.success_threshold}%).",
            f"Diagnosis: {', '.join(diagnosis.codes) or 'none'}.",
            f"Strategies tried: {', '.join(state.tried) or 'none'}; attempts: {state.executed}.",
            f"Reason: {self._escalation_reason(state)}.",
        ]
        for code, vuids in samples.items():
            lines.append(f"Sample {code}: {', '.join(vuids)}")
        return "\n".join(lines)

    def _note(self, log_id: int, line: str) -> None:
        with transaction(self.engine) as session:
            log = session.get(ReconciliationLog, log_id)
            assert log is not None
            rlog.append_note(log, line)
            log.updated_at = utcnow()

    def _finish(self, log_id: int, state: RunState, diagnosis: Diagnosis | None, status: Status,
                note: str) -> ReconcileResult:
        with transaction(self.engine) as session:
            log = session.get(ReconciliationLog, log_id)
            assert log is not None
            comparison = compare_one(session, self.target, self.options)
            write_progress(log, state, comparison)
            close_log(log, state, status, note, diagnosis.codes if diagnosis is not None else None, utcnow())
            if diagnosis is not None and status == Status.ESCALATED:
                details = dict(log.diagnosis_details or {})
                details["escalation"] = {
                    "expected_total": diagnosis.expected_total, "actual_total": diagnosis.actual_total,
                    "discrepancy": diagnosis.discrepancy, "accuracy_pct": rounded(diagnosis.accuracy),
                    "diagnosis": list(diagnosis.codes), "strategies_tried": list(state.tried),
                    "sample_vuids": sample_vuids(diagnosis.details), "reason": self._escalation_reason(state),
                }
                log.diagnosis_details = details
            return rlog.run_result(log, comparison.ordered_counts())


