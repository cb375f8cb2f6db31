"""Strategy C: fix county and district assignments from the county rosters and the precinct map.

1. County: an active record sitting in county X whose VUID is on exactly one other county Y's
   current roster, and not on X's, moves to Y (several claiming counties: ambiguous, left alone).
2. Fallback confirmed: a fallback record whose VUID is on its own county's roster keeps the county
   and loses the fallback flag.
3. District: a record whose precinct is in the precinct map of its county gets that district.
Each changed record is recorded as a ``reassign`` with the before/after county, district and flag.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import select

from turnout_desktop.db.models import PrecinctDistrict, TurnoutRecord
from turnout_desktop.engine.fixes import snapshot
from turnout_desktop.engine.types import (
    WRONG_DISTRICT,
    Diagnosis,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.strategies._common import (
    RECORD_TABLE,
    active_records_in,
    county_vuids,
    left_to_check,
    message_with_left,
    open_fix,
    result,
    roster_facts_in,
)

ASSIGNMENT_FIELDS = ["county", "district", "county_fallback"]


class Assignment(TypedDict):
    """A record's county, district and fallback flag (ASSIGNMENT_FIELDS): a dict, so it compares equal to the
    record's snapshot and is logged as the fix's ``after``."""

    county: str
    district: str | None
    county_fallback: bool


class FixDistricts:
    """C: reassign county/district of records from the rosters and the precinct map."""

    name = "fix_districts"
    letter = "C"
    label = "Fix counties and districts"
    handles: tuple[str, ...] = (WRONG_DISTRICT,)
    priority = 30
    escalates = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return WRONG_DISTRICT in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        session = context.session
        # Set-based: the candidate VUIDs stay a subquery of both loads (no batches of 500 VUIDs).
        candidate_vuids = county_vuids(session, context.election_date, context.county)
        records = active_records_in(session, context.election_date, candidate_vuids)
        on_roster, _methods = roster_facts_in(session, context.election_date, candidate_vuids)
        claimants = {county for counties in on_roster.values() for county in counties}
        districts = self._district_map(context, {r.county for r in records} | claimants)
        summary = f"Fix county/district assignments for {context.county} {context.party}"
        reassigned = left = 0
        for record in records:
            target = self._target(record, on_roster.get(record.vuid, set()), districts)
            before = snapshot(record, ASSIGNMENT_FIELDS)
            if target == before:
                continue
            if not (record.county == context.county or target["county"] == context.county):
                continue  # another county's business: its own reconciliation fixes it
            if left_to_check(context, record):
                left += 1
                continue
            open_fix(context, self.name, summary)
            if not context.dry_run:
                record.county = target["county"]
                record.district = target["district"]
                record.county_fallback = target["county_fallback"]
            context.fixes.reassigned(RECORD_TABLE, record.id, record.vuid, before, dict(target))
            reassigned += 1
        done = f"reassigned {reassigned} record(s) to the county/district the rosters and precinct map give"
        refused = f"reassign {left} statewide record(s)" if left else None
        return result(context, message_with_left(done, refused), reassigned=reassigned)

    @staticmethod
    def _target(record: TurnoutRecord, roster_counties: set[str],
                districts: dict[tuple[str, str], str]) -> Assignment:
        """The assignment the evidence gives this record (equal to its current one when none)."""
        county, fallback = record.county, record.county_fallback
        if county in roster_counties:
            fallback = False  # its own county's roster confirms it
        elif len(roster_counties) == 1:
            county, fallback = next(iter(roster_counties)), False
        district = record.district
        if record.precinct is not None and (county, record.precinct) in districts:
            district = districts[(county, record.precinct)]
        elif county != record.county:
            district = None  # the old district belonged to the old county
        return Assignment(county=county, district=district, county_fallback=fallback)

    @staticmethod
    def _district_map(context: StrategyContext, counties: set[str]) -> dict[tuple[str, str], str]:
        """(county, precinct) -> district for the counties involved."""
        if not counties:
            return {}
        rows = context.session.execute(
            select(PrecinctDistrict.county, PrecinctDistrict.precinct, PrecinctDistrict.district)
            .where(PrecinctDistrict.county.in_(sorted(counties))))
        return {(county, precinct): district for county, precinct, district in rows}
