"""Election-night healing: the loop's attempts for many (county, party) pairs as set-based rounds.

The per-pair loop (``loop.py``) costs a dozen statements and eight transactions per pair; with 1 % of
the records missing in 250 counties that was 86 s at 1M records. Here the same steps run for every
pair at once, with the same rules and the same rows written:

1. One transaction opens an IN_PROGRESS log row per pair (bulk insert) and diagnoses all of them with
   one query per cause (``diagnose.diagnose_many``).
2. Each round picks every pair's next strategy exactly as the loop does (``strategy_order``, skipped and
   exhausted ones recorded alike). Pairs whose strategy offers ``execute_many`` (``BulkStrategy``) make
   their attempt together, in one transaction: one fix per pair (undo stays per county), one attempt row
   per pair, one compare for all. If any pair would end worse, or the strategy declines (returns None)
   or fails, the transaction rolls back and those pairs go to the per-pair loop, which handles each case.
3. Pairs that reached the success threshold are finished in one transaction. Every other pair - a
   strategy without a bulk form next, an attempt the round gave back - is handed over with its
   IN_PROGRESS row and attempts: the per-pair loop continues it from there (``continues_round``) while the
   round still holds the county's run lock, so no other run can take the row over as a crashed one's.
   A county another run holds is left to the per-pair loop, which waits for it.

A pair's diagnosis is only recomputed after a round that changed data; a round of "no change" attempts
(strategy A finding nothing new) leaves it as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, insert, update
from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconciliationAttempt, ReconciliationLog, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.status import AttemptOutcome, Status
from turnout_desktop.engine import inputs
from turnout_desktop.engine import reconcile_log as rlog
from turnout_desktop.engine.compare import Comparison, compare, store_comparisons
from turnout_desktop.engine.diagnose import diagnose_many
from turnout_desktop.engine.freshness import change_note
from turnout_desktop.engine.loop import STATEWIDE_SEEN, LoopOptions, RecorderFactory, strategy_order
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.repository import lock_counties, newest_statewide_file
from turnout_desktop.engine.results import ReconcileResult
from turnout_desktop.engine.run_lock import free_run_locks
from turnout_desktop.engine.run_state import (
    RunState,
    attempt_outcome,
    attempt_snapshot,
    close_log,
    note_diagnosis,
    result_message,
    write_progress,
)
from turnout_desktop.engine.side_effects import record_side_effects_many
from turnout_desktop.engine.types import (
    BulkStrategy,
    CancelCheck,
    Diagnosis,
    ProgressCallback,
    Strategy,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.errors import Cancelled

logger = logging.getLogger(__name__)
Key = tuple[str, str]


class RunOne(Protocol):
    """The per-pair loop for one comparison (``engine/batch.py``)."""

    def __call__(self, comparison: Comparison, *, continues_round: bool, lock_held: bool) -> None: ...
MIN_PAIRS = 2  # one pair gains nothing from a round: the per-pair loop is the same work


@dataclass(slots=True)
class _Pair:
    """One (county, party) in the round: its log row (as plain values), run state and latest figures."""

    target: LoopTarget
    log: ReconciliationLog  # transient: the values the round keeps writing to the row ``log.id``
    state: RunState
    comparison: Comparison
    diagnosis: Diagnosis

    @property
    def key(self) -> Key:
        return (self.target.county, self.target.party)


class _HandOver(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The group's attempt is left to the per-pair loop (its transaction rolls back)."""


