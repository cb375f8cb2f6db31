"""Worker jobs of the admin decisions (override preview, revoke, the dialog's detail, the inbox): no Qt.

Like ``gui/jobs.py``: each job opens its own context from a :class:`ContextSpec` on the worker and calls
one service; services are imported inside the jobs so the window starts without loading them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from turnout_desktop.domain.scope import Scope
from turnout_desktop.gui.jobs import Cancelled, Progress
from turnout_desktop.services.worker_context import ContextSpec, open_worker_context

if TYPE_CHECKING:
    from turnout_desktop.services.admin_decisions import InboxRow, OverridePreview
    from turnout_desktop.services.fixes_results import OverrideRevoked
    from turnout_desktop.services.reconciliation_results import LogDetail


def decision_detail(spec: ContextSpec, log_id: int, *, progress: Progress, cancelled: Cancelled) -> LogDetail:
    """``log_detail`` with ``override`` set when one is in force, as the activity table marks its rows."""
    from turnout_desktop.services.dashboard import mark_overridden
    from turnout_desktop.services.reconciliation import log_detail
    from turnout_desktop.services.reconciliation_results import LogDetail

    ctx = open_worker_context(spec)
    (detail,) = mark_overridden(ctx, [log_detail(ctx, log_id)])
    assert isinstance(detail, LogDetail)  # mark_overridden copies the entry it was given, class and all
    return detail


def preview_override(spec: ContextSpec, election: dt.date, county: str, party: str, *, progress: Progress,
                     cancelled: Cancelled) -> OverridePreview:
    from turnout_desktop.services.admin_decisions import preview_override as service_preview

    return service_preview(open_worker_context(spec), Scope(election, county, party))


def revoke_override(spec: ContextSpec, override_id: int, reason: str, *, progress: Progress,
                    cancelled: Cancelled) -> OverrideRevoked:
    from turnout_desktop.services.fixes import revoke_override as service_revoke

    return service_revoke(open_worker_context(spec), override_id, reason)


def escalation_inbox(spec: ContextSpec, election: dt.date, *, progress: Progress,
                     cancelled: Cancelled) -> tuple[InboxRow, ...]:
    from turnout_desktop.services.admin_decisions import escalation_inbox as service_inbox

    return service_inbox(open_worker_context(spec), election)
