"""Strategy B: fill gaps from the county roster.

VUIDs on the county's current roster (for the party) that have no active record anywhere in the
election are inserted as ``source='county'``, ``verification='pending'``: they count, but never as
verified statewide data. A VUID that is active in another county is left to strategy C.

Set-based (issue 3 benchmark): one anti-join finds the missing VUIDs, one ``INSERT ... SELECT ...
RETURNING`` writes them, and their ``fix_action`` rows go in one bulk insert. Per VUID the first
roster row (by row number) is used; an identity a fix already removed stays removed, an undo
tombstone is revived instead of inserted twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, insert, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import Subquery

from strategies._common import (
    RECORD_TABLE,
    chunked,
    current_roster_ids,
    open_fix,
    record_inserted,
    result,
    revive_tombstone,
)
from turnout_desktop.db.models import CountyRosterRow, PrecinctDistrict, TurnoutRecord, utcnow
from turnout_desktop.engine.fixes import is_undo_tombstone, to_json_value
from turnout_desktop.engine.types import MISSING_VUIDS, Diagnosis, StrategyContext, StrategyResult

COUNTY_SOURCE = "county"
PENDING = "pending"
# Columns copied from the roster row into the new record (plus district, source, verification, ...).
_ROSTER_COLUMNS = ("vuid", "county", "party", "voting_method", "precinct", "vote_date", "source_file_id")


class FillGaps:
    """B: insert county-sourced, pending records for the roster VUIDs the database lacks."""

    name = "fill_gaps"
    letter = "B"

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
        record_table = TurnoutRecord.__table__
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
