"""An escalation says why the loop stopped: the attempt cap (MAX_ATTEMPTS_EXCEEDED) or no strategy left."""

from __future__ import annotations

from fake_strategies import DoesNothing, FillMissing
from reconciliation_rows import ELECTION, EV, add_records, add_reference, add_roster, recorder_factory, vuid

from turnout_desktop.engine.batch import reconcile_election
from turnout_desktop.engine.loop import LoopOptions


def _travis_missing(engine, missing: int) -> None:
    add_reference(engine, "Travis", "DEM", {EV: 5 + missing})
    add_roster(engine, "Travis", [(vuid(i), "DEM", EV) for i in range(5 + missing)])
    add_records(engine, [(vuid(i), "Travis", "DEM", EV) for i in range(5)])


def test_escalation_after_ten_attempts_says_max_attempts_exceeded(db_engine):
    _travis_missing(db_engine, missing=15)
    strategies = [FillMissing(per_run=1), DoesNothing("manual_review", "F")]  # one missing voter per attempt
    (result,) = reconcile_election(db_engine, ELECTION, strategies=strategies, recorder_factory=recorder_factory,
                                   options=LoopOptions(trigger="MANUAL"))
    assert (result.status, result.attempts_count) == ("ESCALATED", 10)
    assert result.diagnosis_details["escalation"]["reason"] == "MAX_ATTEMPTS_EXCEEDED"
    assert "Reason: MAX_ATTEMPTS_EXCEEDED." in result.notes


def test_escalation_with_no_strategy_left_says_so(db_engine):
    _travis_missing(db_engine, missing=3)
    strategies = [DoesNothing(name, letter) for name, letter in
                  (("refetch_statewide", "A"), ("fill_gaps", "B"), ("manual_review", "F"))]
    (result,) = reconcile_election(db_engine, ELECTION, strategies=strategies, recorder_factory=recorder_factory,
                                   options=LoopOptions(trigger="MANUAL"))
    assert (result.status, result.attempts_count) == ("ESCALATED", 2)
    assert result.diagnosis_details["escalation"]["reason"] == "NO_STRATEGY_LEFT"
    assert "MAX_ATTEMPTS_EXCEEDED" not in result.notes
    assert "Reason: NO_STRATEGY_LEFT." in result.notes


def test_a_lower_attempt_cap_is_the_cap_that_counts(db_engine):
    _travis_missing(db_engine, missing=15)
    options = LoopOptions(trigger="MANUAL", max_attempts=3)
    (result,) = reconcile_election(db_engine, ELECTION, strategies=[FillMissing(per_run=1)],
                                   recorder_factory=recorder_factory, options=options)
    assert (result.attempts_count, result.diagnosis_details["escalation"]["reason"]) == (
        3, "MAX_ATTEMPTS_EXCEEDED")
