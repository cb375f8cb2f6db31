"""Set-based SQL the engine runs: counts, anti-joins, duplicate and district checks, locks.

Every query filters on indexed columns (``ix_turnout_record_group``, ``ix_turnout_record_vuid``,
``ix_roster_row_submission_vuid``, ``ix_roster_row_election_vuid``) and never loads the statewide
table into Python. The diagnosis's evidence queries, over many counties at once, are in
``evidence.py``. The SQL text is constant; values always travel as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, func, select, text
from sqlalchemy.orm import Session

from turnout_desktop.db.models import CountyTurnoutReference, TurnoutRecord


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """One official count of ``county_turnout_reference``."""

    id: int
    county: str
    party: str
    voting_method: str
    official_count: int


@dataclass(frozen=True, slots=True)
class CurrentSubmission:
    """A county's current (not superseded) upload for an election."""

    id: int
    kind: str
    submitted_at: dt.datetime
    problems: list[dict[str, Any]]
    county: str = ""


def active_counts(session: Session, election: dt.date, *, county: str | None = None,
                  party: str | None = None) -> dict[tuple[str, str, str], int]:
    """Active records per (county, party, voting_method): one GROUP BY over the covering index."""
    return active_and_statewide_counts(session, election, county=county, party=party)[0]


def active_and_statewide_counts(session: Session, election: dt.date, *, county: str | None = None,
                                party: str | None = None) -> tuple[dict[tuple[str, str, str], int],
                                                                   dict[tuple[str, str, str], int]]:
    """``active_counts`` and the statewide records among them, from one walk of the group index.

    The dashboard needs both (the compare and the confirmed figures); two GROUP BYs cost two walks of
    every index entry of the election (0.4 s each at 3M records).
    """
    record = TurnoutRecord
    statewide = func.sum(case((record.source == "statewide", 1), else_=0))
    query = (select(record.county, record.party, record.voting_method, func.count(), statewide)
             .where(record.election_date == election, record.removed_at.is_(None))
             .group_by(record.county, record.party, record.voting_method))
    if county is not None:
        query = query.where(record.county == county)
    if party is not None:
        query = query.where(record.party == party)
    active: dict[tuple[str, str, str], int] = {}
    from_statewide: dict[tuple[str, str, str], int] = {}
    for row in session.execute(query):
        key = (row[0], row[1], row[2])
        active[key] = int(row[3])
        if row[4]:
            from_statewide[key] = int(row[4])
    return active, from_statewide


Counts = dict[tuple[str, str, str], int]


def confirmed_counts(session: Session, election: dt.date, *, county: str | None = None,
                     party: str | None = None, statewide_counts: Counts | None = None) -> Counts:
    """Active records a statewide import confirms, per (county, party, voting_method): the statewide ones.

    A record taken from the county (strategy B) whose VUID an active statewide record of the same county,
    party and method also holds is the same voter, counted already by that statewide record (strategy D
    removes such a copy): counting it again would let a county copy of a statewide record (a clerk's login
    can add one) raise the confirmed figure above what the statewide data holds (tests/security/
    test_clerk_forgeries_refused.py). A county record without a statewide twin confirms nothing.
    """
    if statewide_counts is not None:  # read already, with the active counts (active_and_statewide_counts)
        return dict(statewide_counts)
    record = TurnoutRecord
    scoped = [record.election_date == election, record.removed_at.is_(None), record.source == "statewide"]
    if county is not None:
        scoped.append(record.county == county)
    if party is not None:
        scoped.append(record.party == party)
    statewide = (select(record.county, record.party, record.voting_method, func.count()).where(*scoped)
                 .group_by(record.county, record.party, record.voting_method))
    return {(row[0], row[1], row[2]): int(row[3]) for row in session.execute(statewide)}


