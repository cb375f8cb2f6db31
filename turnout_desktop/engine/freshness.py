"""Whether each (county, party) was reconciled since its inputs last changed (``engine/inputs.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import CountyTurnoutReference, ReconciliationLog
from turnout_desktop.domain.status import Status
from turnout_desktop.engine import inputs
from turnout_desktop.engine.reconcile_log import latest_logs

FINISHED = (Status.RESOLVED, Status.ESCALATED)


@dataclass(frozen=True, slots=True)
class PairState:
    """The newest run of one (county, party) against the county's current input version."""

    log: ReconciliationLog | None
    input_version: int
    fresh: bool
    why: str  # why it is not fresh ("" when it is)


def pair_states(session: Session, election: dt.date, county: str | None = None) -> dict[tuple[str, str], PairState]:
    """The state of every (county, party) with official counts (optionally of one county)."""
    query = select(CountyTurnoutReference.county, CountyTurnoutReference.party).where(
        CountyTurnoutReference.election_date == election).distinct()
    if county is not None:
        query = query.where(CountyTurnoutReference.county == county)
    pairs = {(c, p) for c, p in session.execute(query)}
    logs = latest_logs(session, election)
    versions = inputs.versions(session, election, county)
    states: dict[tuple[str, str], PairState] = {}
    for key in pairs:
        log = logs.get(key)
        version = inputs.current_version(versions, key[0])
        states[key] = PairState(log, version, *_freshness(log, version, versions.get(key[0])))
    return states


def _freshness(log: ReconciliationLog | None, version: int, change: inputs.InputVersion | None) -> tuple[bool, str]:
    if log is None:
        return False, "never reconciled"
    if log.status not in FINISHED:
        return False, f"the last run is {log.status}"
    if (log.input_version or 0) < version:
        reason = change.reason if change is not None and change.reason else "inputs changed"
        return False, f"inputs changed since the last run: {reason}"
    return True, ""


def change_note(previous: ReconciliationLog | None, current: inputs.InputVersion | None) -> str | None:
    """"Inputs changed since the last run: <reason>" when the county's inputs moved past ``previous``."""
    if previous is None or current is None or (previous.input_version or 0) >= current.version:
        return None
    return f"Inputs changed since the last run: {current.reason or 'not recorded'}."
