"""Trying to break the set-based round (engine/bulk_round.py) as an unlucky election night would.

Two whole-election runs at once, a county busy in another run, a strategy whose set-based form misbehaves, a
cancel between rounds, a fill that overshoots, a VUID on two rosters, and the narrow and wide evidence forms
(engine/evidence.py) on superseded rosters, dateless rosters, removed records, summaries, district maps and a
second election in the same database. Real SQLite files and the PostgreSQL test server; no mocks.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fake_strategies import PerPairOnly, per_pair_strategies
from reconciliation_rows import (
    EV,
    MAIL,
    add_precinct,
    add_records,
    add_reference,
    add_roster,
    add_statewide_file,
    recorder_factory,
    vuid,
)
from sqlalchemy import Engine, func, select, update
from test_bulk_round import (
    BULK,
    COUNTIES,
    ONE_BY_ONE,
    _ctx,
    _statewide_file,
    _trail,
    seed,
)

from turnout_desktop.db.models import (
    CountyTurnoutReference,
    Fix,
    ReconciliationAttempt,
    ReconciliationLog,
    Submission,
    TurnoutRecord,
    utcnow,
)
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine import evidence
from turnout_desktop.engine.compare import compare
from turnout_desktop.engine.diagnose import diagnose, diagnose_many
from turnout_desktop.engine.loop import LoopOptions, LoopTarget, ReconciliationLoop
from turnout_desktop.engine.run_lock import RunBusy, county_run_lock
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
from turnout_desktop.errors import Cancelled
from turnout_desktop.services import reconciliation
from turnout_desktop.services.submission import import_statewide
from turnout_desktop.strategies import default_strategies

FILLED = {"ANDERSON", "BEXAR", "COLLIN"}  # the counties of COUNTIES with missing voters


def _newest_status(engine: Engine, election: dt.date) -> dict[str, str]:
    with transaction(engine) as session:
        rows = session.execute(select(ReconciliationLog.county, ReconciliationLog.status)
                               .where(ReconciliationLog.election_date == election).order_by(ReconciliationLog.id))
        return dict(rows.all())  # the last row of each county wins


def _healed_once(engine: Engine, election: dt.date) -> None:
    """One fill fix per county that lacked voters, no identity or VUID active twice, nothing left open."""
    with transaction(engine) as session:
        fills = Counter(session.execute(select(Fix.county).where(
            Fix.strategy == "fill_gaps", Fix.election_date == election)).scalars())
        active = session.execute(select(TurnoutRecord.vuid, TurnoutRecord.county).where(
            TurnoutRecord.election_date == election, TurnoutRecord.removed_at.is_(None))).all()
    assert fills == Counter(FILLED)
    assert [v for v, n in Counter(v for v, _c in active).items() if n > 1] == []
    assert set(_newest_status(engine, election).values()) == {"RESOLVED"}


# --- concurrency -----------------------------------------------------------------------------------------------

def test_two_whole_election_runs_at_once_heal_each_pair_once(db_url: str) -> None:
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        seed(engines[0], BULK, COUNTIES)
        start, errors = threading.Barrier(2), []

        def run(engine: Engine) -> None:
            try:
                start.wait(10)
                reconciliation.reconcile(_ctx(engine), Scope(BULK))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not any(thread.is_alive() for thread in threads), "a run is stuck (deadlock?)"
        assert errors == []
        _healed_once(engines[0], BULK)
    finally:
        for engine in engines:
            engine.dispose()


def test_a_county_busy_in_another_run_is_skipped_by_the_round_and_waited_for(db_url: str,
                                                                             db_engine: Engine) -> None:
    seed(db_engine, BULK, COUNTIES)
    holding, loop_reached, released = threading.Event(), threading.Event(), []
    office = make_engine(db_url)  # another client: one engine's pool (PG_POOL_SIZE) serves one run at a time

    def other_run() -> None:  # lets go only once the round is over and the per-pair loop wants BEXAR
        with county_run_lock(office, "BEXAR", BULK):
            holding.set()
            loop_reached.wait(60)
            time.sleep(0.5)
            released.append(utcnow())

    def progress(_fraction: float, message: str) -> None:
        if message == "BEXAR DEM: diagnosing":
            loop_reached.set()

    holder = threading.Thread(target=other_run)
    holder.start()
    assert holding.wait(10)
    try:
        results = reconciliation.reconcile(_ctx(db_engine), Scope(BULK), progress=progress)
    finally:
        loop_reached.set()
        holder.join(60)
        office.dispose()

    assert {r.county: r.status for r in results} == dict.fromkeys(COUNTIES, "RESOLVED")
    with transaction(db_engine) as session:
        logs = session.execute(select(ReconciliationLog.county, ReconciliationLog.created_at,
                                      ReconciliationLog.notes)).all()
    assert [county for county, _created, _notes in logs].count("BEXAR") == 1
    for county, created, notes in logs:
        assert "Resumed" not in (notes or ""), county
        if county == "BEXAR":  # opened by the per-pair loop once the other run let go, not under its lock
            assert created >= released[0]
        elif county in FILLED:  # healed by the round meanwhile
            assert created < released[0], county
    _healed_once(db_engine, BULK)


def test_a_handed_over_county_stays_locked_until_its_loop_continues_it(db_url: str, db_engine: Engine) -> None:
    seed(db_engine, BULK, COUNTIES)  # DALLAS needs remove_duplicates, which has no set-based form
    other = make_engine(db_url)
    intruded: list[str] = []

    def progress(_fraction: float, message: str) -> None:
        if message == "DALLAS DEM: diagnosing":  # between the round and the per-pair loop of DALLAS
            intruder = ReconciliationLoop(other, LoopTarget("DALLAS", BULK, "DEM"), default_strategies(),
                                          recorder_factory, LoopOptions(trigger="MANUAL", lock_wait_seconds=0.3))
            try:
                intruded.append(intruder.run().notes)
            except RunBusy:
                pass

    try:
        reconciliation.reconcile(_ctx(db_engine), Scope(BULK), progress=progress)
    finally:
        other.dispose()
    with transaction(db_engine) as session:
        dallas = session.execute(select(ReconciliationLog.notes).where(
            ReconciliationLog.county == "DALLAS")).scalars().all()
    assert intruded == [] and len(dallas) == 1, (intruded, dallas)


# --- a set-based form that misbehaves, a cancel, an overshoot ----------------------------------------------------

class MisbehavingBulk(PerPairOnly):
    """fill_gaps whose set-based form writes everything, then raises or returns one result too few."""

    def __init__(self, inner: Any, how: str) -> None:
        super().__init__(inner)
        self.how = how

    def execute_many(self, contexts: list[StrategyContext]) -> list[StrategyResult] | None:
        results = self.inner.execute_many(contexts)
        assert results is not None
        if self.how == "raises":
            raise RuntimeError("set-based form broke after writing")
        return results[:-1]


@pytest.mark.parametrize("how", ["raises", "short"])
def test_a_misbehaving_set_based_form_leaves_nothing_and_the_loop_finishes(db_engine: Engine, how: str) -> None:
    seed(db_engine, BULK, COUNTIES)
    seed(db_engine, ONE_BY_ONE, COUNTIES)
    broken = [MisbehavingBulk(s, how) if s.name == "fill_gaps" else PerPairOnly(s) for s in default_strategies()]

    reconciliation.reconcile(_ctx(db_engine), Scope(BULK), strategies=broken)
    reconciliation.reconcile(_ctx(db_engine), Scope(ONE_BY_ONE), strategies=per_pair_strategies())

    bulk, per_pair = _trail(db_engine, BULK), _trail(db_engine, ONE_BY_ONE)
    for county in COUNTIES:
        assert bulk[county] == per_pair[county], county
    assert bulk["records"] == per_pair["records"]
    _healed_once(db_engine, BULK)


def test_cancel_between_rounds_then_a_rerun_finishes_without_repeating(db_engine: Engine, tmp_path: Path) -> None:
    seed(db_engine, BULK, COUNTIES)
    source = tmp_path / "statewide"
    import_statewide(_ctx(db_engine), [_statewide_file(source / "sw.csv", "FANNIN", range(3))], election=BULK)
    asked: list[str] = []

    with pytest.raises(Cancelled):  # round 1 is strategy A ("nothing new"); cancelled before round 2 (fill)
        reconciliation.reconcile(_ctx(db_engine), Scope(BULK), statewide_source=str(source),
                                 progress=lambda _f, message: asked.append(message),
                                 cancel=lambda: any(m.startswith("refetch_statewide for") for m in asked))
    with transaction(db_engine) as session:
        assert session.execute(select(func.count()).select_from(Fix)).scalar() == 0
        open_rows = set(session.execute(select(ReconciliationLog.county).where(
            ReconciliationLog.status == "IN_PROGRESS")).scalars())
    assert open_rows == FILLED | {"DALLAS"}

    reconciliation.reconcile(_ctx(db_engine), Scope(BULK), statewide_source=str(source))

    _healed_once(db_engine, BULK)
    with transaction(db_engine) as session:
        refetches = Counter(session.execute(select(ReconciliationLog.county).join(
            ReconciliationAttempt, ReconciliationAttempt.log_id == ReconciliationLog.id).where(
            ReconciliationAttempt.strategy == "refetch_statewide")).scalars())
    assert refetches == Counter(FILLED)  # the rerun resumed the rows: A is not tried again


def test_a_fill_that_overshoots_sends_the_round_to_the_loop_which_rolls_it_back(db_engine: Engine) -> None:
    """FANNIN's roster lists three voters the statewide data lacks but its official counts only one more:
    filling would make it worse. The round must not keep that; the result equals the per-pair loop's."""
    overshoot = {**COUNTIES, "FANNIN": {"voters": 30, "missing": 3, "prefix": "6"}}
    for election in (BULK, ONE_BY_ONE):
        seed(db_engine, election, overshoot)
        with transaction(db_engine) as session:  # official counts: two fewer per method than the roster
            session.execute(update(CountyTurnoutReference).where(
                CountyTurnoutReference.county == "FANNIN", CountyTurnoutReference.election_date == election).values(
                official_count=CountyTurnoutReference.official_count - 2))

    reconciliation.reconcile(_ctx(db_engine), Scope(BULK))
    reconciliation.reconcile(_ctx(db_engine), Scope(ONE_BY_ONE), strategies=per_pair_strategies())

    bulk, per_pair = _trail(db_engine, BULK), _trail(db_engine, ONE_BY_ONE)
    for county in overshoot:
        per_pair[county]["notes"] = (per_pair[county]["notes"] or "").replace(str(ONE_BY_ONE), str(BULK))
        assert {**bulk[county], "notes": bulk[county]["notes"] or ""} == per_pair[county], county
    assert bulk["records"] == per_pair["records"]
    assert ("fill_gaps", "worse") in [row[1:3] for row in bulk["FANNIN"]["attempt_rows"]]
    assert not any(vuid.startswith("6") for vuid, _c, _m, source, _v, _a in bulk["records"] if source == "county")


