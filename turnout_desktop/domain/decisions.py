"""An administrator's decisions on an escalation: the review states it can be given and the audit events the
decisions write (``services/fixes.py`` writes them, ``services/admin_decisions.py`` reads them back).

The values are stored (``reconciliation_log.review_state``, ``audit_event.event_type``) and printed in the CLI's
JSON, so they never change. What a user reads for them is in ``domain/labels.py``.
"""

from __future__ import annotations

from enum import StrEnum


class ReviewState(StrEnum):
    """The review state of an escalation; one nobody reviewed yet is open (``review_state`` NULL)."""

    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    WONT_FIX = "wont-fix"


class DecisionEvent(StrEnum):
    """The audit event an admin's decision on an escalation writes."""

    ESCALATION_REVIEWED = "escalation_reviewed"
    MANUAL_OVERRIDE = "manual_override"
    OVERRIDE_REVOKED = "override_revoked"
