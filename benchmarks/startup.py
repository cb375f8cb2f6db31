"""Benchmark start-up: wall time of ``turnout --help``, ``status`` and ``gate`` in a fresh process.

Each command runs ``--runs`` times (default 15) as ``python -m turnout_desktop.cli.main ...`` from this
repository; the median is printed against the 0.3 s target and against a floor measured by
the same run: ``python -c pass`` (the interpreter), ``python -c "import sqlalchemy"``, one ``SELECT``
from the same database through SQLAlchemy Core (the least any command that reads the database through
SQLAlchemy can do: the interpreter, SQLAlchemy, the dialect and its driver, a connection), that SELECT
after the CLI and the modules status needs besides its reads but without the ORM (the least status could
cost if it read through Core tables), and the ORM models (what status and gate load to read today).
``status`` and ``gate`` read a small database built first (one county's roster and the statewide roster
for it, reconciled): a SQLite file, or with ``--pg-url`` the given PostgreSQL database, whose ``public``
schema is WIPED and set up as ``turnout admin setup`` does.

Usage: python benchmarks/startup.py [--runs 15] [--pg-url postgresql://user@host/empty_db]
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


def build_database(folder: Path, pg_url: str | None = None) -> str:
    """A migrated database (a SQLite file in ``folder``, else ``pg_url`` after wiping its ``public`` schema)
    with a statewide roster and one reconciled county upload (Loving, DEM)."""
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
    url = pg_url or f"sqlite:///{folder / 'startup.db'}"
    if pg_url:
        wipe_and_set_up(pg_url)
    ctx = open_context(url)
    try:
        import_statewide(ctx, [statewide], election=ELECTION)
        submit_files(ctx, [roster], election=ELECTION, county="LOVING")
    finally:
        ctx.engine.dispose()
    return url


def wipe_and_set_up(pg_url: str) -> None:
    """An empty ``public`` schema, then groups, migrations and privileges (``turnout admin setup``)."""
    from sqlalchemy import create_engine, text

    from turnout_desktop.db.pg_security import setup_database
    from turnout_desktop.db.session import make_engine, normalize_url

    owner = create_engine(normalize_url(pg_url), isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    owner.dispose()
    engine = make_engine(pg_url)
    setup_database(engine)
    engine.dispose()


# Reads one row of the database named by argv[1] through SQLAlchemy Core, nothing of this package.
CORE_SELECT = ("import sys, sqlalchemy\n"
               "engine = sqlalchemy.create_engine(sys.argv[1])\n"
               "with engine.connect() as connection:\n"
               "    connection.execute(sqlalchemy.text('SELECT count(*) FROM county_turnout_reference')).scalar()\n")

# The same SELECT after loading what status needs besides its reads: the CLI with every command registered,
# the domain's gate and labels, the result records. No ORM: what status could cost if it read through
# SQLAlchemy Core tables instead of the ORM models (it asserts that the ORM stayed out).
CORE_STATUS_LOWER_BOUND = (
    "import sys\n"
    "import turnout_desktop.cli.main, turnout_desktop.cli.common, turnout_desktop.domain.display\n"
    "import turnout_desktop.services.reconciliation_results, turnout_desktop.engine.results\n"
    + CORE_SELECT
    + "assert 'sqlalchemy.orm' not in sys.modules and 'turnout_desktop.db.models' not in sys.modules\n")


def median_wall_times(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median seconds from spawn to exit of each command, after one untimed warm-up run of each (it fills
    the bytecode cache). The runs are interleaved, one of each command per round, so that other work on
    the machine slows floors and commands alike; a failing command stops the benchmark with its stderr."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_no in range(runs + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
            if round_no:
                times[name].append(time.perf_counter() - start)
            if result.returncode != 0:
                raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def main() -> None:
    from turnout_desktop.db.session import normalize_url

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (the median is reported)")
    parser.add_argument("--pg-url", help="time status and gate on this PostgreSQL database instead of a SQLite "
                                         "file; its public schema is WIPED")
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
        url = build_database(Path(folder), args.pg_url)
        election = ELECTION.isoformat()
        floors = {
            "python -c pass": [*python, "-c", "pass"],
            'python -c "import sqlalchemy"': [*python, "-c", "import sqlalchemy"],
            # What any command that reads this database through SQLAlchemy cannot go below.
            "one SELECT through Core": [*python, "-c", CORE_SELECT, normalize_url(url)],
            "status's modules, Core, no ORM": [*python, "-c", CORE_STATUS_LOWER_BOUND, normalize_url(url)],
            # What status and gate cannot skip while they read through the ORM: its models.
            "import db.models (the ORM)": [*python, "-c", "import turnout_desktop.db.models"],
        }
        commands = {
            "turnout --help": [*turnout, "--help"],
            "turnout status --json": [*turnout, "--db", url, "status", "--election", election, "--json"],
            "turnout gate --json": [*turnout, "--db", url, "gate", "--election", election, "--county", "Loving",
                                    "--party", "DEM", "--json"],
        }
        medians = median_wall_times({**floors, **commands}, args.runs, env)
        floor = {name: medians[name] for name in floors}
        measured = {name: medians[name] for name in commands}
    core_floor, no_orm = floor["one SELECT through Core"], floor["status's modules, Core, no ORM"]
    backend = "PostgreSQL" if args.pg_url else "SQLite"
    print(f"{backend}, median of {args.runs} runs, seconds (target <= {TARGET_S} s)")
    for name, seconds in floor.items():
        print(f"  floor  {name:<30} {seconds:6.3f}")
    for name, seconds in measured.items():
        verdict = "ok" if seconds <= TARGET_S else "over target"
        print(f"  {name:<37} {seconds:6.3f}  {seconds / TARGET_S:4.2f}x target  "
              f"{seconds / core_floor:4.2f}x Core SELECT floor  {seconds / no_orm:4.2f}x no-ORM bound  {verdict}")


if __name__ == "__main__":
    main()