@pytest.mark.parametrize("where", ["two counties", "two parties"])
def test_a_vuid_on_two_rosters_is_filled_once(db_engine: Engine, where: str) -> None:
    """One missing voter on two rosters (another county's, or the same county's other party) in different
    methods. The per-pair loop fills it once: the second pair finds it no longer missing."""
    shared = vuid(999)
    other = ("YORK", "DEM") if where == "two counties" else ("XENA", "REP")
    for election in (BULK, ONE_BY_ONE):
        add_reference(db_engine, "XENA", "DEM", {EV: 6}, election=election)
        add_reference(db_engine, other[0], other[1], {MAIL: 6}, election=election)
        rosters = {("XENA", "DEM"): [(vuid(i), "DEM", EV) for i in range(5)] + [(shared, "DEM", EV)],
                   other: [(vuid(10 + i), other[1], MAIL) for i in range(5)] + [(shared, other[1], MAIL)]}
        if where == "two counties":
            for (county, _party), rows in rosters.items():
                add_roster(db_engine, county, rows, election=election)
        else:
            add_roster(db_engine, "XENA", [row for rows in rosters.values() for row in rows], election=election)
        add_records(db_engine, [(v, county, party, m) for (county, party), rows in rosters.items()
                                for v, _p, m in rows if v != shared], election=election)

    reconciliation.reconcile(_ctx(db_engine), Scope(BULK))
    reconciliation.reconcile(_ctx(db_engine), Scope(ONE_BY_ONE), strategies=per_pair_strategies())

    with transaction(db_engine) as session:
        shared_rows = {election: session.execute(select(TurnoutRecord.county, TurnoutRecord.party).where(
            TurnoutRecord.election_date == election, TurnoutRecord.vuid == shared,
            TurnoutRecord.removed_at.is_(None))).all() for election in (BULK, ONE_BY_ONE)}
    assert len(shared_rows[ONE_BY_ONE]) == 1
    assert shared_rows[BULK] == shared_rows[ONE_BY_ONE]


