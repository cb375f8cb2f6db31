"""Walk the whole audit chain against its anchors and name the first broken seq (RELIABILITY.md T14).

Three things must agree for every seq: the row's ``prev_hash`` is the hash of the row before it, its
``hash`` is the hash of its own fields, and that hash equals the anchor the insert trigger wrote into
``audit_anchor`` (a table application roles cannot change). So an edited row, a deleted or truncated
tail, a re-ordered pair and a chain re-hashed with the app's own hash function are all caught: the
first two by the chain, the others by the anchors. Rows are streamed in batches, never all in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import GENESIS_HASH, canonical_text, chain_hash
from turnout_desktop.db.models import AuditAnchor, AuditEvent

BATCH_ROWS = 20_000


def _walk() -> Select[Any]:
    """Both sides of the anchor join in one ordered stream (FULL JOIN: SQLite >= 3.39 and PostgreSQL)."""
    events, anchors = AuditEvent.__table__, AuditAnchor.__table__
    return (
        select(events.c.seq, events.c.occurred_at, events.c.event_type, events.c.disposition, events.c.user_name,
               events.c.user_role, events.c.county, events.c.election_date, events.c.message, events.c.details,
               events.c.prev_hash, events.c.hash, anchors.c.seq, anchors.c.hash)
        .select_from(events.join(anchors, anchors.c.seq == events.c.seq, full=True))
        .order_by(func.coalesce(events.c.seq, anchors.c.seq))
    )


@dataclass(frozen=True, slots=True)
class ChainVerification:
    """The outcome of one walk: ``broken_seq`` and ``reason`` are None when everything matches."""

    events: int
    head_seq: int | None
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None

    def to_json(self) -> dict[str, object]:
        return {"intact": self.intact, "events": self.events, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "broken_seq": self.broken_seq, "reason": self.reason}


def verify(session: Session) -> ChainVerification:
    """Walk every audit row and anchor in seq order; stop at the first that does not match."""
    prev = GENESIS_HASH
    events = 0
    head_seq: int | None = None
    result = session.connection().execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(_walk())
    for rows in result.partitions(BATCH_ROWS):
        for (seq, occurred_at, event_type, disposition, user_name, user_role, county, election_date, message,
             details, prev_hash, row_hash, anchor_seq, anchor_hash) in rows:
            if seq is None:
                return _broken(events, head_seq, prev, anchor_seq, "is missing: its anchor exists but the row was "
                               "deleted or the table truncated")
            if anchor_seq is None:
                return _broken(events, head_seq, prev, seq, "has no anchor: it was inserted around the trigger")
            if prev_hash != prev:
                return _broken(events, head_seq, prev, seq, "does not follow the row before it (a row was removed "
                               "or re-ordered)")
            expected = chain_hash(canonical_text(occurred_at, event_type, disposition, user_name, user_role, county,
                                                 election_date, message, details), prev)
            if expected != row_hash:
                return _broken(events, head_seq, prev, seq, "was edited: its fields no longer give its hash")
            if anchor_hash != row_hash:
                return _broken(events, head_seq, prev, seq, "was re-hashed: its hash differs from the anchor "
                               "written when it was appended")
            prev = row_hash
            head_seq = seq
            events += 1
    return ChainVerification(events=events, head_seq=head_seq, head_hash=prev)


def _broken(events: int, head_seq: int | None, head_hash: str, seq: int, reason: str) -> ChainVerification:
    return ChainVerification(events=events, head_seq=head_seq, head_hash=head_hash, broken_seq=seq,
                             reason=f"audit event {seq} {reason}")
