"""Certified scopes: which elections and counties are locked, the refusal, and the counts as certified.

A ``certification`` row without ``revoked_at`` is in force. ``county`` NULL certifies the whole election
(every county of it); a county row certifies that county only. Every path that changes a county's data
(uploads, undo, statewide imports, engine fixes) calls :func:`refuse_if_certified` inside the transaction
of the change, so a refusal rolls the whole change back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import Certification, CountyTurnoutReference, TurnoutRecord
from turnout_desktop.errors import Certified

# Keys of a snapshot's count maps: "COUNTY|PARTY|METHOD" (no county, party or method holds a "|").
KEY_SEPARATOR = "|"
SNAPSHOT_VERSION = 1


def certifications_in_force(session: Session, election: dt.date) -> dict[str | None, Certification]:
    """The certifications of ``election`` not revoked, by county (None: the whole election)."""
    rows = session.execute(
        select(Certification).where(Certification.election_date == election, Certification.revoked_at.is_(None))
        .order_by(Certification.id)
    ).scalars()
    return {row.county: row for row in rows}  # the newest row wins should two ever be in force


def certified_scope(session: Session, election: dt.date, county: str | None) -> Certification | None:
    """The certification that locks ``county`` (its own row, else the whole election's), or None.

    With ``county`` None only a whole-election certification counts.
    """
    in_force = certifications_in_force(session, election)
    return (in_force.get(county) if county is not None else None) or in_force.get(None)


def refusal_message(certification: Certification, county: str | None, action: str) -> str:
    """One line: ``HARRIS 2026-03-03 is certified on 2026-03-20 by jdoe: upload refused``."""
    election = certification.election_date.isoformat()
    scope = f"{county} {election}" if county else f"The election of {election}"
    whole = " (the whole election)" if county and certification.county is None else ""
    return (f"{scope} is certified on {certification.certified_at:%Y-%m-%d} by {certification.certified_by}"
            f"{whole}: {action} refused; an admin must uncertify it first")


def certified_error(certification: Certification, county: str | None, action: str) -> Certified:
    return Certified(refusal_message(certification, county, action), county=county,
                     election=certification.election_date.isoformat(),
                     certified_on=f"{certification.certified_at:%Y-%m-%d}", certified_by=certification.certified_by)


def refuse_if_certified(session: Session, election: dt.date, counties: Iterable[str | None], action: str) -> None:
    """Raise Certified when any of ``counties`` (None: the election as a whole) is certified.

    Args:
        session: The session of the change (the refusal rolls it back).
        election: Election date.
        counties: The counties the change touches; an empty iterable touches nothing.
        action: What is refused, for the message ("upload", "undo of fix 12" ...).
    """
    touched = set(counties)
    names: list[str | None] = [*sorted(c for c in touched if c is not None), *([None] if None in touched else [])]
    if not names:
        return
    in_force = certifications_in_force(session, election)
    if not in_force:
        return
    for name in names:
        certification = (in_force.get(name) if name is not None else None) or in_force.get(None)
        if certification is not None:
            raise certified_error(certification, name, action)


def _key(*parts: str) -> str:
    return KEY_SEPARATOR.join(parts)


def snapshot_counts(session: Session, election: dt.date, county: str | None) -> dict[str, Any]:
    """The counts a certification locks, computed in SQL: official counts and active records.

    Returns:
        ``{"version", "official": {"COUNTY|PARTY|METHOD": n}, "records": {"COUNTY|PARTY|METHOD": n}}``;
        ``official`` from ``county_turnout_reference``, ``records`` the ``turnout_record`` rows with
        ``removed_at`` NULL, grouped by county, party and voting method (one county, or every county
        when ``county`` is None).
    """
    official_query = (
        select(CountyTurnoutReference.county, CountyTurnoutReference.party, CountyTurnoutReference.voting_method,
               func.sum(CountyTurnoutReference.official_count))
        .where(CountyTurnoutReference.election_date == election)
        .group_by(CountyTurnoutReference.county, CountyTurnoutReference.party, CountyTurnoutReference.voting_method)
    )
    records_query = (
        select(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method, func.count())
        .where(TurnoutRecord.election_date == election, TurnoutRecord.removed_at.is_(None))
        .group_by(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method)
    )
    if county is not None:
        official_query = official_query.where(CountyTurnoutReference.county == county)
        records_query = records_query.where(TurnoutRecord.county == county)
    return {
        "version": SNAPSHOT_VERSION,
        "official": {_key(c, p, m): int(n or 0) for c, p, m, n in session.execute(official_query)},
        "records": {_key(c, p, m): int(n) for c, p, m, n in session.execute(records_query)},
    }


def snapshot_drift(certified: dict[str, Any] | None, now: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed between a certification's snapshot and the counts now, one entry per changed key.

    Each entry: ``{"table": "official" | "records", "key": "COUNTY|PARTY|METHOD", "certified": n | None,
    "now": n | None}`` (None: the key is absent on that side). Sorted by table and key.
    """
    certified = certified or {}
    changes: list[dict[str, Any]] = []
    for table in ("official", "records"):
        before: dict[str, int] = certified.get(table) or {}
        after: dict[str, int] = now.get(table) or {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                changes.append({"table": table, "key": key, "certified": before.get(key), "now": after.get(key)})
    return changes
