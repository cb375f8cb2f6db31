"""Strategy B: fill gaps from the county roster.

VUIDs on the county's current roster (for the party) that have no active record anywhere in the
election are inserted as ``source='county'``, ``verification='pending'``: they count, but never as
verified statewide data. A VUID that is active in another county is left to strategy C.

Set-based (for speed on large counties): one anti-join finds the missing VUIDs, one ``INSERT ... SELECT ...
RETURNING`` writes them, and their ``fix_action`` rows go in one bulk insert. Per VUID the first
roster row (by row number) is used; an identity a fix already removed stays removed, an undo
tombstone is revived instead of inserted twice.

``execute_many`` fills every pair of an election-night round in one statement (so a full round stays fast): the
diagnoses already hold each pair's missing VUIDs, which are staged with their pair's fix id and
joined back to the roster rows (the statement re-checks that each VUID is still missing), so the
cost follows the missing VUIDs, not the election's size.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import Subquery

from turnout_desktop.db.models import CountyRosterRow, PrecinctDistrict, TurnoutRecord, utcnow
from turnout_desktop.engine.fixes import is_undo_tombstone, to_json_value
from turnout_desktop.engine.types import MISSING_VUIDS, TIMING, Diagnosis, StrategyContext, StrategyResult
from turnout_desktop.strategies._common import (
    RECORD_TABLE,
    chunked,
    current_roster_ids,
    open_fix,
    open_fixes,
    record_inserted,
    record_inserted_of,
    result,
    revive_tombstone,
)

COUNTY_SOURCE = "county"
PENDING = "pending"
# Columns copied from the roster row into the new record (plus district, source, verification, ...).
_ROSTER_COLUMNS = ("vuid", "county", "party", "voting_method", "precinct", "vote_date", "source_file_id")


class FillGaps:
    """B: insert county-sourced, pending records for the roster VUIDs the database lacks."""

    name = "fill_gaps"
    letter = "B"
    label = "Fill gaps from the county roster"
    handles: tuple[str, ...] = (MISSING_VUIDS, TIMING)
    priority = 20
    escalates = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        """Only a roster upload (a summary has no VUIDs) with missing VUIDs."""
        return diagnosis.upload_kind == "roster" and MISSING_VUIDS in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        roster_ids = current_roster_ids(context.session, context.election_date, context.county)
        candidates = self._candidates(context, roster_ids)
        if not candidates:
            return result(context, "No roster VUID is missing from the database")
        summary = f"Fill {len(candidates)} missing VUID(s) of {context.county} {context.party} from the county roster"
        revived, skipped = self._revive_or_skip(context, candidates, summary)
        new_rows = [row for row in candidates if row["existing_id"] is None]
        if not new_rows:
            inserted = 0
        elif context.dry_run:
            open_fix(context, self.name, summary)
            for row in new_rows:
                values = _record_values(context.election_date, row)
                context.fixes.inserted(RECORD_TABLE, 0, row["vuid"], {k: to_json_value(v) for k, v in values.items()})
            inserted = len(new_rows)
        else:
            open_fix(context, self.name, summary)
            inserted = self._insert(context, roster_ids)
        message = f"Filled {inserted} missing VUID(s) from the {context.county} roster as pending county records"
        if revived:
            message += f", revived {revived} undone record(s)"
        if skipped:
            message += f"; {skipped} kept as a fix left them"
        return result(context, message, inserted=inserted, updated=revived)

    def _revive_or_skip(self, context: StrategyContext, candidates: list[dict[str, Any]],
                        summary: str) -> tuple[int, int]:
        """Handle missing VUIDs whose county record exists but is removed: revive tombstones, keep the rest.

        Returns:
            (revived, skipped).
        """
        existing_ids = [row["existing_id"] for row in candidates if row["existing_id"] is not None]
        revived = skipped = 0
        for batch in chunked(existing_ids):  # rare (undone fills, records D removed): few rows
            records = context.session.execute(select(TurnoutRecord).where(TurnoutRecord.id.in_(batch))).scalars()
            for record in sorted(records, key=lambda r: r.vuid):
                if is_undo_tombstone(record):
                    revive_tombstone(context, record, strategy=self.name, summary=summary)
                    revived += 1
                else:
                    skipped += 1
        return revived, skipped

    def _candidates(self, context: StrategyContext, roster_ids: list[int]) -> list[dict[str, Any]]:
        """One row per missing VUID (its first roster row), with its district and any same-identity record."""
        if not roster_ids:
            return []
        first = _first_missing_rows(context, roster_ids)
        existing = aliased(TurnoutRecord)
        query = (
            select(*[first.c[name] for name in _ROSTER_COLUMNS], PrecinctDistrict.district,
                   existing.id.label("existing_id"))
            .outerjoin(PrecinctDistrict, and_(PrecinctDistrict.county == first.c.county,
                                              PrecinctDistrict.precinct == first.c.precinct))
            .outerjoin(existing, _same_identity(existing, context.election_date, first))
        )
        rows = [dict(row._mapping) for row in context.session.execute(query)]
        return sorted(rows, key=lambda row: row["vuid"])

    def _insert(self, context: StrategyContext, roster_ids: list[int]) -> int:
        """One ``INSERT ... SELECT ... RETURNING`` of every missing VUID, then its fix_action rows in bulk."""
        first = _first_missing_rows(context, roster_ids)
        existing = aliased(TurnoutRecord)
        record_table = TurnoutRecord.metadata.tables[TurnoutRecord.__tablename__]
        fix_id = getattr(context.fixes, "fix_id", None)
        columns = {
            "election_date": literal(context.election_date, record_table.c.election_date.type),
            **{name: first.c[name] for name in _ROSTER_COLUMNS},
            "district": PrecinctDistrict.district,
            "source": literal(COUNTY_SOURCE, record_table.c.source.type),
            "verification": literal(PENDING, record_table.c.verification.type),
            "county_fallback": false(),
            "created_at": literal(utcnow(), record_table.c.created_at.type),
            "created_by_fix": literal(fix_id, record_table.c.created_by_fix.type),
        }
        source_rows = (
            select(*columns.values())
            .outerjoin(PrecinctDistrict, and_(PrecinctDistrict.county == first.c.county,
                                              PrecinctDistrict.precinct == first.c.precinct))
            .where(~exists().where(_same_identity(existing, context.election_date, first)))
        )
        statement = (insert(record_table).from_select(list(columns), source_rows)
                     .returning(*record_table.c))
        inserted = [dict(row._mapping) for row in context.session.execute(statement)]
        inserted.sort(key=lambda row: row["id"])
        record_inserted(context, RECORD_TABLE, [
            (row["id"], row["vuid"], {key: to_json_value(value) for key, value in row.items() if key != "id"})
            for row in inserted])
        return len(inserted)


    def execute_many(self, contexts: Sequence[StrategyContext]) -> list[StrategyResult | None] | None:
        """Fill the missing VUIDs of many pairs in one ``INSERT ... SELECT``; each pair gets its own fix.

        Returns None (one pair at a time instead) when a dry run is asked for or when the election holds
        removed county records: a missing VUID may then have a tombstone to revive or a removal to keep.
        A pair sharing a missing VUID with another pair of the round (a voter on two counties' rosters, or
        under both parties) is declined (None in its place): one at a time, the first fill makes the VUID
        present and the next pair's diagnosis changes, which one statement cannot follow.
        """
        if not contexts or any(c.dry_run for c in contexts) or _has_removed_county_records(contexts[0]):
            return None
        session, election = contexts[0].session, contexts[0].election_date
        wanted = [(c, sorted({row["vuid"] for row in c.diagnosis.details.get(MISSING_VUIDS, {}).get("vuids", [])}))
                  for c in contexts]
        seen = Counter(vuid for _context, vuids in wanted for vuid in vuids)
        declined = {id(c) for c, vuids in wanted if any(seen[vuid] > 1 for vuid in vuids)}
        filling = [(c, vuids) for c, vuids in wanted if vuids and id(c) not in declined]
        open_fixes([c for c, _vuids in filling], self.name, [
            f"Fill {len(vuids)} missing VUID(s) of {c.county} {c.party} from the county roster"
            for c, vuids in filling])
        stage_rows = [{"county": c.county, "party": c.party, "vuid": vuid, "fix_id": getattr(c.fixes, "fix_id", None)}
                      for c, vuids in filling for vuid in vuids]
        inserted_by_fix: dict[int, list[dict[str, Any]]] = {}
        if stage_rows:
            for row in _insert_staged(session, election, stage_rows):
                inserted_by_fix.setdefault(row["created_by_fix"], []).append(row)
        taken = [c for c in contexts if id(c) not in declined]
        inserted_of = {id(c): sorted(inserted_by_fix.get(getattr(c.fixes, "fix_id", None) or -1, []),
                                     key=lambda row: row["id"]) for c in taken}
        record_inserted_of([(c, RECORD_TABLE, [
            (row["id"], row["vuid"], {key: to_json_value(value) for key, value in row.items() if key != "id"})
            for row in inserted_of[id(c)]]) for c in taken])
        results: list[StrategyResult | None] = []
        for context in contexts:
            if id(context) in declined:
                results.append(None)
                continue
            inserted = inserted_of[id(context)]
            if not inserted:
                results.append(result(context, "No roster VUID is missing from the database"))
                continue
            results.append(result(context, f"Filled {len(inserted)} missing VUID(s) from the {context.county} "
                                           "roster as pending county records", inserted=len(inserted)))
        return results


_FILL_STAGE = "fill_gaps_stage"
_SQLITE_FILL_STAGE = (f"CREATE TEMP TABLE IF NOT EXISTS {_FILL_STAGE} (county TEXT, party TEXT, vuid TEXT, "
                      "fix_id INTEGER)")
_POSTGRES_FILL_STAGE = (f"CREATE TEMP TABLE IF NOT EXISTS {_FILL_STAGE} (county varchar(100), party varchar(10), "
                        "vuid varchar(10), fix_id integer) ON COMMIT DROP")
# Per staged VUID: its pair's first current roster row (row number, then id) with a method, still missing
# from the election (no active record), whose county identity is free; the district from the precinct map.
_INSERT_STAGED = (
    "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, precinct, district, "  # noqa: S608
    "vote_date, source, verification, county_fallback, source_file_id, created_at, created_by_fix) "
    "SELECT :election, f.vuid, f.county, f.party, f.voting_method, f.precinct, p.district, f.vote_date, "
    "'county', 'pending', :no_fallback, f.source_file_id, :created, f.fix_id FROM ("
    "SELECT r.vuid, r.county, r.party, r.voting_method, r.precinct, r.vote_date, r.source_file_id, st.fix_id, "
    "row_number() OVER (PARTITION BY st.county, st.party, st.vuid ORDER BY r.row_no, r.id) AS rank "
    f"FROM {_FILL_STAGE} st CROSS JOIN county_roster_row r "
    "WHERE r.election_date = :election AND r.vuid = st.vuid AND r.county = st.county AND r.party = st.party "
    "AND r.voting_method IS NOT NULL AND EXISTS (SELECT 1 FROM submission s WHERE s.id = r.submission_id "
    "AND s.kind = 'roster' AND s.superseded_at IS NULL)) f "
    "LEFT JOIN precinct_district p ON p.county = f.county AND p.precinct = f.precinct "
    "WHERE f.rank = 1 AND NOT EXISTS (SELECT 1 FROM turnout_record a WHERE a.election_date = :election "
    "AND a.vuid = f.vuid AND a.removed_at IS NULL) AND NOT EXISTS (SELECT 1 FROM turnout_record i "
    "WHERE i.election_date = :election AND i.source = 'county' AND i.vuid = f.vuid "
    "AND i.voting_method = f.voting_method) ORDER BY f.vuid RETURNING {returning}"
)


def _insert_staged(session: Any, election: dt.date, stage_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stage (county, party, VUID, fix id) rows in a temporary table and insert their records in one statement."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    connection.exec_driver_sql(_POSTGRES_FILL_STAGE if postgres else _SQLITE_FILL_STAGE)
    connection.exec_driver_sql(f"DELETE FROM {_FILL_STAGE}")  # noqa: S608 - a pooled connection may keep old rows
    session.execute(text(f"INSERT INTO {_FILL_STAGE} (county, party, vuid, fix_id) "  # noqa: S608
                         "VALUES (:county, :party, :vuid, :fix_id)"), stage_rows)
    if postgres:
        connection.exec_driver_sql(f"ANALYZE {_FILL_STAGE}")  # a temporary table has no statistics
    columns = list(TurnoutRecord.__table__.c)
    statement = (text(_INSERT_STAGED.format(returning=", ".join(column.name for column in columns)))
                 .bindparams(bindparam("election", type_=Date()), bindparam("created", type_=DateTime()),
                             bindparam("no_fallback", type_=Boolean()))
                 .columns(*columns))  # typed results, as an ORM insert would return them
    rows = [dict(row._mapping) for row in session.execute(
        statement, {"election": election, "no_fallback": False, "created": utcnow()})]
    connection.exec_driver_sql(f"DELETE FROM {_FILL_STAGE}")  # noqa: S608
    return rows


def _has_removed_county_records(context: StrategyContext) -> bool:
    """Whether any county-sourced record of the election was removed (by a fix, an undo or a later upload)."""
    removed = aliased(TurnoutRecord)
    return context.session.execute(
        select(removed.id).where(removed.election_date == context.election_date, removed.source == COUNTY_SOURCE,
                                 removed.removed_at.is_not(None)).limit(1)).first() is not None


def _first_missing_rows(context: StrategyContext, roster_ids: list[int]) -> Subquery:
    """Per VUID with no active record in the election: its first current roster row for the party."""
    roster = CountyRosterRow
    active = aliased(TurnoutRecord)
    ranked: Select[Any] = (
        select(*[getattr(roster, name) for name in _ROSTER_COLUMNS],
               func.row_number().over(partition_by=roster.vuid, order_by=(roster.row_no, roster.id)).label("rank"))
        .where(roster.submission_id.in_(roster_ids), roster.election_date == context.election_date,
               roster.party == context.party, roster.vuid.is_not(None), roster.voting_method.is_not(None),
               ~exists().where(active.election_date == context.election_date, active.vuid == roster.vuid,
                               active.removed_at.is_(None)))
    )
    ranked_rows = ranked.subquery("ranked")
    return select(*[ranked_rows.c[name] for name in _ROSTER_COLUMNS]).where(ranked_rows.c.rank == 1).subquery(
        "first_missing")


def _same_identity(record: Any, election_date: dt.date, first: Subquery) -> Any:
    """The record identity (election_date, source, vuid, voting_method) a county insert would take."""
    return and_(record.election_date == election_date, record.source == COUNTY_SOURCE,
                record.vuid == first.c.vuid, record.voting_method == first.c.voting_method)


def _record_values(election_date: dt.date, row: dict[str, Any]) -> dict[str, Any]:
    """The ``turnout_record`` values a missing VUID's row becomes (dry-run preview)."""
    return {
        "election_date": election_date, "vuid": row["vuid"], "county": row["county"], "party": row["party"],
        "voting_method": row["voting_method"], "precinct": row["precinct"], "district": row["district"],
        "vote_date": row["vote_date"], "source": COUNTY_SOURCE, "verification": PENDING, "county_fallback": False,
        "source_file_id": row["source_file_id"],
    }
