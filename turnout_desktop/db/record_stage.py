"""A statewide file's new records staged in a temporary table, then added to ``turnout_record`` in one statement.

- ``StoredIdentities`` reads the identities (VUID, method) the election already holds as integer keys, so
  the loader stages only rows that are new: a re-import of a file a few rows apart from the stored one
  (strategy A) costs a read of the file plus its new rows, not a reload. Measured at 1M rows on SQLite:
  letting every row reach ON CONFLICT cost 1.9-4.4 s, an SQL anti-join from the stage 3.6 s, these keys
  about 1 s (benchmarks/import_statewide.py).
- The INSERT ... SELECT runs in the database engine, in VUID order, so the identity and VUID indexes grow
  at their right edge; on SQLite 3.40 it measured faster than an executemany straight into
  ``turnout_record`` of rows pre-sorted in Python (5.6 s against 9.6 s at 1M rows).
- Values the file's rows share (election, source, verification, file id, creation time) are bound once
  in that statement rather than carried by every staged row.
- PostgreSQL fills the stage with COPY. A temporary table belongs to the login's own session, so COPY
  works under row-level security and the service and admin grants (db/pg_security.py); the INSERT into
  ``turnout_record`` then passes the same policies as any other insert.

Identity (election, source, VUID, method) keeps the file's first row: rows are inserted in VUID, method
and file order and ON CONFLICT DO NOTHING drops the later repeats (and decides whatever the key filter
left to it); an identity already stored is never touched (a record a fix removed keeps that state).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from turnout_desktop.db.bulk import bulk_insert_columns, driver_connection  # also registers SQLite's date adapters

STAGE_TABLE = "statewide_stage"
STAGE_COLUMNS = ("vuid", "county", "party", "voting_method", "precinct", "district", "vote_date")
_SQLITE_STAGE = (f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_TABLE} (vuid TEXT, county TEXT, party TEXT, "
                 "voting_method TEXT, precinct TEXT, district TEXT, vote_date TEXT)")
# ``seq`` keeps the file's order for the first-row-wins rule; ON COMMIT DROP cleans up after the import.
_POSTGRES_STAGE = (f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_TABLE} (seq bigint GENERATED ALWAYS AS IDENTITY, "
                   "vuid varchar(10), county varchar(100), party varchar(10), voting_method varchar(20), "
                   "precinct varchar(40), district varchar(100), vote_date date) ON COMMIT DROP")
_EMPTY_STAGE = f"DELETE FROM {STAGE_TABLE}"  # noqa: S608  (our own table name)
_INSERT_NEW = (
    "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, precinct, district, "  # noqa: S608
    "vote_date, source, verification, county_fallback, source_file_id, created_at) "
    "SELECT :election, s.vuid, s.county, s.party, s.voting_method, s.precinct, s.district, s.vote_date, "
    "'statewide', 'verified', :no_fallback, :source_file_id, :created "
    # "WHERE true" keeps SQLite from reading ON CONFLICT as the SELECT's join constraint.
    f"FROM {STAGE_TABLE} s WHERE true ORDER BY {{order}} ON CONFLICT DO NOTHING"
)
_STAGE_BY_COUNTY = f"SELECT county, count(*) FROM {STAGE_TABLE} GROUP BY county"  # noqa: S608
_STAGE_VOTE_DATES = f"SELECT min(vote_date), max(vote_date) FROM {STAGE_TABLE}"  # noqa: S608

class RecordStage:
    """The staging table of one import, inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.rows = 0
        self._ddl(_POSTGRES_STAGE if self.dialect == "postgresql" else _SQLITE_STAGE)
        # A pooled connection may still hold the stage of an earlier import (SQLite keeps temp tables
        # for the connection's life): start empty.
        self._ddl(_EMPTY_STAGE)

    def add(self, columns: Mapping[str, list[Any]]) -> None:
        """Stage one chunk given column by column (STAGE_COLUMNS; text, ``vote_date`` a date or None)."""
        values = [columns[name] for name in STAGE_COLUMNS]
        count = len(values[0])
        if self.dialect == "postgresql":
            with driver_connection(self.connection).cursor() as cursor, \
                    cursor.copy(f"COPY {STAGE_TABLE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
                for row in zip(*values, strict=True):
                    copy.write_row(row)
        elif count:
            # Many rows per statement (db/bulk.py), and a column with one value throughout written once:
            # statewide files rarely fill every column (no district, often no vote date, one party in a
            # primary file), and binding those values for every row cost a third of the stage.
            constants = {name: column[0] for name, column in zip(STAGE_COLUMNS, values, strict=True)
                         if name != "vuid" and len(set(column)) == 1}
            bulk_insert_columns(self.session, STAGE_TABLE,
                                {name: column for name, column in zip(STAGE_COLUMNS, values, strict=True)
                                 if name not in constants}, constants=constants)
        self.rows += count

    def insert_new_records(self, *, election: dt.date, source_file_id: int, created: dt.datetime) -> int:
        """Add the staged identities ``turnout_record`` lacks; return how many records were added."""
        order = "vuid, voting_method, " + ("seq" if self.dialect == "postgresql" else "rowid")
        statement = text(_INSERT_NEW.format(order=order))
        result = self.session.execute(statement, {"election": election, "no_fallback": False,
                                                  "source_file_id": source_file_id, "created": created})
        return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult: the rows inserted

    def by_county(self) -> dict[str, int]:
        """Staged rows per county: the records a file added when every staged row was inserted."""
        return {county: int(count) for county, count in self.connection.exec_driver_sql(_STAGE_BY_COUNTY)}

    def vote_date_range(self) -> tuple[Any, Any]:
        """The earliest and latest staged vote date (None, None when no row has one)."""
        low, high = self.connection.exec_driver_sql(_STAGE_VOTE_DATES).one()
        return low, high

    def drop(self) -> None:
        """Empty the stage now rather than at the end of the transaction (its rows are no longer needed)."""
        self._ddl(_EMPTY_STAGE)

    def _ddl(self, statement: str) -> None:
        self.connection.exec_driver_sql(statement)



# Method numbers of the identity keys; a method outside this list (none today) gets no key: never filtered.
_KEYED_METHODS = ("early-voting", "election-day", "mail-in")
_METHOD_CASE = " ".join(f"WHEN '{method}' THEN {code}" for code, method in enumerate(_KEYED_METHODS))
_PLAIN_VUID = {"sqlite": "length(vuid) = 10 AND vuid NOT GLOB '*[^0-9]*'", "postgresql": "vuid ~ '^[0-9]{10}$'"}
_STORED_KEYS = (
    f"SELECT CAST(vuid AS BIGINT) * 4 + CASE voting_method {_METHOD_CASE} END FROM turnout_record "  # noqa: S608
    "WHERE election_date = :election AND source = 'statewide' AND vuid >= '' "
    f"AND voting_method IN ({', '.join(repr(m) for m in _KEYED_METHODS)}) AND {{plain}}"
)


class StoredIdentities:
    """The statewide identities (VUID, method) an election already holds, as sorted integer keys.

    A re-import of a file a few rows apart from the stored one (strategy A) would otherwise stage and probe
    every row; these keys let the loader stage only the rows that are new. The keys (VUID * 4 + method
    number) are computed by the database from the identity index and read in batches: 8 bytes per stored
    record. Only ten-ASCII-digit VUIDs and the known methods get a key; any other row is simply staged and
    ON CONFLICT DO NOTHING decides, so the filter can never drop a new record.
    """

    _BATCH = 200_000

    def __init__(self, session: Session, election: dt.date) -> None:
        import numpy as np

        connection = session.connection()
        sqlite = connection.dialect.name == "sqlite"
        statement = _STORED_KEYS.format(plain=_PLAIN_VUID["sqlite" if sqlite else "postgresql"])
        # The driver's own cursor: SQLAlchemy's result rows cost more than the query itself at 1M keys.
        cursor = driver_connection(connection).cursor()
        try:
            cursor.execute(statement.replace(":election", "?" if sqlite else "%s"), (election,))
            parts = []
            while batch := cursor.fetchmany(self._BATCH):
                parts.append(np.fromiter((row[0] for row in batch), dtype=np.int64, count=len(batch)))
        finally:
            cursor.close()
        self.keys = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def stored(self, vuids: Sequence[str | None], methods: Sequence[str | None]) -> Any:
        """A boolean numpy mask: True where the row's identity is already stored."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        text_vuids = pa.array(vuids, type=pa.string())
        method_codes = pc.index_in(pa.array(methods, type=pa.string()), value_set=pa.array(_KEYED_METHODS))
        keyed = pc.and_(pc.fill_null(pc.match_substring_regex(text_vuids, r"^[0-9]{10}$"), False),
                        pc.is_valid(method_codes))
        numbers = pc.cast(pc.if_else(keyed, text_vuids, "0"), pa.int64()).to_numpy(zero_copy_only=False)
        keys = numbers * 4 + pc.fill_null(method_codes, 0).to_numpy(zero_copy_only=False)
        spot = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return (self.keys[spot] == keys) & keyed.to_numpy(zero_copy_only=False)