def heal_in_bulk(engine: Engine, election: dt.date, pending: Sequence[Comparison], strategies: Sequence[Strategy],
                 recorder_factory: RecorderFactory, options: LoopOptions, *, report: ProgressCallback,
                 should_cancel: CancelCheck, run_one: RunOne) -> tuple[dict[Key, ReconcileResult], list[Comparison]]:
    """Run the loop's attempts for many pairs as set-based rounds.

    Args:
        run_one: Runs the per-pair loop for one comparison; called, with the county's run lock held, for every
            pair of a county this round holds that it did not finish.

    Returns:
        The finished pairs' results (``reconcile_log.run_result``), and the comparisons of the
        counties the round could not lock, which the per-pair loop must still run (taking their locks).

    Raises:
        Cancelled: ``should_cancel()`` turned true between rounds (the rows stay IN_PROGRESS, noted).
    """
    if len(pending) < MIN_PAIRS or not any(isinstance(s, BulkStrategy) for s in strategies):
        return {}, list(pending)
    by_key = {(c.county, c.party): c for c in pending}
    with free_run_locks(engine, sorted({c.county for c in pending}), election) as held:
        pairs = _open(engine, election, [c for c in pending if c.county in held], options, report)
        handed = _rounds(engine, election, pairs, strategies, recorder_factory, options, report, should_cancel)
        results = _finish(engine, election, [p for p in pairs if p.key not in handed], options)
        opened = {p.key for p in pairs}
        for key in sorted(by_key):  # the rest of the held counties, before their locks go
            if key[0] in held and key not in results:
                run_one(by_key[key], continues_round=key in opened, lock_held=True)
    return results, [by_key[key] for key in sorted(by_key) if key[0] not in held]


def _open(engine: Engine, election: dt.date, pending: list[Comparison], options: LoopOptions,
          report: ProgressCallback) -> list[_Pair]:
    """Open every pair's IN_PROGRESS row and diagnose them all, in one transaction."""
    if not pending:
        return []
    report(0.1, f"diagnosing {len(pending)} county/party counts")
    wanted = {(c.county, c.party) for c in pending}
    with transaction(engine) as session:
        lock_counties(session, sorted({county for county, _party in wanted}), election)
        versions = inputs.versions(session, election)  # before the compare (see ReconciliationLoop._run_locked)
        seen = newest_statewide_file(session, election)
        latest = rlog.latest_logs(session, election)
        unfinished = {key for key, log in latest.items() if log.status == Status.IN_PROGRESS}
        now = utcnow()
        # Only the pairs' own reference rows are written: other counties' belong to runs holding their locks.
        comparisons = [c for c in compare(session, election, success_threshold=options.success_threshold,
                                          update=False)
                       if (c.county, c.party) in wanted - unfinished
                       and c.accuracy < options.success_threshold]  # passed meanwhile: the loop's quick case
        store_comparisons(session, comparisons, options.success_threshold, now)
        diagnoses = diagnose_many(session, comparisons, has_statewide_source=bool(options.statewide_source))
        pairs: list[_Pair] = []
        rows: list[dict[str, Any]] = []
        for comparison, diagnosis in zip(comparisons, diagnoses, strict=True):
            key = (comparison.county, comparison.party)
            log = ReconciliationLog(
                county=comparison.county, election_date=election, party=comparison.party,
                trigger_type=options.trigger, status=Status.IN_PROGRESS, attempts_count=0, strategies_tried=[],
                diagnosis=[], diagnosis_details={STATEWIDE_SEEN: seen}, created_at=now, updated_at=now,
                input_version=inputs.current_version(versions, comparison.county),
                notes=change_note(latest.get(key), versions.get(comparison.county)))
            state = RunState()
            note_diagnosis(state, diagnosis)
            write_progress(log, state, comparison)
            pairs.append(_Pair(LoopTarget(comparison.county, election, comparison.party), log, state, comparison,
                               diagnosis))
            rows.append({column: getattr(log, column) for column in _LOG_VALUES})
        for pair, stored in zip(pairs, rlog.insert_logs(session, rows), strict=True):
            pair.log.id = stored.id
    return pairs


_LOG_VALUES = tuple(c for c in rlog.LOG_COLUMNS if c not in ("id", "review_state", "review_reason")) + (
    "input_version",)


def _rounds(engine: Engine, election: dt.date, pairs: list[_Pair], strategies: Sequence[Strategy],
            recorder_factory: RecorderFactory, options: LoopOptions, report: ProgressCallback,
            should_cancel: CancelCheck) -> set[Key]:
    """Attempt rounds until every pair passed or was handed over; returns the handed-over pairs."""
    handed: set[Key] = set()
    active = list(pairs)
    while active:
        if should_cancel():
            _note_all(engine, active, "Cancelled by the user during a set-based round.")
            raise Cancelled("reconciliation cancelled")
        groups, skips = _choose(active, strategies, options, handed)
        _record_skips(engine, skips)
        changed = False
        for strategy, members in groups:
            report(0.2, f"{strategy.name} for {len(members)} county/party count(s)")
            try:
                group_changed, declined = _attempt(engine, election, strategy, members, recorder_factory, options)
            except _HandOver:
                handed |= {p.key for p in members}
                continue
            changed |= group_changed
            handed |= declined
        active = [p for p in active if p.key not in handed and p.comparison.accuracy < options.success_threshold]
        if active and changed:
            _rediagnose(engine, active, options)
    return handed


