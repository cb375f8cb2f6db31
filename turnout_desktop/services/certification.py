"""Certification services: an admin locks an election or one county of it, and unlocks it with a reason.

A certified scope refuses later uploads, undos, statewide imports and engine fixes (``Certified``, exit 4;
see ``engine.certification``). The counts as certified are kept in the row's ``snapshot``; the daily
:func:`drift_check` compares them with the counts now and raises an alarm (a ``certified_drift`` failure
event) when anything changed underneath. It reports; it never fixes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.canonical import canonical_json
from turnout_desktop.db.models import Certification, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.counties import all_counties, known_county_name
from turnout_desktop.domain.permissions import Action
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine.certification import (
    certifications_in_force,
    certified_scope,
    snapshot_counts,
    snapshot_drift,
)
from turnout_desktop.engine.repository import lock_counties
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.fixes import written_reason
from turnout_desktop.store.statewide_loader import lock_statewide_imports

DRIFT_DETAILS_LIMIT = 100  # changed keys kept in one alarm event (the count says how many there were)


@dataclass(frozen=True, slots=True)
class CertificationRecord:
    """One certification of an election (``county`` None) or of one county; times as ISO text."""

    id: int
    election: str
    county: str | None
    certified_at: str
    certified_by: str
    reason: str
    last_drift_check_at: str | None
    revoked_at: str | None
    revoked_by: str | None
    revoke_reason: str | None
    in_force: bool


@dataclass(frozen=True, slots=True)
class CountChange:
    """One count that differs from its certified value (None: the key is absent on that side)."""

    table: str  # "official" | "records"
    key: str  # COUNTY|PARTY|METHOD
    certified: int | None
    now: int | None


@dataclass(frozen=True, slots=True)
class DriftAlarm:
    """A certified scope whose counts changed underneath it (``asdict`` of it is the alarm's details)."""

    certification_id: int
    county: str | None
    election: str
    certified_at: str
    certified_by: str
    changes: tuple[CountChange, ...]


def _county(county: str | None) -> str | None:
    if county is None:
        return None
    return known_county_name(county)


def _scope_text(election: dt.date, county: str | None) -> str:
    return f"{county} {election.isoformat()}" if county else f"the election of {election.isoformat()}"


def _sentence_start(election: dt.date, county: str | None) -> str:
    text = _scope_text(election, county)
    return text[:1].upper() + text[1:]


def _record(row: Certification) -> CertificationRecord:
    return CertificationRecord(
        id=row.id, election=row.election_date.isoformat(), county=row.county,
        certified_at=row.certified_at.isoformat(), certified_by=row.certified_by, reason=row.reason,
        last_drift_check_at=row.last_drift_check_at.isoformat() if row.last_drift_check_at else None,
        revoked_at=row.revoked_at.isoformat() if row.revoked_at else None, revoked_by=row.revoked_by,
        revoke_reason=row.revoke_reason, in_force=row.revoked_at is None,
    )


def _election_or_county(scope: Scope) -> tuple[dt.date, str | None]:
    """The election and canonical county of a certification's scope (a party cannot be certified alone)."""
    if scope.party is not None:
        raise InvalidRequest("A certification covers an election or one county of it, not one party.")
    return scope.election, _county(scope.county)


def _lock_scope(session: Session, election: dt.date, county: str | None) -> None:
    """Wait for uploads and statewide imports of the scope in flight (PostgreSQL), so the snapshot is whole."""
    lock_counties(session, [county] if county else [c.sos_name for c in all_counties()], election)
    lock_statewide_imports(session, election)


def certify(ctx: AppContext, scope: Scope, *, reason: str) -> CertificationRecord:
    """Certify an election (``scope.county`` None) or one county of it, keeping the counts as certified.

    Raises:
        PermissionDenied: not an admin. InvalidRequest: blank reason, unknown county, a party in ``scope``,
        a scope already certified, or nothing to certify (no official counts).
    """
    ctx.require(Action.CERTIFY)
    reason = written_reason(reason, "Certifying needs a written reason (--reason TEXT).")
    election, county = _election_or_county(scope)
    with transaction(ctx.engine) as session:
        _lock_scope(session, election, county)
        existing = certified_scope(session, election, county)
        if existing is not None:
            through = " (through the whole election)" if county and existing.county is None else ""
            raise InvalidRequest(f"{_sentence_start(election, county)} is already certified{through} on "
                                 f"{existing.certified_at:%Y-%m-%d} by {existing.certified_by}.")
        snapshot = snapshot_counts(session, election, county)
        if not snapshot["official"]:
            raise InvalidRequest(f"{_sentence_start(election, county)} has no official counts to certify.")
        row = Certification(election_date=election, county=county, certified_at=utcnow(), certified_by=ctx.user,
                            reason=reason, snapshot=snapshot)
        session.add(row)
        session.flush()
        result = _record(row)
        record_event(session, "certified", f"Certified {_scope_text(election, county)}: {reason}", user=ctx.user,
                     role=ctx.role, county=county, election_date=election,
                     details={"certification_id": row.id, "county": county, "reason": reason,
                              "official_keys": len(snapshot["official"]), "record_keys": len(snapshot["records"]),
                              "snapshot_sha256": hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()})
        return result


def uncertify(ctx: AppContext, scope: Scope, *, reason: str) -> CertificationRecord:
    """Revoke the certification of exactly this scope (admin, reason required, audited).

    Raises:
        PermissionDenied: not an admin. InvalidRequest: blank reason, unknown county, a party in ``scope``,
        or the scope has no certification of its own in force (a county certified through its election
        names that).
    """
    ctx.require(Action.CERTIFY)
    reason = written_reason(reason, "Uncertifying needs a written reason (--reason TEXT).")
    election, county = _election_or_county(scope)
    with transaction(ctx.engine) as session:
        in_force = certifications_in_force(session, election)
        row = in_force.get(county)
        if row is None:
            whole = in_force.get(None) if county else None
            hint = ("; it is certified through the whole election (uncertify the election)" if whole else "")
            raise InvalidRequest(f"{_sentence_start(election, county)} is not certified{hint}.")
        row.revoked_at = utcnow()
        row.revoked_by = ctx.user
        row.revoke_reason = reason
        session.flush()
        result = _record(row)
        record_event(session, "uncertified", f"Uncertified {_scope_text(election, county)}: {reason}",
                     user=ctx.user, role=ctx.role, county=county, election_date=election,
                     details={"certification_id": row.id, "county": county, "reason": reason,
                              "certified_at": result.certified_at, "certified_by": row.certified_by})
        return result


def list_certifications(ctx: AppContext, election: dt.date) -> tuple[CertificationRecord, ...]:
    """Every certification of an election, revoked ones included (``in_force`` says which), oldest first."""
    with transaction(ctx.engine) as session:
        rows = session.execute(select(Certification).where(Certification.election_date == election)
                               .order_by(Certification.id)).scalars()
        return tuple(_record(row) for row in rows)


def _due(row: Certification, now: dt.datetime, force: bool) -> bool:
    """At most one drift check per certification and (UTC) calendar day, unless forced."""
    return force or row.last_drift_check_at is None or row.last_drift_check_at.date() < now.date()


def drift_check(ctx: AppContext, election: dt.date, *, force: bool = False) -> tuple[DriftAlarm, ...]:
    """Compare every certification in force with the counts now; alarm on each drifted scope.

    Changes no data: only ``last_drift_check_at`` is stamped and one ``certified_drift`` failure event is
    written per drifted scope.

    Args:
        ctx: Database and acting user (roles that run the scheduled check).
        election: Election date.
        force: Check even when a certification was already checked today (tests, an admin's request).

    Returns:
        One alarm per drifted scope, with the counts that changed (``engine.certification.snapshot_drift``).
    """
    ctx.require(Action.CHECK)
    drifts: list[DriftAlarm] = []
    with transaction(ctx.engine) as session:
        now = utcnow()
        for row in certifications_in_force(session, election).values():
            if not _due(row, now, force):
                continue
            changes = snapshot_drift(row.snapshot, snapshot_counts(session, election, row.county))
            row.last_drift_check_at = now
            if not changes:
                continue
            drift = DriftAlarm(certification_id=row.id, county=row.county, election=election.isoformat(),
                               certified_at=row.certified_at.isoformat(), certified_by=row.certified_by,
                               changes=tuple(CountChange(**change) for change in changes))
            drifts.append(drift)
            record_event(session, "certified_drift",
                         f"ALARM: {_scope_text(election, row.county)}, certified on {row.certified_at:%Y-%m-%d} by "
                         f"{row.certified_by}, changed underneath: {len(changes)} count(s) differ",
                         disposition="failure", user=ctx.user, role=ctx.role, county=row.county,
                         election_date=election,
                         details={**asdict(drift), "changes": changes[:DRIFT_DETAILS_LIMIT],
                                  "changes_count": len(changes)})
        session.flush()
    return tuple(drifts)
