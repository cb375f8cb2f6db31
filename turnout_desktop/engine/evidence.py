"""Evidence for the diagnosis of many (county, party) pairs at once: one query per cause, not per pair.

Each function answers for every pair of an ``EvidenceScope`` with one statement over the election (a
county filter of the pairs' counties), then splits the rows by (county, party) in Python. An election
night with 250 counties to heal costs the same dozen statements as one county; one county's diagnosis
is the same code with a scope of one.

The cross-county joins run on the VUID indexes, which carry the county (migration 0005), so they read
no table rows for the voters that are fine; the rare rows (guessed counties, refused VUIDs) have
partial indexes. Rows come back sorted by VUID in Python: an ORDER BY VUID makes SQLite walk the VUID
index of the whole election.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from turnout_desktop.engine.repository import CurrentSubmission, as_date, current_submissions_of

Pair = tuple[str, str]
CHUNK = 500  # VUIDs per follow-up lookup
NARROW_COUNTIES = 8  # up to this many counties, queries name them (index searches); beyond, they scan
NARROW_RECORDS = 20_000  # ... and up to this many records


@dataclass(slots=True)
class EvidenceScope:
    """The pairs to diagnose and each county's current uploads (read once for all of them)."""

    election: dt.date
    pairs: frozenset[Pair]
    submissions: dict[str, list[CurrentSubmission]] = field(default_factory=dict)
    records: int = 0  # active records of the pairs (their comparisons' actual totals)

    @property
    def counties(self) -> list[str]:
        return sorted({county for county, _party in self.pairs})

    @property
    def wide(self) -> bool:
        """Many counties or a big one: walk the election's VUID indexes once, keep the pairs' rows in Python.

        A list of hundreds of counties or submissions in the SQL makes the planners probe the index once per
        value and per row (SQLite: 20 s instead of 0.8 s at 1M records); a big county found through the
        county index costs a random table read per record (1 s per query for 500k records, 0.3 s walking).
        """
        return len(self.counties) > NARROW_COUNTIES or self.records > NARROW_RECORDS

    def roster_ids(self, county: str) -> list[int]:
        return [s.id for s in self.submissions.get(county, []) if s.kind == "roster"]

    @property
    def all_roster_ids(self) -> list[int]:
        return sorted(s.id for county in self.counties for s in self.submissions.get(county, [])
                      if s.kind == "roster")

    @property
    def county_of(self) -> dict[int, str]:
        return {s.id: county for county, rows in self.submissions.items() for s in rows}


def _expanding(sql: str, *names: str) -> Any:
    return text(sql).bindparams(*[bindparam(name, expanding=True) for name in names])


def _plain(session: Session, column: str) -> str:
    """``column`` as a value SQLite will not search an index by (PostgreSQL needs no such hint)."""
    return f"+{column}" if session.get_bind().dialect.name == "sqlite" else column


def _current_roster_row(session: Session, scope: EvidenceScope) -> str:
    """SQL saying roster row ``r`` belongs to a current roster upload: of the election (wide: a subquery read
    once, not an index key) or of the scope's submissions (narrow: the bound ``:ids``)."""
    if scope.wide:
        return (f"{_plain(session, 'r.submission_id')} IN (SELECT id FROM submission "  # noqa: S608 - constant
                "WHERE kind = 'roster' AND superseded_at IS NULL)")
    return "r.submission_id IN :ids"


def _indexes(session: Session, wide: bool) -> dict[str, str]:
    """SQLite hints for a whole-election pass: walk the VUID indexes, in VUID order.

    With statistics, SQLite prefers a table scan here, whose probes of the other side's VUID index then
    come in random order: 3-4x slower at 1M records than walking both indexes in step.
    """
    if not wide or session.get_bind().dialect.name != "sqlite":
        return {"roster_index": "", "record_index": ""}
    return {"roster_index": "INDEXED BY ix_roster_row_election_vuid",
            "record_index": "INDEXED BY ix_turnout_record_vuid"}


