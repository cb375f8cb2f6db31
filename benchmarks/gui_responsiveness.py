"""GUI responsiveness: submit and reconcile a 200k-row county while a 10 ms heartbeat runs.

Writes a statewide file and a county roster (same voters, ~0.5% of statewide rows missing so the
strategies have work), imports the statewide file, then runs the wizard's submit job (which
reconciles) on the GUI task runner. A 10 ms QTimer records the gap between its ticks; the longest
gap minus 10 ms is the longest event-loop stall. Target: under 50 ms.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/gui_responsiveness.py [--rows 200000] [--db URL]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import faulthandler
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package (and so its strategies/)

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from turnout_desktop.gui import jobs, wizard_jobs  # noqa: E402
from turnout_desktop.gui.process_worker import shutdown_child  # noqa: E402
from turnout_desktop.gui.task_runner import TaskRunner  # noqa: E402
from turnout_desktop.services.submission import import_statewide  # noqa: E402

ELECTION = dt.date(2026, 3, 3)
COUNTY = "HARRIS"
HEARTBEAT_MS = 10
TARGET_MS = 50.0
STALL_REPORT_MS = 30.0


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    """A statewide CSV and the county's roster CSV for ``rows`` voters."""
    rng = random.Random(7)
    methods = ("early-voting", "election-day", "mail-in")
    statewide = folder / "statewide_2026-03-03.csv"
    roster = folder / "harris_roster.csv"
    with statewide.open("w", newline="") as s_handle, roster.open("w", newline="") as r_handle:
        s_writer, r_writer = csv.writer(s_handle), csv.writer(r_handle)
        s_writer.writerow(["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        r_writer.writerow(["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        for number in range(rows):
            vuid = f"{1_000_000_000 + number}"
            party = "DEM" if number % 2 else "REP"
            method = methods[number % 3]
            precinct = str(100 + number % 700)
            day = (ELECTION - dt.timedelta(days=rng.randint(0, 12))).isoformat()
            r_writer.writerow([vuid, party, method, precinct, day])
            if rng.random() > 0.005:
                s_writer.writerow([vuid, COUNTY, party, method, precinct, day])
    return statewide, roster


class Heartbeat:
    """Records the longest gap between ticks of a 10 ms timer (the GUI's longest stall)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.longest_gap_ms = 0.0
        self.ticks = 0
        self.started = time.perf_counter()
        self.stalls: list[tuple[float, float, str]] = []  # (seconds since start, stall ms, progress text)
        self.context = lambda: ""

    def start(self) -> None:
        self.started = self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap_ms = (now - self.last) * 1000
        if gap_ms - HEARTBEAT_MS > STALL_REPORT_MS:
            self.stalls.append((now - self.started, gap_ms - HEARTBEAT_MS, self.context()))
        self.longest_gap_ms = max(self.longest_gap_ms, gap_ms)
        self.last = now
        self.ticks += 1

    @property
    def longest_stall_ms(self) -> float:
        return max(0.0, self.longest_gap_ms - HEARTBEAT_MS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--in-thread", action="store_true",
                        help="run the job on the worker thread instead of the child process (for comparison)")
    parser.add_argument("--max-seconds", type=float, default=0.0, help="cancel the work after this long")
    parser.add_argument("--dump-after", type=float, default=0.0,
                        help="print every thread's stack after this many seconds (diagnosing a slow run)")
    args = parser.parse_args()
    if args.dump_after:
        faulthandler.dump_traceback_later(args.dump_after, repeat=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="turnout-gui-bench-"))
    started = time.perf_counter()
    statewide, roster = write_files(folder, args.rows)
    print(f"files written in {time.perf_counter() - started:.1f} s")
    spec = jobs.ContextSpec(args.db or f"sqlite:///{folder / 'bench.db'}", user="bench", role="admin")
    ctx = jobs.open_worker_context(spec)
    started = time.perf_counter()
    import_statewide(ctx, [statewide], election=ELECTION)
    print(f"statewide import (not measured for stalls) {time.perf_counter() - started:.1f} s")

    window = QWidget()
    runner = TaskRunner(window, dialog_parent=window)
    heartbeat = Heartbeat()
    outcome: dict[str, object] = {}

    def finished(result: object) -> None:
        outcome["result"] = result
        app.quit()

    def failed(error: BaseException, trace: str) -> None:
        outcome["error"] = trace
        app.quit()

    runner.task_finished.connect(lambda _id: app.quit())  # also ends the run when a cancel was swallowed

    progress_events: list[float] = []
    progress_texts: list[str] = [""]
    heartbeat.context = lambda: progress_texts[-1]
    heartbeat.start()
    started = time.perf_counter()
    reporter = QTimer()
    reporter.setInterval(10_000)
    reporter.timeout.connect(lambda: print(
        f"  {time.perf_counter() - started:5.0f} s: progress {progress_events[-1] if progress_events else 0:.0%}, "
        f"longest stall so far {heartbeat.longest_stall_ms:.1f} ms", flush=True))
    reporter.start()
    handle = runner.start(wizard_jobs.submit, spec, [roster], election=ELECTION, county=COUNTY, party=None, method=None,
                 mapping=None, on_result=finished, on_error=failed,
                 on_progress=lambda f, t: (progress_events.append(f), progress_texts.append(t)),
                 title="Submitting and reconciling", heavy=not args.in_thread)
    if args.max_seconds:
        QTimer.singleShot(int(args.max_seconds * 1000), handle.cancel)
    app.exec()
    reporter.stop()
    elapsed = time.perf_counter() - started
    heartbeat.timer.stop()
    runner.shutdown()
    jobs.dispose_engines()
    shutdown_child()
    if "error" in outcome:
        print(outcome["error"])
        return 1
    if "result" not in outcome:
        print(f"cancelled after {elapsed:.1f} s; longest event-loop stall {heartbeat.longest_stall_ms:.1f} ms")
        return 2
    result = outcome["result"]
    statuses = [(r.party, r.status) for r in getattr(result, "reconcile", ())]
    print(f"submit + reconcile of {args.rows:,} rows: {elapsed:.1f} s; {len(progress_events)} progress updates; "
          f"results {statuses}")
    for at, stall, text in heartbeat.stalls:
        print(f"  stall {stall:6.1f} ms at {at:6.2f} s (last progress: {text!r})")
    print(f"heartbeat ticks {heartbeat.ticks}; longest event-loop stall {heartbeat.longest_stall_ms:.1f} ms "
          f"(target < {TARGET_MS:.0f} ms): {'OK' if heartbeat.longest_stall_ms < TARGET_MS else 'OVER TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
