"""What ``services/outbox.py`` reports per pushed outbox item (``outbox push --json``'s items)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from turnout_desktop.domain.result_fields import OMIT_IF_NONE
from turnout_desktop.services.submission_results import ReconcileRun


class PushStatus(StrEnum):
    """What pushing one outbox item did (its value is the ``status`` key of the JSON, so it never changes)."""

    PUSHED = "pushed"  # stored on the server now
    ALREADY_PUSHED = "already_pushed"  # the server already holds this uuid (replay after a crash)
    DUPLICATE = "duplicate"  # the same files are already the server's current upload: nothing changed
    FAILED = "failed"  # kept in the outbox with last_error


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """What pushing one outbox item did; the fields are the keys of ``outbox push --json``'s items."""

    id: int
    uuid: str
    status: PushStatus
    submission_ids: tuple[int, ...]
    counties: tuple[str, ...]
    error: str | None = None  # why a failed item failed (it stays in the outbox)
    reconcile: tuple[ReconcileRun, ...] = ()  # the reconciliations run after storing
    unreachable: bool | None = field(default=None, metadata=OMIT_IF_NONE)  # set for a failed item only
    # Set for a failed item only: the server refused the signed-in role (``outbox push`` then exits 4).
    not_permitted: bool | None = field(default=None, metadata=OMIT_IF_NONE)
    reconcile_error: str | None = None  # a reconciliation that failed after the item was stored
    # The item is stored, but the reconciliation after it was refused for the login (``outbox push`` exits 4).
    reconcile_not_permitted: bool | None = field(default=None, metadata=OMIT_IF_NONE)
