"""Accuracy and discrepancy, defined once and used by the log, status, gate and reports.

All per (county, election, party):
- expected_total = official TOTAL; actual_total = active records;
- discrepancy = actual_total - expected_total (positive: the database has more);
- discrepancy_pct = 100 * |discrepancy| / expected_total;
- accuracy = 100 * (1 - sum over methods |official - database| / expected_total), floored at 0,
  so gaps that cancel between methods still count; expected_total 0 gives 100 when the database
  is empty too, else 0.

Computed in Decimal so a boundary such as exactly 99.9 % is never lost to float rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class MethodCount:
    expected: int
    actual: int


def accuracy_pct(expected_total: int, by_method: Mapping[str, MethodCount]) -> Decimal:
    """Accuracy in percent (0..100) from the official TOTAL and the per-method counts."""
    gap = sum(abs(m.expected - m.actual) for m in by_method.values())
    if expected_total <= 0:
        actual = sum(m.actual for m in by_method.values())
        return HUNDRED if actual == 0 and gap == 0 else Decimal(0)
    value = HUNDRED * (1 - Decimal(gap) / Decimal(expected_total))
    return max(value, Decimal(0))


def discrepancy_pct(expected_total: int, actual_total: int) -> Decimal:
    if expected_total <= 0:
        return Decimal(0) if actual_total == 0 else HUNDRED
    return HUNDRED * Decimal(abs(actual_total - expected_total)) / Decimal(expected_total)


def rounded(value: Decimal, places: int = 4) -> float:
    """A Decimal as a float for JSON and the database, rounded to ``places`` decimals."""
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
