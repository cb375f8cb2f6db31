"""``turnout audit verify``, the scheduled check and the admin's main window: walk the audit chain.

A verification is itself an audit event (success, or failure naming the first broken seq); a break is
also logged at ERROR level so that the check's log and the desktop's red banner carry the alarm.
"""

from __future__ import annotations

import logging

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.audit_chain import ChainVerification, verify
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.permissions import Role, refusal
from turnout_desktop.errors import PermissionDenied
from turnout_desktop.services.context import AppContext

log = logging.getLogger(__name__)
# A clerk reads only its counties' events, so it could never see a whole chain.
VERIFIERS = frozenset({Role.ADMIN, Role.AUDITOR, Role.SERVICE, Role.LOCAL})


def verify_audit(ctx: AppContext, *, record: bool = True) -> ChainVerification:
    """Verify the whole chain; with ``record`` the outcome is appended as an ``audit_verify`` event."""
    if ctx.role not in VERIFIERS:
        raise PermissionDenied(refusal(ctx.role, "verify the audit trail"))
    with transaction(ctx.engine) as session:
        outcome = verify(session)
    if not outcome.intact:
        log.error("AUDIT TRAIL BROKEN: %s", outcome.reason)
    if record:
        with transaction(ctx.engine) as session:
            message = (f"Audit chain intact: {outcome.events} events, head seq {outcome.head_seq}"
                       if outcome.intact else f"AUDIT CHAIN BROKEN: {outcome.reason}")
            record_event(session, "audit_verify", message, disposition="success" if outcome.intact else "failure",
                         user=ctx.user, role=ctx.role, details=outcome.to_json())
    return outcome