def _roster_rows(session: Session, scope: EvidenceScope, ids: list[int], sql: str) -> list[Any]:
    """Run ``sql`` whose ``{roster}`` stands for "r is a current roster row of the scope".

    Wide scopes read the election's roster rows and drop other submissions' rows in Python.
    """
    hints = _indexes(session, scope.wide)
    if scope.wide:
        county_of = scope.county_of
        rows = session.execute(text(sql.format(roster="r.election_date = :election", **hints)),
                               {"election": scope.election})
        return [row for row in rows if row[0] in county_of]
    return list(session.execute(_expanding(sql.format(roster="r.submission_id IN :ids", **hints), "ids"),
                                {"ids": ids, "election": scope.election}))


def _county_rows(session: Session, scope: EvidenceScope, counties: list[str], sql: str, *,
                 column: str = "t.county", county_at: int = 1, ids: list[int] | None = None) -> list[Any]:
    """Run ``sql`` whose ``{county}`` stands for "the row's county (``column``, result position ``county_at``)
    is one of ``counties``"; a wide scope reads the election and keeps those counties' rows in Python."""
    params: dict[str, Any] = {"election": scope.election}
    hints = _indexes(session, scope.wide)
    names: list[str] = []
    if ids is not None and not scope.wide:
        params["ids"] = ids
        names.append("ids")
    if scope.wide:
        wanted = set(counties)
        return [row for row in session.execute(_expanding(sql.format(county="1 = 1", **hints), *names), params)
                if row[county_at] in wanted]
    params["counties"] = counties
    return list(session.execute(_expanding(sql.format(county=f"{column} IN :counties", **hints), "counties", *names),
                                params))


def scope_for(session: Session, election: dt.date, pairs: Iterable[Pair], records: int = 0) -> EvidenceScope:
    scope = EvidenceScope(election, frozenset(pairs), records=records)
    scope.submissions = current_submissions_of(session, election, scope.counties)
    return scope


def _split(rows: Iterable[tuple[Pair, dict[str, Any]]], pairs: frozenset[Pair],
           order: tuple[str, ...] = ("vuid", "record_id")) -> dict[Pair, list[dict[str, Any]]]:
    found: dict[Pair, list[dict[str, Any]]] = defaultdict(list)
    for pair, row in rows:
        if pair in pairs:
            found[pair].append(row)
    return {pair: sorted(items, key=lambda row: tuple(row[key] for key in order)) for pair, items in found.items()}


def roster_vuids_missing_or_elsewhere(session: Session, scope: EvidenceScope,
                                      ) -> tuple[dict[Pair, list[dict[str, Any]]], dict[Pair, list[dict[str, Any]]]]:
    """One pass over the current roster rows, joined to the active records by VUID.

    Returns:
        The roster VUIDs with no active record anywhere in the election (missing), and the active records
        of roster VUIDs that sit in another county (in other county).
    """
    ids = scope.all_roster_ids
    if not ids:
        return {}, {}
    county_of = scope.county_of
    rows = _roster_rows(session, scope, ids,
        "SELECT r.submission_id, r.party, r.vuid, r.voting_method, r.row_no, r.sheet, r.precinct, f.name, "
        "t.id, t.county, t.precinct, t.county_fallback "
        "FROM county_roster_row r {roster_index} LEFT JOIN turnout_record t {record_index} "
        "ON t.election_date = :election AND t.vuid = r.vuid AND t.removed_at IS NULL "
        "LEFT JOIN source_file f ON f.id = r.source_file_id "
        "WHERE {roster} AND r.vuid IS NOT NULL AND (t.id IS NULL OR t.county <> r.county)")
    missing = [((county_of[r[0]], r[1]), {"vuid": r[2], "voting_method": r[3], "row_no": r[4], "sheet": r[5],
                                          "precinct": r[6], "file": r[7]}) for r in rows if r[8] is None]
    elsewhere = [((county_of[r[0]], r[1]), {
        "record_id": r[8], "vuid": r[2], "county": r[9], "precinct": r[10], "county_fallback": bool(r[11]),
        "roster_precinct": r[6], "should_be": county_of[r[0]]}) for r in rows if r[8] is not None]
    return _split(missing, scope.pairs, ("vuid", "row_no")), _split(elsewhere, scope.pairs)