# --- narrow and wide evidence forms -----------------------------------------------------------------------------

E1, E2 = dt.date(2026, 3, 3), dt.date(2026, 11, 3)


def _edge_cases(engine: Engine, election: dt.date, shift: int) -> None:
    """Counties that each carry one awkward case; ``shift`` moves which VUIDs have records, so a row read
    from the other election would change the answer."""
    def v(n: int) -> str:
        return vuid(n + 100 * shift)

    old = add_roster(engine, "ALPHA", [(v(i), "DEM", EV) for i in range(6)] + [(v(90), "DEM", EV)],
                     election=election, vote_date=dt.date(2026, 2, 1))
    add_roster(engine, "ALPHA", [(v(i), "DEM", EV) for i in range(5)] + [(v(91), "DEM", EV)],
               election=election, vote_date=dt.date(2026, 2, 2))
    with transaction(engine) as session:  # uploaded twice: only the newest roster counts
        session.execute(update(Submission).where(Submission.id == old).values(superseded_at=utcnow()))
    add_records(engine, [(v(i), "ALPHA", "DEM", EV) for i in range(3)] + [(v(90), "ALPHA", "DEM", EV)],
                election=election)
    add_roster(engine, "BRAVO", [(v(10 + i), "DEM", MAIL) for i in range(4)] + [(None, "DEM", MAIL)],
               election=election, submitted_at=dt.datetime(2026, 2, 28), problem_codes={4: "vuid_not_numeric"})
    add_records(engine, [(v(10), "BRAVO", "DEM", MAIL)], election=election)  # roster without vote dates
    add_roster(engine, "CHARLIE", [(v(20), "DEM", EV), (v(21), "DEM", EV)], election=election)
    add_roster(engine, "DELTA", [(v(21), "DEM", EV), (v(22), "DEM", EV)], election=election)
    add_records(engine, [(v(20), "CHARLIE", "DEM", EV), (v(21), "CHARLIE", "DEM", EV)], election=election)
    add_roster(engine, "ECHO", [(v(30 + i), "REP", EV) for i in range(3)], election=election)
    add_records(engine, [(v(30), "ECHO", "REP", EV)], election=election)
    add_records(engine, [(v(31), "ECHO", "REP", EV), (v(30), "ECHO", "REP", MAIL)], source="county",
                election=election, removed_at=dt.datetime(2026, 3, 1))  # removed: missing, not duplicate
    add_roster(engine, "FOXTROT", [], kind="summary", election=election)
    add_records(engine, [(v(40), "FOXTROT", "DEM", EV), (v(41), "FOXTROT", "DEM", EV)], election=election)
    add_records(engine, [(v(42), "FOXTROT", "DEM", EV)], election=election, county_fallback=True)
    add_records(engine, [(v(50), "GOLF", "DEM", EV)], election=election, precinct="0101", district="D9")
    add_records(engine, [(v(60), "HOTEL", "DEM", EV)], election=election, precinct="0101", district="D9")
    add_records(engine, [(v(70), "INDIA", "DEM", EV)], election=election)
    add_records(engine, [(v(70), "INDIA", "DEM", MAIL)], source="county", election=election)
    add_statewide_file(engine, dt.datetime(2026, 2, 27, 12), election=election)
    for county, party in [("ALPHA", "DEM"), ("BRAVO", "DEM"), ("CHARLIE", "DEM"), ("DELTA", "DEM"),
                          ("ECHO", "REP"), ("FOXTROT", "DEM"), ("GOLF", "DEM"), ("HOTEL", "DEM"),
                          ("INDIA", "DEM")]:
        add_reference(engine, county, party, {EV: 7}, election=election)