def _choose(active: list[_Pair], strategies: Sequence[Strategy], options: LoopOptions,
            handed: set[Key]) -> tuple[list[tuple[BulkStrategy, list[_Pair]]], list[tuple[_Pair, str]]]:
    """Each pair's next strategy, as the loop picks it; pairs with no bulk form next are handed over."""
    groups: dict[str, tuple[BulkStrategy, list[_Pair]]] = {}
    skips: list[tuple[_Pair, str]] = []
    for pair in active:
        chosen: Strategy | None = None
        for strategy in strategy_order(pair.diagnosis, strategies):
            if strategy.name in pair.state.exhausted:
                continue
            if not strategy.applies(pair.diagnosis):
                skips.append((pair, strategy.name))
                pair.state.exhausted.add(strategy.name)
                continue
            chosen = strategy
            break
        if (chosen is None or not isinstance(chosen, BulkStrategy)
                or pair.state.executed >= options.max_attempts):
            handed.add(pair.key)  # no strategy left (escalation), or one only the per-pair loop runs
            continue
        groups.setdefault(chosen.name, (chosen, []))[1].append(pair)
    return list(groups.values()), skips


def _record_skips(engine: Engine, skips: list[tuple[_Pair, str]]) -> None:
    """The "does not apply" attempt rows, written together."""
    if not skips:
        return
    now = utcnow()
    rows = []
    for pair, name in skips:
        snapshot = attempt_snapshot(pair.comparison)
        rows.append(_attempt_row(pair, name, AttemptOutcome.SKIPPED, snapshot, snapshot, None,
                                 "does not apply to this diagnosis", now))
        pair.state.next_attempt_no += 1
    with transaction(engine) as session:
        session.execute(insert(ReconciliationAttempt), rows)


def _attempt_row(pair: _Pair, name: str, outcome: AttemptOutcome, before: dict[str, Any], after: dict[str, Any],
                 fix_id: int | None, message: str, started: dt.datetime) -> dict[str, Any]:
    return rlog.attempt_values(pair.log.id, pair.state.next_attempt_no, name, outcome, before=before, after=after,
                               fix_id=fix_id, message=message, started_at=started)


def _attempt(engine: Engine, election: dt.date, strategy: BulkStrategy, members: list[_Pair],
             recorder_factory: RecorderFactory, options: LoopOptions) -> tuple[bool, set[Key]]:
    """One attempt of ``strategy`` for every member in one transaction.

    Returns:
        Whether data changed, and the members the strategy declined (left to the per-pair loop).

    Raises:
        _HandOver: the strategy declined them all, failed, or would leave a pair worse (nothing is kept).
    """
    started = utcnow()
    try:
        with transaction(engine) as session:
            lock_counties(session, sorted({p.target.county for p in members}), election)
            versions_before = inputs.versions(session, election)
            contexts = [_context(session, p, recorder_factory, options) for p in members]
            answers = strategy.execute_many(contexts)
            if answers is None or len(answers) != len(members):
                raise _HandOver
            declined = {p.key for p, answer in zip(members, answers, strict=True) if answer is None}
            taken = [(p, answer) for p, answer in zip(members, answers, strict=True) if answer is not None]
            if not taken:
                return False, declined
            session.flush()
            suffixes = record_side_effects_many(session, [(p.target, p.log.id, r.fix_id) for p, r in taken],
                                                versions_before, strategy.name)
            after = {(c.county, c.party): c for c in compare(
                session, election, success_threshold=options.success_threshold, update=False)}
            store_comparisons(session, [after[p.key] for p, _r in taken], options.success_threshold, utcnow())
            outcomes = [_outcome(p, r, after, options) for p, r in taken]
            if AttemptOutcome.WORSE in outcomes:
                raise _HandOver  # the loop rolls that pair's attempt back and logs it
            rows = []
            for (pair, result), outcome in zip(taken, outcomes, strict=True):
                new = after[pair.key]
                rows.append(_attempt_row(pair, strategy.name, outcome, attempt_snapshot(pair.comparison),
                                         attempt_snapshot(new), result.fix_id,
                                         result_message(result) + suffixes[pair.log.id], started))
                _advance(pair, strategy.name, outcome, new)
            session.execute(insert(ReconciliationAttempt), rows)
            _write_logs(session, [pair for pair, _result in taken])
            return any(result.changed for _pair, result in taken), declined
    except _HandOver:
        raise
    except Exception as exc:  # the per-pair loop runs it again and records the error per pair
        logger.warning("set-based %s attempt for %d pair(s) failed; handing them to the per-pair loop",
                       strategy.name, len(members), exc_info=True)
        raise _HandOver from exc


