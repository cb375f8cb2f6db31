"""Strategy B: fill gaps from the county roster.

VUIDs on the county's current roster (for the party) that have no active record anywhere in the
election are inserted as ``source='county'``, ``verification='pending'``: they count, but never as
verified statewide data. A VUID that is active in another county is left to strategy C.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from strategies._common import current_roster_rows, insert_records, result
from turnout_desktop.db.models import PrecinctDistrict, TurnoutRecord
from turnout_desktop.engine.types import MISSING_VUIDS, Diagnosis, StrategyContext, StrategyResult


class FillGaps:
    """B: insert county-sourced, pending records for the roster VUIDs the database lacks."""

    name = "fill_gaps"
    letter = "B"

    def applies(self, diagnosis: Diagnosis) -> bool:
        """Only a roster upload (a summary has no VUIDs) with missing VUIDs."""
        return diagnosis.upload_kind == "roster" and MISSING_VUIDS in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        rows = self._missing_rows(context)
        if not rows:
            return result(context, "No roster VUID is missing from the database")
        inserted, revived, skipped = insert_records(
            context, rows, strategy=self.name,
            summary=f"Fill {len(rows)} missing VUID(s) of {context.county} {context.party} from the county roster")
        message = f"Filled {inserted} missing VUID(s) from the {context.county} roster as pending county records"
        if revived:
            message += f", revived {revived} undone record(s)"
        if skipped:
            message += f"; {skipped} kept as a fix left them"
        return result(context, message, inserted=inserted, updated=revived)

    def _missing_rows(self, context: StrategyContext) -> list[dict[str, Any]]:
        """One record per missing VUID (its first roster row), with the district from the precinct map."""
        roster = current_roster_rows(context.election_date, context.county).subquery()
        active = aliased(TurnoutRecord)
        no_active_record = ~exists().where(
            active.election_date == context.election_date, active.vuid == roster.c.vuid,
            active.removed_at.is_(None))
        query = (
            select(roster.c.vuid, roster.c.county, roster.c.party, roster.c.voting_method, roster.c.precinct,
                   roster.c.vote_date, roster.c.source_file_id, PrecinctDistrict.district)
            .outerjoin(PrecinctDistrict, (PrecinctDistrict.county == roster.c.county)
                       & (PrecinctDistrict.precinct == roster.c.precinct))
            .where(roster.c.party == context.party, roster.c.voting_method.is_not(None), no_active_record)
            .order_by(roster.c.vuid, roster.c.row_no, roster.c.id)
        )
        rows: dict[str, dict[str, Any]] = {}
        found = context.session.execute(query)
        for vuid, county, party, method, precinct, vote_date, source_file_id, district in found:
            rows.setdefault(vuid, {
                "election_date": context.election_date, "vuid": vuid, "county": county, "party": party,
                "voting_method": method, "precinct": precinct, "district": district, "vote_date": vote_date,
                "source": "county", "verification": "pending", "county_fallback": False,
                "source_file_id": source_file_id,
            })
        return list(rows.values())
