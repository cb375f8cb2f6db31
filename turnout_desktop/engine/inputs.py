"""What a reconciliation read, and whether it still holds: one input version per (county, election).

Everything a county's reconciliation depends on (its upload, the statewide records of the county, the
precinct map, an undo, another county's fix that landed on its records) bumps the county's
``reconcile_input.version`` in the same transaction as the change. A run stores the version it started
from in ``reconciliation_log.input_version``; a (county, party) whose newest finished run started from
an older version has not been reconciled since its inputs changed, so the gate publishes nothing for it
and the next check re-reconciles it. A version, not a timestamp: clients' clocks differ, versions do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from turnout_desktop.db.models import ReconcileInput, utcnow

__all__ = ["InputVersion", "bump", "current_version", "stale_pairs", "versions"]

REASON_LIMIT = 500

# One statement for SQLite and PostgreSQL: both speak INSERT ... ON CONFLICT DO UPDATE.
_BUMP = text(
    "INSERT INTO reconcile_input (county, election_date, version, changed_at, reason) "
    "VALUES (:county, :election_date, 1, :changed_at, :reason) "
    "ON CONFLICT (county, election_date) DO UPDATE SET version = reconcile_input.version + 1, "
    "changed_at = excluded.changed_at, reason = excluded.reason"
)


def bump(session: Session, election: dt.date, reasons: Mapping[str, str] | Iterable[str], reason: str = "") -> None:
    """Record that the inputs of these counties changed (inside the caller's transaction).

    Args:
        session: The transaction that makes the change.
        election: Election date.
        reasons: ``{county: reason}``, or counties that share ``reason``.
        reason: The reason of every county when ``reasons`` is a plain iterable.
    """
    by_county = dict(reasons) if isinstance(reasons, Mapping) else {county: reason for county in reasons}
    if not by_county:
        return
    now = utcnow()
    session.execute(_BUMP, [{"county": county, "election_date": election, "changed_at": now,
                             "reason": (text_ or "")[:REASON_LIMIT]} for county, text_ in sorted(by_county.items())])


@dataclass(frozen=True, slots=True)
class InputVersion:
    """A county's input version and the latest reason it went up (plain values, never a stale ORM row)."""

    version: int
    reason: str | None


def versions(session: Session, election: dt.date, county: str | None = None) -> dict[str, InputVersion]:
    """The input version of every county of an election that has one (a county without one is at 0)."""
    query = select(ReconcileInput.county, ReconcileInput.version, ReconcileInput.reason).where(
        ReconcileInput.election_date == election)
    if county is not None:
        query = query.where(ReconcileInput.county == county)
    return {name: InputVersion(int(version), reason) for name, version, reason in session.execute(query)}


def current_version(rows: Mapping[str, InputVersion], county: str) -> int:
    row = rows.get(county)
    return int(row.version) if row is not None else 0


def stale_pairs(session: Session, election: dt.date, county: str | None = None) -> dict[tuple[str, str], str]:
    """(county, party) pairs with official counts whose newest finished run is older than their inputs.

    Returns:
        ``{(county, party): why}``: never reconciled, interrupted (IN_PROGRESS / FAILED), or reconciled
        before the county's latest input change (``why`` then quotes that change).
    """
    from turnout_desktop.engine.freshness import pair_states

    return {key: state.why for key, state in pair_states(session, election, county).items() if not state.fresh}
