"""Engines and sessions for SQLite (embedded default) and PostgreSQL (shared server).

SQLite gets WAL, ``foreign_keys=ON``, ``synchronous=FULL`` and a busy timeout on every
connection, and every transaction starts with ``BEGIN IMMEDIATE`` so that a read-then-write
transaction waits for the lock instead of failing with SQLITE_BUSY (docs/reliability.md T8).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session

from turnout_desktop.db.canonical import canonical_json
from turnout_desktop.errors import DatabaseUnavailable

DB_URL_ENV = "TURNOUT_DB_URL"
# Connections one client keeps to the shared server: the work session plus the run lock's transaction.
# 254 offices x 2 fit PostgreSQL's default max_connections of 100 only behind a pooler; README says so.
PG_POOL_SIZE = 2
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_data_dir() -> Path:
    """Per-user data folder (``TURNOUT_DATA_DIR`` overrides, e.g. in tests)."""
    override = os.environ.get("TURNOUT_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("TurnoutDesktop", "TurnoutDesktop"))


def default_sqlite_url() -> str:
    return f"sqlite:///{default_data_dir() / 'turnout.db'}"


def resolve_db_url(explicit: str | None = None) -> str:
    """``--db`` wins, then ``TURNOUT_DB_URL``, then the local SQLite file."""
    return explicit or os.environ.get(DB_URL_ENV) or default_sqlite_url()


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# libpq connection parameters that carry a secret when written in a URL's query (``?password=...``).
SECRET_QUERY_KEYS = ("password", "sslpassword")
DATABASE_FILE_MODE = 0o600  # a local database holds voters' records: its owner alone reads it


def url_without_secrets(url: str) -> tuple[str, bool]:
    """``url`` without its password (``user:password@`` and secret query keys); True when one was removed."""
    parsed = make_url(url)
    query = {key: value for key, value in parsed.query.items() if key.lower() not in SECRET_QUERY_KEYS}
    removed = parsed.password is not None or len(query) != len(parsed.query)
    # ``URL.set(password=None)`` keeps the password (None means "unchanged"): build the URL without it.
    clean = URL.create(parsed.drivername, username=parsed.username, host=parsed.host, port=parsed.port,
                       database=parsed.database, query=query)
    return clean.render_as_string(hide_password=False), removed


def _create_private_file(database: str) -> None:
    """Create a missing SQLite file readable by its owner only (SQLite gives -wal/-shm the same mode)."""
    if database.startswith("file:"):
        return  # a URI filename: SQLite opens it with its own options
    try:
        handle = os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DATABASE_FILE_MODE)
    except FileExistsError:
        return
    os.close(handle)


def make_engine(url: str) -> Engine:
    """Create an engine with the per-backend settings this application relies on."""
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise DatabaseUnavailable(f"Not a database URL: {_without_secret(url)!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        _refuse_network_sqlite(database, url)
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                               json_serializer=canonical_json)
        if database and database != ":memory:":
            # At the first connection, as SQLite itself would: an engine that never connects creates nothing.
            event.listen(engine, "do_connect", lambda *_args: _create_private_file(database))
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=0, pool_timeout=60,
                                 connect_args={"connect_timeout": 10}, json_serializer=canonical_json)
        except NoSuchModuleError as exc:
            raise DatabaseUnavailable(f"Unknown PostgreSQL driver in {_without_secret(url)!r}: use "
                                      "postgresql://user@host:port/database") from exc
    raise DatabaseUnavailable(f"Unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")


def _without_secret(url: str) -> str:
    """The URL as it may be shown: a password between ``user:`` and ``@`` becomes ``***``."""
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return url
    credentials, _, location = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{location}" if ":" in credentials else url


def _refuse_network_sqlite(database: str, url: str) -> None:
    """SQLite locking is unreliable on network shares (docs/reliability.md T9): refuse such a file.

    The raw text after ``sqlite:///`` is checked too: in ``\\\\?\\UNC\\...`` the ``?`` starts the URL's query,
    so the parsed database name alone would be just ``\\\\``.
    """
    from turnout_desktop.db.paths import is_network_path, is_on_network_filesystem

    location = database[5:].split("?", 1)[0] if database.startswith("file:") else database
    if not location or location == ":memory:":
        return
    raw = url.split(":///", 1)[1] if ":///" in url else location
    if is_network_path(location) or is_network_path(raw) or is_on_network_filesystem(location):
        raise DatabaseUnavailable(
            f"The SQLite database {location!r} is on a network share, where SQLite's file locking is "
            "unreliable and the file can be corrupted. Keep the SQLite file on a local disk, or, for "
            "several offices, use the shared PostgreSQL server (a postgresql:// URL)."
        )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls everything back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        with session.begin():
            yield session
    finally:
        session.close()