def reference_rows(session: Session, election: dt.date, *, county: str | None = None,
                   party: str | None = None) -> list[ReferenceRow]:
    """The official counts of an election (TOTAL rows included)."""
    ref = CountyTurnoutReference
    query = (select(ref.id, ref.county, ref.party, ref.voting_method, ref.official_count)
             .where(ref.election_date == election).order_by(ref.county, ref.party, ref.voting_method))
    if county is not None:
        query = query.where(ref.county == county)
    if party is not None:
        query = query.where(ref.party == party)
    return [ReferenceRow(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in session.execute(query)]


def newest_statewide_file(session: Session, election: dt.date) -> int:
    """The id of the newest complete statewide file of an election (0 when there is none).

    A run records it (``diagnosis_details.statewide_seen``) so the check knows, by id rather than by any
    client's clock, whether statewide data arrived since.
    """
    from turnout_desktop.db.models import SourceFile

    value = session.execute(select(func.max(SourceFile.id)).where(
        SourceFile.kind == "statewide", SourceFile.election_date == election,
        SourceFile.status == "complete")).scalar()
    return int(value or 0)


def newest_election(session: Session) -> dt.date | None:
    """The newest election with official counts: the one the configured statewide source feeds."""
    value = session.execute(select(func.max(CountyTurnoutReference.election_date))).scalar()
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def reference_counties(session: Session, election: dt.date) -> list[str]:
    """Every county with official counts for an election."""
    query = select(CountyTurnoutReference.county).where(CountyTurnoutReference.election_date == election).distinct()
    return sorted(session.execute(query).scalars())


def update_reference_counts(session: Session, updates: Sequence[tuple[int, int, bool]], when: dt.datetime) -> None:
    """Write ``database_count``/``verified``/``last_verified_at`` for many reference rows at once."""
    if not updates:
        return
    session.execute(
        text("UPDATE county_turnout_reference SET database_count = :count, verified = :verified, "
             "last_verified_at = :when WHERE id = :ref_id"),
        [{"ref_id": ref_id, "count": count, "verified": verified, "when": when}
         for ref_id, count, verified in updates],
    )


def current_submissions(session: Session, election: dt.date, county: str) -> list[CurrentSubmission]:
    """The county's uploads that nothing superseded, newest first."""
    return current_submissions_of(session, election, [county]).get(county, [])


def current_submissions_of(session: Session, election: dt.date,
                           counties: Sequence[str]) -> dict[str, list[CurrentSubmission]]:
    """Each county's uploads that nothing superseded, newest first (one query for all of them)."""
    if not counties:
        return {}
    rows = session.execute(
        text("SELECT id, county, kind, submitted_at, problems FROM submission WHERE county IN :counties "
             "AND election_date = :election AND superseded_at IS NULL").bindparams(
            bindparam("counties", expanding=True)),
        {"counties": list(counties), "election": election})
    found: dict[str, list[CurrentSubmission]] = {}
    for row in rows:
        problems = json.loads(row[4]) if isinstance(row[4], str) else row[4]  # raw JSON text on some drivers
        found.setdefault(row[1], []).append(
            CurrentSubmission(int(row[0]), row[2], _as_datetime(row[3]), list(problems or []), row[1]))
    return {county: sorted(items, key=lambda s: (s.submitted_at, s.id), reverse=True)
            for county, items in found.items()}


def _as_datetime(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def as_date(value: Any) -> dt.date | None:
    """A DATE column's value as a date (SQLite through text() gives the ISO text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def statewide_as_of(session: Session, election: dt.date) -> dt.datetime | None:
    """Snapshot time of the newest statewide data loaded for the election."""
    if session.get_bind().dialect.name == "postgresql":
        # The same query in a SECURITY DEFINER function: a clerk may not read statewide files themselves.
        value = session.execute(text("SELECT turnout_statewide_as_of(:election)"), {"election": election}).scalar()
    else:
        value = session.execute(
            text("SELECT MAX(as_of) FROM source_file WHERE kind = 'statewide' AND election_date = :election "
                 "AND status = 'complete'"),  # an undone import no longer counts as loaded
            {"election": election},
        ).scalar()
    return None if value is None else _as_datetime(value)


def _lock_key(county: str, election: dt.date) -> int:
    digest = hashlib.sha256(f"reconcile|{county}|{election.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_county(session: Session, county: str, election: dt.date) -> None:
    """Serialise runs on one (county, election): a transaction-scoped advisory lock on PostgreSQL.

    SQLite needs nothing here: every transaction already starts with BEGIN IMMEDIATE.
    """
    lock_counties(session, [county], election)


def lock_counties(session: Session, counties: Sequence[str], election: dt.date) -> None:
    """Advisory locks for many counties in one round trip, in key order (so two runs cannot deadlock)."""
    if session.get_bind().dialect.name != "postgresql" or not counties:
        return
    keys = sorted({_lock_key(county, election) for county in counties})
    session.execute(text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
                    {"keys": keys})
