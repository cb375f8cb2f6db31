"""docs/reliability.md T10: SIGKILL in the middle of a submit or a statewide import leaves all or nothing.

After SQLite's crash.test and PostgreSQL's 013_crash_restart.pl: a parent starts the real ``turnout``
command on a generated 50,000-row file in a child process and sends SIGKILL at an instant drawn
uniformly over the run time measured on an uninterrupted run. After every kill: ``PRAGMA
integrity_check`` is ``ok``; the upload is either complete (all rows, the official counts, its audit
event) or absent (0 rows, no event); the audit chain verifies; a rerun ends with the same table
checksum as the uninterrupted run.

Run counts: CI runs 10 kills per operation per backend (``TURNOUT_KILL_RUNS``, 200 nightly), two at a
time, each in its own database (a SQLite file, or a PostgreSQL schema). Every kill that left a complete
upload, and the first kill on each database, is rerun for real; a kill that left nothing is checked to
leave a database identical to a fresh one (so its rerun is the uninterrupted run itself).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pg_logins import local_user
from reliability_helpers import (
    ELECTION,
    DatabaseSlot,
    count_rows,
    expected_reference,
    pg_base_url,
    table_checksum,
    voter_rows,
    write_roster,
    write_statewide,
)
from sqlalchemy import Engine, select

from turnout_desktop.db.audit import verify_chain
from turnout_desktop.db.models import CountyTurnoutReference
from turnout_desktop.db.session import make_engine, transaction

KILL_RUNS = int(os.environ.get("TURNOUT_KILL_RUNS", "10"))
PARALLEL = 2
ROWS = 50_000
COUNTY = "LOVING"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


@pytest.fixture(scope="module")
def voters() -> list[tuple[str, str, str, str]]:
    return voter_rows(ROWS, seed=10)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, voters: list[tuple[str, str, str, str]]) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kill9-files")
    return {"submit": write_roster(folder / "loving_roster_50k.csv", voters),
            "import-statewide": write_statewide(folder / "statewide_50k.csv", voters, COUNTY)}


def _command(operation: str, url: str, path: Path) -> list[str]:
    base = [sys.executable, "-m", "turnout_desktop.cli.main", "--db", url]
    if operation == "submit":
        return base + ["submit", str(path), "--county", COUNTY, "--election", ELECTION.isoformat(),
                       *local_user(url, "kill9"), "--no-reconcile"]
    return base + ["import-statewide", str(path), "--election", ELECTION.isoformat()]


def _run_to_end(operation: str, url: str, path: Path) -> float:
    started = time.monotonic()
    done = subprocess.run(_command(operation, url, path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def _state(engine: Engine, operation: str) -> str:
    """'complete' or 'absent'; fails on anything in between."""
    if operation == "submit":
        counts = (count_rows(engine, "submission"), count_rows(engine, "county_roster_row"),
                  count_rows(engine, "county_turnout_reference"), count_rows(engine, "source_file"),
                  count_rows(engine, "audit_event", "event_type = 'submit' AND disposition = 'success'"))
        if counts == (0, 0, 0, 0, 0):
            return "absent"
        assert counts == (1, ROWS, 8, 1, 1), f"partial submission left behind: {counts}"
        return "complete"
    counts = (count_rows(engine, "source_file"), count_rows(engine, "turnout_record"),
              count_rows(engine, "statewide_count_cache"),
              count_rows(engine, "audit_event", "event_type = 'import_statewide'"))
    if counts == (0, 0, 0, 0):
        return "absent"
    assert counts == (1, ROWS, 6, 1), f"partial statewide import left behind: {counts}"
    assert count_rows(engine, "source_file", "status = 'complete'") == 1
    return "complete"


def _one_kill(operation: str, slot: DatabaseSlot, path: Path, delay: float,
              checksums: tuple[dict[str, str], dict[str, str]], reference: dict[tuple[str, str], int],
              rerun_absent: bool) -> str:
    """Kill one run after ``delay`` seconds, check what is left, rerun; returns the outcome."""
    empty, baseline = checksums
    slot.reset()
    child = subprocess.Popen(_command(operation, slot.url, path), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    time.sleep(delay)
    finished_first = child.poll() is not None
    child.send_signal(signal.SIGKILL)
    _, stderr = child.communicate(timeout=60)
    if finished_first:
        assert child.returncode == 0, stderr.decode(errors="replace")
    slot.settle()  # a COMMIT sent just before the kill lands before the checks read, not during them
    assert slot.integrity() == "ok"
    engine = make_engine(slot.url)
    try:
        outcome = _state(engine, operation)
        with transaction(engine) as session:
            assert verify_chain(session) is None
            if operation == "submit" and outcome == "complete":
                stored = {(r.party, r.voting_method): r.official_count
                          for r in session.execute(select(CountyTurnoutReference)).scalars()}
                assert stored == reference
        if outcome == "absent" and not rerun_absent:
            # Nothing at all is left: the database equals a fresh one, so a rerun *is* the uninterrupted
            # run (checked for real on each slot's first kill); skipping it halves the suite's time.
            assert table_checksum(engine) == empty, f"a kill at {delay:.2f}s left rows behind"
        else:
            _run_to_end(operation, slot.url, path)
            assert slot.integrity() == "ok"
            assert table_checksum(engine) == baseline, f"rerun after a kill at {delay:.2f}s differs"
    finally:
        engine.dispose()
    return "finished" if finished_first else outcome


@pytest.mark.slow
@pytest.mark.parametrize("operation", ["submit", "import-statewide"])
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def test_sigkill_leaves_all_or_nothing(backend: str, operation: str, files: dict[str, Path],
                                       voters: list[tuple[str, str, str, str]], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    if backend == "postgresql" and not pg_base_url():
        pytest.skip("TURNOUT_TEST_PG_URL is not set")
    tag = operation.replace("-", "_")
    slots = [DatabaseSlot(backend, f"kill_{tag}_{index}", tmp_path) for index in range(PARALLEL)]
    try:
        slots[0].reset()
        engine = make_engine(slots[0].url)
        empty = table_checksum(engine)
        engine.dispose()
        run_time = _run_to_end(operation, slots[0].url, files[operation])
        engine = make_engine(slots[0].url)
        assert _state(engine, operation) == "complete"
        baseline = table_checksum(engine)
        engine.dispose()

        rng = random.Random(f"{backend}-{operation}")
        delays = [rng.uniform(0.0, run_time) for _ in range(KILL_RUNS)]
        reference = expected_reference(voters)
        def run_slot(slot: DatabaseSlot, slot_delays: list[float]) -> list[str]:
            # One thread per slot: a slot's kills run one after another, the slots side by side.
            return [_one_kill(operation, slot, files[operation], delay, (empty, baseline), reference,
                              rerun_absent=index == 0) for index, delay in enumerate(slot_delays)]

        with ThreadPoolExecutor(PARALLEL) as pool:
            futures = [pool.submit(run_slot, slot, delays[index::PARALLEL]) for index, slot in enumerate(slots)]
            outcomes = Counter(outcome for future in futures for outcome in future.result())
        assert sum(outcomes.values()) == KILL_RUNS
        with capsys.disabled():
            print(f"\nT10 {backend} {operation}: run {run_time:.2f}s, {KILL_RUNS} kills -> {dict(outcomes)}")
    finally:
        for slot in slots:
            slot.drop()