def extra_records(session: Session, scope: EvidenceScope) -> dict[Pair, list[dict[str, Any]]]:
    """Active records of counties with a roster whose VUID the county's current roster does not have.

    Rows also carry ``county_fallback`` (``claimed_by_other_county`` starts from them).
    """
    ids = scope.all_roster_ids
    counties = [county for county in scope.counties if scope.roster_ids(county)]
    if not ids:
        return {}
    current = _current_roster_row(session, scope)
    rows = _county_rows(session, scope, counties,
        "SELECT t.id, t.county, t.party, t.vuid, t.voting_method, t.source, t.precinct, t.county_fallback "  # noqa: S608
        "FROM turnout_record t {record_index} WHERE t.election_date = :election AND {county} "
        "AND t.removed_at IS NULL AND NOT EXISTS (SELECT 1 FROM county_roster_row r "
        "WHERE r.election_date = t.election_date AND r.vuid = t.vuid AND r.county = t.county "
        f"AND {current})", ids=ids)  # constant fragments; values are bound
    return _split((((r[1], r[2]), {"record_id": r[0], "vuid": r[3], "voting_method": r[4], "source": r[5],
                                   "precinct": r[6], "county_fallback": bool(r[7])}) for r in rows), scope.pairs)


def duplicate_records(session: Session, scope: EvidenceScope) -> dict[Pair, list[dict[str, Any]]]:
    """Every VUID of a pair with more than one active record in the election, with all its records."""
    if scope.wide:
        # A VUID's records are neighbours in the VUID index: one index-only walk counts them (a third of the
        # time of probing the index again for each of the pairs' records, measured at 500k records).
        hints = _indexes(session, wide=True)
        vuids = list(session.execute(text(
            f"SELECT vuid FROM turnout_record {hints['record_index']} WHERE election_date = :election "  # noqa: S608
            "AND removed_at IS NULL GROUP BY vuid HAVING count(*) > 1"), {"election": scope.election}).scalars())
    else:
        vuids = sorted({vuid for county, party, vuid in _county_rows(
            # No DISTINCT: it made SQLite walk the VUID index of the whole election to keep VUIDs in order.
            session, scope, scope.counties,
            "SELECT t1.county, t1.party, t1.vuid FROM turnout_record t1 {record_index} "
            "WHERE t1.election_date = :election AND {county} AND t1.removed_at IS NULL "
            "AND EXISTS (SELECT 1 FROM turnout_record t2 "
            "WHERE t2.election_date = :election AND t2.vuid = t1.vuid AND t2.removed_at IS NULL "
            "AND t2.id <> t1.id)", column="t1.county", county_at=0) if (county, party) in scope.pairs})
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    owners: dict[str, set[Pair]] = defaultdict(set)
    for start in range(0, len(vuids), CHUNK):
        for r in session.execute(_expanding(
                "SELECT id, vuid, county, party, voting_method, source, verification FROM turnout_record "
                "WHERE election_date = :election AND vuid IN :vuids AND removed_at IS NULL ORDER BY vuid, id",
                "vuids"), {"election": scope.election, "vuids": vuids[start:start + CHUNK]}):
            grouped[r[1]].append({"record_id": r[0], "county": r[2], "party": r[3], "voting_method": r[4],
                                  "source": r[5], "verification": r[6]})
            if (r[2], r[3]) in scope.pairs:  # a pair owns the VUID through one of its own records
                owners[r[1]].add((r[2], r[3]))
    found: dict[Pair, list[dict[str, Any]]] = defaultdict(list)
    for vuid in sorted(owners):
        for pair in owners[vuid]:
            found[pair].append({"vuid": vuid, "records": grouped[vuid]})
    return dict(found)


