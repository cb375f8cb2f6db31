"""Strategy D: one vote per VUID - keep the most authoritative record, soft-delete the others.

Ranking (best first): statewide over county; verified over pending; the record whose method the
current county rosters give the VUID; the record whose county is on a roster listing the VUID;
the oldest. A verified statewide record therefore never loses to a county record. Removed records
keep their row (``removed_at``, ``removed_by_fix``) and can be restored by undoing the fix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from turnout_desktop.db.models import TurnoutRecord, utcnow
from turnout_desktop.engine.types import (
    DUPLICATE_RECORDS,
    Diagnosis,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.strategies._common import (
    STATEWIDE,
    active_records_in,
    county_vuids,
    left_to_check,
    message_with_left,
    result,
    roster_facts_in,
    soft_remove,
)


class RemoveDuplicates:
    """D: collapse several active records of one VUID in an election to the best one."""

    name = "remove_duplicates"
    letter = "D"
    label = "Remove duplicate records"
    handles: tuple[str, ...] = (DUPLICATE_RECORDS,)
    priority = 40
    escalates = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return DUPLICATE_RECORDS in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        duplicate_query = self._duplicate_vuids(context)
        vuids = list(context.session.execute(duplicate_query).scalars())
        if not vuids:
            return result(context, "No VUID has more than one active record")
        # Set-based: the VUID query is a subquery of both loads (no Python-side batches of 500 VUIDs).
        unordered = duplicate_query.order_by(None)
        records = active_records_in(context.session, context.election_date, unordered)
        counties, methods = roster_facts_in(context.session, context.election_date, unordered)
        by_vuid: dict[str, list[TurnoutRecord]] = {}
        for record in records:
            by_vuid.setdefault(record.vuid, []).append(record)
        now = utcnow()
        removed = left = 0
        summary = f"Remove duplicate records of {len(vuids)} VUID(s) for {context.county} {context.party}"
        for vuid, group in sorted(by_vuid.items()):
            if len(group) < 2:
                continue
            keeper = min(group, key=lambda r: (
                r.source != STATEWIDE, r.verification != "verified",
                r.voting_method not in methods.get(vuid, set()), r.county not in counties.get(vuid, set()), r.id))
            for record in group:
                if record is keeper:
                    continue
                if left_to_check(context, record):
                    left += 1
                    continue
                soft_remove(context, record, now, strategy=self.name, summary=summary)
                removed += 1
        done = (f"removed {removed} duplicate record(s) of {len(vuids)} VUID(s), kept the most authoritative "
                "one each")
        refused = f"remove {left} duplicate statewide record(s)" if left else None
        return result(context, message_with_left(done, refused), removed=removed)

    def _duplicate_vuids(self, context: StrategyContext) -> Select[Any]:
        """Query of the VUIDs with several active records that concern this county (its records or roster)."""
        mine = county_vuids(context.session, context.election_date, context.county)
        query = (
            select(TurnoutRecord.vuid)
            .where(TurnoutRecord.election_date == context.election_date, TurnoutRecord.removed_at.is_(None),
                   TurnoutRecord.vuid.in_(mine))
            .group_by(TurnoutRecord.vuid)
            .having(func.count() > 1)
            .order_by(TurnoutRecord.vuid)
        )
        return query
