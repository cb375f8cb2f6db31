"""Set-based SQL the engine runs: counts, anti-joins, duplicate and district checks, locks.

Every query filters on indexed columns (``ix_turnout_record_group``, ``ix_turnout_record_vuid``,
``ix_roster_row_submission_vuid``, ``ix_roster_row_election_vuid``) and never loads the statewide
table into Python. The SQL text is constant; values always travel as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, text
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


def active_counts(session: Session, election: dt.date, *, county: str | None = None,
                  party: str | None = None) -> dict[tuple[str, str, str], int]:
    """Active records per (county, party, voting_method): one GROUP BY over the covering index."""
    record = TurnoutRecord
    query = (select(record.county, record.party, record.voting_method, func.count())
             .where(record.election_date == election, record.removed_at.is_(None))
             .group_by(record.county, record.party, record.voting_method))
    if county is not None:
        query = query.where(record.county == county)
    if party is not None:
        query = query.where(record.party == party)
    return {(row[0], row[1], row[2]): int(row[3]) for row in session.execute(query)}


TWIN_CHUNK = 5_000  # VUIDs per probe of the statewide twins


def confirmed_counts(session: Session, election: dt.date, *, county: str | None = None,
                     party: str | None = None) -> dict[tuple[str, str, str], int]:
    """Active records a statewide import confirms, per (county, party, voting_method).

    A statewide record confirms itself; a record taken from the county (strategy B) counts once an active
    statewide record holds the same VUID under the same method, county and party (the identity index finds
    it): a statewide record of another county, or one a fix or an undo removed, confirms nothing.
    """
    record = TurnoutRecord
    counts: dict[tuple[str, str, str], int] = {}
    scoped = [record.election_date == election, record.removed_at.is_(None)]
    if county is not None:
        scoped.append(record.county == county)
    if party is not None:
        scoped.append(record.party == party)
    statewide = (select(record.county, record.party, record.voting_method, func.count())
                 .where(*scoped, record.source == "statewide")
                 .group_by(record.county, record.party, record.voting_method))
    for row in session.execute(statewide):
        counts[(row[0], row[1], row[2])] = int(row[3])
    # County records are few next to statewide ones (strategy B fills gaps): read them, then probe the
    # identity index for their twins by VUID in chunks. A join here let PostgreSQL, before it had table
    # statistics, pick the statewide side as the outer loop of a nested loop (hours at 100k records).
    pending = session.execute(select(record.vuid, record.voting_method, record.county, record.party)
                              .where(*scoped, record.source != "statewide")).all()
    for start in range(0, len(pending), TWIN_CHUNK):
        chunk = pending[start:start + TWIN_CHUNK]
        twins = {tuple(row) for row in session.execute(
            select(record.vuid, record.voting_method, record.county, record.party).where(
                record.election_date == election, record.source == "statewide", record.removed_at.is_(None),
                record.vuid.in_(sorted({row[0] for row in chunk}))))}
        for vuid, method, in_county, in_party in chunk:
            if (vuid, method, in_county, in_party) in twins:  # same VUID, method, county and party
                key = (in_county, in_party, method)
                counts[key] = counts.get(key, 0) + 1
    return counts


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
    rows = session.execute(
        text("SELECT id, kind, submitted_at, problems FROM submission WHERE county = :county "
             "AND election_date = :election AND superseded_at IS NULL ORDER BY submitted_at DESC, id DESC"),
        {"county": county, "election": election},
    )
    result = []
    for row in rows:
        problems = row[3]
        if isinstance(problems, str):  # raw JSON text through text() on some drivers
            import json

            problems = json.loads(problems)
        result.append(CurrentSubmission(int(row[0]), row[1], _as_datetime(row[2]), list(problems or [])))
    return result


def _as_datetime(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _by_vuid(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sorted in Python: an ORDER BY vuid makes SQLite walk the VUID index over the whole election."""
    return sorted(rows, key=lambda row: (row["vuid"], row["record_id"]))


def _ids_param() -> Any:
    return bindparam("submission_ids", expanding=True)


