"""Election-wide runs: one set-based compare of every county, then the loop only where needed.

Counties whose counts already pass get their RESOLVED log row written in the same transaction as
the compare (one commit for all of them, which keeps a clean 254-county run fast); the rest go
through ``ReconciliationLoop`` one (county, party) at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconciliationAttempt, ReconciliationLog, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.metrics import rounded
from turnout_desktop.domain.status import Status, Trigger
from turnout_desktop.engine import inputs, repository
from turnout_desktop.engine import reconcile_log as rlog
from turnout_desktop.engine.bulk_round import heal_in_bulk
from turnout_desktop.engine.compare import Comparison, compare
from turnout_desktop.engine.diagnose import diagnose, evidence_for_log
from turnout_desktop.engine.freshness import change_note
from turnout_desktop.engine.loop import STATEWIDE_SEEN, LoopOptions, ReconciliationLoop, RecorderFactory
from turnout_desktop.engine.preview import preview
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.repository import lock_counties
from turnout_desktop.engine.results import CHECK_RECONCILED, CHECK_UNCHANGED, DryRunResult, ReconcileResult
from turnout_desktop.engine.types import (
    LEFT_TO_CHECK,
    CancelCheck,
    ProgressCallback,
    Strategy,
)
from turnout_desktop.errors import Cancelled

Key = tuple[str, str]


def _in_progress(session: Session, election: dt.date) -> set[tuple[str, str]]:
    rows = session.execute(
        select(ReconciliationLog.county, ReconciliationLog.party).where(
            ReconciliationLog.election_date == election, ReconciliationLog.status == Status.IN_PROGRESS))
    return {(county, party) for county, party in rows}


def waiting_for_statewide(session: Session, election: dt.date) -> set[tuple[str, str]]:
    """Pairs whose newest run left statewide changes (A's import, C's or D's statewide records) to the
    scheduled check (a clerk's run)."""
    newest = (select(ReconciliationLog.county, ReconciliationLog.party, func.max(ReconciliationLog.id).label("id"))
              .where(ReconciliationLog.election_date == election)
              .group_by(ReconciliationLog.county, ReconciliationLog.party).subquery())
    rows = session.execute(
        select(newest.c.county, newest.c.party).join(ReconciliationAttempt, ReconciliationAttempt.log_id == newest.c.id)
        .where(or_(*(ReconciliationAttempt.message.like(f"{prefix}%") for prefix in LEFT_TO_CHECK))).distinct())
    return {(county, party) for county, party in rows}


def _resolved_log(session: Session, comparison: Comparison, trigger: Trigger, now: dt.datetime,
                  has_statewide_source: bool) -> dict[str, Any]:
    """The log row values of a (county, party) whose counts already pass: no attempts needed."""
    codes: list[str] = []
    details: dict[str, Any] = {}
    if not comparison.exact:  # within tolerance: still say why it is not exact
        diagnosis = diagnose(session, comparison, has_statewide_source=has_statewide_source)
        codes = list(diagnosis.codes)
        details = evidence_for_log({code: diagnosis.details.get(code) for code in codes})
    details["by_method"] = comparison.counts_json()
    details["accuracy_pct"] = rounded(comparison.accuracy)
    return dict(
        county=comparison.county, election_date=comparison.election_date, party=comparison.party,
        trigger_type=trigger, expected_total=comparison.expected_total, actual_total=comparison.actual_total,
        discrepancy=comparison.discrepancy, discrepancy_pct=rounded(comparison.discrepancy_pct),
        diagnosis=codes, diagnosis_details=details, strategies_tried=[], strategy_succeeded=None,
        attempts_count=0, status=Status.RESOLVED, resolution_time_seconds=0.0,
        final_accuracy_pct=rounded(comparison.accuracy), created_at=now, updated_at=now, resolved_at=now,
        notes="Counts match; nothing to fix." if comparison.exact else "Within tolerance; nothing to fix.",
    )


def preview_election(engine: Engine, election: dt.date, *, strategies: Sequence[Strategy],
                     recorder_factory: RecorderFactory, options: LoopOptions, county: str | None = None,
                     party: str | None = None) -> list[DryRunResult]:
    """Dry run of every (county, party) with official counts (optionally one county/party): nothing is written."""
    with transaction(engine) as session:
        targets = [LoopTarget(c.county, election, c.party) for c in compare(
            session, election, county=county, party=party, update=False)]
    return [preview(engine, target, strategies, recorder_factory, options) for target in targets]


def reconcile_election(engine: Engine, election: dt.date, *, strategies: Sequence[Strategy],
                       recorder_factory: RecorderFactory, options: LoopOptions, county: str | None = None,
                       party: str | None = None, targets: Collection[Key] | None = None,
                       progress: ProgressCallback | None = None,
                       cancel: CancelCheck | None = None) -> list[ReconcileResult]:
    """Reconcile every (county, party) with official counts (optionally one county/party).

    Args:
        engine: Database engine.
        election: Election date.
        strategies: Strategy plugins; the loop orders them from their declarations (``loop.strategy_order``).
        recorder_factory: Builds the fix recorder of each attempt.
        options: Trigger, thresholds, statewide source, user.
        county: Only this county.
        party: Only this party.
        targets: ``check`` mode: only these (county, party) pairs run; every other pair is reported with
            its newest log row and ``check="unchanged"``.
        progress: ``progress(fraction, message)``.
        cancel: Checked between counties and between attempts.

    A fix that changed another county's records (strategy A's import) bumps that county's inputs; such
    counties are reconciled in the same call, after the ones asked for, so no status is left stale.

    Returns:
        One result per (county, party), sorted: the log entry plus ``by_method`` (and ``check`` in check mode).

    Raises:
        Cancelled: when ``cancel()`` turned true.
    """
    report = progress or (lambda _fraction, _message: None)
    should_cancel = cancel or (lambda: False)
    results: dict[Key, ReconcileResult] = {}
    pending: list[Comparison] = []
    now = utcnow()
    with transaction(engine) as session:
        # The county locks come before the compare writes reference rows: a loop attempt holds its county's
        # lock while it writes the same rows, so the other order deadlocks (two uploads of one county).
        lock_counties(session, [county] if county is not None else repository.reference_counties(
            session, election), election)
        # Read before the compare (see ReconciliationLoop._run_locked).
        versions_at_start = inputs.versions(session, election)
        statewide_seen = repository.newest_statewide_file(session, election)
        comparisons = compare(session, election, county=county, party=party,
                              success_threshold=options.success_threshold, now=now)
        unfinished = _in_progress(session, election)
        latest_before = rlog.latest_logs(session, election)
        latest = latest_before if targets is not None else {}
        resolved_rows: list[tuple[tuple[str, str], dict[str, Any], Comparison]] = []
        for comparison in comparisons:
            key = (comparison.county, comparison.party)
            if targets is not None and key not in targets:
                previous = latest.get(key)
                if previous is not None:
                    results[key] = rlog.run_result(previous, comparison.ordered_counts(), check=CHECK_UNCHANGED)
                continue
            if comparison.accuracy >= options.success_threshold and key not in unfinished:
                log = _resolved_log(session, comparison, options.trigger, now, bool(options.statewide_source))
                log["input_version"] = inputs.current_version(versions_at_start, comparison.county)
                log["diagnosis_details"][STATEWIDE_SEEN] = statewide_seen
                note = change_note(latest_before.get(key), versions_at_start.get(comparison.county))
                if note:
                    log["notes"] = f"{note}\n{log['notes']}"
                resolved_rows.append((key, log, comparison))
            else:
                pending.append(comparison)
        logs = rlog.insert_logs(session, [row for _key, row, _comparison in resolved_rows])
        for (key, _row, comparison), stored in zip(resolved_rows, logs, strict=True):
            results[key] = rlog.run_result(stored, comparison.ordered_counts(),
                                           check=CHECK_RECONCILED if targets is not None else None)
    report(0.1 if pending else 1.0, f"{len(comparisons)} county/party counts compared")
    _run_loops(engine, election, pending, strategies, recorder_factory, options, results,
               check_mode=targets is not None, report=report, should_cancel=should_cancel)
    for _round in range(MAX_FOLLOW_UP_ROUNDS):
        follow_up = _landed_elsewhere(engine, election, versions_at_start, options)
        if not follow_up:
            break
        versions_at_start = {**versions_at_start, **follow_up[1]}
        _run_loops(engine, election, follow_up[0], strategies, recorder_factory, options, results,
                   check_mode=targets is not None, report=report, should_cancel=should_cancel)
    if pending:
        report(1.0, "reconciliation finished")
    return [results[key] for key in sorted(results)]


MAX_FOLLOW_UP_ROUNDS = 3  # a fix landing elsewhere, whose own run lands elsewhere again, ...


def _run_loops(engine: Engine, election: dt.date, pending: list[Comparison], strategies: Sequence[Strategy],
               recorder_factory: RecorderFactory, options: LoopOptions, results: dict[Key, ReconcileResult],
               *, check_mode: bool, report: ProgressCallback, should_cancel: CancelCheck) -> None:
    """The self-healing loop for every pending (county, party): set-based rounds first, then one by one.

    The rounds (``bulk_round.py``) make the attempts that can be made for many pairs at once; the pairs
    they hand over (or could not take) continue in ``ReconciliationLoop``, one after the other.
    """
    total = len(pending)
    done = 0

    def run_one(comparison: Comparison, *, continues_round: bool, lock_held: bool) -> None:
        nonlocal done
        if should_cancel():
            raise Cancelled("reconciliation cancelled")
        target = LoopTarget(comparison.county, election, comparison.party)

        def county_progress(fraction: float, message: str, _index: int = done) -> None:
            report(0.1 + 0.9 * (_index + fraction) / total, message)

        county_progress(0.0, f"{comparison.county} {comparison.party}: diagnosing")
        loop = ReconciliationLoop(engine, target, strategies, recorder_factory, options,
                                  progress=county_progress, cancel=should_cancel,
                                  continues_round=continues_round, lock_held=lock_held)
        result = loop.run()
        results[(comparison.county, comparison.party)] = replace(result, check=CHECK_RECONCILED) if check_mode \
            else result
        done += 1

    finished, pending = heal_in_bulk(engine, election, pending, strategies, recorder_factory, options,
                                     report=report, should_cancel=should_cancel, run_one=run_one)
    for key, result in finished.items():
        results[key] = replace(result, check=CHECK_RECONCILED) if check_mode else result
    for comparison in pending:
        run_one(comparison, continues_round=False, lock_held=False)


def _landed_elsewhere(engine: Engine, election: dt.date, versions_at_start: dict[str, inputs.InputVersion],
                      options: LoopOptions) -> tuple[list[Comparison], dict[str, inputs.InputVersion]] | None:
    """Pairs of counties whose inputs changed during this call and were not reconciled since.

    Returns:
        The comparisons to run and the versions now (the next round's baseline), or None.
    """
    with transaction(engine) as session:
        now = inputs.versions(session, election)
        changed = sorted(name for name, row in now.items()
                         if row.version != inputs.current_version(versions_at_start, name))
        if not changed:
            return None
        stale: set[tuple[str, str]] = set()
        for name in changed:
            stale |= set(inputs.stale_pairs(session, election, name))
        comparisons = [c for name in sorted({county for county, _party in stale})
                       for c in compare(session, election, county=name, success_threshold=options.success_threshold,
                                        update=False) if (c.county, c.party) in stale]
    return (comparisons, now) if comparisons else None
