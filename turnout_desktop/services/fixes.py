"""Fix services: undo a fix, manual overrides, review state of escalations.

The CLI and the GUI both call these. Admin-only actions check the role here (PermissionDenied),
and every change writes an ``audit_event`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.models import CountyTurnoutReference, Fix, ManualOverride, ReconciliationLog, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.counties import known_county_name
from turnout_desktop.domain.decisions import DecisionEvent, ReviewState
from turnout_desktop.domain.permissions import Action
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status
from turnout_desktop.engine import fixes as engine_fixes
from turnout_desktop.engine import inputs
from turnout_desktop.engine.fixes import to_json_value
from turnout_desktop.engine.publication import current_submissions, overrides_in_force
from turnout_desktop.errors import InvalidRequest, NotFound
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.fixes_results import (
    OverrideListing,
    OverrideMade,
    OverrideRevoked,
    ReconciledAfterUndo,
    ReviewResult,
    UndoResult,
)

OVERRIDE_STATUSES = (Status.RESOLVED, Status.ESCALATED, Status.FAILED, Status.IN_PROGRESS)
# Values databases written before these states hold; they read as the state they meant.
# (What an admin may set is ``ReviewState``; an escalation nobody reviewed yet is "open": review_state NULL.)
LEGACY_REVIEW_STATES: dict[str, ReviewState | None] = {"open": None, "contacted_county": ReviewState.INVESTIGATING,
                                                       "accepted": ReviewState.RESOLVED}


def review_state_of(stored: str | None) -> ReviewState | None:
    """The review state a stored ``review_state`` means: a ``ReviewState``, or None (open, never reviewed).

    The app writes only ``ReviewState`` values and older databases the ``LEGACY_REVIEW_STATES`` names; any
    other text (edited by hand) reads as open, so the escalation can be reviewed again.
    """
    if stored is None or stored in tuple(ReviewState):
        return None if stored is None else ReviewState(stored)
    return LEGACY_REVIEW_STATES.get(stored)


def written_reason(reason: str | None, refusal: str) -> str:
    """The reason an admin action needs, stripped; ``InvalidRequest(refusal)`` when it is blank."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(refusal)
    return reason


def _columns(row: ManualOverride) -> dict[str, Any]:
    """Every column of an override row by name, dates and times as ISO text, its status as a ``Status``."""
    columns = {c.key: to_json_value(getattr(row, c.key)) for c in row.__mapper__.column_attrs}
    return {**columns, "status": Status(row.status)}


def undo_fix(ctx: AppContext, fix_id: int, *, reason: str, reconcile: bool = True) -> UndoResult:
    """Reverse one fix exactly (admin only, with a written reason), then re-reconcile what it touched.

    The undo, the input-version bump of every county whose records it changed, and its audit event are
    one transaction; then every affected county is reconciled again before this returns, so no status
    is left stale. That run leaves out the undone fix's strategy (the admin just rejected what it did;
    a later check may try it again and escalates if nothing else heals the county).

    Returns:
        The undone fix (what it reversed, by action), the reason, the affected counties and the new log
        rows of their re-reconciliation (empty when ``reconcile`` is False).

    Raises:
        PermissionDenied: not an admin. NotFound: no such fix. InvalidRequest: blank reason.
        UndoRefused: already undone, or a later fix changed the same rows (named in the message).
    """
    ctx.require(Action.UNDO)
    reason = written_reason(reason, "An undo needs a written reason (--reason).")
    with transaction(ctx.engine) as session:
        fix = session.get(Fix, fix_id)
        if fix is None:
            raise NotFound(f"Fix {fix_id} does not exist.")
        touched = engine_fixes.fix_counties(session, fix_id)
        result = engine_fixes.undo_fix(session, fix_id, ctx.user, role=ctx.role, reason=reason)
        affected = sorted(set(touched) | ({fix.county} if fix.county else set()))
        inputs.bump(session, fix.election_date, affected, f"fix {fix_id} ({fix.strategy}) undone: {reason}")
        election, strategy = fix.election_date, fix.strategy
    reconciled = _reconcile_after_undo(ctx, election, affected, strategy) if reconcile else ()
    return UndoResult(fix_id=result.fix_id, strategy=result.strategy, county=result.county,
                      reversed=result.reversed, by_action=result.by_action, reason=reason,
                      affected_counties=tuple(affected), reconciled=reconciled)


