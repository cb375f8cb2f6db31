"""The state a (county, party) figure is shown in: the GUI colours its rows by it and the report prints it.

Coarser than ``Status``: a resolved run is *verified* or *within* by its accuracy, and every unfinished state
is *in progress*. The words users read are in ``domain/labels.py``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from turnout_desktop.domain.gate import DEFAULT_VERIFIED_THRESHOLD
from turnout_desktop.domain.status import PROBLEM_STATUSES, Status


class DisplayStatus(StrEnum):
    """What a row is coloured and labelled as."""

    VERIFIED = "verified"
    WITHIN = "within"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    FAILED = "failed"
    OVERRIDDEN = "overridden"
    NO_UPLOAD = "no_upload"


_DISPLAY_OF_STATUS: dict[str, DisplayStatus] = {
    Status.OVERRIDDEN: DisplayStatus.OVERRIDDEN,
    Status.ESCALATED: DisplayStatus.ESCALATED,
    Status.FAILED: DisplayStatus.FAILED,
}


def status_category(status: str | None, accuracy_pct: float | Decimal | None) -> DisplayStatus:
    """The display state of a log or overview status and its accuracy; no status means no upload yet.

    A resolved run at or above the gate's default verified threshold (an unknown accuracy included) is
    verified, below it within; every status not named above (IN_PROGRESS, PENDING, ...) is in progress.
    """
    if not status:
        return DisplayStatus.NO_UPLOAD
    if status == Status.RESOLVED:
        if accuracy_pct is None or float(accuracy_pct) >= float(DEFAULT_VERIFIED_THRESHOLD):
            return DisplayStatus.VERIFIED
        return DisplayStatus.WITHIN
    return _DISPLAY_OF_STATUS.get(status, DisplayStatus.IN_PROGRESS)


# Worst first: what needs a person sorts to the top of a table sorted by status.
SEVERITY_ORDER: tuple[DisplayStatus, ...] = (
    DisplayStatus.ESCALATED,
    DisplayStatus.FAILED,
    DisplayStatus.IN_PROGRESS,
    DisplayStatus.WITHIN,
    DisplayStatus.OVERRIDDEN,
    DisplayStatus.VERIFIED,
    DisplayStatus.NO_UPLOAD,
)
_SEVERITY_RANK: dict[str, int] = {category: rank for rank, category in enumerate(SEVERITY_ORDER)}


def severity_rank(category: str | None) -> int:
    """Where ``category`` sorts by severity: 0 for escalated; no category (no upload) last."""
    return _SEVERITY_RANK.get(category or DisplayStatus.NO_UPLOAD, _SEVERITY_RANK[DisplayStatus.IN_PROGRESS])


class StatusGroup(StrEnum):
    """The coarse groups the summary tiles count and the status filter offers (counties, not parties)."""

    PROBLEM = "problem"  # failed or escalated (``PROBLEM_STATUSES``): a person must act
    IN_PROGRESS = "in_progress"
    VERIFIED = "verified"  # verified, within the threshold or decided by an override
    NO_UPLOAD = "no_upload"


_GROUP_OF_DISPLAY: dict[str, StatusGroup] = {
    **{_DISPLAY_OF_STATUS[status]: StatusGroup.PROBLEM for status in PROBLEM_STATUSES},
    DisplayStatus.IN_PROGRESS: StatusGroup.IN_PROGRESS,
    DisplayStatus.WITHIN: StatusGroup.VERIFIED,
    DisplayStatus.OVERRIDDEN: StatusGroup.VERIFIED,
    DisplayStatus.VERIFIED: StatusGroup.VERIFIED,
    DisplayStatus.NO_UPLOAD: StatusGroup.NO_UPLOAD,
}


def status_group(category: str | None) -> StatusGroup:
    """The group of a display state; an unknown one is in progress, as ``status_category`` treats it."""
    return _GROUP_OF_DISPLAY.get(category or DisplayStatus.NO_UPLOAD, StatusGroup.IN_PROGRESS)
