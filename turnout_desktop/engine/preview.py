"""Dry run of the loop: what each applicable strategy would do; nothing is written."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from turnout_desktop.domain.metrics import rounded
from turnout_desktop.domain.status import Status
from turnout_desktop.engine.diagnose import evidence_for_log
from turnout_desktop.engine.loop import LoopOptions, ReconciliationLoop, RecorderFactory, compare_one, strategy_order
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.results import DryRunResult, StrategyPreview
from turnout_desktop.engine.types import Strategy


def preview(engine: Engine, target: LoopTarget, strategies: Sequence[Strategy], recorder_factory: RecorderFactory,
            options: LoopOptions) -> DryRunResult:
    """Dry run: what each applicable strategy would do, in loop order; nothing is written.

    Everything runs in one session that is rolled back at the end, and strategies are told
    ``dry_run=True`` as well, so even a strategy that writes leaves no trace.
    """
    loop = ReconciliationLoop(engine, target, strategies, recorder_factory, options)
    session = Session(engine, expire_on_commit=False)
    try:
        comparison = compare_one(session, target, options, update=False)
        diagnosis = loop.diagnose_now(session, comparison)
        previews: list[StrategyPreview] = []
        if comparison.accuracy < options.success_threshold:
            for strategy in strategy_order(diagnosis, strategies):
                if not strategy.applies(diagnosis):
                    previews.append(StrategyPreview(strategy.name, applies=False))
                    continue
                savepoint = session.begin_nested()
                try:
                    result = strategy.execute(loop.strategy_context(session, diagnosis, None, dry_run=True))
                finally:
                    savepoint.rollback()
                previews.append(StrategyPreview(
                    strategy.name, applies=True, message=result.message, inserted=result.inserted,
                    removed=result.removed, reassigned=result.reassigned, updated=result.updated,
                    preview=tuple(result.preview[:50])))
    finally:
        session.rollback()
        session.close()
    resolved = comparison.accuracy >= options.success_threshold
    return DryRunResult(
        county=target.county, election_date=target.election_date, party=target.party, trigger_type=options.trigger,
        expected_total=comparison.expected_total, actual_total=comparison.actual_total,
        discrepancy=comparison.discrepancy, discrepancy_pct=rounded(comparison.discrepancy_pct),
        diagnosis=tuple(diagnosis.codes),
        diagnosis_details=evidence_for_log({c: diagnosis.details.get(c) for c in diagnosis.codes}),
        status=Status.RESOLVED if resolved else Status.IN_PROGRESS, final_accuracy_pct=rounded(comparison.accuracy),
        notes="Dry run: nothing was written.", by_method=comparison.ordered_counts(), preview=tuple(previews))

