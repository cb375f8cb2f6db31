"""Bulk inserts that reach the DBAPI (PERFORMANCE.md): executemany on SQLite, COPY on PostgreSQL.

Both run inside the caller's session transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

_SQLITE_BATCH = 50_000


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy's SQLite Date/DateTime types store ISO text; match them exactly.
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def bulk_insert(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                ignore_conflicts: bool = False) -> None:
    """Insert many rows into ``table``; with ``ignore_conflicts`` rows hitting a unique key are skipped.

    ``table`` and ``columns`` are our own identifiers (never user text); values are always bound.
    """
    connection = session.connection()
    column_list = ", ".join(columns)
    if connection.dialect.name == "sqlite":
        placeholders = ", ".join("?" for _ in columns)
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        statement = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}){conflict}"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= _SQLITE_BATCH:
                connection.exec_driver_sql(statement, batch)
                batch = []
        if batch:
            connection.exec_driver_sql(statement, batch)
        return
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        if ignore_conflicts:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS _bulk_{table} (LIKE {table} INCLUDING DEFAULTS) "
                           "ON COMMIT DROP")
            cursor.execute(f"TRUNCATE _bulk_{table}")
            target = f"_bulk_{table}"
        else:
            target = table
        with cursor.copy(f"COPY {target} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM _bulk_{table} "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"TRUNCATE _bulk_{table}")
