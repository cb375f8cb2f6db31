"""Benchmark the reconciliation engine on a primary-sized election.

Generates N statewide records over the 254 counties (numpy), writes them to a parquet file, bulk
loads them (SQLite: executemany in one transaction; PostgreSQL: COPY) together with a county
roster and official counts for every county, then times:

- the bare SQL GROUP BY (county, party, method) and the plain pandas GROUP BY of the same file;
- a full clean reconcile of every county (service ``reconcile``);
- a per-county re-check after one county's upload;
- a full reconcile after 1% of the records went missing (strategies on: fill_gaps repairs them).

``--one-county``: instead, all N records in one county (a big county's upload on election night): the
county's clean re-check, then its re-check after 1% of its records went missing.

Usage: python benchmarks/reconcile.py --backend sqlite|postgresql --records 300000 [--pg-url URL] [--one-county]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package (and so its strategies/)

from turnout_desktop.db.migrate import upgrade_to_head  # noqa: E402
from turnout_desktop.db.session import make_engine, normalize_url  # noqa: E402
from turnout_desktop.domain.counties import all_counties  # noqa: E402
from turnout_desktop.domain.scope import Scope  # noqa: E402
from turnout_desktop.domain.status import Trigger  # noqa: E402
from turnout_desktop.engine.repository import active_counts  # noqa: E402
from turnout_desktop.services import reconciliation  # noqa: E402
from turnout_desktop.services.context import AppContext  # noqa: E402

ELECTION = dt.date(2026, 3, 3)
METHODS = np.array(["early-voting", "election-day", "mail-in"])
PARTIES = np.array(["DEM", "REP"])
RECORD_COLUMNS = ("election_date", "vuid", "county", "party", "voting_method", "precinct", "vote_date", "source",
                  "verification", "county_fallback", "created_at")


def generate(records: int, seed: int = 7) -> pd.DataFrame:
    """Records with unique VUIDs, counties weighted like a real state (a few big, many tiny)."""
    rng = np.random.default_rng(seed)
    names = np.array([c.sos_name for c in all_counties()])
    weights = rng.lognormal(0, 1.6, len(names))
    weights /= weights.sum()
    county_index = rng.choice(len(names), size=records, p=weights)
    county_index[: len(names)] = np.arange(len(names))  # every county has at least one voter
    vuids = (1_000_000_000 + rng.permutation(records)).astype(str)
    return pd.DataFrame({
        "vuid": vuids, "county": names[county_index], "party": PARTIES[rng.integers(0, 2, records)],
        "voting_method": METHODS[rng.integers(0, 3, records)],
        "precinct": np.char.zfill(rng.integers(1, 400, records).astype(str), 4),
    })


def _timed(label: str, work: Callable[[], Any], results: dict[str, float]) -> Any:
    start = time.perf_counter()
    value = work()
    results[label] = time.perf_counter() - start
    print(f"{label:<42} {results[label]:8.3f} s", flush=True)
    return value


# What a real roster upload keeps on its submission row (store/roster_store.py): every row is dated 2026-02-24.
LATEST_VOTE_DATES = json.dumps({party: "2026-02-24" for party in PARTIES})


def _record_rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    now = dt.datetime(2026, 3, 3, 12).isoformat(sep=" ")
    for vuid, county, party, method, precinct in zip(frame["vuid"].tolist(), frame["county"].tolist(),
                                                     frame["party"].tolist(), frame["voting_method"].tolist(),
                                                     frame["precinct"].tolist(), strict=True):
        yield (ELECTION.isoformat(), vuid, county, party, method, precinct, "2026-02-24", "statewide", "verified",
               False, now)


def _roster_rows(frame: pd.DataFrame, submission_ids: dict[str, int], file_ids: dict[str, int]
                 ) -> Iterator[tuple[Any, ...]]:
    for row_no, (vuid, county, party, method, precinct) in enumerate(zip(
            frame["vuid"].tolist(), frame["county"].tolist(), frame["party"].tolist(),
            frame["voting_method"].tolist(), frame["precinct"].tolist(), strict=True)):
        yield (submission_ids[county], file_ids[county], "", row_no + 2, ELECTION.isoformat(), county, party, method,
               vuid, vuid, precinct, "2026-02-24")


ROSTER_COLUMNS = ("submission_id", "source_file_id", "sheet", "row_no", "election_date", "county", "party",
                  "voting_method", "vuid", "vuid_raw", "precinct", "vote_date")


def _bulk_insert(engine: Engine, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    """executemany in one transaction on SQLite; COPY on PostgreSQL."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.execute("BEGIN")
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608
            cursor.execute("COMMIT")
        raw.commit()
    finally:
        raw.close()


