"""One run per (county, election): a second run waits for the first instead of sharing its log row.

Real locks on both backends: a PostgreSQL session advisory lock, an OS file lock beside the SQLite file;
a killed holder releases them.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fake_strategies import DoesNothing, FillMissing
from reconciliation_rows import ELECTION, EV, add_records, add_reference, add_roster, recorder_factory, vuid
from sqlalchemy import Engine, select

from turnout_desktop.db.models import ReconciliationAttempt, ReconciliationLog
from turnout_desktop.db.session import transaction
from turnout_desktop.engine.loop import LoopOptions, LoopTarget, ReconciliationLoop
from turnout_desktop.engine.run_lock import RunBusy, county_run_lock
from turnout_desktop.errors import Cancelled


def test_a_second_holder_waits_then_gets_busy_and_other_counties_are_free(db_engine: Engine) -> None:
    with county_run_lock(db_engine, "TRAVIS", ELECTION):
        started = time.monotonic()
        with pytest.raises(RunBusy, match="TRAVIS"), county_run_lock(db_engine, "TRAVIS", ELECTION,
                                                                     wait_seconds=0.5):
            pass
        assert time.monotonic() - started >= 0.5
        with county_run_lock(db_engine, "HARRIS", ELECTION, wait_seconds=0):
            pass  # another county is not blocked
        with pytest.raises(Cancelled), county_run_lock(db_engine, "TRAVIS", ELECTION, cancel=lambda: True):
            pass
    with county_run_lock(db_engine, "TRAVIS", ELECTION, wait_seconds=0):
        pass  # released on exit


def test_a_concurrent_run_of_the_same_county_waits_and_keeps_its_own_log_row(db_engine: Engine) -> None:
    add_reference(db_engine, "Travis", "DEM", {EV: 8})
    add_roster(db_engine, "Travis", [(vuid(i), "DEM", EV) for i in range(8)])
    add_records(db_engine, [(vuid(i), "Travis", "DEM", EV) for i in range(5)])
    target = LoopTarget(county="Travis", election_date=ELECTION, party="DEM")
    strategies = [DoesNothing("refetch_statewide", "A", applicable=False), FillMissing(),
                  DoesNothing("manual_review", "F")]
    results: list[dict] = []
    holding = threading.Event()

    def hold_then_release() -> None:
        with county_run_lock(db_engine, "Travis", ELECTION):
            holding.set()
            time.sleep(1.0)

    holder = threading.Thread(target=hold_then_release)
    holder.start()
    holding.wait(5)
    started = time.monotonic()
    results.append(ReconciliationLoop(db_engine, target, strategies, recorder_factory,
                                      LoopOptions(trigger="MANUAL")).run())
    waited = time.monotonic() - started
    holder.join()
    second = ReconciliationLoop(db_engine, target, strategies, recorder_factory, LoopOptions(trigger="MANUAL")).run()
    assert waited >= 0.9  # the run did not start while the other holder had the county
    assert results[0].status == "RESOLVED" and second.status == "RESOLVED"
    assert second.id != results[0].id  # a finished run's row is never resumed
    with transaction(db_engine) as session:
        logs = session.execute(select(ReconciliationLog.id, ReconciliationLog.status)).all()
        attempts = session.execute(select(ReconciliationAttempt.log_id, ReconciliationAttempt.attempt_no)
                                   .order_by(ReconciliationAttempt.id)).all()
    assert sorted(status for _id, status in logs) == ["RESOLVED", "RESOLVED"]
    assert [(log_id, number) for log_id, number in attempts] == [(results[0].id, 1), (results[0].id, 2)]


HOLDER = r"""
import datetime as dt, sys, time
from turnout_desktop.db.session import make_engine
from turnout_desktop.engine.run_lock import county_run_lock
engine = make_engine(sys.argv[1])
with county_run_lock(engine, "TRAVIS", dt.date(2026, 3, 3)):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_killed_holder_releases_the_lock(db_url: str, tmp_path: Path) -> None:
    from turnout_desktop.db.session import make_engine

    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db_url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        engine = make_engine(db_url)
        with pytest.raises(RunBusy), county_run_lock(engine, "TRAVIS", ELECTION, wait_seconds=0.3):
            pass
        holder.kill()
        holder.wait(10)
        with county_run_lock(engine, "TRAVIS", ELECTION, wait_seconds=5):
            pass
        engine.dispose()
    finally:
        holder.kill()
        holder.wait(10)
