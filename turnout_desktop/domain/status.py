"""Status values of ``reconciliation_log`` rows, shared by the gate (domain), the engine and the reports."""

from __future__ import annotations

STATUS_RESOLVED = "RESOLVED"
STATUS_IN_PROGRESS = "IN_PROGRESS"
STATUS_ESCALATED = "ESCALATED"
STATUS_FAILED = "FAILED"
STATUS_INTERRUPTED = "INTERRUPTED"  # an IN_PROGRESS row a later run of the same pair superseded
STATUS_CHECKED = "CHECKED"  # the one summary row a scheduled check writes (county and party "*")
