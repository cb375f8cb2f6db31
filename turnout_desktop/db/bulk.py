"""Bulk inserts that reach the DBAPI (docs/architecture.md, Data model): executemany on SQLite, COPY on PostgreSQL.

Both run inside the caller's session transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, islice, repeat
from typing import Any

import pandas as pd
from sqlalchemy import Date, Integer, String, literal
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

_SQLITE_BATCH = 50_000
# Rows per INSERT ... VALUES statement on SQLite. executemany pays a statement reset, a step and the
# foreign-key bookkeeping for every row it binds; 100-200 rows per statement halved a 1M-row roster
# insert on the 2-core machine (2.8 s -> 1.4-1.5 s), 50 rows gained less. Bounded by the connection's
# limit on bound variables (999 on SQLite builds before 3.32).
_SQLITE_ROWS_PER_STATEMENT = 200

# SQLAlchemy's SQLite Date/DateTime types store ISO text. The driver's own adapters are registered
# once, in the same format, so bulk rows go to executemany without a Python pass over every value
# (that pass cost more than the insert itself). datetime is a subclass of date: register it after.
sqlite3.register_adapter(dt.date, dt.date.isoformat)
sqlite3.register_adapter(dt.datetime, lambda value: value.strftime("%Y-%m-%d %H:%M:%S.%f"))


Constant = int | str | dt.date | None
# Called with the number of rows written so far after each chunk (``_SQLITE_BATCH`` rows): a progress count
# at one call per 50,000 rows, so it costs nothing measurable.
RowsWritten = Callable[[int], None]


def bulk_insert(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                ignore_conflicts: bool = False, constants: Mapping[str, Constant] | None = None,
                rows_written: RowsWritten | None = None) -> None:
    """Insert many rows into ``table``; with ``ignore_conflicts`` rows hitting a unique key are skipped.

    ``table`` and ``columns`` are our own identifiers (never user text); row values are always bound.
    ``constants`` are columns with one value for every row (a submission id, the county, a column that is
    empty throughout). On SQLite they are written once into the statement as literals that SQLAlchemy
    renders and escapes, because executemany pays for every bound value of every row: a 1M-row roster
    with 5 of its 13 columns constant went in about 30 % faster (measured). SQLite gets up to
    ``_SQLITE_ROWS_PER_STATEMENT`` rows per statement; PostgreSQL's COPY gets the constants appended to
    every row. ``rows_written`` hears the running count after each chunk.

    Raises:
        ValueError: a row does not hold one value per column (SQLite), or there is no column.
    """
    connection = session.connection()
    fixed = dict(constants or {})
    column_list = ", ".join([*columns, *fixed])
    if connection.dialect.name == "sqlite":
        insert = _SqliteRowsInsert(connection, table, columns, fixed, ignore_conflicts)
        width = len(columns)
        iterator = iter(rows)
        written = 0
        while batch := list(islice(iterator, _SQLITE_BATCH)):
            if set(map(len, batch)) != {width}:  # flattened rows must not shift into each other
                raise ValueError(f"every row given to bulk_insert into {table} must hold {width} values")
            insert.execute(list(chain.from_iterable(batch)))
            written += len(batch)
            if rows_written:
                rows_written(written)
        return
    raw = driver_connection(connection)
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
            # One COPY stream, fed in chunks so the running count can be told between them.
            iterator = iter(rows)
            written = 0
            while batch := list(islice(iterator, _SQLITE_BATCH)):
                for row in batch:
                    copy.write_row((*row, *constant_values) if constant_values else row)
                written += len(batch)
                if rows_written:
                    rows_written(written)
        if staged:
            conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
            cursor.execute(
                f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM _bulk_{table}{conflict}"  # noqa: S608
            )
            cursor.execute(f"TRUNCATE _bulk_{table}")


def bulk_insert_columns(session: Session, table: str, columns: Mapping[str, Sequence[Any]], *,
                        constants: Mapping[str, Constant] | None = None,
                        rows_written: RowsWritten | None = None) -> None:
    """``bulk_insert`` of rows given column by column (every column a list of the same length).

    On SQLite the columns are interleaved into each statement's parameters by slice assignment, without a
    tuple per row; PostgreSQL gets the rows through COPY as ``bulk_insert`` sends them.

    Raises:
        ValueError: the columns differ in length, or there is none.
    """
    names = list(columns)
    values = [list(column) if not isinstance(column, list) else column for column in columns.values()]
    if not names:
        raise ValueError(f"bulk_insert_columns into {table} needs at least one column")
    count = len(values[0])
    if any(len(column) != count for column in values):
        raise ValueError(f"the columns given to bulk_insert_columns into {table} differ in length")
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        bulk_insert(session, table, names, zip(*values, strict=True), constants=constants, rows_written=rows_written)
        return
    insert = _SqliteRowsInsert(connection, table, names, dict(constants or {}), ignore_conflicts=False)
    width = len(names)
    for start in range(0, count, _SQLITE_BATCH):
        stop = min(start + _SQLITE_BATCH, count)
        flat: list[Any] = [None] * ((stop - start) * width)
        for position, column in enumerate(values):
            flat[position::width] = column[start:stop]
        insert.execute(flat)
        if rows_written:
            rows_written(stop)


def driver_connection(connection: Connection) -> Any:
    """The DBAPI connection (sqlite3 or psycopg) under a SQLAlchemy connection that is in use."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the database connection is closed")
    return driver


class _SqliteRowsInsert:
    """``INSERT ... VALUES (...), (...), ...`` of many rows per statement, fed flattened row values."""

    def __init__(self, connection: Connection, table: str, columns: Sequence[str], fixed: Mapping[str, Constant],
                 ignore_conflicts: bool) -> None:
        if not columns:
            raise ValueError(f"bulk_insert into {table} needs at least one bound column")
        literals = [_sql_literal(connection, value) for value in fixed.values()]
        # The session's own sqlite3 connection, inside its open transaction: its executemany takes each
        # statement's parameters as a list slice (SQLAlchemy would want a tuple built per statement).
        self._driver = driver_connection(connection)
        self._width = len(columns)
        self._row = "(" + ", ".join([*repeat("?", self._width), *literals]) + ")"
        self._head = f"INSERT INTO {table} ({', '.join([*columns, *fixed])}) VALUES "  # noqa: S608
        self._tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        variables = self._driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._rows_per_statement = max(1, min(_SQLITE_ROWS_PER_STATEMENT, variables // self._width))

    def _statement(self, rows: int) -> str:
        return self._head + ", ".join(repeat(self._row, rows)) + self._tail

    def execute(self, flat: list[Any]) -> None:
        """Insert the rows whose values ``flat`` holds one row after the other."""
        step = self._rows_per_statement * self._width
        whole = len(flat) - len(flat) % step
        cursor = self._driver.cursor()
        try:
            if whole:
                cursor.executemany(self._statement(self._rows_per_statement),
                                   (flat[start:start + step] for start in range(0, whole, step)))
            if whole < len(flat):
                cursor.execute(self._statement((len(flat) - whole) // self._width), flat[whole:])
        finally:
            cursor.close()


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
