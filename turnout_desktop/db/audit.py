"""Append-only, hash-chained audit trail (docs/reliability.md T14).

Each row stores ``prev_hash`` and ``hash = sha256(canonical row + prev_hash)``; ``verify_chain``
recomputes the chain and names the first sequence number that does not match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from turnout_desktop.db.canonical import canonical_json
from turnout_desktop.db.models import AuditEvent, utcnow
from turnout_desktop.domain.text_clean import clean_optional, clean_structure, clean_text

GENESIS_HASH = "0" * 64


def canonical_text(occurred_at: dt.datetime, event_type: str, disposition: str, user_name: str | None,
                   user_role: str | None, county: str | None, election_date: dt.date | None, message: str,
                   details: Any) -> str:
    """The text an audit row's hash covers (sorted-key JSON of its fields); never change it."""
    payload = {
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "event_type": event_type,
        "disposition": disposition,
        "user_name": user_name,
        "user_role": user_role,
        "county": county,
        "election_date": election_date.isoformat() if election_date else None,
        "message": message,
        "details": details,
    }
    return canonical_json(payload)


_quote = json.encoder.encode_basestring_ascii  # what json.dumps writes for a str (C speed)


def canonical_text_from_stored(occurred_at: dt.datetime | str, event_type: str, disposition: str,
                               user_name: str | None, user_role: str | None, county: str | None,
                               election_date: dt.date | str | None, message: str, details_text: str | None) -> str:
    """``canonical_text`` built by concatenation around the details' stored JSON text (no decode, no encode).

    Equal to ``canonical_text`` whenever the stored text is canonical JSON (every row written since
    ``canonical_json`` became the column serializer); ``audit_chain`` falls back to the decoding path
    when the hash does not match, so older rows still verify. The times may come already as ISO text
    (PostgreSQL renders them in the query, which saves building datetime objects).
    """
    def string(value: str | None) -> str:
        return "null" if value is None else _quote(value)

    if not isinstance(occurred_at, str):
        occurred_at = occurred_at.isoformat(timespec="microseconds")
    if election_date is not None and not isinstance(election_date, str):
        election_date = election_date.isoformat()

    return "".join((
        '{"county":', string(county), ',"details":', "null" if details_text is None else details_text,
        ',"disposition":', string(disposition),
        ',"election_date":', string(election_date),
        ',"event_type":', string(event_type), ',"message":', string(message),
        ',"occurred_at":', _quote(occurred_at),
        ',"user_name":', string(user_name), ',"user_role":', string(user_role), "}",
    ))


def chain_hash(canonical: str, prev_hash: str) -> str:
    return hashlib.sha256((canonical + prev_hash).encode("utf-8")).hexdigest()


def _hash(event: AuditEvent, prev_hash: str) -> str:
    return chain_hash(canonical_text(event.occurred_at, event.event_type, event.disposition, event.user_name,
                                     event.user_role, event.county, event.election_date, event.message,
                                     event.details), prev_hash)


def head_hash(session: Session) -> str:
    """Hash of the newest audit row (printed on reports), or the genesis hash.

    On PostgreSQL through ``turnout_audit_head()``: a clerk's row-level security hides other counties'
    events, but a new event must still extend the real head.
    """
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(text("SELECT turnout_audit_head()")).scalar_one()
    latest = session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    return latest or GENESIS_HASH


def new_event(event_type: str, message: str, *, disposition: str = "success", user: str | None = None,
              role: str | None = None, county: str | None = None, election_date: dt.date | None = None,
              details: dict[str, Any] | None = None) -> AuditEvent:
    """An audit row not yet chained or stored (see ``append_events``).

    Free text never reaches the table raw (``domain.text_clean``): control, format and separator
    characters and ANSI escape sequences are removed from user, role, county, message and every string
    (keys and values) in ``details``; CR, LF and TAB in the message and in ``details`` are written as
    ``\\r``, ``\\n``, ``\\t``.
    """
    return AuditEvent(
        occurred_at=utcnow(), event_type=event_type, disposition=disposition,
        user_name=clean_optional(user), user_role=clean_optional(role), county=clean_optional(county),
        election_date=election_date, message=clean_text(message, escape_whitespace=True),
        details=clean_structure(details),
    )


def append_events(session: Session, events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain and append several events in order, reading the head once (inside the caller's transaction)."""
    if not events:
        return events
    # Serialise writers on the chain head: the newest row is read inside this transaction.
    _lock_chain_head(session)
    previous = head_hash(session)
    for event in events:
        event.prev_hash = previous
        event.hash = previous = _hash(event, previous)
    session.add_all(events)
    session.flush()
    return events


def record_event(session: Session, event_type: str, message: str, *, disposition: str = "success",
                 user: str | None = None, role: str | None = None, county: str | None = None,
                 election_date: dt.date | None = None, details: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event inside the caller's transaction (so it commits or rolls back with the work)."""
    event = new_event(event_type, message, disposition=disposition, user=user, role=role, county=county,
                      election_date=election_date, details=details)
    return append_events(session, [event])[0]


def verify_chain(session: Session) -> int | None:
    """None when the whole chain verifies, else the first broken ``seq`` (see ``audit_chain.verify``)."""
    from turnout_desktop.db.audit_chain import verify

    return verify(session).broken_seq


# Key of the transaction-scoped advisory lock that serialises appends to the chain on PostgreSQL.
AUDIT_CHAIN_LOCK_KEY = int.from_bytes(hashlib.sha256(b"turnout|audit_event|head").digest()[:8], "big", signed=True)


def _lock_chain_head(session: Session) -> None:
    """On PostgreSQL, hold the chain lock until commit so two writers cannot both extend the same head.

    Under READ COMMITTED two concurrent transactions would read the same newest row and write two
    events with one ``prev_hash`` (a fork that ``verify_chain`` reports as tampering). SQLite needs
    nothing: every write transaction starts with BEGIN IMMEDIATE and so already runs alone.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK_KEY})


def verify_against_head(session: Session, printed_head: str) -> str | None:
    """Check the chain and that a head printed earlier (on a report, kept off-database) is still in it.

    Deleting the newest rows leaves a chain that verifies on its own; only the printed head shows the
    loss. Events appended after the print are fine: the printed hash must still name a row.

    Args:
        session: Open session on the database to check.
        printed_head: ``head_hash`` as printed on a report (or the genesis hash for an empty log).

    Returns:
        None when everything matches, else a sentence naming what does not.
    """
    broken = verify_chain(session)
    if broken is not None:
        return f"audit chain broken at seq {broken}"
    if printed_head == GENESIS_HASH:
        return None
    found = session.execute(select(AuditEvent.seq).where(AuditEvent.hash == printed_head)).scalar()
    if found is None:
        current = head_hash(session)
        return f"printed head {printed_head[:12]}... is no longer in the audit log (current head {current[:12]}...)"
    return None
