"""Step 1: compare the official counts with the active records, all counties in one pass."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from turnout_desktop.db.models import utcnow
from turnout_desktop.domain.codes import METHODS, TOTAL
from turnout_desktop.domain.metrics import MethodCount, accuracy_pct, discrepancy_pct
from turnout_desktop.engine import repository


@dataclass(slots=True)
class Comparison:
    """Official vs database counts of one (county, election, party)."""

    county: str
    election_date: dt.date
    party: str
    expected_total: int
    by_method: dict[str, MethodCount]
    reference_ids: dict[str, int] = field(default_factory=dict)  # voting_method (incl. TOTAL) -> row id

    @property
    def actual_total(self) -> int:
        return sum(count.actual for count in self.by_method.values())

    @property
    def discrepancy(self) -> int:
        """Signed: positive means the database has more than the county reported."""
        return self.actual_total - self.expected_total

    @property
    def accuracy(self) -> Decimal:
        return accuracy_pct(self.expected_total, self.by_method)

    @property
    def discrepancy_pct(self) -> Decimal:
        return discrepancy_pct(self.expected_total, self.actual_total)

    @property
    def exact(self) -> bool:
        return self.expected_total == self.actual_total and all(
            count.expected == count.actual for count in self.by_method.values())

    def counts_json(self) -> dict[str, dict[str, int]]:
        """``{"early-voting": {"expected": n, "actual": n}, ...}`` as the CLI contract prints it."""
        return {method: {"expected": count.expected, "actual": count.actual}
                for method, count in self.ordered_counts().items()}

    def ordered_counts(self) -> dict[str, MethodCount]:
        """The counts per method in their usual order (a run result's ``by_method``)."""
        return dict(sorted(self.by_method.items(), key=lambda item: _method_order(item[0])))


def _method_order(method: str) -> tuple[int, str]:
    known = [str(m) for m in METHODS]
    return (known.index(method), method) if method in known else (len(known), method)


def compare(session: Session, election: dt.date, *, county: str | None = None, party: str | None = None,
            success_threshold: Decimal = Decimal("99.9"), update: bool = True,
            now: dt.datetime | None = None,
            actual: dict[tuple[str, str, str], int] | None = None) -> list[Comparison]:
    """Compare every (county, party) that has official counts; optionally store the result.

    Args:
        session: Open session; the caller owns the transaction.
        election: Election date.
        county: Only this county (a per-county re-check after an upload).
        party: Only this party.
        success_threshold: Accuracy at which a county counts as verified.
        update: Write ``database_count``, ``verified``, ``last_verified_at`` to the reference rows.
        now: Timestamp to store (defaults to the current UTC time).
        actual: The active counts when the caller has read them already (``repository.active_counts``).

    Returns:
        One comparison per (county, party) with official counts, sorted by county then party.
    """
    references = repository.reference_rows(session, election, county=county, party=party)
    if not references:
        return []
    if actual is None:
        actual = repository.active_counts(session, election, county=county, party=party)
    comparisons: dict[tuple[str, str], Comparison] = {}
    totals: dict[tuple[str, str], int] = {}
    for ref in references:
        key = (ref.county, ref.party)
        comparison = comparisons.get(key)
        if comparison is None:
            comparison = comparisons[key] = Comparison(ref.county, election, ref.party, 0, {})
        comparison.reference_ids[ref.voting_method] = ref.id
        if ref.voting_method == TOTAL:
            totals[key] = ref.official_count
        else:
            comparison.by_method[ref.voting_method] = MethodCount(ref.official_count, actual.get(
                (ref.county, ref.party, ref.voting_method), 0))
    # Records in a method the county reported nothing for still count against accuracy.
    for (rec_county, rec_party, method), count in actual.items():
        comparison = comparisons.get((rec_county, rec_party))
        if comparison is not None and method not in comparison.by_method:
            comparison.by_method[method] = MethodCount(0, count)
    for key, comparison in comparisons.items():
        comparison.expected_total = totals.get(key, sum(c.expected for c in comparison.by_method.values()))
    result = sorted(comparisons.values(), key=lambda c: (c.county, c.party))
    if update:
        store_comparisons(session, result, success_threshold, now or utcnow())
    return result


def store_comparisons(session: Session, comparisons: list[Comparison], success_threshold: Decimal,
                      now: dt.datetime) -> None:
    """Write the database counts of every reference row; ``verified`` means its county/party is resolved."""
    updates: list[tuple[int, int, bool]] = []
    for comparison in comparisons:
        verified = comparison.accuracy >= success_threshold
        for method, ref_id in comparison.reference_ids.items():
            if method == TOTAL:
                count = comparison.actual_total
            else:
                count = comparison.by_method[method].actual
            updates.append((ref_id, count, verified))
    repository.update_reference_counts(session, updates, now)
