"""A fix's changes to other counties' records, made known where they land.

Strategy A's import of a statewide file adds records of every county in the file, although it ran for
one. Every other county a fix changed gets its input version bumped (``engine/inputs.py``) unless the
change itself (the statewide loader) already bumped it with its own reason, so the same run re-reconciles
it (``engine/batch.py``) and the gate holds its figures back until then; a certified county refuses the
fix. When the fix changed the run's own county (A importing its records), the run has compared the new
data already and keeps counting as current.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.engine import inputs
from turnout_desktop.engine.certification import refuse_if_certified
from turnout_desktop.engine.fixes import fix_counties
from turnout_desktop.engine.reconcile_log import LoopTarget


def record_side_effects(session: Session, target: LoopTarget, log_id: int, fix_id: int | None,
                        versions_before: dict[str, inputs.InputVersion], strategy: str) -> str:
    """Bump the other counties one fix changed, inside the attempt's transaction.

    Returns:
        Text for the attempt message: `` (also changed: Y 24, Z 3)``, or "".

    Raises:
        Certified: the fix changed records of a certified county (the attempt rolls back).
    """
    if not fix_id:
        return ""
    election, county = target.election_date, target.county
    landed = fix_counties(session, fix_id)
    others = sorted((name, count) for name, count in landed.items() if name != county)
    refuse_if_certified(session, election, [name for name, _count in others], f"{strategy} fix of a run for {county}")
    after = inputs.versions(session, election)
    bumped = {name for name, row in after.items() if row.version != inputs.current_version(versions_before, name)}
    inputs.bump(session, election, {
        name: f"{strategy} fix {fix_id} (a run for {county}) changed {count} record(s) here"
        for name, count in others if name not in bumped})
    if county in bumped:
        log = session.get(ReconciliationLog, log_id)
        if log is not None and (log.input_version or 0) == inputs.current_version(versions_before, county):
            log.input_version = inputs.current_version(after, county)
    if not others:
        return ""
    return " (also changed: " + ", ".join(f"{name} {count}" for name, count in others) + ")"
