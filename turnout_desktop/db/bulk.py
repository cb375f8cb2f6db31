"""Bulk inserts that reach the DBAPI (PERFORMANCE.md): executemany on SQLite, COPY on PostgreSQL.

Both run inside the caller's session transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice, repeat
from typing import Any

import pandas as pd
from sqlalchemy import Date, Integer, String, literal
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

_SQLITE_BATCH = 50_000

# SQLAlchemy's SQLite Date/DateTime types store ISO text. The driver's own adapters are registered
# once, in the same format, so bulk rows go to executemany without a Python pass over every value
# (that pass cost more than the insert itself). datetime is a subclass of date: register it after.
sqlite3.register_adapter(dt.date, dt.date.isoformat)
sqlite3.register_adapter(dt.datetime, lambda value: value.strftime("%Y-%m-%d %H:%M:%S.%f"))


Constant = int | str | dt.date | None


def bulk_insert(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                ignore_conflicts: bool = False, constants: Mapping[str, Constant] | None = None) -> None:
    """Insert many rows into ``table``; with ``ignore_conflicts`` rows hitting a unique key are skipped.

    ``table`` and ``columns`` are our own identifiers (never user text); row values are always bound.
    ``constants`` are columns with one value for every row (a submission id, the county, a column that is
    empty throughout). On SQLite they are written once into the statement as literals that SQLAlchemy
    renders and escapes, because executemany pays for every bound value of every row: a 1M-row roster
    with 5 of its 13 columns constant went in about 30 % faster (measured). PostgreSQL's COPY gets them
    appended to every row.
    """
    connection = session.connection()
    fixed = dict(constants or {})
    column_list = ", ".join([*columns, *fixed])
    if connection.dialect.name == "sqlite":
        literals = [_sql_literal(connection, value) for value in fixed.values()]
        placeholders = ", ".join([*repeat("?", len(columns)), *literals])
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        statement = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}){conflict}"  # noqa: S608
        iterator = iter(rows)
        while batch := list(islice(iterator, _SQLITE_BATCH)):
            connection.exec_driver_sql(statement, batch)
        return
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        # COPY FROM refuses a table whose row-level security applies to this login (a clerk's): stage it.
        cursor.execute("SELECT row_security_active(%s)", (table,))
        staged = ignore_conflicts or bool(cursor.fetchone()[0])
        if staged:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS _bulk_{table} (LIKE {table} INCLUDING DEFAULTS) "
                           "ON COMMIT DROP")
            cursor.execute(f"TRUNCATE _bulk_{table}")
            target = f"_bulk_{table}"
        else:
            target = table
        constant_values = tuple(fixed.values())
        with cursor.copy(f"COPY {target} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *constant_values) if constant_values else row)
        if staged:
            conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
            cursor.execute(
                f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM _bulk_{table}{conflict}"  # noqa: S608
            )
            cursor.execute(f"TRUNCATE _bulk_{table}")


def _sql_literal(connection: Connection, value: Constant) -> str:
    """``value`` as an SQL literal of the connection's dialect, rendered and escaped by SQLAlchemy."""
    if value is None:
        return "NULL"
    if isinstance(value, bool) or not isinstance(value, int | str | dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"bulk_insert constants are int, str, date or None, not {type(value).__name__}")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("a bulk_insert constant cannot hold a NUL character")
    kind = Integer() if isinstance(value, int) else String() if isinstance(value, str) else Date()
    return str(literal(value, kind).compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))


def column_values(series: pd.Series) -> list[Any]:
    """A DataFrame column as a list with every missing marker (None, NaN, NA) as None, vectorised."""
    return series.astype(object).where(series.notna(), None).tolist()


def column_dates(series: pd.Series) -> list[dt.date | None]:
    """A date column as ``date`` values (a datetime keeps its day); distinct values converted once."""
    values = column_values(series)
    converted = {value: as_date(value) for value in set(values)}
    return [converted[value] for value in values]


def as_date(value: Any) -> dt.date | None:
    """One vote date as stored: a ``date`` (a datetime keeps its day, text is ISO), None when missing."""
    if value is None or (not isinstance(value, dt.date) and bool(pd.isna(value))):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
