"""Benchmark ``audit verify``: walk N audit events (default 1,000,000) against their anchors.

Builds a chain of N events with the app's own hash (varied event types, counties, details), loads it
with COPY (PostgreSQL) or executemany (SQLite) together with its anchors, then times the same
``audit_chain.verify`` that ``turnout audit verify`` runs. Target: under 5 s on PostgreSQL.

Usage: python benchmarks/audit_verify.py --backend postgresql --pg-url URL [--events 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from turnout_desktop.db.audit import GENESIS_HASH, canonical_text, chain_hash  # noqa: E402
from turnout_desktop.db.audit_chain import verify  # noqa: E402
from turnout_desktop.db.canonical import canonical_json  # noqa: E402
from turnout_desktop.db.migrate import upgrade_to_head  # noqa: E402
from turnout_desktop.db.session import make_engine, transaction  # noqa: E402

COUNTIES = ["LOVING", "KING", "HARRIS", "TRAVIS", None]
TYPES = ["reconcile_attempt", "fix_applied", "submit", "reconcile_run", "export_public"]


def events(count: int):  # noqa: ANN201 - a generator of row tuples
    start = dt.datetime(2026, 3, 3, 7, 0, 0)
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        occurred = start + dt.timedelta(microseconds=seq * 1_001)
        event_type = TYPES[seq % len(TYPES)]
        county = COUNTIES[seq % len(COUNTIES)]
        election = dt.date(2026, 3, 3) if county else None
        message = f"Log {seq // 7} attempt {seq % 7}: fill_gaps -> improved"
        details = {"log_id": seq // 7, "attempt_no": seq % 7, "strategy": "fill_gaps", "outcome": "improved"}
        digest = chain_hash(canonical_text(occurred, event_type, "success", "bench", "admin", county, election,
                                           message, details), prev)
        yield (seq, occurred, event_type, "success", "bench", "admin", county, election, message,
               canonical_json(details), prev, digest)
        prev = digest


def load(engine, count: int) -> None:  # noqa: ANN001
    columns = ("seq, occurred_at, event_type, disposition, user_name, user_role, county, election_date, message, "
               "details, prev_hash, hash")
    with transaction(engine) as session:
        connection = session.connection()
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))  # bulk load: no row triggers
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY audit_event ({columns}) FROM STDIN") as copy:
                    for row in events(count):
                        copy.write_row(row)
                cursor.execute("INSERT INTO audit_anchor (seq, hash, recorded_at) SELECT seq, hash, occurred_at "
                               "FROM audit_event")
                cursor.execute("SELECT setval(pg_get_serial_sequence('audit_event', 'seq'), %s)", (count,))
        else:
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_anchor")
            connection.exec_driver_sql(f"INSERT INTO audit_event ({columns}) VALUES "  # noqa: S608 - constants
                                       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                       [(r[0], r[1].isoformat(sep=" "), *r[2:7],
                                         r[7].isoformat() if r[7] else None, *r[8:]) for r in events(count)])
            connection.exec_driver_sql("INSERT INTO audit_anchor (seq, hash, recorded_at) "
                                       "SELECT seq, hash, occurred_at FROM audit_event")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--pg-url", help="an empty PostgreSQL database (its public schema is replaced)")
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.backend == "postgresql":
            if not args.pg_url:
                parser.error("--pg-url is required for postgresql")
            engine = make_engine(args.pg_url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        else:
            engine = make_engine(f"sqlite:///{Path(folder) / 'audit.db'}")
        upgrade_to_head(engine)
        started = time.perf_counter()
        load(engine, args.events)
        print(f"built and loaded {args.events:,} events in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with transaction(engine) as session:
            outcome = verify(session)
        elapsed = time.perf_counter() - started
        engine.dispose()
    print(f"audit verify ({args.backend}): {outcome.events:,} events, intact={outcome.intact}, {elapsed:.2f} s "
          f"(target < 5 s on PostgreSQL)")
    return 0 if outcome.intact and outcome.events == args.events else 1


if __name__ == "__main__":
    sys.exit(main())