def _diagnoses(engine: Engine, election: dt.date, monkeypatch: pytest.MonkeyPatch,
               narrow_counties: int) -> tuple[list[Diagnosis], list[Diagnosis]]:
    monkeypatch.setattr(evidence, "NARROW_COUNTIES", narrow_counties)
    with transaction(engine) as session:
        comparisons = compare(session, election, update=False)
        return (diagnose_many(session, comparisons),
                [diagnose(session, comparison) for comparison in comparisons])


def test_narrow_wide_and_one_pair_diagnoses_agree_on_awkward_data(db_engine: Engine,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    add_precinct(db_engine, "GOLF", "0101", "D1")  # a district map for GOLF only
    _edge_cases(db_engine, E1, 0)
    _edge_cases(db_engine, E2, 1)
    with transaction(db_engine) as session:  # E2: E1's missing voters have records, E1's extras do not
        session.add_all([TurnoutRecord(election_date=E2, vuid=vuid(n), county=c, party=p, voting_method=EV,
                                       source="statewide", verification="verified", county_fallback=False)
                         for n, c, p in [(4, "ALPHA", "DEM"), (91, "ALPHA", "DEM"), (11, "BRAVO", "DEM"),
                                         (22, "DELTA", "DEM"), (32, "ECHO", "REP")]])

    for election in (E1, E2):
        wide, _ = _diagnoses(db_engine, election, monkeypatch, -1)
        narrow, one_by_one = _diagnoses(db_engine, election, monkeypatch, 1000)
        for w, n, o in zip(wide, narrow, one_by_one, strict=True):
            assert (w.codes, w.upload_kind, w.details) == (n.codes, n.upload_kind, n.details), (election, w.county)
            assert (n.codes, n.details) == (o.codes, o.details), (election, n.county)

    first = {d.county: d for d in _diagnoses(db_engine, E1, monkeypatch, -1)[0]}

    def missing(county: str) -> list[str]:
        return [row["vuid"] for row in first[county].details.get(MISSING_VUIDS, {}).get("vuids", [])]

    assert missing("ALPHA") == [vuid(3), vuid(4), vuid(91)]  # the superseded roster's voters are not asked for
    assert [r["vuid"] for r in first["ALPHA"].details[EXTRA_VUIDS]["records"]] == [vuid(90)]
    assert missing("BRAVO") == [vuid(11), vuid(12), vuid(13)]
    assert TIMING in first["BRAVO"].codes and DATA_FORMAT in first["BRAVO"].codes
    assert missing("DELTA") == [vuid(22)]
    assert [r["vuid"] for r in first["DELTA"].details[WRONG_DISTRICT]["in_other_county"]] == [vuid(21)]
    assert missing("ECHO") == [vuid(31), vuid(32)]
    assert DUPLICATE_RECORDS not in first["ECHO"].codes
    assert first["FOXTROT"].upload_kind == "summary"
    assert [r["vuid"] for r in first["FOXTROT"].details[WRONG_DISTRICT]["county_fallback"]] == [vuid(42)]
    assert [r["vuid"] for r in first["GOLF"].details[WRONG_DISTRICT]["district_mismatch"]] == [vuid(50)]
    assert WRONG_DISTRICT not in first["HOTEL"].codes  # no map for HOTEL
    assert DUPLICATE_RECORDS in first["INDIA"].codes
