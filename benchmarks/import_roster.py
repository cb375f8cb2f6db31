"""Benchmark: pre-check and submit of a large county roster vs the bare readers.

Generates an N-row roster (default 1,000,000) as xlsx and csv, then times, each in its own
process so peak memory is its own: our pre-check, our submit into a fresh SQLite database, a plain
``fastexcel`` read of the xlsx and a plain ``pyarrow.csv`` read of the csv, and two floors:

- ``floor``: the durable floor: the bare read, the file's bytes and the same per-voter
  columns the submit keeps (row number, VUID, raw VUID, precinct, party, method) inserted into a plain
  table (no index) in one transaction (executemany, WAL, synchronous=FULL as the app runs), as
  ``import_statewide.py`` measures its floor;
- ``narrow floor``: the read, the bytes and one integer row per voter only: what a narrow VUID table
  with the details kept per submission as one columnar blob (an alternative storage design) could approach.

Targets: submit of the xlsx <= 2x the fastexcel read, submit of the csv <= 1.5x
its floor, peak memory under 1.5 GB. ``--folder`` keeps the generated files for the next run.

    python benchmarks/import_roster.py --rows 1000000 [--folder /tmp/roster-bench] [--only xlsx|csv]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ELECTION = "2026-03-03"
HEADER = ["VUID", "Last Name", "First Name", "PCT", "Party Ballot", "Vote Type"]


def generate(folder: Path, rows: int) -> tuple[Path, Path]:
    import xlsxwriter

    rng = random.Random(1)
    csv_path = folder / "travis_roster_ev.csv"
    xlsx_path = folder / "travis_roster_ev.xlsx"
    methods = ["E", "E", "E", "A", "Y"]
    data = [(f"1{i:09d}", f"LAST{i % 9973}", f"FIRST{i % 7919}", f"{rng.randint(1, 999):04d}",
             rng.choice(["DEM", "REP"]), methods[i % 5]) for i in range(rows)]
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADER) + "\n")
        handle.writelines(",".join(row) + "\n" for row in data)
    workbook = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Roster")
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(data, start=1):
        sheet.write_row(index, 0, row)
    workbook.close()
    return xlsx_path, csv_path


CHILD = r"""
import json, resource, sys, time, datetime as dt
from pathlib import Path
kind, path, db = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
start = time.perf_counter()
if kind == "fastexcel":
    import fastexcel
    reader = fastexcel.read_excel(str(path))
    table = reader.load_sheet(0).to_arrow()
    rows = table.num_rows
elif kind == "pyarrow":
    import pyarrow.csv as pacsv
    rows = pacsv.read_csv(str(path)).num_rows
elif kind == "floor":
    # The bare read, the file's bytes and the columns the submit keeps of each voter, one transaction.
    import sqlite3
    if path.suffix == ".csv":
        import pyarrow.csv as pacsv
        table = pacsv.read_csv(str(path), convert_options=pacsv.ConvertOptions(
            column_types={name: "string" for name in ("VUID", "PCT", "Party Ballot", "Vote Type")}))
    else:
        import fastexcel
        table = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string").to_arrow()
    vuids = table.column("VUID").to_pylist()
    columns = [list(range(2, table.num_rows + 2)), vuids, vuids, table.column("PCT").to_pylist(),
               table.column("Party Ballot").to_pylist(), table.column("Vote Type").to_pylist()]
    connection = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE source (content BLOB)")
    connection.execute("CREATE TABLE roster (row_no INTEGER, vuid TEXT, vuid_raw TEXT, precinct TEXT, party TEXT, "
                       "voting_method TEXT)")
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO source VALUES (?)", (path.read_bytes(),))
    connection.executemany("INSERT INTO roster VALUES (?, ?, ?, ?, ?, ?)", zip(*columns, strict=True))
    connection.execute("COMMIT")
    rows = table.num_rows
