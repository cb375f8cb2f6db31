"""An escalation says why the loop stopped: the attempt cap (MAX_ATTEMPTS_EXCEEDED) or no strategy left."""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciliation_rows import ELECTION, EV, add_records, add_reference, add_roster, recorder_factory, vuid
from test_reconciliation_loop import declared_like

from turnout_desktop.db.models import TurnoutRecord
from turnout_desktop.engine.batch import reconcile_election
from turnout_desktop.engine.loop import LoopOptions
from turnout_desktop.engine.types import MISSING_VUIDS, TIMING, Diagnosis, StrategyContext, StrategyResult


@dataclass
class FillOne:
    """Inserts one missing voter per attempt: it keeps improving without ever resolving 15 gaps in 10 tries."""

    name: str = "fill_gaps"
    letter: str = "B"
    label: str = "Fill one"
    handles: tuple[str, ...] = (MISSING_VUIDS, TIMING)
    priority: int = 20
    escalates: bool = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return "missing_vuids" in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        context.fixes.begin(self.name, "fill one")
        row = context.diagnosis.details["missing_vuids"]["vuids"][0]
        record = TurnoutRecord(election_date=context.election_date, vuid=row["vuid"], county=context.county,
                               party=context.party, voting_method=row["voting_method"], source="county",
                               verification="pending")
        context.session.add(record)
        context.session.flush()
        context.fixes.inserted("turnout_record", record.id, record.vuid, {"vuid": record.vuid})
        return StrategyResult(True, "filled 1", inserted=1)


@dataclass
class Useless:
    """Changes nothing; declared like the built-in strategy of its name (``manual_review`` escalates)."""

    name: str
    letter: str
    label: str = field(init=False)
    handles: tuple[str, ...] = field(init=False)
    priority: int = field(init=False)
    escalates: bool = field(init=False)

    def __post_init__(self) -> None:
        self.label, self.handles, self.priority, self.escalates = declared_like(self.name)

    def applies(self, diagnosis: Diagnosis) -> bool:
        return True

    def execute(self, context: StrategyContext) -> StrategyResult:
        return StrategyResult(True, "nothing to do")


def _travis_missing(engine, missing: int) -> None:
    add_reference(engine, "Travis", "DEM", {EV: 5 + missing})
    add_roster(engine, "Travis", [(vuid(i), "DEM", EV) for i in range(5 + missing)])
    add_records(engine, [(vuid(i), "Travis", "DEM", EV) for i in range(5)])


def test_escalation_after_ten_attempts_says_max_attempts_exceeded(db_engine):
    _travis_missing(db_engine, missing=15)
    (result,) = reconcile_election(db_engine, ELECTION, strategies=[FillOne(), Useless("manual_review", "F")],
                                   recorder_factory=recorder_factory, options=LoopOptions(trigger="MANUAL"))
    assert (result["status"], result["attempts_count"]) == ("ESCALATED", 10)
    assert result["diagnosis_details"]["escalation"]["reason"] == "MAX_ATTEMPTS_EXCEEDED"
    assert "Reason: MAX_ATTEMPTS_EXCEEDED." in result["notes"]


def test_escalation_with_no_strategy_left_says_so(db_engine):
    _travis_missing(db_engine, missing=3)
    strategies = [Useless("refetch_statewide", "A"), Useless("fill_gaps", "B"), Useless("manual_review", "F")]
    (result,) = reconcile_election(db_engine, ELECTION, strategies=strategies, recorder_factory=recorder_factory,
                                   options=LoopOptions(trigger="MANUAL"))
    assert (result["status"], result["attempts_count"]) == ("ESCALATED", 2)
    assert result["diagnosis_details"]["escalation"]["reason"] == "NO_STRATEGY_LEFT"
    assert "MAX_ATTEMPTS_EXCEEDED" not in result["notes"]
    assert "Reason: NO_STRATEGY_LEFT." in result["notes"]


def test_a_lower_attempt_cap_is_the_cap_that_counts(db_engine):
    _travis_missing(db_engine, missing=15)
    options = LoopOptions(trigger="MANUAL", max_attempts=3)
    (result,) = reconcile_election(db_engine, ELECTION, strategies=[FillOne()], recorder_factory=recorder_factory,
                                   options=options)
    assert (result["attempts_count"], result["diagnosis_details"]["escalation"]["reason"]) == (
        3, "MAX_ATTEMPTS_EXCEEDED")
