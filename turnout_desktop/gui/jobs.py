"""Work the GUI runs on its worker thread: plain functions over the shared services, no Qt.

Each job gets a :class:`ContextSpec` (what database, who is acting) and opens its own context on
the worker (``gui.worker_context``), so the GUI thread never holds an engine or a session. Services
are imported inside the jobs, directly: the window starts without loading pandas and the readers, and
a reader (or a type checker) follows each call to its service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from turnout_desktop.db.identity import sign_in_error
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.errors import DatabaseUnavailable, SignInFailed, TurnoutError
from turnout_desktop.gui.worker_context import (  # re-exported: jobs.ContextSpec is what callers know
    ActingIdentity,
    ContextSpec,
    adopt_context,
    dispose_engines,
    open_worker_context,
)
from turnout_desktop.services.context import ROLE_CLERK, AppContext

__all__ = ["ActingIdentity", "ContextSpec", "adopt_context", "dispose_engines", "open_worker_context"]

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """The outcome of one audit-chain verification, as the main window shows it."""

    intact: bool
    broken_seq: int | None = None
    reason: str | None = None
    head_seq: int | None = None
    error: str | None = None  # the verification itself failed (the chain's state is unknown)


@dataclass(slots=True)
class Dashboard:
    """What the main window shows, loaded in one job."""

    elections: list[dt.date]
    election: dt.date | None
    overview: list[dict[str, Any]]
    log: list[dict[str, Any]]
    statewide_source: str | None
    online: bool
    outbox_pending: int | None = None  # unsent outbox items (None: the outbox is not used)
    identity: ActingIdentity | None = None  # who the database says is acting
    shared: Any = None  # services.shared_settings.SharedSettings, None when unreadable
    audit: AuditCheck | None = None  # None: not verified by this load
    certified: tuple[str | None, ...] = ()  # certified counties of the election (None: the whole election)


def load_dashboard(spec: ContextSpec, election: dt.date | None = None, *, verify_audit: bool = False,
                   record_verification: bool = False, progress: Progress, cancelled: Cancelled) -> Dashboard:
    """Elections, county overview and recent activity for ``election`` (latest when None).

    With ``verify_audit`` the whole audit chain is walked as well (roles that may verify only);
    ``record_verification`` appends the outcome to the trail even when intact. A break is always
    recorded: it is an alarm, and the trail must say that somebody saw it.
    """
    from turnout_desktop.services import certification, reconciliation

    ctx = open_worker_context(spec)
    online = ping(ctx.engine)
    elections = sorted(reconciliation.elections(ctx), reverse=True)
    if election is None and elections:
        election = elections[0]
    overview: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    certified: tuple[str | None, ...] = ()
    source: str | None = None
    progress(0.3, "county overview")
    if election is not None:
        overview = list(reconciliation.county_overview(ctx, election))
        certified = tuple(row["county"] for row in certification.list_certifications(ctx, election)
                          if row["in_force"])
    county = ctx.default_county() if ctx.role == ROLE_CLERK else None
    log_rows = list(reconciliation.log_entries(ctx, county=county, election=election))
    mark_overridden(ctx, log_rows)
    source = reconciliation.get_statewide_source(ctx)
    scope = ctx.scope_counties
    if scope is not None:  # the overview lists all 254 counties; a clerk sees its own
        overview = [row for row in overview if row.get("county") in scope]
    pending = outbox_pending(spec) if spec.uses_outbox else None
    progress(0.8, "shared settings")
    shared = _shared_settings(ctx)
    audit = None
    if verify_audit and may_verify_audit(ctx.role):
        progress(0.85, "verifying the audit trail")
        audit = check_audit_trail(ctx, record=record_verification)
    progress(1.0, "done")
    return Dashboard(elections, election, overview, log_rows, source, online, pending,
                     ActingIdentity.of(ctx), shared, audit, certified)


def _shared_settings(ctx: AppContext) -> Any:
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


def mark_overridden(ctx: AppContext, log_rows: list[dict[str, Any]]) -> None:
    """Add ``override`` (reason, who, when) to log rows whose county/party/election has an active override.

    A log row keeps the status the engine computed (e.g. ESCALATED); the override is a later decision
    recorded apart, so the activity table needs it to show the figure as published.
    """
    from turnout_desktop.db.models import ManualOverride

    elections = {str(row["election_date"])[:10] for row in log_rows if row.get("election_date") and row.get("county")}
    if not elections:
        return
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    with transaction(ctx.engine) as session:
        # Every override in force for these elections at once (one query, not one per log row); the
        # newest of a (county, party) wins, as in services.fixes.active_override.
        for active in session.execute(select(ManualOverride).where(
                ManualOverride.election_date.in_(sorted(dt.date.fromisoformat(day) for day in elections)),
                ManualOverride.revoked_at.is_(None)).order_by(ManualOverride.id)).scalars():
            found[(str(active.election_date)[:10], active.county, active.party)] = {
                "id": active.id, "status": active.status, "reason": active.reason, "created_by": active.created_by,
                "created_at": active.created_at.isoformat() if active.created_at else None}
    for row in log_rows:
        election = row.get("election_date")
        if not election or not row.get("county"):
            continue
        override = found.get((str(election)[:10], str(row["county"]), str(row.get("party") or "")))
        if override is not None:
            row["override"] = override


def outbox_pending(spec: ContextSpec) -> int:
    """Unsent items in the local outbox of ``spec`` (a cheap count)."""
    from turnout_desktop.services.outbox import pending_count

    return int(pending_count(open_worker_context(spec.outbox_spec())))


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - offline is a state to show, not an error
        return False


def prepare_database(spec: ContextSpec, *, seed_if_empty: bool, demo_folder: Path | None = None,
                     progress: Progress, cancelled: Cancelled) -> bool:
    """Open/migrate the database and seed the demo data when it holds no official counts.

    Returns:
        True when demo data was seeded.
    """
    from turnout_desktop.db.models import CountyTurnoutReference

    ctx = open_worker_context(spec)
    if not seed_if_empty:
        return False
    with transaction(ctx.engine) as session:
        has_counts = session.execute(select(CountyTurnoutReference.id).limit(1)).first() is not None
    if has_counts:
        return False
    progress(0.1, "seeding demo data")
    from turnout_desktop.services.demo import seed_demo

    seed_demo(AppContext(engine=ctx.engine, user="demo", role="admin"), demo_folder)
    return True


def reconcile(spec: ContextSpec, election: dt.date, county: str | None = None, party: str | None = None, *,
              progress: Progress, cancelled: Cancelled) -> list[dict[str, Any]]:
    """Force a re-check of one county/party (or everything when county is None)."""
    from turnout_desktop.services import reconciliation

    ctx = open_worker_context(spec)
    return list(reconciliation.reconcile(
        ctx, election, county=county, party=party, trigger="MANUAL", progress=progress, cancel=cancelled))


def auto_check(spec: ContextSpec, election: dt.date | None, *, progress: Progress,
               cancelled: Cancelled) -> list[dict[str, Any]]:
    """The hourly AUTO_CHECK over all counties."""
    from turnout_desktop.services.check import check

    ctx = open_worker_context(spec)
    return list(check(ctx, election, progress=progress, cancel=cancelled))


def log_detail(spec: ContextSpec, log_id: int, *, progress: Progress, cancelled: Cancelled) -> dict[str, Any]:
    from turnout_desktop.services.reconciliation import log_detail as service_log_detail

    return dict(service_log_detail(open_worker_context(spec), log_id))


def override(spec: ContextSpec, election: dt.date, county: str, party: str, reason: str, *,
             progress: Progress, cancelled: Cancelled) -> dict[str, Any]:
    from turnout_desktop.services import fixes

    ctx = open_worker_context(spec)
    return dict(fixes.override(ctx, election=election, county=county, party=party, reason=reason))


def mark_reviewed(spec: ContextSpec, log_id: int, state: str, reason: str, *, progress: Progress,
                  cancelled: Cancelled) -> dict[str, Any]:
    from turnout_desktop.services import fixes

    return dict(fixes.mark_reviewed(open_worker_context(spec), log_id, state, reason))


def undo_fix(spec: ContextSpec, fix_id: int, reason: str, *, progress: Progress,
             cancelled: Cancelled) -> dict[str, Any]:
    from turnout_desktop.services import fixes

    return dict(fixes.undo_fix(open_worker_context(spec), fix_id, reason=reason))


def export_report(spec: ContextSpec, election: dt.date, fmt: str, out: Path, county: str | None = None,
                  escalation_id: int | None = None, *, progress: Progress, cancelled: Cancelled) -> Path:
    from turnout_desktop.services import reporting

    ctx = open_worker_context(spec)
    return Path(reporting.export_report(
        ctx, election=election, fmt=fmt, out=out, county=county, escalation_id=escalation_id))


def load_report(spec: ContextSpec, election: dt.date, county: str | None = None, escalation_id: int | None = None,
                *, progress: Progress, cancelled: Cancelled) -> Any:
    """The report model for printing (``services.reporting.load_report``); painting happens on the GUI thread."""
    from turnout_desktop.services import reporting

    ctx = open_worker_context(spec)
    return reporting.load_report(ctx, election=election, county=county, escalation_id=escalation_id)


def save_shared_settings(spec: ContextSpec, changes: dict[str, Any], *, progress: Progress,
                         cancelled: Cancelled) -> list[dict[str, str]]:
    """Change shared settings through ``services.shared_settings.update`` (admin only, validated, audited).

    ``changes`` holds only what the user changed (gate_verified, gate_within, statewide_source,
    auto_check_minutes); returns the changes the service made.
    """
    from turnout_desktop.services import shared_settings

    return list(shared_settings.update(open_worker_context(spec), **changes))


def test_connection(url: str, *, progress: Progress, cancelled: Cancelled) -> str:
    """Connect to ``url`` once (no migration, no sign-in) and describe the server."""
    engine = make_engine(url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        problem = sign_in_error(exc, engine) if engine.dialect.name == "postgresql" else None
        if isinstance(problem, SignInFailed) and problem.reason == "password":
            # A server that asks for a password was reached: the password comes at sign-in.
            return f"Reached {engine.dialect.name} at {where}; you sign in with your own user and password."
        raise DatabaseUnavailable(f"Cannot connect: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"Cannot connect: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    else:
        return f"Connected to {engine.dialect.name} ({where})."
    finally:
        engine.dispose()
