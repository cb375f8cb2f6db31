"""Status values of reconciliation runs (and the outcomes of their attempts) and what started a run, shared by
the gate (domain), the engine, the services and the reports.

The values are stored in ``reconciliation_log.status`` (``reconciliation_attempt.outcome``,
``reconciliation_log.trigger_type``) and printed in the CLI's JSON, so they never change.
What a user reads for them is in ``domain/labels.py``; the coarser state a row is coloured by is
``domain/display.py``.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The status of a (county, party) reconciliation."""

    RESOLVED = "RESOLVED"
    IN_PROGRESS = "IN_PROGRESS"
    ESCALATED = "ESCALATED"
    FAILED = "FAILED"
    INTERRUPTED = "INTERRUPTED"  # an IN_PROGRESS row a later run of the same pair superseded
    CHECKED = "CHECKED"  # the one summary row a scheduled check writes (county and party "*")
    # Never stored in the log: what the overview and the report show for a pair with no run of its own to show.
    OVERRIDDEN = "OVERRIDDEN"  # an admin's override is in force (the log keeps the computed status)
    PENDING = "PENDING"  # official counts exist but no run has looked at them yet (county overview)
    NOT_RECONCILED = "NOT_RECONCILED"  # the same, as the report has always called it


# A (county, party) with one of these statuses needs a person: the engine gave up (ESCALATED) or could not run
# (FAILED). The tray's check changes, the report's summary and the overview's problem group all count these.
PROBLEM_STATUSES: frozenset[Status] = frozenset({Status.ESCALATED, Status.FAILED})


class Trigger(StrEnum):
    """What started a reconciliation run (``reconciliation_log.trigger_type``; ``turnout log --trigger``)."""

    COUNTY_UPLOAD = "COUNTY_UPLOAD"
    AUTO_CHECK = "AUTO_CHECK"
    MANUAL = "MANUAL"


class AttemptOutcome(StrEnum):
    """What one strategy attempt did to the counts (``engine/loop.py`` decides, ``engine/reconcile_log.py`` stores)."""

    IMPROVED = "improved"
    RESOLVED = "resolved"
    NO_CHANGE = "no_change"
    WORSE = "worse"  # rolled back
    SKIPPED = "skipped"
    ERROR = "error"
    SOURCE_UNAVAILABLE = "source_unavailable"  # A could not read its source (the cause is the message)
