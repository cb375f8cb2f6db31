"""Helpers for the reliability suite (docs/reliability.md T8, T10, T14): generated files, database slots, checksums."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import random
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, LargeBinary, create_engine, func, select, text

from turnout_desktop.db.migrate import upgrade_to_head
from turnout_desktop.db.models import Base
from turnout_desktop.db.session import make_engine, normalize_url

ELECTION = dt.date(2026, 3, 3)
METHODS = ("early-voting", "election-day", "mail-in")
PARTIES = ("DEM", "REP")
ROSTER_HEADER = ["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]
STATEWIDE_HEADER = ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]
# Columns whose values legitimately differ between two runs of the same operation: surrogate keys
# (PostgreSQL sequences advance even in rolled-back transactions), random client UUIDs, clock times, the hash chain (it
# covers times) and the audit details (they name surrogate keys). Stored file bytes are covered by sha256.
VOLATILE_COLUMNS = frozenset({"id", "seq", "uuid", "hash", "prev_hash", "details", "uploaded_by"})


def pg_base_url() -> str | None:
    url = os.environ.get("TURNOUT_TEST_PG_URL")
    return normalize_url(url) if url else None


def voter_rows(count: int, *, seed: int, first_vuid: int = 1151000000) -> list[tuple[str, str, str, str]]:
    """``count`` voters (vuid, party, method, precinct) drawn from a seeded generator."""
    rng = random.Random(seed)
    return [(f"{first_vuid + i:010d}", rng.choice(PARTIES), rng.choice(METHODS), f"{rng.randint(1, 40):04d}")
            for i in range(count)]


def write_roster(path: Path, voters: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER)
        writer.writerows([v, p, m, pr, "2026-02-20"] for v, p, m, pr in voters)
    return path


def write_statewide(path: Path, voters: list[tuple[str, str, str, str]], county: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STATEWIDE_HEADER)
        writer.writerows([v, county, p, m, pr, "2026-02-20"] for v, p, m, pr in voters)
    return path


def expected_reference(voters: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], int]:
    """The official counts a roster upload of ``voters`` must store: every party x method, zeros, TOTAL."""
    counted = Counter((party, method) for _, party, method, _ in voters)
    expected: dict[tuple[str, str], int] = {}
    for party in sorted({p for _, p, _, _ in voters}):
        for method in METHODS:
            expected[(party, method)] = counted.get((party, method), 0)
        expected[(party, "TOTAL")] = sum(counted.get((party, m), 0) for m in METHODS)
    return expected


def table_checksum(engine: Engine) -> dict[str, str]:
    """Per application table, its row count and a sha256 over its rows (volatile columns left out), order-independent.

    A dict, so a failed comparison names the tables that differ.
    """
    sums: dict[str, str] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in VOLATILE_COLUMNS and not c.name.endswith("_id")
                       and not c.name.endswith("_at") and not isinstance(c.type, LargeBinary)]
            query = select(*columns) if columns else select(func.count()).select_from(table)
            rows = sorted(repr(tuple(row)) for row in connection.execute(query))
            digest = hashlib.sha256()
            for row in rows:
                digest.update(row.encode())
            sums[table.name] = f"{len(rows)} rows {digest.hexdigest()[:16]}"
    return sums


def count_rows(engine: Engine, table: str, where: str = "") -> int:
    query = select(func.count()).select_from(Base.metadata.tables[table])
    if where:
        query = query.where(text(where))
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def sqlite_integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` through a plain sqlite3 connection (as an operator would run it)."""
    connection = sqlite3.connect(path)
    try:
        return ";".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


class DatabaseSlot:
    """One private, migrated database a child process can be pointed at and that can be emptied fast.

    SQLite: a file copied from a migrated template. PostgreSQL: its own schema in the test database
    (selected through ``search_path`` in the URL), emptied with TRUNCATE between runs.
    """

    def __init__(self, backend: str, name: str, folder: Path) -> None:
        self.backend = backend
        self.name = name
        if backend == "sqlite":
            self.path = folder / f"{name}.db"
            self.template = folder / f"{name}.template.db"
            self.url = f"sqlite:///{self.path}"
            template_engine = make_engine(f"sqlite:///{self.template}")
            upgrade_to_head(template_engine)
            template_engine.dispose()
        else:
            base = pg_base_url()
            assert base, "TURNOUT_TEST_PG_URL is not set"
            self.schema = f"slot_{name}"
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
            separator = "&" if "?" in base else "?"
            # The application name tells this slot's sessions apart on the shared test server (``settle``).
            self.application = f"turnout_{self.schema}"
            self.url = f"{base}{separator}options=-csearch_path%3D{self.schema}&application_name={self.application}"
            engine = make_engine(self.url)
            upgrade_to_head(engine)
            engine.dispose()

    def reset(self) -> None:
        """Back to an empty, migrated database."""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template, self.path)
            return
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        engine = make_engine(self.url)
        with engine.begin() as connection:
            # The owner (a superuser here) empties the slot around the audit tables' TRUNCATE guards.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the server has ended every session of this slot (a killed child's included).

        A COMMIT the child sent just before its kill is carried out by the server on its own time: reading
        the slot before that session is gone could count "nothing stored" and then see the rows land.
        """
        if self.backend != "postgresql":
            return
        admin = create_engine(pg_base_url() or "", isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + timeout
        try:
            with admin.connect() as connection:
                while connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                                         {"name": self.application}).scalar_one():
                    assert time.monotonic() < deadline, f"sessions of {self.schema} still open after {timeout} s"
                    time.sleep(0.05)
        finally:
            admin.dispose()

    def integrity(self) -> str:
        """SQLite's integrity_check; PostgreSQL has no file-level check, so its answer is 'ok'."""
        return sqlite_integrity(self.path) if self.backend == "sqlite" else "ok"

    def drop(self) -> None:
        if self.backend == "postgresql":
            admin = create_engine(pg_base_url() or "", isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()
