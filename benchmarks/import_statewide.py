"""Benchmark: ``turnout import-statewide`` of a big statewide roster against the floors the same run measures.

Generates an N-row statewide csv shaped like the Civix statewide roster (``COUNTY, VOTER_NAME, ID_VOTER,
VOTING_METHOD, PRECINCT``, names quoted with their comma, ``IN-PERSON``/``MAIL-IN``, counties weighted like
Texas; docs/data-formats.md 2.2), then times, each in its own process so peak memory is its own:

- ``read``: a bare ``pyarrow.csv`` read of the file (every column as text);
- ``floor``: the least any durable import must do: that read plus an insert of the same columns into a
  plain table (no index) in one transaction (SQLite: executemany, WAL, synchronous=FULL as the app runs;
  PostgreSQL: COPY);
- ``import``: the service behind ``turnout import-statewide`` into a fresh, migrated database;
- ``reimport``: strategy A's case: the same roster with a few rows changed and a few voters added, imported
  into a database that already holds the original (only the second import is timed).

Targets: import <= 1.5x floor and <= 4 s at 1M rows (<= 12 s at 3M); a re-import of a
file a few rows apart costs what its new rows cost (about a read, not a reload).

    python benchmarks/import_statewide.py --rows 1000000 [--backend postgresql --pg-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ELECTION = "2026-03-03"
HEADER = "COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT"
CHANGED_ROWS = 100  # rows of the re-imported file whose voter differs from the stored file's
ADDED_ROWS = 100  # voters only the re-imported file has


def generate(path: Path, rows: int, *, changed: bool = False) -> None:
    """The roster csv; ``changed`` gives the strategy-A variant (a few voters replaced, a few added)."""
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from turnout_desktop.domain.counties import all_counties

    rng = np.random.default_rng(11)
    names = np.array([county.sos_name for county in all_counties()])
    weights = rng.lognormal(0, 1.6, len(names))
    county_index = rng.choice(len(names), size=rows, p=weights / weights.sum())
    county_index[: min(rows, len(names))] = np.arange(min(rows, len(names)))
    order = np.argsort(county_index, kind="stable")  # SOS files list voters county by county
    vuids = (1_000_000_000 + rng.permutation(rows))[order].astype(str)
    counties = names[county_index[order]]
    methods = np.where(rng.random(rows) < 0.85, "IN-PERSON", "MAIL-IN")
    precincts = np.char.zfill(rng.integers(1, 400, rows).astype(str), 4)
    if changed:
        picked = rng.choice(rows, size=min(CHANGED_ROWS, rows), replace=False)
        vuids[picked] = (2_000_000_000 + np.arange(len(picked))).astype(str)
    lines = [f'{c},"LAST{i % 9973}, FIRST{i % 7919}",{v},{m},{p}\n'
             for i, (c, v, m, p) in enumerate(zip(counties.tolist(), vuids.tolist(), methods.tolist(),
                                                   precincts.tolist(), strict=True))]
    if changed:
        lines += [f'LOVING,"NEW, VOTER",{3_000_000_000 + i},MAIL-IN,0001\n' for i in range(ADDED_ROWS)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        handle.writelines(lines)


CHILD = r"""
import datetime as dt, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[5])
kind, path, db, setup_path = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
election = dt.date.fromisoformat(sys.argv[6])
import pyarrow as pa
import pyarrow.csv as pacsv


def read():
    names = ["county", "voter_name", "vuid", "voting_method", "precinct"]
    return pacsv.read_csv(str(path), read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
                          convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}))


def fresh_database():
    from sqlalchemy import create_engine, text
    from turnout_desktop.db.session import make_engine, normalize_url
    if db.startswith("postgresql"):
        owner = create_engine(normalize_url(db), isolation_level="AUTOCOMMIT")
        with owner.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        owner.dispose()
    if kind == "floor":
        return
    from turnout_desktop.db.migrate import upgrade_to_head
    from turnout_desktop.db.pg_security import setup_database
    engine = make_engine(db)
    (setup_database if db.startswith("postgresql") else upgrade_to_head)(engine)
    engine.dispose()


