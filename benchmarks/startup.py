"""Benchmark start-up: wall time of ``turnout --help``, ``status`` and ``gate`` in a fresh process.

Each command runs ``--runs`` times (default 15) as ``python -m turnout_desktop.cli.main ...`` from this
repository; the median is printed against the 0.3 s target (issue 11) and against a floor measured by
the same run: ``python -c pass`` (the interpreter), ``python -c "import sqlalchemy"`` (the least any
command that opens a database must load) and the ORM models (what status and gate load to read).
``status`` and ``gate`` read a small SQLite database built first (one county's roster and the statewide
roster for it, reconciled).

Usage: python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_S = 0.3
ELECTION = dt.date(2026, 3, 3)


def build_database(folder: Path) -> str:
    """A migrated SQLite file with a statewide roster and one reconciled county upload (Loving, DEM)."""
    from turnout_desktop.services.context import open_context
    from turnout_desktop.services.submission import import_statewide, submit_files

    vuids = [f"{1_100_000_000 + n}" for n in range(50)]
    statewide, roster = folder / "statewide.csv", folder / "loving.csv"
    with statewide.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        writer.writerows([v, "LOVING", "DEM", "early-voting", "0001", "2026-02-20"] for v in vuids)
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        writer.writerows([v, "DEM", "early-voting", "0001", "2026-02-20"] for v in vuids)
    url = f"sqlite:///{folder / 'startup.db'}"
    ctx = open_context(url)
    try:
        import_statewide(ctx, [statewide], election=ELECTION)
        submit_files(ctx, [roster], election=ELECTION, county="LOVING")
    finally:
        ctx.engine.dispose()
    return url


def median_wall_time(command: list[str], runs: int, env: dict[str, str]) -> float:
    """Median seconds from spawn to exit after one untimed warm-up run (it fills the bytecode cache);
    a failing command stops the benchmark with its stderr."""
    times = []
    subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (the median is reported)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("TURNOUT_DB_URL", None)
    # An installed app runs from compiled bytecode, as the floors' libraries do: without it every run
    # compiles the whole package again (about 0.15 s on 2 busy cores, measured). The caches go to a
    # temporary folder, not into the repository; the first run of each command fills them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = [sys.executable]
    turnout = [*python, "-m", "turnout_desktop.cli.main"]
    with tempfile.TemporaryDirectory(prefix="turnout-startup-") as folder:
        env["TURNOUT_DATA_DIR"] = folder  # never the user's own data folder
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        url = build_database(Path(folder))
        election = ELECTION.isoformat()
        floors = {
            "python -c pass": [*python, "-c", "pass"],
            'python -c "import sqlalchemy"': [*python, "-c", "import sqlalchemy"],
            # What status and gate cannot skip while they read through the ORM: its models.
            "import db.models (the ORM)": [*python, "-c", "import turnout_desktop.db.models"],
        }
        commands = {
            "turnout --help": [*turnout, "--help"],
            "turnout status --json": [*turnout, "--db", url, "status", "--election", election, "--json"],
            "turnout gate --json": [*turnout, "--db", url, "gate", "--election", election, "--county", "Loving",
                                    "--party", "DEM", "--json"],
        }
        floor = {name: median_wall_time(command, args.runs, env) for name, command in floors.items()}
        measured = {name: median_wall_time(command, args.runs, env) for name, command in commands.items()}
    sqlalchemy_floor = floor['python -c "import sqlalchemy"']
    print(f"median of {args.runs} runs, seconds (target <= {TARGET_S} s)")
    for name, seconds in floor.items():
        print(f"  floor  {name:<30} {seconds:6.3f}")
    for name, seconds in measured.items():
        verdict = "ok" if seconds <= TARGET_S else "over target"
        print(f"  {name:<37} {seconds:6.3f}  {seconds / TARGET_S:4.2f}x target  "
              f"{seconds / sqlalchemy_floor:4.2f}x sqlalchemy floor  {verdict}")


if __name__ == "__main__":
    main()