def _reconcile_after_undo(ctx: AppContext, election: dt.date, counties: list[str],
                          undone_strategy: str) -> tuple[ReconciledAfterUndo, ...]:
    from turnout_desktop.services.reconciliation import reconcile
    from turnout_desktop.strategies import default_strategies

    strategies = [s for s in default_strategies() if s.name != undone_strategy]
    rows: list[ReconciledAfterUndo] = []
    for county in counties:
        for entry in reconcile(ctx, Scope(election, county=county), strategies=strategies):
            rows.append(ReconciledAfterUndo(county=entry.county, party=entry.party, status=entry.status,
                                            log_id=entry.id))
    return tuple(rows)


def active_override(session: Session, *, election: dt.date, county: str, party: str) -> ManualOverride | None:
    """The override in force for a (county, election, party), if any (the newest not revoked)."""
    return session.execute(
        select(ManualOverride).where(ManualOverride.election_date == election, ManualOverride.county == county,
                                     ManualOverride.party == party, ManualOverride.revoked_at.is_(None))
        .order_by(ManualOverride.id.desc()).limit(1)
    ).scalar_one_or_none()


def override(ctx: AppContext, scope: Scope, *, reason: str, status: Status = Status.RESOLVED) -> OverrideMade:
    """Record an admin's manual override of one county/party status of ``scope`` (replaces an earlier one).

    Raises:
        PermissionDenied: not an admin. InvalidRequest: blank reason, no county or party in ``scope``,
        unknown county or status.
    """
    ctx.require(Action.OVERRIDE)
    reason = written_reason(reason, "An override needs a written reason.")
    if scope.county is None or scope.party is None:
        raise InvalidRequest("An override is for one county and one party of an election.")
    election, county = scope.election, scope.county
    canonical = known_county_name(county)
    party = scope.party.strip().upper()
    typed = (status or "").strip().upper()  # a caller may pass the status as text, in any case
    if typed not in OVERRIDE_STATUSES:
        raise InvalidRequest(f"Status must be one of {', '.join(OVERRIDE_STATUSES)}, not {typed!r}.")
    status = Status(typed)
    with transaction(ctx.engine) as session:
        has_counts = session.execute(select(CountyTurnoutReference.id).where(
            CountyTurnoutReference.election_date == election, CountyTurnoutReference.county == canonical,
            CountyTurnoutReference.party == party).limit(1)).first()
        if has_counts is None:  # nothing to decide on yet: an override may not wait for figures to come
            raise InvalidRequest(f"{canonical} has no official {party or '(blank)'} counts for the election of "
                                 f"{election.isoformat()}: there is nothing to override.")
        previous = active_override(session, election=election, county=canonical, party=party)
        now = utcnow()
        if previous is not None:
            previous.revoked_at = now  # one override in force per (county, election, party)
        row = ManualOverride(county=canonical, election_date=election, party=party, status=status, reason=reason,
                             created_by=ctx.user, created_at=now,
                             submission_id=current_submissions(session, election, canonical).get(canonical))
        session.add(row)
        session.flush()
        made = OverrideMade(**_columns(row), replaced_override_id=previous.id if previous is not None else None)
        record_event(session, DecisionEvent.MANUAL_OVERRIDE, f"Override {canonical} {party} to {status}: {reason}",
                     user=ctx.user, role=ctx.role, county=canonical, election_date=election, details=asdict(made))
        return made


