"""What the main window shows, read in one call: elections, county overview, recent activity, settings, audit.

The desktop app runs :func:`load_dashboard` on its worker thread (``gui/jobs.py``); nothing here knows
Qt. The window adds only what its own worker knows: whether the server answered and the local outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from turnout_desktop.db.models import ManualOverride
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.permissions import Role
from turnout_desktop.domain.status import Status
from turnout_desktop.engine.types import ProgressCallback
from turnout_desktop.errors import TurnoutError
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reconciliation_results import CountyOverviewRow, LogEntry, LogOverride
from turnout_desktop.services.shared_settings import SharedSettings


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """The outcome of one audit-chain verification, as the main window shows it."""

    intact: bool
    broken_seq: int | None = None
    reason: str | None = None
    head_seq: int | None = None
    error: str | None = None  # the verification itself failed (the chain's state is unknown)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Elections, the chosen one's county overview and recent activity, shared settings and the audit check."""

    elections: tuple[dt.date, ...]  # newest first
    election: dt.date | None  # the one shown (the newest when none was asked for)
    overview: tuple[CountyOverviewRow, ...]  # a clerk's own counties only
    log: tuple[LogEntry, ...]  # newest first, ``override`` filled where one is in force
    statewide_source: str | None
    shared: SharedSettings | None = None  # None when unreadable
    audit: AuditCheck | None = None  # None: not verified by this load
    certified: tuple[str | None, ...] = ()  # certified counties of the election (None: the whole election)


def _ignore_progress(_fraction: float, _message: str) -> None:
    """Progress nobody watches."""


def load_dashboard(ctx: AppContext, election: dt.date | None = None, *, verify_audit: bool = False,
                   record_verification: bool = False, progress: ProgressCallback | None = None) -> Dashboard:
    """Elections, county overview and recent activity for ``election`` (latest when None).

    With ``verify_audit`` the whole audit chain is walked as well (roles that may verify only);
    ``record_verification`` appends the outcome to the trail even when intact. A break is always
    recorded: it is an alarm, and the trail must say that somebody saw it.
    """
    from turnout_desktop.services import certification, reconciliation

    report = progress or _ignore_progress
    elections = tuple(sorted(reconciliation.elections(ctx), reverse=True))
    if election is None and elections:
        election = elections[0]
    overview: tuple[CountyOverviewRow, ...] = ()
    certified: tuple[str | None, ...] = ()
    report(0.3, "county overview")
    if election is not None:
        overview = reconciliation.county_overview(ctx, election)
        certified = tuple(row.county for row in certification.list_certifications(ctx, election) if row.in_force)
    county = ctx.default_county() if ctx.role == Role.CLERK else None
    log = mark_overridden(ctx, reconciliation.log_entries(ctx, county=county, election=election))
    source = reconciliation.get_statewide_source(ctx)
    scope = ctx.scope_counties
    if scope is not None:  # the overview lists all 254 counties; a clerk sees its own
        overview = tuple(row for row in overview if row.county in scope)
    report(0.8, "shared settings")
    shared = _shared_settings(ctx)
    audit = None
    if verify_audit and may_verify_audit(ctx.role):
        report(0.85, "verifying the audit trail")
        audit = check_audit_trail(ctx, record=record_verification)
    report(1.0, "done")
    return Dashboard(elections=elections, election=election, overview=overview, log=log, statewide_source=source,
                     shared=shared, audit=audit, certified=certified)


def _shared_settings(ctx: AppContext) -> SharedSettings | None:
    from turnout_desktop.services import shared_settings

    try:
        return shared_settings.read(ctx)
    except SQLAlchemyError:  # the dashboard still loads; the Settings dialog falls back to preferences
        return None


def may_verify_audit(role: str) -> bool:
    """Roles that may walk the whole chain (a clerk reads only its counties' events)."""
    from turnout_desktop.services.audit_trail import VERIFIERS

    return role in VERIFIERS


def check_audit_trail(ctx: AppContext, *, record: bool) -> AuditCheck:
    """Walk the audit chain (``services.audit_trail``); a break is recorded as an event every time."""
    from turnout_desktop.services.audit_trail import verify_audit

    try:
        outcome = verify_audit(ctx, record=record)
        if not outcome.intact and not record:
            outcome = verify_audit(ctx, record=True)
    except (TurnoutError, SQLAlchemyError) as exc:  # the window still loads; the banner says it could not check
        return AuditCheck(intact=True, error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return AuditCheck(outcome.intact, outcome.broken_seq, outcome.reason, outcome.head_seq)


def mark_overridden(ctx: AppContext, entries: Sequence[LogEntry]) -> tuple[LogEntry, ...]:
    """``entries`` with ``override`` (reason, who, when) set where their county/party/election has one in force.

    A log entry keeps the status the engine computed (e.g. ESCALATED); the override is a later decision
    recorded apart, so the activity table needs it to show the figure as published. The entries given
    are left as they are: the marked ones are copies.
    """
    days = {entry.election_date for entry in entries if entry.county}
    if not days:
        return tuple(entries)
    found: dict[tuple[dt.date, str, str], LogOverride] = {}
    with transaction(ctx.engine) as session:
        # Every override in force for these elections at once (one query, not one per entry); the
        # newest of a (county, party) wins, as in services.fixes.active_override.
        for active in session.execute(select(ManualOverride).where(
                ManualOverride.election_date.in_(sorted(days)),
                ManualOverride.revoked_at.is_(None)).order_by(ManualOverride.id)).scalars():
            found[(active.election_date, active.county, active.party)] = LogOverride(
                id=active.id, status=Status(active.status), reason=active.reason, created_by=active.created_by,
                created_at=active.created_at.isoformat() if active.created_at else None)
    marked = []
    for entry in entries:
        override = found.get((entry.election_date, entry.county, entry.party or "")) if entry.county else None
        marked.append(dataclasses.replace(entry, override=override) if override is not None else entry)
    return tuple(marked)