def load(engine: Engine, frame: pd.DataFrame) -> None:
    """Records, one roster submission per county, and official counts (per method + TOTAL) for all."""
    _bulk_insert(engine, "turnout_record", RECORD_COLUMNS, _record_rows(frame))
    counties = sorted(frame["county"].unique().tolist())
    submission_ids: dict[str, int] = {}
    file_ids: dict[str, int] = {}
    now = dt.datetime(2026, 3, 3, 13)
    with engine.begin() as connection:
        for county in counties:
            file_ids[county] = connection.execute(text(
                "INSERT INTO source_file (kind, name, sha256, size_bytes, election_date, rows, uploaded_at, status) "
                "VALUES ('county_roster', :name, :sha, 1, :election, 0, :now, 'complete') RETURNING id"),
                {"name": f"{county}.csv", "sha": uuid.uuid4().hex * 2, "election": ELECTION, "now": now}).scalar()
            submission_ids[county] = connection.execute(text(
                "INSERT INTO submission (uuid, county, election_date, kind, submitted_by, submitted_at, "
                "latest_vote_dates) VALUES (:uuid, :county, :election, 'roster', 'bench', :now, :dates) RETURNING id"),
                {"uuid": str(uuid.uuid4()), "county": county, "election": ELECTION, "now": now,
                 "dates": LATEST_VOTE_DATES}).scalar()
        counts = frame.groupby(["county", "party", "voting_method"]).size()
        reference = []
        for (county, party, method), count in counts.items():
            reference.append({"county": county, "party": party, "method": method, "count": int(count)})
        totals = frame.groupby(["county", "party"]).size()
        for (county, party), count in totals.items():
            reference.append({"county": county, "party": party, "method": "TOTAL", "count": int(count)})
        connection.execute(text(
            "INSERT INTO county_turnout_reference (county, election_date, party, voting_method, official_count, "
            "uploaded_at, verified) VALUES (:county, :election, :party, :method, :count, :now, false)"),
            [{**row, "election": ELECTION, "now": now} for row in reference])
    _bulk_insert(engine, "county_roster_row", ROSTER_COLUMNS, _roster_rows(frame, submission_ids, file_ids))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def _database(backend: str, pg_url: str | None, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}"
    if not pg_url:
        raise SystemExit("--pg-url (or TURNOUT_BENCH_PG_URL) is needed for postgresql")
    admin = create_engine(normalize_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    admin.dispose()
    return normalize_url(pg_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--records", type=int, default=3_000_000)
    parser.add_argument("--pg-url", default=os.environ.get("TURNOUT_BENCH_PG_URL"))
    parser.add_argument("--faults", type=float, default=0.01, help="fraction of records removed (0: skip that run)")
    parser.add_argument("--one-county", action="store_true", help="all records in one county (HARRIS)")
    args = parser.parse_args(argv)
    if args.one_county:
        return _one_county(args)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        folder = Path(tmp)
        frame = generate(args.records)
        parquet = folder / "statewide.parquet"
        frame.to_parquet(parquet)
        engine = make_engine(_database(args.backend, args.pg_url, folder))
        upgrade_to_head(engine)
        print(f"{args.backend}: {args.records:,} records, {frame['county'].nunique()} counties")
        _timed("bulk load (records + rosters + counts)", lambda: load(engine, frame), results)
        ctx = AppContext(engine=engine, user="bench")

        def bare_group_by() -> None:
            with engine.connect() as connection:
                from sqlalchemy.orm import Session

                with Session(bind=connection) as session:
                    active_counts(session, ELECTION)

        _timed("bare SQL GROUP BY", bare_group_by, results)
        _timed("pandas read parquet + GROUP BY", lambda: pd.read_parquet(parquet).groupby(
            ["county", "party", "voting_method"]).size(), results)
        loaded = pd.read_parquet(parquet)
        _timed("pandas GROUP BY (in memory)", lambda: loaded.groupby(["county", "party", "voting_method"]).size(),
               results)
        clean = _timed("full clean reconcile (all counties)", lambda: reconciliation.reconcile(ctx, Scope(ELECTION)),
                       results)
        assert all(r.status == "RESOLVED" for r in clean), "clean data must resolve"
        biggest = frame["county"].value_counts().index[0]
        _timed(f"per-county re-check ({biggest})", lambda: reconciliation.reconcile(
            ctx, Scope(ELECTION, county=biggest), trigger=Trigger.COUNTY_UPLOAD), results)
        if args.faults > 0:
            _fault_run(engine, ctx, frame, args.faults, results)
        engine.dispose()
    bare = results["bare SQL GROUP BY"]
    print(f"clean reconcile / bare SQL GROUP BY:      {results['full clean reconcile (all counties)'] / bare:6.2f}x")
    print(f"clean reconcile / pandas read + GROUP BY: "
          f"{results['full clean reconcile (all counties)'] / results['pandas read parquet + GROUP BY']:6.2f}x")
    if FAULT_LABEL in results:
        print(f"faulty run / clean:                        "
              f"{results[FAULT_LABEL] / results['full clean reconcile (all counties)']:6.2f}x")
    return 0


FAULT_LABEL = "reconcile with faults (fill_gaps)"


def _fault_run(engine: Engine, ctx: AppContext, frame: pd.DataFrame, fraction: float,
               results: dict[str, float]) -> None:
    """Remove ``fraction`` of the records, reconcile everything, check that fill_gaps recorded each insert."""
    sample = frame.sample(frac=fraction, random_state=3)
    faulty = sample["vuid"].tolist()
    with engine.begin() as connection:
        # election_date too: the VUID index is (election_date, vuid, removed_at); by VUID alone each
        # UPDATE scanned the whole table (the old 1% run spent most of its time here, not in fill_gaps).
        connection.execute(
            text("UPDATE turnout_record SET removed_at = :now WHERE election_date = :election AND vuid = :vuid"),
            [{"now": dt.datetime(2026, 3, 4), "election": ELECTION, "vuid": v} for v in faulty])
    print(f"  removed {len(faulty):,} records ({fraction:.1%}) in "
          f"{sample['county'].nunique()} counties")
    fixed = _timed(FAULT_LABEL, lambda: reconciliation.reconcile(ctx, Scope(ELECTION)), results)
    statuses = pd.Series([r.status for r in fixed]).value_counts().to_dict()
    with engine.connect() as connection:
        inserted = connection.execute(text("SELECT COUNT(*) FROM turnout_record WHERE source = 'county'")).scalar()
        actions = connection.execute(text("SELECT COUNT(*) FROM fix_action WHERE action = 'insert'")).scalar()
    print(f"  statuses after the faulty run: {statuses}; county records inserted {inserted:,}, "
          f"insert fix_actions {actions:,}")


ONE_COUNTY = "HARRIS"


def _one_county(args: argparse.Namespace) -> int:
    """One county holding every record: its clean re-check, then its re-check with 1% missing."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        frame = generate(args.records)
        frame["county"] = ONE_COUNTY
        engine = make_engine(_database(args.backend, args.pg_url, Path(tmp)))
        upgrade_to_head(engine)
        print(f"{args.backend}: {args.records:,} records, all in {ONE_COUNTY}")
        _timed("bulk load (records + roster + counts)", lambda: load(engine, frame), results)
        ctx = AppContext(engine=engine, user="bench")
        clean = _timed("clean re-check of the county", lambda: reconciliation.reconcile(
            ctx, Scope(ELECTION, county=ONE_COUNTY), trigger=Trigger.COUNTY_UPLOAD), results)
        assert all(r.status == "RESOLVED" for r in clean), "clean data must resolve"
        faulty = frame.sample(frac=args.faults, random_state=3)["vuid"].tolist()
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE turnout_record SET removed_at = :now WHERE election_date = :election AND vuid = :vuid"),
                [{"now": dt.datetime(2026, 3, 4), "election": ELECTION, "vuid": v} for v in faulty])
        print(f"  removed {len(faulty):,} records ({args.faults:.1%})")
        fixed = _timed("re-check with faults (fill_gaps)", lambda: reconciliation.reconcile(
            ctx, Scope(ELECTION, county=ONE_COUNTY), trigger=Trigger.COUNTY_UPLOAD), results)
        print(f"  statuses: {pd.Series([r.status for r in fixed]).value_counts().to_dict()}")
        engine.dispose()
    print(f"faulty re-check / clean re-check:          "
          f"{results['re-check with faults (fill_gaps)'] / results['clean re-check of the county']:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
