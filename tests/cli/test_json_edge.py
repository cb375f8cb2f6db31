"""The CLI edge turns service result dataclasses into the JSON of the command-line contract."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from turnout_desktop.cli.common import OMIT_IF_NONE, json_ready, print_json
from turnout_desktop.domain.scope import Scope


@dataclass(frozen=True, slots=True)
class Inner:
    method: str
    count: int


@dataclass(frozen=True, slots=True)
class Outer:
    county: str
    accuracy_pct: Decimal | None
    by_method: tuple[Inner, ...]
    override: str | None = field(default=None, metadata=OMIT_IF_NONE)
    note: str | None = None


def test_dataclasses_become_the_contract_dicts_in_field_order() -> None:
    value = Outer("LOVING", Decimal("99.5"), (Inner("EARLY", 3), Inner("ELECTION DAY", 4)))
    assert json_ready(value) == {"county": "LOVING", "accuracy_pct": Decimal("99.5"),
                                 "by_method": [{"method": "EARLY", "count": 3}, {"method": "ELECTION DAY", "count": 4}],
                                 "note": None}
    assert list(json_ready(value)) == ["county", "accuracy_pct", "by_method", "note"]


def test_an_optional_key_appears_once_it_has_a_value() -> None:
    assert json_ready(Outer("KENT", None, (), override="admin"))["override"] == "admin"


def test_print_json_writes_dates_and_decimals(capsys: pytest.CaptureFixture[str]) -> None:
    print_json([Scope(dt.date(2026, 3, 3), "KENT"), {"at": Outer("KENT", Decimal("1.5"), ())}])
    assert json.loads(capsys.readouterr().out) == [
        {"election": "2026-03-03", "county": "KENT", "party": None},
        {"at": {"county": "KENT", "accuracy_pct": 1.5, "by_method": [], "note": None}}]


def test_scope_narrowing_keeps_what_is_not_given() -> None:
    scope = Scope(dt.date(2026, 3, 3), "KENT")
    assert scope.narrowed(party="REP") == Scope(dt.date(2026, 3, 3), "KENT", "REP")
    with pytest.raises(AttributeError):
        scope.county = "LOVING"  # type: ignore[misc]