fresh_database()
if kind in ("import", "reimport"):
    from turnout_desktop.services.context import open_context
    from turnout_desktop.services.submission import import_statewide
    ctx = open_context(db, user=None if db.startswith("postgresql") else "bench")
    if kind == "reimport":
        import_statewide(ctx, [Path(setup_path)], election=election)
start = time.perf_counter()
if kind == "read":
    rows = read().num_rows
elif kind == "floor":
    table = read()
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = table.num_rows
    if db.startswith("sqlite"):
        import sqlite3
        connection = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE plain (county TEXT, voter_name TEXT, vuid TEXT, voting_method TEXT, "
                           "precinct TEXT)")
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany("INSERT INTO plain VALUES (?, ?, ?, ?, ?)", zip(*columns, strict=True))
        connection.execute("COMMIT")
    else:
        import psycopg
        with psycopg.connect(db.replace("postgresql+psycopg://", "postgresql://")) as connection:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE plain (county TEXT, voter_name TEXT, vuid TEXT, voting_method TEXT, "
                               "precinct TEXT)")
                with cursor.copy("COPY plain FROM STDIN") as copy:
                    for row in zip(*columns, strict=True):
                        copy.write_row(row)
else:
    result = import_statewide(ctx, [path], election=election)
    rows = result.rows_read
    print(json.dumps({"inserted": result.inserted}), file=sys.stderr)
elapsed = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child would report its parent's peak.
peak_mb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": elapsed, "rows": rows, "peak_mb": peak_mb}))
"""


def measure(kind: str, path: Path, db: str, original: Path) -> dict[str, float]:
    process = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), db, str(original),
                              str(Path(__file__).resolve().parents[1]), ELECTION], capture_output=True, text=True)
    if process.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{process.stderr[-3000:]}")
    outcome = json.loads(process.stdout.strip().splitlines()[-1])
    extra = [line for line in process.stderr.splitlines() if line.startswith("{")]
    if extra:
        outcome.update(json.loads(extra[-1]))
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("TURNOUT_BENCH_PG_URL"),
                        help="an owner URL of a database this benchmark may wipe (its public schema)")
    parser.add_argument("--only", nargs="+", choices=["read", "floor", "import", "reimport"],
                        default=["read", "floor", "import", "reimport"])
    args = parser.parse_args()
    if args.backend == "postgresql" and not args.pg_url:
        raise SystemExit("--pg-url (or TURNOUT_BENCH_PG_URL) is needed for postgresql")
    with tempfile.TemporaryDirectory(prefix="bench-statewide-") as tmp:
        folder = Path(tmp)
        original = folder / f"EVR_STATEWIDE_{ELECTION}.csv"
        changed = folder / "refetched" / original.name
        changed.parent.mkdir()
        started = time.perf_counter()
        generate(original, args.rows)
        generate(changed, args.rows, changed=True)
        print(f"{args.backend}: generated {args.rows:,} rows ({original.stat().st_size / 2**20:.0f} MB) "
              f"in {time.perf_counter() - started:.1f} s")
        results = {}
        for kind in args.only:
            path = changed if kind == "reimport" else original
            db = f"sqlite:///{folder / (kind + '.db')}" if args.backend == "sqlite" else args.pg_url
            results[kind] = r = measure(kind, path, db, original)
            added = f"  inserted {int(r['inserted']):>9,}" if "inserted" in r else ""
            print(f"{kind:9} {r['seconds']:7.2f} s  rows {int(r['rows']):>9,}  peak {r['peak_mb']:6.0f} MB{added}")
        if {"import", "floor", "read"} <= results.keys():
            floor, read = results["floor"]["seconds"], results["read"]["seconds"]
            print(f"import / floor      = {results['import']['seconds'] / floor:.2f}x (target <= 1.5x)")
            print(f"import / bare read  = {results['import']['seconds'] / read:.2f}x; floor / bare read = "
                  f"{floor / read:.2f}x")
        if {"reimport", "import"} <= results.keys():
            print(f"reimport / import   = {results['reimport']['seconds'] / results['import']['seconds']:.2f}x "
                  f"({CHANGED_ROWS + ADDED_ROWS} new voters; the rest already stored)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