def missing_roster_vuids(session: Session, election: dt.date, submission_ids: Sequence[int],
                         party: str) -> list[dict[str, Any]]:
    """Roster VUIDs with no active record anywhere in the election (an anti-join on the VUID index)."""
    if not submission_ids:
        return []
    sql = text(
        "SELECT r.vuid, r.voting_method, r.row_no, r.sheet, r.precinct, f.name "
        "FROM county_roster_row r LEFT JOIN source_file f ON f.id = r.source_file_id "
        "WHERE r.submission_id IN :submission_ids AND r.party = :party AND r.vuid IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM turnout_record t WHERE t.election_date = :election "
        "AND t.vuid = r.vuid AND t.removed_at IS NULL) ORDER BY r.vuid, r.row_no"
    ).bindparams(_ids_param())
    rows = session.execute(sql, {"submission_ids": list(submission_ids), "party": party, "election": election})
    return [{"vuid": r[0], "voting_method": r[1], "row_no": r[2], "sheet": r[3], "precinct": r[4], "file": r[5]}
            for r in rows]


def extra_records(session: Session, election: dt.date, county: str, party: str,
                  submission_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Active records of the county/party whose VUID the county's current roster does not have."""
    if not submission_ids:
        return []
    sql = text(
        "SELECT t.id, t.vuid, t.voting_method, t.source, t.precinct FROM turnout_record t "
        "WHERE t.election_date = :election AND t.county = :county AND t.party = :party AND t.removed_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM county_roster_row r WHERE r.submission_id IN :submission_ids "
        "AND r.vuid = t.vuid)"
    ).bindparams(_ids_param())
    rows = session.execute(sql, {"election": election, "county": county, "party": party,
                                 "submission_ids": list(submission_ids)})
    return _by_vuid([{"record_id": r[0], "vuid": r[1], "voting_method": r[2], "source": r[3], "precinct": r[4]}
                     for r in rows])


def duplicate_records(session: Session, election: dt.date, county: str, party: str) -> list[dict[str, Any]]:
    """Active records of every VUID of the county/party that has more than one active record in the election.

    Two indexed steps (the county's VUIDs with a second record, then all records of those VUIDs):
    a single self-join with DISTINCT made SQLite's planner scan the whole table.
    """
    vuids = sorted({row[0] for row in session.execute(
        # No DISTINCT: it made SQLite walk the VUID index of the whole election to keep VUIDs in order.
        text("SELECT t1.vuid FROM turnout_record t1 WHERE t1.election_date = :election "
             "AND t1.county = :county AND t1.party = :party AND t1.removed_at IS NULL "
             "AND EXISTS (SELECT 1 FROM turnout_record t2 WHERE t2.election_date = :election "
             "AND t2.vuid = t1.vuid AND t2.removed_at IS NULL AND t2.id <> t1.id)"),
        {"election": election, "county": county, "party": party},
    )})
    grouped: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(vuids), 500):
        sql = text(
            "SELECT id, vuid, county, party, voting_method, source, verification FROM turnout_record "
            "WHERE election_date = :election AND vuid IN :vuids AND removed_at IS NULL ORDER BY vuid, id"
        ).bindparams(bindparam("vuids", expanding=True))
        for r in session.execute(sql, {"election": election, "vuids": vuids[start:start + 500]}):
            grouped.setdefault(r[1], []).append({"record_id": r[0], "county": r[2], "party": r[3],
                                                 "voting_method": r[4], "source": r[5], "verification": r[6]})
    return [{"vuid": vuid, "records": grouped[vuid]} for vuid in sorted(grouped)]


