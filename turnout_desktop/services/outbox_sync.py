"""The desktop app's offline outbox: is the shared server reachable, and push what waits.

The outbox lives in the local SQLite database named by ``ContextSpec.outbox_url``; the server is the
spec's own database. Every function here runs as a background job of the app (``progress`` and
``cancelled`` are the task runner's), never on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from turnout_desktop.engine.types import CancelCheck, ProgressCallback
from turnout_desktop.services.connection import ping
from turnout_desktop.services.worker_context import ContextSpec, open_worker_context

if TYPE_CHECKING:  # services.outbox loads the readers: only when a push runs
    from turnout_desktop.services.outbox_results import PushOutcome

QUEUED_TEXT = "Queued offline: will be sent when the server is reachable."


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What the status bar shows: can the server be reached, and how many uploads wait locally."""

    online: bool
    pending: int
    error: str | None = None

    def label(self) -> str:
        """``Online`` / ``Online - N queued`` / ``Offline - N queued``."""
        if self.online:
            return "Online" if self.pending == 0 else f"Online - {self.pending} queued"
        return f"Offline - {self.pending} queued"


@dataclass(frozen=True, slots=True)
class PushSummary:
    """The outcome of one push of the outbox, in a form that crosses a process boundary."""

    pushed: int
    failed: int
    pending: int
    online: bool
    first_error: str | None = None
    outcomes: tuple[PushOutcome, ...] = ()  # without their reconcile results

    def text(self) -> str:
        """One line for the status bar: ``2 pushed, 1 failed (first error: ...)``."""
        line = f"Queued uploads: {self.pushed} pushed, {self.failed} failed"
        if self.first_error:
            line += f" (first error: {self.first_error})"
        return line + (f"; {self.pending} still queued." if self.pending else ".")

    @property
    def status(self) -> ServerStatus:
        return ServerStatus(self.online, self.pending, self.first_error if not self.online else None)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def outbox_pending(spec: ContextSpec) -> int:
    """Unsent items in the local outbox of ``spec`` (a cheap count)."""
    from turnout_desktop.services.outbox import pending_count

    return int(pending_count(open_worker_context(spec.outbox_spec())))


def server_status(spec: ContextSpec, *, progress: ProgressCallback, cancelled: CancelCheck) -> ServerStatus:
    """Ask the server for a trivial answer and count the local outbox (light: runs on the worker thread)."""
    from turnout_desktop.services.outbox import is_unreachable

    pending = outbox_pending(spec)
    try:
        online = ping(open_worker_context(spec).engine)
    except Exception as exc:
        if not is_unreachable(exc):
            raise
        return ServerStatus(False, pending, _first_line(exc))
    return ServerStatus(online, pending, None if online else "the server does not answer")


def push_queued(spec: ContextSpec, *, progress: ProgressCallback, cancelled: CancelCheck) -> PushSummary:
    """Push every queued upload to the server (each exactly once) and reconcile what was stored.

    The server context is opened fresh and closed after the push: this job runs in the heavy-work child
    process, whose cached engines would otherwise outlive a server restart.
    """
    from turnout_desktop.services.outbox import (
        is_unreachable,
        open_server_context,
        pending_count,
        push_outbox,
    )
    from turnout_desktop.services.outbox_results import PushStatus

    local_ctx = open_worker_context(spec.outbox_spec())
    try:
        server_ctx = open_server_context(spec.connect_url, user=spec.user, role=spec.role, county=spec.county)
    except Exception as exc:
        if not is_unreachable(exc):
            raise
        return PushSummary(0, 0, int(pending_count(local_ctx)), False, _first_line(exc))
    try:
        outcomes = push_outbox(local_ctx, server_ctx, progress=progress, cancel=cancelled)
    finally:
        server_ctx.engine.dispose()
    failed = [o for o in outcomes if o.status == PushStatus.FAILED]
    # reconcile results can be large: the GUI needs only what was tried and how it went
    slim = tuple(replace(o, reconcile=()) for o in outcomes)
    return PushSummary(pushed=len(outcomes) - len(failed), failed=len(failed),
                       pending=int(pending_count(local_ctx)), online=not any(o.unreachable for o in failed),
                       first_error=failed[0].error if failed else None, outcomes=slim)