elif kind == "narrow":
    # The least a durable submit can do at all: read the file (pyarrow, all cores), keep the file bytes and
    # one narrow row per voter (submission, VUID as an integer) in one SQLite transaction, WAL and
    # synchronous=FULL as the app runs. Everything else (checks, counts, the other columns) comes on top.
    import json as _json, sqlite3
    import pyarrow.compute as pc
    if path.suffix == ".csv":
        import pyarrow.csv as pacsv
        table = pacsv.read_csv(str(path), convert_options=pacsv.ConvertOptions(column_types={"VUID": "string"}))
    else:
        import fastexcel
        table = fastexcel.read_excel(str(path)).load_sheet(0, dtypes={"VUID": "string"}).to_arrow()
    vuids = pc.cast(table.column("VUID"), "int64").to_pylist()
    connection = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE source (content BLOB)")
    connection.execute("CREATE TABLE roster (submission INTEGER, vuid INTEGER, PRIMARY KEY (vuid, submission)) "
                       "WITHOUT ROWID")
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO source VALUES (?)", (path.read_bytes(),))
    connection.execute("INSERT INTO roster SELECT 1, value FROM json_each(?) ORDER BY value", (_json.dumps(vuids),))
    connection.execute("COMMIT")
    rows = len(vuids)
elif kind == "precheck":
    from turnout_desktop.services.precheck import precheck_upload
    report = precheck_upload([path], county="TRAVIS", election=dt.date(2026, 3, 3)).report
    rows = report.rows
else:
    from turnout_desktop.services.context import open_context
    from turnout_desktop.services.submission import submit_files
    ctx = open_context(db, user="bench")
    start = time.perf_counter()  # schema creation is not part of the submit
    result = submit_files(ctx, [path], election=dt.date(2026, 3, 3), county="TRAVIS", reconcile=False)
    rows = result.rows
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "rows": rows, "peak_mb": peak_mb}))
"""


def measure(kind: str, path: Path, db: str) -> dict[str, float]:
    output = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), db], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, help="keep the generated files here and reuse them next time")
    parser.add_argument("--only", choices=["xlsx", "csv"], help="measure one format only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        xlsx, csv_path = folder / "travis_roster_ev.xlsx", folder / "travis_roster_ev.csv"
        stamp = folder / "rows.txt"
        if not (args.folder and stamp.exists() and stamp.read_text() == str(args.rows)):
            xlsx, csv_path = generate(folder, args.rows)
            stamp.write_text(str(args.rows))
            print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        databases = Path(tmp)
        plan = [("fastexcel read xlsx", "fastexcel", xlsx), ("precheck xlsx", "precheck", xlsx),
                ("submit xlsx", "submit", xlsx), ("floor xlsx", "floor", xlsx), ("narrow floor xlsx", "narrow", xlsx),
                ("pyarrow read csv", "pyarrow", csv_path), ("precheck csv", "precheck", csv_path),
                ("submit csv", "submit", csv_path), ("floor csv", "floor", csv_path),
                ("narrow floor csv", "narrow", csv_path)]
        results = {}
        for label, kind, path in plan:
            if args.only and not label.endswith(args.only):
                continue
            db = f"sqlite:///{databases / (kind + '_' + path.suffix[1:] + '.db')}"
            results[label] = measure(kind, path, db)
            r = results[label]
            print(f"{label:22} {r['seconds']:7.2f} s  rows {r['rows']:>9,}  peak {r['peak_mb']:7.0f} MB")
        if "submit xlsx" in results:
            read, floor = results["fastexcel read xlsx"]["seconds"], results["floor xlsx"]["seconds"]
            submit, narrow = results["submit xlsx"]["seconds"], results["narrow floor xlsx"]["seconds"]
            print(f"submit xlsx / fastexcel read = {submit / read:.2f}x (target <= 2x); "
                  f"/ floor = {submit / floor:.2f}x; narrow floor / read = {narrow / read:.2f}x")
            print(f"peak memory of submit xlsx   = {results['submit xlsx']['peak_mb']:.0f} MB (target < 1500 MB)")
        if "submit csv" in results:
            read, floor = results["pyarrow read csv"]["seconds"], results["floor csv"]["seconds"]
            submit, narrow = results["submit csv"]["seconds"], results["narrow floor csv"]["seconds"]
            print(f"submit csv / floor = {submit / floor:.2f}x (target <= 1.5x); "
                  f"/ pyarrow read = {submit / read:.2f}x; / narrow floor = {submit / narrow:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
