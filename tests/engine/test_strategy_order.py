"""The loop's order of strategies comes from what each declares (handled causes, priority, escalation), never
from their names: the built-in six keep their order (A-E, the strategies a cause points to first), a strategy
with any other name takes its place by its declarations, and the escalating one is never tried as a fix."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import pytest

from turnout_desktop.engine.loop import escalation_strategy, strategy_order
from turnout_desktop.engine.types import (
    DATA_FORMAT,
    DUPLICATE_RECORDS,
    EXTRA_VUIDS,
    MISSING_VUIDS,
    TIMING,
    WRONG_DISTRICT,
    Diagnosis,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.strategies import default_strategies


@dataclass(eq=False)
class Declared:
    name: str
    handles: tuple[str, ...] = ()
    priority: int = 50
    escalates: bool = False
    letter: str = "X"
    label: str = "declared"

    def applies(self, diagnosis: Diagnosis) -> bool:
        return True

    def execute(self, context: StrategyContext) -> StrategyResult:
        return StrategyResult(False, "")


def _diagnosis(*codes: str) -> Diagnosis:
    return Diagnosis(county="TRAVIS", election_date=dt.date(2026, 3, 3), party="DEM", expected_total=1,
                     actual_total=0, by_method={}, accuracy=Decimal(0), codes=list(codes))


def _names(codes: tuple[str, ...], strategies: list) -> list[str]:
    return [s.name for s in strategy_order(_diagnosis(*codes), strategies)]


@pytest.mark.parametrize(("codes", "expected"), [
    ((), "ABCDE"),
    ((MISSING_VUIDS,), "ABCDE"),
    ((TIMING,), "ABCDE"),
    ((WRONG_DISTRICT,), "CABDE"),
    ((DUPLICATE_RECORDS,), "DABCE"),
    ((DATA_FORMAT,), "EABCD"),
    ((DUPLICATE_RECORDS, WRONG_DISTRICT), "CDABE"),  # district before duplicates, whatever the diagnosis order
    ((DUPLICATE_RECORDS, MISSING_VUIDS, DATA_FORMAT), "EABDC"),  # the upload's parse first, then missing voters
    ((EXTRA_VUIDS,), "ABCDE"),  # a cause no strategy handles points nowhere
])
def test_the_built_in_strategies_keep_their_order(codes: tuple[str, ...], expected: str) -> None:
    strategies = default_strategies()
    random.Random(len(codes)).shuffle(strategies)  # the given order does not matter: the declarations do
    letters = "".join(s.letter for s in strategy_order(_diagnosis(*codes), strategies))
    assert letters == expected


def test_an_unknown_name_takes_its_place_by_its_declarations() -> None:
    office = Declared("call_the_clerk", handles=(MISSING_VUIDS,), priority=15)
    strategies = [*default_strategies(), office]
    assert _names((MISSING_VUIDS,), strategies)[:3] == ["refetch_statewide", "call_the_clerk", "fill_gaps"]
    assert _names((WRONG_DISTRICT,), strategies)[:3] == ["fix_districts", "refetch_statewide", "call_the_clerk"]


def test_a_cause_outside_the_precedence_still_points_to_its_strategy() -> None:
    extra = Declared("drop_extras", handles=(EXTRA_VUIDS,), priority=99)
    assert _names((EXTRA_VUIDS,), [Declared("a", priority=1), extra]) == ["drop_extras", "a"]


def test_equal_priorities_keep_the_given_order() -> None:
    assert _names((), [Declared("second"), Declared("first", priority=1), Declared("third")]) == [
        "first", "second", "third"]


def test_escalation_is_a_declaration_not_a_name() -> None:
    renamed = Declared("call_a_person", escalates=True, priority=80)
    named_like_f = Declared("manual_review")  # the old special name, declared as an ordinary fix
    strategies = [renamed, named_like_f, Declared("late_person", escalates=True, priority=95)]
    assert _names((), strategies) == ["manual_review"]
    assert escalation_strategy(strategies) is renamed
    assert escalation_strategy([named_like_f]) is None
    assert escalation_strategy(default_strategies()).name == "manual_review"
