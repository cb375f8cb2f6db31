"""Reading the local cache of statewide counts (``statewide_count_cache``) that the pre-check compares with.

The one reader of the cache for ``turnout precheck`` and the upload wizard. It never fails the pre-check:
whatever goes wrong gives ``counts=None`` and the reason in ``note``. Given a URL it only reads: a SQLite
file is opened read-only and never created, a server gets a short connect timeout.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy loads when the cache is read: ``turnout --help`` starts without it
    from sqlalchemy import Engine

SERVER_CONNECT_TIMEOUT_S = 5  # a pre-check must not hang on an unreachable server


@dataclass(frozen=True, slots=True)
class StatewideCache:
    """Cached statewide counts, (county, party, method) -> count, or None with the reason in ``note``."""

    counts: dict[tuple[str, str, str], int] | None
    note: str
    unreadable: bool = False  # the database could not be read (the wizard then says it works offline)


def read_only_engine(url: str) -> Engine | None:
    """An engine that can only read ``url``; None for a SQLite file that does not exist (never created)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            return None
        uri = Path(database).resolve().as_uri() + "?mode=ro"
        return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": SERVER_CONNECT_TIMEOUT_S})


def read_statewide_cache(database: str | None | Callable[[], Engine], election: dt.date | None) -> StatewideCache:
    """Read ``statewide_count_cache`` for one election; any failure gives ``counts=None``, never an error.

    Args:
        database: a database URL (None: TURNOUT_DB_URL, else the local SQLite file), read through a
            read-only engine of its own; or a function giving an open engine (the wizard's worker
            context), used as it is and left open.
        election: the election date; without it nothing is compared.
    """
    if election is None:
        return StatewideCache(None, "no statewide comparison without --election")
    from sqlalchemy import func, select

    from turnout_desktop.db.models import StatewideCountCache as table
    from turnout_desktop.db.session import normalize_url, resolve_db_url

    try:
        owned = not callable(database)
        engine = read_only_engine(normalize_url(resolve_db_url(database))) if not callable(database) else database()
        if engine is None:
            return StatewideCache(None, "no statewide cache (no local database)")
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(table.county, table.party, table.voting_method, table.count)
                    .where(table.election_date == election)).all()
                as_of = connection.execute(
                    select(func.max(table.as_of)).where(table.election_date == election)).scalar()
        finally:
            if owned:
                engine.dispose()
    except Exception as error:  # noqa: BLE001 - the pre-check works offline whatever the database does
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        return StatewideCache(None, f"no statewide cache (database unreadable: {reason})", unreadable=True)
    if not rows:
        return StatewideCache(None, f"no statewide cache for the {election.isoformat()} election")
    counts = {(county, party, method): int(number) for county, party, method, number in rows}
    when = f", as of {as_of:%Y-%m-%d %H:%M}" if isinstance(as_of, dt.datetime) else ""
    return StatewideCache(counts, f"statewide cache for the {election.isoformat()} election{when}")
