"""Work the GUI runs on its worker thread: plain functions over the shared services, no Qt.

Each job gets a :class:`ContextSpec` (what database, who is acting) and opens its own context on
the worker (``services.worker_context``), so the GUI thread never holds an engine or a session. Services
are imported inside the jobs, directly: the window starts without loading pandas and the readers, and
a reader (or a type checker) follows each call to its service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from turnout_desktop.domain.status import Trigger
from turnout_desktop.services import dashboard as dashboard_service
from turnout_desktop.services.connection import ping
from turnout_desktop.services.demo import holds_demo_data
from turnout_desktop.services.outbox_sync import outbox_pending
from turnout_desktop.services.worker_context import (  # re-exported: jobs.ContextSpec is what callers know
    ActingIdentity,
    ContextSpec,
    dispose_engines,
    open_worker_context,
)

if TYPE_CHECKING:
    from turnout_desktop.domain.scope import Scope
    from turnout_desktop.services.fixes_results import OverrideMade, ReviewResult, UndoResult
    from turnout_desktop.services.reconciliation import ReconcileResult
    from turnout_desktop.services.reconciliation_results import LogDetail
    from turnout_desktop.services.shared_settings import SettingChange

__all__ = ["ActingIdentity", "ContextSpec", "dispose_engines", "open_worker_context"]

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True, slots=True, kw_only=True)
class Dashboard(dashboard_service.Dashboard):
    """``services.dashboard.Dashboard`` plus what only the window's worker knows."""

    online: bool  # the server answered before the load
    outbox_pending: int | None = None  # unsent outbox items (None: the outbox is not used)
    identity: ActingIdentity | None = None  # who the database says is acting
    demo: bool = False  # the database holds demo data (services/demo.py holds_demo_data): the title says DEMO


def load_dashboard(spec: ContextSpec, election: dt.date | None = None, *, verify_audit: bool = False,
                   record_verification: bool = False, progress: Progress, cancelled: Cancelled) -> Dashboard:
    """``services.dashboard.load_dashboard`` in the worker's context, with the server's state and the outbox."""
    ctx = open_worker_context(spec)
    online = ping(ctx.engine)
    loaded = dashboard_service.load_dashboard(ctx, election, verify_audit=verify_audit,
                                              record_verification=record_verification, progress=progress)
    return Dashboard(**{item.name: getattr(loaded, item.name) for item in fields(loaded)}, online=online,
                     outbox_pending=outbox_pending(spec) if spec.uses_outbox else None,
                     identity=ActingIdentity.of(ctx), demo=holds_demo_data(ctx))


def reconcile(spec: ContextSpec, scope: Scope, *, progress: Progress, cancelled: Cancelled) -> list[ReconcileResult]:
    """Force a re-check of the scope (one county/party, or everything when its county is None)."""
    from turnout_desktop.services import reconciliation

    ctx = open_worker_context(spec)
    return reconciliation.reconcile(ctx, scope, trigger=Trigger.MANUAL, progress=progress, cancel=cancelled)


def auto_check(spec: ContextSpec, election: dt.date | None, *, progress: Progress,
               cancelled: Cancelled) -> list[ReconcileResult]:
    """The hourly AUTO_CHECK over all counties."""
    from turnout_desktop.services.check import check

    ctx = open_worker_context(spec)
    return check(ctx, election, progress=progress, cancel=cancelled)


def log_detail(spec: ContextSpec, log_id: int, *, progress: Progress, cancelled: Cancelled) -> LogDetail:
    from turnout_desktop.services.reconciliation import log_detail as service_log_detail

    return service_log_detail(open_worker_context(spec), log_id)


def override(spec: ContextSpec, election: dt.date, county: str, party: str, reason: str, *,
             progress: Progress, cancelled: Cancelled) -> OverrideMade:
    from turnout_desktop.domain.scope import Scope
    from turnout_desktop.services import fixes

    return fixes.override(open_worker_context(spec), Scope(election, county, party), reason=reason)


def mark_reviewed(spec: ContextSpec, log_id: int, state: str, reason: str, *, progress: Progress,
                  cancelled: Cancelled) -> ReviewResult:
    from turnout_desktop.services import fixes

    return fixes.mark_reviewed(open_worker_context(spec), log_id, state, reason)


def undo_fix(spec: ContextSpec, fix_id: int, reason: str, *, progress: Progress,
             cancelled: Cancelled) -> UndoResult:
    from turnout_desktop.services import fixes

    return fixes.undo_fix(open_worker_context(spec), fix_id, reason=reason)


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
                         cancelled: Cancelled) -> tuple[SettingChange, ...]:
    """Change shared settings through ``services.shared_settings.update`` (admin only, validated, audited).

    ``changes`` holds only what the user changed (gate_verified, gate_within, statewide_source,
    auto_check_minutes); returns the changes the service made.
    """
    from turnout_desktop.services import shared_settings

    return shared_settings.update(open_worker_context(spec), **changes)

