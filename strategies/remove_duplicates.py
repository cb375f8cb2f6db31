"""Strategy D: one vote per VUID - keep the most authoritative record, soft-delete the others.

Ranking (best first): statewide over county; verified over pending; the record whose method the
current county rosters give the VUID; the record whose county is on a roster listing the VUID;
the oldest. A verified statewide record therefore never loses to a county record. Removed records
keep their row (``removed_at``, ``removed_by_fix``) and can be restored by undoing the fix.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select

from strategies._common import (
    active_records_for_vuids,
    current_roster_rows,
    result,
    roster_counties_by_vuid,
    roster_methods_by_vuid,
    soft_remove,
)
from turnout_desktop.db.models import CountyRosterRow, TurnoutRecord, utcnow
from turnout_desktop.engine.types import DUPLICATE_RECORDS, Diagnosis, StrategyContext, StrategyResult


class RemoveDuplicates:
    """D: collapse several active records of one VUID in an election to the best one."""

    name = "remove_duplicates"
    letter = "D"

    def applies(self, diagnosis: Diagnosis) -> bool:
        return DUPLICATE_RECORDS in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        vuids = self._duplicate_vuids(context)
        if not vuids:
            return result(context, "No VUID has more than one active record")
        records = active_records_for_vuids(context.session, context.election_date, vuids)
        methods = roster_methods_by_vuid(context.session, context.election_date, vuids)
        counties = roster_counties_by_vuid(context.session, context.election_date, vuids)
        by_vuid: dict[str, list[TurnoutRecord]] = {}
        for record in records:
            by_vuid.setdefault(record.vuid, []).append(record)
        now = utcnow()
        removed = 0
        summary = f"Remove duplicate records of {len(vuids)} VUID(s) for {context.county} {context.party}"
        for vuid, group in sorted(by_vuid.items()):
            if len(group) < 2:
                continue
            keeper = min(group, key=lambda r: (
                r.source != "statewide", r.verification != "verified",
                r.voting_method not in methods.get(vuid, set()), r.county not in counties.get(vuid, set()), r.id))
            for record in group:
                if record is not keeper:
                    soft_remove(context, record, now, strategy=self.name, summary=summary)
                    removed += 1
        return result(context, f"Removed {removed} duplicate record(s) of {len(vuids)} VUID(s), kept the most "
                               "authoritative one each", removed=removed)

    def _duplicate_vuids(self, context: StrategyContext) -> list[str]:
        """VUIDs with several active records that concern this county (its records or its roster)."""
        roster_vuids = current_roster_rows(context.election_date, context.county).with_only_columns(
            CountyRosterRow.vuid)
        mine = select(TurnoutRecord.vuid).where(
            TurnoutRecord.election_date == context.election_date, TurnoutRecord.removed_at.is_(None),
            or_(TurnoutRecord.county == context.county, TurnoutRecord.vuid.in_(roster_vuids)))
        query = (
            select(TurnoutRecord.vuid)
            .where(TurnoutRecord.election_date == context.election_date, TurnoutRecord.removed_at.is_(None),
                   TurnoutRecord.vuid.in_(mine))
            .group_by(TurnoutRecord.vuid)
            .having(func.count() > 1)
            .order_by(TurnoutRecord.vuid)
        )
        return list(context.session.execute(query).scalars())