def records_claimed_by_other_county(session: Session, scope: EvidenceScope,
                                    extras: dict[Pair, list[dict[str, Any]]]) -> dict[Pair, list[dict[str, Any]]]:
    """Records of a county whose VUID another county's current roster lists (and this one's does not).

    For a county with a roster these are among its ``extras`` (records its roster lacks): only their VUIDs
    are looked up. A county without a current roster has every record checked.
    """
    other_ids = list(session.execute(text(
        "SELECT id FROM submission WHERE election_date = :election AND kind = 'roster' "
        "AND superseded_at IS NULL"), {"election": scope.election}).scalars())
    if not other_ids:
        return {}
    rows: list[tuple[Pair, dict[str, Any]]] = []
    candidates = [(pair, row) for pair, items in extras.items() for row in items]
    vuids = sorted({row["vuid"] for _pair, row in candidates})
    listed: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(vuids), CHUNK):
        for vuid, county in session.execute(_expanding(
                "SELECT vuid, county FROM county_roster_row WHERE election_date = :election AND vuid IN :vuids "
                "AND submission_id IN :ids", "vuids", "ids"),
                {"election": scope.election, "vuids": vuids[start:start + CHUNK], "ids": other_ids}):
            listed[vuid].add(county)
    for pair, row in candidates:
        for other in sorted(listed.get(row["vuid"], set()) - {pair[0]}):
            rows.append((pair, {"record_id": row["record_id"], "vuid": row["vuid"], "county": pair[0],
                                "should_be": other, "county_fallback": row["county_fallback"]}))
    without_roster = [county for county in scope.counties if not scope.roster_ids(county)]
    if without_roster:
        current = _current_roster_row(session, scope)
        for r in _county_rows(session, scope, without_roster,
                "SELECT DISTINCT t.id, t.county, t.party, t.vuid, r.county, t.county_fallback "  # noqa: S608
                "FROM turnout_record t {record_index} CROSS JOIN county_roster_row r "
                "WHERE t.election_date = :election AND {county} AND t.removed_at IS NULL "
                "AND r.election_date = t.election_date AND r.vuid = t.vuid AND r.county <> t.county "
                f"AND {current}", ids=other_ids):
            rows.append(((r[1], r[2]), {"record_id": r[0], "vuid": r[3], "county": r[1], "should_be": r[4],
                                        "county_fallback": bool(r[5])}))
    return _split(rows, scope.pairs)


def fallback_records(session: Session, scope: EvidenceScope) -> dict[Pair, list[dict[str, Any]]]:
    """Records whose county was guessed (county-level fallback), not read from the data."""
    # The bare column (no bound flag) lets the partial index ix_turnout_record_fallback serve the query;
    # SQLite, given statistics, still prefers the group index (1.4 s at 1M records) unless told.
    hint = "INDEXED BY ix_turnout_record_fallback" if session.get_bind().dialect.name == "sqlite" else ""
    rows = _county_rows(session, scope, scope.counties,
        f"SELECT id, county, party, vuid, precinct FROM turnout_record {hint} "  # noqa: S608 - constant hint
        "WHERE election_date = :election AND {county} AND county_fallback AND removed_at IS NULL", column="county")
    return _split((((r[1], r[2]), {"record_id": r[0], "vuid": r[3], "precinct": r[4]}) for r in rows), scope.pairs)


def district_mismatches(session: Session, scope: EvidenceScope) -> dict[Pair, list[dict[str, Any]]]:
    """Records whose district disagrees with the precinct map of their county (counties with a map only)."""
    mapped = list(session.execute(_expanding(
        "SELECT DISTINCT county FROM precinct_district WHERE county IN :counties", "counties"),
        {"counties": scope.counties}).scalars())
    if not mapped:
        return {}
    rows = session.execute(_expanding(
        "SELECT t.id, t.county, t.party, t.vuid, t.precinct, t.district, p.district FROM turnout_record t "
        "JOIN precinct_district p ON p.county = t.county AND p.precinct = t.precinct "
        "WHERE t.election_date = :election AND t.county IN :counties AND t.removed_at IS NULL "
        "AND t.district IS NOT NULL AND t.district <> p.district", "counties"),
        {"election": scope.election, "counties": sorted(mapped)})
    return _split((((r[1], r[2]), {"record_id": r[0], "vuid": r[3], "precinct": r[4], "district": r[5],
                                   "should_be": r[6]}) for r in rows), scope.pairs)