def roster_vuids_in_other_county(session: Session, election: dt.date, county: str, party: str,
                                 submission_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Records of this county's roster VUIDs that sit in another county."""
    if not submission_ids:
        return []
    sql = text(
        # CROSS JOIN: start from the roster rows on SQLite (see records_claimed_by_other_county).
        "SELECT t.id, t.vuid, t.county, t.precinct, t.county_fallback, r.precinct FROM county_roster_row r "
        "CROSS JOIN turnout_record t WHERE t.election_date = :election AND t.vuid = r.vuid "
        "AND t.removed_at IS NULL AND r.submission_id IN :submission_ids AND r.party = :party "
        "AND t.county <> :county"
    ).bindparams(_ids_param())
    rows = session.execute(sql, {"election": election, "county": county, "party": party,
                                 "submission_ids": list(submission_ids)})
    return _by_vuid([{"record_id": r[0], "vuid": r[1], "county": r[2], "precinct": r[3],
                      "county_fallback": bool(r[4]), "roster_precinct": r[5], "should_be": county} for r in rows])


def records_claimed_by_other_county(session: Session, election: dt.date, county: str,
                                    party: str) -> list[dict[str, Any]]:
    """Records of this county whose VUID another county's current roster lists (and this one's does not)."""
    sql = text(
        # CROSS JOIN fixes the join order on SQLite (start from this county's records); it is an
        # ordinary inner join (conditions in WHERE) everywhere else.
        "SELECT DISTINCT t.id, t.vuid, r.county, t.county_fallback FROM turnout_record t "
        "CROSS JOIN county_roster_row r JOIN submission s ON s.id = r.submission_id AND s.superseded_at IS NULL "
        "WHERE r.election_date = t.election_date AND r.vuid = t.vuid "
        "AND t.election_date = :election AND t.county = :county AND t.party = :party "
        "AND t.removed_at IS NULL AND r.county <> :county AND NOT EXISTS (SELECT 1 FROM county_roster_row o "
        "JOIN submission so ON so.id = o.submission_id AND so.superseded_at IS NULL "
        "WHERE o.election_date = t.election_date AND o.vuid = t.vuid AND o.county = :county)"
    )
    rows = session.execute(sql, {"election": election, "county": county, "party": party})
    return _by_vuid([{"record_id": r[0], "vuid": r[1], "county": county, "should_be": r[2],
                      "county_fallback": bool(r[3])} for r in rows])


def fallback_records(session: Session, election: dt.date, county: str, party: str) -> list[dict[str, Any]]:
    """Records whose county was guessed (county-level fallback), not read from the data."""
    rows = session.execute(
        text("SELECT id, vuid, precinct FROM turnout_record WHERE election_date = :election AND county = :county "
             "AND party = :party AND removed_at IS NULL AND county_fallback = :flag"),
        {"election": election, "county": county, "party": party, "flag": True},
    )
    return _by_vuid([{"record_id": r[0], "vuid": r[1], "precinct": r[2]} for r in rows])


def district_mismatches(session: Session, election: dt.date, county: str, party: str) -> list[dict[str, Any]]:
    """Records whose district disagrees with the precinct map of their county."""
    rows = session.execute(
        text("SELECT t.id, t.vuid, t.precinct, t.district, p.district FROM turnout_record t "
             "JOIN precinct_district p ON p.county = t.county AND p.precinct = t.precinct "
             "WHERE t.election_date = :election AND t.county = :county AND t.party = :party "
             "AND t.removed_at IS NULL AND t.district IS NOT NULL AND t.district <> p.district"),
        {"election": election, "county": county, "party": party},
    )
    return _by_vuid([{"record_id": r[0], "vuid": r[1], "precinct": r[2], "district": r[3], "should_be": r[4]}
                     for r in rows])


def roster_problem_rows(session: Session, submission_ids: Sequence[int], party: str) -> list[dict[str, Any]]:
    """Roster rows whose VUID was refused or repaired when the upload was read."""
    if not submission_ids:
        return []
    sql = text(
        "SELECT r.row_no, r.sheet, r.vuid_raw, r.vuid, r.problem_code, f.name FROM county_roster_row r "
        "LEFT JOIN source_file f ON f.id = r.source_file_id WHERE r.submission_id IN :submission_ids "
        "AND r.party = :party AND r.problem_code IS NOT NULL ORDER BY r.row_no"
    ).bindparams(_ids_param())
    rows = session.execute(sql, {"submission_ids": list(submission_ids), "party": party})
    return [{"row_no": r[0], "sheet": r[1], "value": r[2], "vuid": r[3], "code": r[4], "file": r[5]} for r in rows]


def latest_roster_vote_date(session: Session, submission_ids: Sequence[int], party: str) -> dt.date | None:
    if not submission_ids:
        return None
    sql = text("SELECT MAX(vote_date) FROM county_roster_row WHERE submission_id IN :submission_ids "
               "AND party = :party").bindparams(_ids_param())
    return _as_date(session.execute(sql, {"submission_ids": list(submission_ids), "party": party}).scalar())


def latest_statewide_vote_date(session: Session, election: dt.date, county: str) -> dt.date | None:
    value = session.execute(
        text("SELECT MAX(vote_date) FROM turnout_record WHERE election_date = :election AND county = :county "
             "AND source = 'statewide' AND removed_at IS NULL"),
        {"election": election, "county": county},
    ).scalar()
    return _as_date(value)


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