def _context(session: Session, pair: _Pair, recorder_factory: RecorderFactory,
             options: LoopOptions) -> StrategyContext:
    return StrategyContext(
        session=session, election_date=pair.target.election_date, county=pair.target.county,
        party=pair.target.party, diagnosis=pair.diagnosis,
        fixes=recorder_factory(session, pair.target, pair.log.id, False),
        statewide_source=options.statewide_source, dry_run=False, user=options.user, log_id=pair.log.id,
        may_change_statewide=options.may_change_statewide)


def _outcome(pair: _Pair, result: StrategyResult, after: dict[Key, Comparison], options: LoopOptions) -> AttemptOutcome:
    if result.source_unavailable:
        return AttemptOutcome.SOURCE_UNAVAILABLE
    return attempt_outcome(pair.comparison, after[pair.key], options.success_threshold)


def _advance(pair: _Pair, name: str, outcome: AttemptOutcome, after: Comparison) -> None:
    """The run state after one attempt, as ``ReconciliationLoop._execute`` leaves it."""
    state = pair.state
    state.tried.append(name)
    state.executed += 1
    if outcome == AttemptOutcome.RESOLVED:
        state.succeeded = name
    state.next_attempt_no += 1
    if outcome not in rlog.HELPFUL_OUTCOMES:
        state.exhausted.add(name)
    pair.comparison = after
    write_progress(pair.log, state, after)


def _write_logs(session: Session, pairs: list[_Pair]) -> None:
    """The pairs' log rows as the round left them: one executemany UPDATE by id."""
    if pairs:
        session.execute(update(ReconciliationLog), [
            {"id": p.log.id, **{column: getattr(p.log, column) for column in _LOG_VALUES}} for p in pairs])


def _rediagnose(engine: Engine, active: list[_Pair], options: LoopOptions) -> None:
    with transaction(engine) as session:
        diagnoses = diagnose_many(session, [p.comparison for p in active],
                                  has_statewide_source=bool(options.statewide_source))
        for pair, diagnosis in zip(active, diagnoses, strict=True):
            pair.diagnosis = diagnosis
            note_diagnosis(pair.state, diagnosis)
            write_progress(pair.log, pair.state, pair.comparison)
        _write_logs(session, active)


def _note_all(engine: Engine, pairs: list[_Pair], line: str) -> None:
    with transaction(engine) as session:
        for pair in pairs:
            rlog.append_note(pair.log, line)
        _write_logs(session, pairs)


def _finish(engine: Engine, election: dt.date, done: list[_Pair], options: LoopOptions) -> dict[Key, ReconcileResult]:
    """RESOLVED for every pair that reached the threshold, as ``ReconciliationLoop._finish`` writes it."""
    if not done:
        return {}
    with transaction(engine) as session:
        inexact = [p for p in done if not p.comparison.exact]
        remaining = {p.key: d.codes for p, d in zip(inexact, diagnose_many(
            session, [p.comparison for p in inexact], has_statewide_source=bool(options.statewide_source)),
            strict=True)}
        now = utcnow()
        results: dict[Key, ReconcileResult] = {}
        for pair in done:
            log, state = pair.log, pair.state
            write_progress(log, state, pair.comparison)
            close_log(log, state, Status.RESOLVED, rlog.resolved_note(state.succeeded), remaining.get(pair.key, []),
                      now)
            results[pair.key] = rlog.run_result(log, pair.comparison.ordered_counts())
        _write_logs(session, done)
    return results