def roster_problem_rows(session: Session, scope: EvidenceScope) -> dict[Pair, list[dict[str, Any]]]:
    """Current roster rows whose VUID was refused or repaired when the upload was read."""
    ids = scope.all_roster_ids
    if not ids:
        return {}
    county_of = scope.county_of
    rows = session.execute(_expanding(
        "SELECT r.submission_id, r.party, r.row_no, r.sheet, r.vuid_raw, r.vuid, r.problem_code, f.name "
        "FROM county_roster_row r LEFT JOIN source_file f ON f.id = r.source_file_id "
        "WHERE r.submission_id IN :ids AND r.problem_code IS NOT NULL", "ids"), {"ids": ids})
    return _split((((county_of[r[0]], r[1]), {"row_no": r[2], "sheet": r[3], "value": r[4], "vuid": r[5],
                                               "code": r[6], "file": r[7]}) for r in rows),
                  scope.pairs, ("row_no",))


def latest_roster_vote_dates(session: Session, scope: EvidenceScope) -> dict[Pair, dt.date]:
    """The latest vote date of each pair's current roster rows (pairs without dates are absent).

    Read from the submission rows, where the upload keeps them (migration 0007); a roster stored before
    that has none there and is read from its voter rows.
    """
    ids = scope.all_roster_ids
    if not ids:
        return {}
    county_of = scope.county_of
    found: dict[Pair, dt.date] = {}

    def keep(submission_id: int, party: str | None, latest: Any) -> None:
        value = as_date(latest)
        pair = (county_of.get(submission_id, ""), party or "")
        if value is not None and pair in scope.pairs and (pair not in found or value > found[pair]):
            found[pair] = value

    unread: list[int] = []
    for submission_id, stored in session.execute(_expanding(
            "SELECT id, latest_vote_dates FROM submission WHERE id IN :ids", "ids"), {"ids": ids}):
        dates = json.loads(stored) if isinstance(stored, str) else stored  # raw JSON text on some drivers
        if dates is None:
            unread.append(submission_id)
            continue
        for party, latest in dates.items():
            keep(submission_id, party, latest)
    if unread and scope.wide:  # one pass over the election's rows (an index search reads each row through it)
        wanted = set(unread)
        for submission_id, party, latest in session.execute(text(
                f"SELECT submission_id, party, MAX(vote_date) FROM county_roster_row "  # noqa: S608 - constant
                f"WHERE {_plain(session, 'election_date')} = :election GROUP BY county, party, submission_id"),
                {"election": scope.election}):
            if submission_id in wanted:
                keep(submission_id, party, latest)
    elif unread:
        for submission_id, party, latest in session.execute(_expanding(
                "SELECT submission_id, party, MAX(vote_date) FROM county_roster_row WHERE submission_id IN :ids "
                "GROUP BY submission_id, party", "ids"), {"ids": unread}):
            keep(submission_id, party, latest)
    return found


def latest_statewide_vote_dates(session: Session, scope: EvidenceScope) -> dict[str, dt.date]:
    """The latest vote date of each county's active statewide records (an index-only walk of the group index)."""
    counties = "1 = 1" if scope.wide else "county IN :counties"
    rows = session.execute(_expanding(
        "SELECT county, MAX(vote_date) FROM turnout_record WHERE election_date = :election "  # noqa: S608
        f"AND {counties} AND source = 'statewide' AND removed_at IS NULL GROUP BY county",
        *([] if scope.wide else ["counties"])),
        {"election": scope.election, **({} if scope.wide else {"counties": scope.counties})})
    return {county: value for county, latest in rows if (value := as_date(latest)) is not None}
