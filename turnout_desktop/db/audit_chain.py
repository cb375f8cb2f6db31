"""Walk the whole audit chain against its anchors and name the first broken seq (docs/reliability.md T14).

Three things must agree for every seq: the row's ``prev_hash`` is the hash of the row before it, its
``hash`` is the hash of its own fields, and that hash equals the anchor the insert trigger wrote into
``audit_anchor`` (a table application roles cannot change). So an edited row, a deleted or truncated
tail, a re-ordered pair and a chain re-hashed with the app's own hash function are all caught: the
first two by the chain, the others by the anchors. Rows are streamed in batches, never all in memory.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, Text, cast, func, select
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import GENESIS_HASH, canonical_text, canonical_text_from_stored, chain_hash
from turnout_desktop.db.models import AuditAnchor, AuditEvent

BATCH_ROWS = 20_000
# From this many rows on PostgreSQL, the upper half of the chain is walked by a second process (the
# walk is CPU-bound Python: two cores halve it). Below it, starting a process costs more than it saves.
PARALLEL_MIN_ROWS = 200_000


def _walk(low: int, high: int, dialect: str) -> Select[Any]:
    """Rows and anchors with seq in [low, high], one ordered stream (FULL JOIN: SQLite >= 3.39, PostgreSQL).

    ``details`` comes as its stored text: the hash covers that very text (``db.canonical``). PostgreSQL
    also renders the two dates as the ISO text the hash covers.
    """
    events, anchors = AuditEvent.__table__, AuditAnchor.__table__
    seq = func.coalesce(events.c.seq, anchors.c.seq)
    occurred: Any = events.c.occurred_at
    election: Any = events.c.election_date
    if dialect == "postgresql":
        occurred = func.to_char(events.c.occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US')
        election = cast(events.c.election_date, Text)
    return (
        select(events.c.seq, occurred, events.c.event_type, events.c.disposition, events.c.user_name,
               events.c.user_role, events.c.county, election, events.c.message,
               cast(events.c.details, Text), events.c.prev_hash, events.c.hash, anchors.c.seq, anchors.c.hash)
        .select_from(events.join(anchors, anchors.c.seq == events.c.seq, full=True))
        .where(seq.between(low, high)).order_by(seq)
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
        """The stored form (details of the ``audit_verify`` event); ``turnout audit verify --json`` prints it too."""
        return {"intact": self.intact, "events": self.events, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "broken_seq": self.broken_seq, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class _Stretch:
    """One seq range walked: its first row's prev_hash (checked by whoever walked the range before)."""

    events: int
    first_seq: int | None
    first_prev: str | None
    last_seq: int | None
    last_hash: str | None
    broken_seq: int | None = None
    reason: str | None = None


def verify(session: Session) -> ChainVerification:
    """Walk every audit row and anchor in seq order; name the first that does not match."""
    connection = session.connection()
    low, high, rows = connection.execute(select(
        func.min(AuditAnchor.seq), func.max(AuditAnchor.seq), func.count())).one()
    event_low, event_high = connection.execute(select(func.min(AuditEvent.seq), func.max(AuditEvent.seq))).one()
    bounds = [value for value in (low, high, event_low, event_high) if value is not None]
    if not bounds:
        return ChainVerification(events=0, head_seq=None, head_hash=GENESIS_HASH)
    low, high = min(bounds), max(bounds)
    if connection.dialect.name != "postgresql" or rows < PARALLEL_MIN_ROWS:
        return _result([_walk_range(connection, low, high, GENESIS_HASH)])
    middle = (low + high) // 2
    url = connection.engine.url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        upper = pool.submit(_walk_range_in_child, url, middle + 1, high)
        lower = _walk_range(connection, low, middle, GENESIS_HASH)
        return _result([lower, upper.result()])


def _walk_range_in_child(url: str, low: int, high: int) -> _Stretch:
    from turnout_desktop.db.session import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return _walk_range(connection, low, high, None)
    finally:
        engine.dispose()


def _walk_range(connection: Connection, low: int, high: int, prev: str | None) -> _Stretch:
    """Walk [low, high]; ``prev`` is the hash the first row must follow (None: checked by the caller)."""
    events = 0
    first_seq: int | None = None
    first_prev: str | None = None
    last_seq: int | None = None
    stream = connection.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(
        _walk(low, high, connection.dialect.name))

    def broken(seq: int, reason: str) -> _Stretch:
        return _Stretch(events, first_seq, first_prev, last_seq, prev, seq, f"audit event {seq} {reason}")

    for rows in stream.partitions(BATCH_ROWS):
        for (seq, occurred_at, event_type, disposition, user_name, user_role, county, election_date, message,
             details_text, prev_hash, row_hash, anchor_seq, anchor_hash) in rows:
            if seq is None:
                return broken(anchor_seq, "is missing: its anchor exists but the row was deleted or the table "
                                          "truncated")
            if first_seq is None:
                first_seq, first_prev = seq, prev_hash
                prev = prev_hash if prev is None else prev
            if anchor_seq is None:
                return broken(seq, "has no anchor: it was inserted around the trigger")
            if prev_hash != prev:
                return broken(seq, "does not follow the row before it (a row was removed or re-ordered)")
            fields = (occurred_at, event_type, disposition, user_name, user_role, county, election_date, message)
            if chain_hash(canonical_text_from_stored(*fields, details_text), prev_hash) != row_hash:
                # Rows written before JSON was stored canonically: decode and re-encode the details.
                details = None if details_text is None else _json_loads(details_text)
                if chain_hash(canonical_text(*_as_values(fields), details), prev_hash) != row_hash:
                    return broken(seq, "was edited: its fields no longer give its hash")
            if anchor_hash != row_hash:
                return broken(seq, "was re-hashed: its hash differs from the anchor written when it was appended")
            prev = row_hash
            last_seq = seq
            events += 1
    return _Stretch(events, first_seq, first_prev, last_seq, prev)


def _as_values(fields: tuple[Any, ...]) -> tuple[dt.datetime, str, str, str | None, str | None, str | None,
                                                 dt.date | None, str]:
    """The fields as ``canonical_text`` takes them: PostgreSQL's ISO text back to date and datetime."""
    occurred, event_type, disposition, user_name, user_role, county, election, message = fields
    if isinstance(occurred, str):
        occurred = dt.datetime.fromisoformat(occurred)
    if isinstance(election, str):
        election = dt.date.fromisoformat(election)
    return occurred, event_type, disposition, user_name, user_role, county, election, message


def _json_loads(text: str) -> Any:
    import json

    return json.loads(text)


def _result(stretches: list[_Stretch]) -> ChainVerification:
    """Join the ranges: each must start where the one before ended."""
    events = 0
    head_seq: int | None = None
    head_hash = GENESIS_HASH
    for stretch in stretches:
        if stretch.first_seq is not None and stretch.first_prev != head_hash and stretch.broken_seq != \
                stretch.first_seq:
            return ChainVerification(events, head_seq, head_hash, stretch.first_seq,
                                     f"audit event {stretch.first_seq} does not follow the row before it "
                                     "(a row was removed or re-ordered)")
        if stretch.broken_seq is not None:
            return ChainVerification(events + stretch.events, stretch.last_seq or head_seq,
                                     stretch.last_hash or head_hash, stretch.broken_seq, stretch.reason)
        events += stretch.events
        if stretch.last_seq is not None:
            head_seq, head_hash = stretch.last_seq, stretch.last_hash or head_hash
    return ChainVerification(events=events, head_seq=head_seq, head_hash=head_hash)
