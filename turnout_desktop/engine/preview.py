"""Dry run of the loop: what each applicable strategy would do; nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from turnout_desktop.domain.metrics import rounded
from turnout_desktop.engine.diagnose import evidence_for_log
from turnout_desktop.engine.loop import LoopOptions, ReconciliationLoop, RecorderFactory, compare_one, strategy_order
from turnout_desktop.engine.reconcile_log import LoopTarget
from turnout_desktop.engine.types import STATUS_IN_PROGRESS, STATUS_RESOLVED, Strategy


def preview(engine: Engine, target: LoopTarget, strategies: Sequence[Strategy], recorder_factory: RecorderFactory,
            options: LoopOptions) -> dict[str, Any]:
    """Dry run: what each applicable strategy would do, in loop order; nothing is written.

    Everything runs in one session that is rolled back at the end, and strategies are told
    ``dry_run=True`` as well, so even a strategy that writes leaves no trace.
    """
    loop = ReconciliationLoop(engine, target, strategies, recorder_factory, options)
    session = Session(engine, expire_on_commit=False)
    try:
        comparison = compare_one(session, target, options, update=False)
        diagnosis = loop.diagnose_now(session, comparison)
        previews = []
        if comparison.accuracy < options.success_threshold:
            for strategy in strategy_order(diagnosis, strategies):
                entry: dict[str, Any] = {"strategy": strategy.name, "applies": strategy.applies(diagnosis)}
                if entry["applies"]:
                    savepoint = session.begin_nested()
                    try:
                        result = strategy.execute(loop.strategy_context(session, diagnosis, None, dry_run=True))
                    finally:
                        savepoint.rollback()
                    entry.update(message=result.message, inserted=result.inserted, removed=result.removed,
                                 reassigned=result.reassigned, updated=result.updated, preview=result.preview[:50])
                previews.append(entry)
    finally:
        session.rollback()
        session.close()
    resolved = comparison.accuracy >= options.success_threshold
    return {
        "id": None, "county": target.county, "election_date": target.election_date.isoformat(),
        "party": target.party, "trigger_type": options.trigger, "expected_total": comparison.expected_total,
        "actual_total": comparison.actual_total, "discrepancy": comparison.discrepancy,
        "discrepancy_pct": rounded(comparison.discrepancy_pct), "diagnosis": list(diagnosis.codes),
        "diagnosis_details": evidence_for_log({c: diagnosis.details.get(c) for c in diagnosis.codes}),
        "strategies_tried": [], "strategy_succeeded": None, "attempts_count": 0,
        "status": STATUS_RESOLVED if resolved else STATUS_IN_PROGRESS, "resolution_time_seconds": None,
        "final_accuracy_pct": rounded(comparison.accuracy), "resolved_at": None,
        "notes": "Dry run: nothing was written.", "by_method": comparison.counts_json(), "dry_run": True,
        "preview": previews,
    }

