"""Step 4/5: the self-healing loop with tiny strategies (here and in fake_strategies.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fake_strategies import DoesNothing, FillMissing
from reconciliation_rows import ELECTION, EV, MAIL, add_records, add_reference, add_roster, recorder_factory, vuid
from sqlalchemy import func, select

from turnout_desktop.db.models import (
    FixAction,
    ReconciliationAttempt,
    ReconciliationLog,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.metrics import MethodCount
from turnout_desktop.engine.batch import preview_election, reconcile_election
from turnout_desktop.engine.loop import LoopOptions, LoopTarget, ReconciliationLoop
from turnout_desktop.engine.types import (
    DUPLICATE_RECORDS,
    WRONG_DISTRICT,
    Diagnosis,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.errors import Cancelled


@dataclass
class Broken:
    name: str = "fix_districts"
    letter: str = "C"
    label: str = "Broken"
    handles: tuple[str, ...] = (WRONG_DISTRICT,)
    priority: int = 30
    escalates: bool = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return True

    def execute(self, context: StrategyContext) -> StrategyResult:
        context.session.add(TurnoutRecord(election_date=context.election_date, vuid=vuid(999), county="Travis",
                                          party="DEM", voting_method=EV, source="county", verification="pending"))
        context.session.flush()
        raise RuntimeError("boom")


def _options() -> LoopOptions:
    return LoopOptions(trigger="MANUAL")


def _travis_missing(engine, missing: int = 3) -> None:
    add_reference(engine, "Travis", "DEM", {EV: 5 + missing})
    add_roster(engine, "Travis", [(vuid(i), "DEM", EV) for i in range(5 + missing)])
    add_records(engine, [(vuid(i), "Travis", "DEM", EV) for i in range(5)])


def _attempts(engine, log_id: int) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        rows = session.execute(select(ReconciliationAttempt).where(ReconciliationAttempt.log_id == log_id)
                               .order_by(ReconciliationAttempt.attempt_no)).scalars()
        return [(a.strategy, a.outcome) for a in rows]


def test_preferred_strategy_resolves_and_everything_is_logged(db_engine):
    _travis_missing(db_engine)
    refetch = DoesNothing("refetch_statewide", "A", applicable=False)
    strategies = [refetch, FillMissing(), DoesNothing("manual_review", "F")]
    (result,) = reconcile_election(db_engine, ELECTION, strategies=strategies, recorder_factory=recorder_factory,
                                   options=_options())
    assert result.status == "RESOLVED"
    assert result.strategy_succeeded == "fill_gaps"
    assert result.strategies_tried == ("fill_gaps",)
    assert result.attempts_count == 1
    assert result.diagnosis == ("missing_vuids",)
    assert (result.expected_total, result.actual_total, result.discrepancy) == (8, 8, 0)
    assert result.final_accuracy_pct == 100.0
    assert result.by_method == {EV: MethodCount(expected=8, actual=8)}
    assert result.resolved_at is not None and result.resolution_time_seconds >= 0
    assert _attempts(db_engine, result.id) == [("refetch_statewide", "skipped"), ("fill_gaps", "resolved")]
    with transaction(db_engine) as session:
        attempt = session.execute(select(ReconciliationAttempt).where(
            ReconciliationAttempt.strategy == "fill_gaps")).scalar_one()
        assert (attempt.before_actual, attempt.after_actual) == (5, 8)
        assert attempt.fix_id is None or attempt.fix_id > 0
        assert session.execute(select(func.count()).select_from(FixAction)).scalar() == 3


def test_never_repeats_a_useless_strategy_and_escalates_with_a_report(db_engine):
    _travis_missing(db_engine)
    useless = [DoesNothing(name, letter) for name, letter in
               [("refetch_statewide", "A"), ("fill_gaps", "B"), ("fix_districts", "C"),
                ("remove_duplicates", "D"), ("data_format", "E")]]
    manual = DoesNothing("manual_review", "F")
    (result,) = reconcile_election(db_engine, ELECTION, strategies=[*useless, manual],
                                   recorder_factory=recorder_factory, options=_options())
    assert result.status == "ESCALATED"
    assert [s.calls for s in useless] == [1, 1, 1, 1, 1]
    assert manual.calls == 1
    assert result.strategies_tried == ("refetch_statewide", "fill_gaps", "fix_districts", "remove_duplicates",
                                       "data_format", "manual_review")
    assert result.attempts_count == 5
    assert result.strategy_succeeded is None and result.resolved_at is None
    assert "Expected 8, actual 5, discrepancy -3" in result.notes
    assert f"Sample missing_vuids: {vuid(5)}, {vuid(6)}, {vuid(7)}" in result.notes
    escalation = result.diagnosis_details["escalation"]
    assert escalation["sample_vuids"]["missing_vuids"] == [vuid(5), vuid(6), vuid(7)]


def test_at_most_ten_attempts(db_engine):
    _travis_missing(db_engine, missing=15)
    (result,) = reconcile_election(db_engine, ELECTION, strategies=[FillMissing(per_run=1)],
                                   recorder_factory=recorder_factory, options=_options())
    assert result.status == "ESCALATED"
    assert result.attempts_count == 10
    assert result.actual_total == 15  # 5 + one per attempt
    assert [o for _s, o in _attempts(db_engine, result.id)] == ["improved"] * 10


def test_a_failing_strategy_rolls_back_and_the_loop_goes_on(db_engine):
    _travis_missing(db_engine)
    strategies = [Broken(), FillMissing()]
    (result,) = reconcile_election(db_engine, ELECTION, strategies=[Broken()],
                                   recorder_factory=recorder_factory, options=_options())
    assert result.status == "ESCALATED"
    assert _attempts(db_engine, result.id) == [("fix_districts", "error")]
    with transaction(db_engine) as session:
        assert session.execute(select(func.count()).select_from(TurnoutRecord)).scalar() == 5  # rolled back
    (again,) = reconcile_election(db_engine, ELECTION, strategies=strategies, recorder_factory=recorder_factory,
                                  options=_options())
    assert again.status == "RESOLVED" and again.strategy_succeeded == "fill_gaps"


def test_cancel_leaves_in_progress_and_the_next_run_finishes_it(db_engine):
    _travis_missing(db_engine)
    target = LoopTarget("Travis", ELECTION, "DEM")
    loop = ReconciliationLoop(db_engine, target, [FillMissing()], recorder_factory, _options(), cancel=lambda: True)
    with pytest.raises(Cancelled):
        loop.run()
    with transaction(db_engine) as session:
        (log,) = session.execute(select(ReconciliationLog)).scalars()
        assert log.status == "IN_PROGRESS" and "Cancelled" in (log.notes or "")
        log_id = log.id
    (result,) = reconcile_election(db_engine, ELECTION, strategies=[FillMissing()], recorder_factory=recorder_factory,
                                   options=_options())
    assert result.id == log_id
    assert result.status == "RESOLVED"
    assert "Resumed" in result.notes


def test_clean_counties_are_resolved_in_one_pass_without_strategies(db_engine):
    add_reference(db_engine, "Loving", "REP", {MAIL: 2})
    add_reference(db_engine, "Kenedy", "DEM", {EV: 1})
    add_records(db_engine, [(vuid(1), "Loving", "REP", MAIL), (vuid(2), "Loving", "REP", MAIL),
                            (vuid(3), "Kenedy", "DEM", EV)])
    never = DoesNothing("fill_gaps", "B")
    results = reconcile_election(db_engine, ELECTION, strategies=[never], recorder_factory=recorder_factory,
                                 options=_options())
    assert [(r.county, r.status, r.attempts_count) for r in results] == [
        ("Kenedy", "RESOLVED", 0), ("Loving", "RESOLVED", 0)]
    assert never.calls == 0


def test_dry_run_writes_nothing(db_engine):
    _travis_missing(db_engine)
    (result,) = preview_election(db_engine, ELECTION, strategies=[FillMissing()], recorder_factory=recorder_factory,
                                 options=_options())
    assert result.dry_run is True and result.status == "IN_PROGRESS"
    assert result.preview[0].strategy == "fill_gaps" and result.preview[0].inserted == 3
    with transaction(db_engine) as session:
        assert session.execute(select(func.count()).select_from(TurnoutRecord)).scalar() == 5
        assert session.execute(select(func.count()).select_from(ReconciliationLog)).scalar() == 0


def test_check_mode_runs_only_its_targets(db_engine):
    add_reference(db_engine, "Loving", "REP", {MAIL: 2})
    ids = add_records(db_engine, [(vuid(1), "Loving", "REP", MAIL), (vuid(2), "Loving", "REP", MAIL)])
    options = LoopOptions(trigger="AUTO_CHECK")
    key = ("Loving", "REP")
    (first,) = reconcile_election(db_engine, ELECTION, strategies=[], recorder_factory=recorder_factory,
                                  options=options, targets={key})
    assert first.check == "reconciled" and first.status == "RESOLVED"
    (second,) = reconcile_election(db_engine, ELECTION, strategies=[], recorder_factory=recorder_factory,
                                   options=options, targets=set())
    assert second.check == "unchanged" and second.id == first.id
    with transaction(db_engine) as session:
        session.get(TurnoutRecord, ids[0]).removed_at = session.get(TurnoutRecord, ids[0]).created_at
    (third,) = reconcile_election(db_engine, ELECTION, strategies=[], recorder_factory=recorder_factory,
                                  options=options, targets={key})
    assert third.check == "reconciled" and third.id != first.id
    assert third.status == "ESCALATED" and third.trigger_type == "AUTO_CHECK"
    assert third.by_method == {MAIL: MethodCount(expected=2, actual=1)}


@dataclass
class MakesItWorse:
    """Adds three records nobody voted for (a bad fix): the loop must take them back."""

    name: str = "remove_duplicates"
    letter: str = "D"
    label: str = "Makes it worse"
    handles: tuple[str, ...] = (DUPLICATE_RECORDS,)
    priority: int = 40
    escalates: bool = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return True

    def execute(self, context: StrategyContext) -> StrategyResult:
        context.fixes.begin(self.name, "bad fix")
        for n in (900, 901, 902):
            record = TurnoutRecord(election_date=context.election_date, vuid=vuid(n), county=context.county,
                                   party=context.party, voting_method=EV, source="county", verification="pending")
            context.session.add(record)
            context.session.flush()
            context.fixes.inserted("turnout_record", record.id, record.vuid, {"vuid": record.vuid})
        return StrategyResult(True, "added 3", inserted=3)


def test_an_attempt_that_makes_accuracy_worse_is_rolled_back(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 5})
    add_roster(db_engine, "Travis", [(vuid(i), "DEM", EV) for i in range(5)])
    add_records(db_engine, [(vuid(i), "Travis", "DEM", EV) for i in range(4)])  # one missing: 80 %
    strategies = [MakesItWorse(), DoesNothing("manual_review", "F")]
    (result,) = reconcile_election(db_engine, ELECTION, strategies=strategies, recorder_factory=recorder_factory,
                                   options=_options())
    assert result.status == "ESCALATED" and result.attempts_count == 1
    assert result.actual_total == 4 and result.final_accuracy_pct == 80.0
    assert _attempts(db_engine, result.id) == [("remove_duplicates", "worse"), ("manual_review", "no_change")]
    with transaction(db_engine) as session:
        attempt = session.execute(select(ReconciliationAttempt).where(
            ReconciliationAttempt.strategy == "remove_duplicates")).scalar_one()
        assert (attempt.before_actual, attempt.after_actual, attempt.fix_id) == (4, 7, None)
        assert attempt.message.endswith("accuracy would have fallen from 80.0% to 60.0%: its changes were rolled back")
        assert session.execute(select(func.count()).select_from(TurnoutRecord)).scalar() == 4
        assert session.execute(select(func.count()).select_from(FixAction)).scalar() == 0