def revoke_override(ctx: AppContext, override_id: int, reason: str) -> OverrideRevoked:
    """Revoke an override (admin only, reason required); the computed status shows again.

    Returns:
        The override's columns and ``reason_revoked``. Raises NotFound for an unknown id, InvalidRequest
        for a blank reason or an override already revoked.
    """
    ctx.require(Action.REVOKE_OVERRIDE)
    reason = written_reason(reason, "Revoking an override needs a written reason.")
    with transaction(ctx.engine) as session:
        row = session.get(ManualOverride, override_id)
        if row is None:
            raise NotFound(f"Override {override_id} does not exist.")
        if row.revoked_at is not None:
            raise InvalidRequest(f"Override {override_id} was already revoked.")
        row.revoked_at = utcnow()
        session.flush()
        revoked = OverrideRevoked(**_columns(row), reason_revoked=reason)
        record_event(session, DecisionEvent.OVERRIDE_REVOKED,
                     f"Override {override_id} ({row.county} {row.party}) revoked: {reason}", user=ctx.user,
                     role=ctx.role, county=row.county, election_date=row.election_date, details=asdict(revoked))
        return revoked


def mark_reviewed(ctx: AppContext, log_id: int, state: str, reason: str) -> ReviewResult:
    """Set the review state of an escalation: investigating | resolved | wont-fix (admin only, reason required).

    ``log_id`` is the ``reconciliation_log`` id of an ESCALATED entry.

    Returns:
        The entry's new review state and reason, and ``previous_state`` (None: the escalation was open).

    Raises:
        PermissionDenied: not an admin. InvalidRequest: unknown state, blank reason, an entry that is not
        ESCALATED. NotFound: no such log entry.
    """
    ctx.require(Action.REVIEW)
    state = (state or "").strip().lower()
    if state not in tuple(ReviewState):
        raise InvalidRequest(f"Review state must be one of {', '.join(ReviewState)}, not {state!r}.")
    reason = written_reason(reason, "A review needs a written reason.")
    with transaction(ctx.engine) as session:
        entry = session.get(ReconciliationLog, log_id)
        if entry is None:
            raise NotFound(f"Log entry {log_id} does not exist.")
        if entry.status != Status.ESCALATED:
            raise InvalidRequest(f"Log entry {log_id} ({entry.county} {entry.party}) is {entry.status}, not "
                                 f"{Status.ESCALATED}: only an escalation can be reviewed.")
        before = review_state_of(entry.review_state)
        entry.review_state = state
        entry.review_reason = reason
        entry.updated_at = utcnow()
        session.flush()
        result = ReviewResult(log_id=entry.id, county=entry.county, party=entry.party,
                              election_date=entry.election_date.isoformat(), status=Status(entry.status),
                              review_state=ReviewState(state), review_reason=reason, previous_state=before)
        record_event(session, DecisionEvent.ESCALATION_REVIEWED,
                     f"Log {log_id} ({entry.county} {entry.party}) marked {state}: {reason}", user=ctx.user,
                     role=ctx.role, county=entry.county, election_date=entry.election_date, details=asdict(result))
        return result


def list_overrides(ctx: AppContext, *, election: dt.date | None = None, county: str | None = None,
                   limit: int = 200) -> tuple[OverrideListing, ...]:
    """Overrides, in force and revoked, newest first (``in_force`` tells which); a clerk sees its counties."""
    county = ctx.scoped_county(county)
    with transaction(ctx.engine) as session:
        query = select(ManualOverride).order_by(ManualOverride.id.desc()).limit(limit)
        if election is not None:
            query = query.where(ManualOverride.election_date == election)
        if county is not None:
            query = query.where(ManualOverride.county == county)
        rows = list(session.execute(query).scalars())
        in_force = {row.id for day in {row.election_date for row in rows}
                    for row in overrides_in_force(session, day, county).values()}
        # Not revoked but given for an earlier upload: ended by the county's newer upload.
        listed = []
        for row in rows:
            columns = _columns(row)
            del columns["submission_id"]  # the list never showed it
            listed.append(OverrideListing(**columns, in_force=row.id in in_force,
                                          ended_by_upload=row.revoked_at is None and row.id not in in_force))
        return tuple(listed)
