"""A fix's changes to other counties' records, made known where they land.

Strategy A's import of a statewide file adds records of every county in the file, although it ran for
one. Every other county a fix changed gets its input version bumped (``engine/inputs.py``) unless the
change itself (the statewide loader) already bumped it with its own reason, so the same run re-reconciles
it (``engine/batch.py``) and the gate holds its figures back until then; a certified county refuses the
fix. When the fix changed the run's own county (A importing its records), the run has compared the new
data already and keeps counting as current.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.engine import inputs
from turnout_desktop.engine.certification import refuse_if_certified
from turnout_desktop.engine.fixes import fixes_counties
from turnout_desktop.engine.reconcile_log import LoopTarget


def record_side_effects(session: Session, target: LoopTarget, log_id: int, fix_id: int | None,
                        versions_before: dict[str, inputs.InputVersion], strategy: str) -> str:
    """Bump the other counties one fix changed, inside the attempt's transaction.

    Returns:
        Text for the attempt message: `` (also changed: Y 24, Z 3)``, or "".

    Raises:
        Certified: the fix changed records of a certified county (the attempt rolls back).
    """
    return record_side_effects_many(session, [(target, log_id, fix_id)], versions_before, strategy)[log_id]


def record_side_effects_many(session: Session, attempts: Sequence[tuple[LoopTarget, int, int | None]],
                             versions_before: dict[str, inputs.InputVersion], strategy: str) -> dict[int, str]:
    """``record_side_effects`` of many attempts of one strategy in one transaction (a set-based round).

    Args:
        attempts: ``(target, log_id, fix_id)`` per attempt.

    Returns:
        The attempt message suffix per log id.
    """
    suffixes = {log_id: "" for _target, log_id, _fix_id in attempts}
    with_fix = [(target, log_id, fix_id) for target, log_id, fix_id in attempts if fix_id]
    if not with_fix:
        return suffixes
    election = with_fix[0][0].election_date
    landed_by_fix = fixes_counties(session, [fix_id for _target, _log_id, fix_id in with_fix])
    others_of: dict[int, list[tuple[str, int]]] = {}
    for target, log_id, fix_id in with_fix:
        landed = landed_by_fix.get(fix_id, {})
        others_of[log_id] = sorted((name, count) for name, count in landed.items() if name != target.county)
        if others_of[log_id]:
            refuse_if_certified(session, election, [name for name, _count in others_of[log_id]],
                                f"{strategy} fix of a run for {target.county}")
    after = inputs.versions(session, election)
    bumped = {name for name, row in after.items() if row.version != inputs.current_version(versions_before, name)}
    reasons: dict[str, str] = {}
    for target, log_id, fix_id in with_fix:
        for name, count in others_of[log_id]:
            if name not in bumped:
                reasons.setdefault(name, f"{strategy} fix {fix_id} (a run for {target.county}) changed {count} "
                                         "record(s) here")
    inputs.bump(session, election, reasons)
    for target, log_id, _fix_id in with_fix:
        if target.county in bumped:
            log = session.get(ReconciliationLog, log_id)
            if log is not None and (log.input_version or 0) == inputs.current_version(versions_before, target.county):
                log.input_version = inputs.current_version(after, target.county)
        if others_of[log_id]:
            landed_text = ", ".join(f"{name} {count}" for name, count in others_of[log_id])
            suffixes[log_id] = f" (also changed: {landed_text})"
    return suffixes
