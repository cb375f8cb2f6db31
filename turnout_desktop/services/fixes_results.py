"""What the fix services (``services/fixes.py``) return: frozen records whose fields are the CLI's JSON keys.

Dates and times are ISO text, as they were in the JSON and the audit events these records also fill
(``dataclasses.asdict`` of a record is the event's ``details``).
"""

from __future__ import annotations

from dataclasses import dataclass

from turnout_desktop.domain.decisions import ReviewState
from turnout_desktop.domain.status import Status


@dataclass(frozen=True, slots=True)
class ReconciledAfterUndo:
    """One reconciliation an undo ran before it returned."""

    county: str
    party: str
    status: Status
    log_id: int


@dataclass(frozen=True, slots=True)
class UndoResult:
    """An undone fix: what it reversed, why, and the re-reconciliation of the counties it touched."""

    fix_id: int
    strategy: str
    county: str | None
    reversed: int
    by_action: dict[str, int]  # action -> rows reversed
    reason: str
    affected_counties: tuple[str, ...]
    reconciled: tuple[ReconciledAfterUndo, ...]


@dataclass(frozen=True, slots=True)
class _OverrideColumns:
    id: int
    county: str
    election_date: str
    party: str
    status: Status
    reason: str
    created_by: str
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class OverrideMade(_OverrideColumns):
    """A manual override just recorded; ``replaced_override_id`` names the one it replaced, if any."""

    submission_id: int | None
    replaced_override_id: int | None


@dataclass(frozen=True, slots=True)
class OverrideRevoked(_OverrideColumns):
    """A manual override just revoked, with the reason given for revoking it."""

    submission_id: int | None
    reason_revoked: str


@dataclass(frozen=True, slots=True)
class OverrideListing(_OverrideColumns):
    """An override in a list: in force, revoked, or ended by the county's newer upload."""

    in_force: bool
    ended_by_upload: bool


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """The review state just set on an escalation; ``previous_state`` None: it was open."""

    log_id: int
    county: str
    party: str
    election_date: str
    status: Status
    review_state: ReviewState
    review_reason: str
    previous_state: ReviewState | None
