"""Test-only strategies the engine tests share: tiny stand-ins declared like the built-in ones, and the
built-in strategies stripped of their set-based form (``execute_many``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from turnout_desktop.db.models import TurnoutRecord
from turnout_desktop.engine.types import MISSING_VUIDS, TIMING, Diagnosis, Strategy, StrategyContext, StrategyResult
from turnout_desktop.strategies import default_strategies, get_strategy


@dataclass
class FillMissing:
    """Inserts county-sourced records for up to ``per_run`` missing VUIDs (a tiny strategy B)."""

    name: str = "fill_gaps"
    letter: str = "B"
    label: str = "Fill missing"
    handles: tuple[str, ...] = (MISSING_VUIDS, TIMING)
    priority: int = 20
    escalates: bool = False
    per_run: int = 1000
    calls: list[str] = field(default_factory=list)

    def applies(self, diagnosis: Diagnosis) -> bool:
        return "missing_vuids" in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        self.calls.append(context.county)
        context.fixes.begin(self.name, "fill")
        rows = context.diagnosis.details["missing_vuids"]["vuids"][: self.per_run]
        for row in rows:
            record = TurnoutRecord(election_date=context.election_date, vuid=row["vuid"], county=context.county,
                                   party=context.party, voting_method=row["voting_method"], source="county",
                                   verification="pending")
            context.session.add(record)
            context.session.flush()
            context.fixes.inserted("turnout_record", record.id, record.vuid, {"vuid": record.vuid})
        return StrategyResult(True, f"filled {len(rows)}", inserted=len(rows))


@dataclass
class DoesNothing:
    """A stand-in that changes nothing, declared like the built-in strategy of its name (so it takes that
    strategy's place in the loop's order, and ``manual_review`` escalates)."""

    name: str
    letter: str
    applicable: bool = True
    calls: int = 0
    label: str = field(init=False)
    handles: tuple[str, ...] = field(init=False)
    priority: int = field(init=False)
    escalates: bool = field(init=False)

    def __post_init__(self) -> None:
        self.label, self.handles, self.priority, self.escalates = declared_like(self.name)

    def applies(self, diagnosis: Diagnosis) -> bool:
        return self.applicable

    def execute(self, context: StrategyContext) -> StrategyResult:
        self.calls += 1
        return StrategyResult(True, "nothing to do")


def declared_like(name: str) -> tuple[str, tuple[str, ...], int, bool]:
    """Label, handled causes, priority and escalation of the built-in strategy ``name``."""
    real = get_strategy(name)
    return real.label, real.handles, real.priority, real.escalates


class PerPairOnly:
    """A strategy without its set-based form: the engine must run it one pair at a time."""

    def __init__(self, inner: Strategy) -> None:
        self.inner = inner
        self.name, self.letter, self.label = inner.name, inner.letter, inner.label
        self.handles, self.priority, self.escalates = inner.handles, inner.priority, inner.escalates

    def applies(self, diagnosis: Diagnosis) -> bool:
        return self.inner.applies(diagnosis)

    def execute(self, context: StrategyContext) -> StrategyResult:
        return self.inner.execute(context)


def per_pair_strategies() -> list[Strategy]:
    return [PerPairOnly(s) for s in default_strategies()]
