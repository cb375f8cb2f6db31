"""Helpers shared by the sub-commands: database context, dates, JSON output, progress bar."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from turnout_desktop.domain import result_fields

if TYPE_CHECKING:  # SQLAlchemy loads when a command opens the database, not for ``turnout --help``
    from turnout_desktop.services.context import AppContext


def parse_election(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


# The role of the context the running command opened: a refusal by PostgreSQL itself names it (exit 4).
acting_role: str | None = None


# Commands that may start a new local database (SQLite creates the file on first use). Every other command reads
# or decides on data that must already be there: a mistyped --db path is refused (exit 2) instead of silently
# becoming an empty database that reports nothing.
CREATES_THE_DATABASE = frozenset({"init", "submit", "import-statewide", "import-precincts", "source", "outbox"})


def _refuse_a_missing_sqlite_file(db_url: str | None) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from turnout_desktop.errors import DatabaseUnavailable
    from turnout_desktop.services.connection import normalize_url, resolve_db_url

    try:
        url = make_url(normalize_url(resolve_db_url(db_url)))
    except (ArgumentError, ValueError):
        return  # open_context names a malformed URL
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return
    if not Path(database).exists():
        raise DatabaseUnavailable(f"No database at {database}: `turnout init` creates one there; "
                                  "otherwise check --db or TURNOUT_DB_URL.")


def context_from_args(args: argparse.Namespace, *, user: str | None = None) -> AppContext:
    """Open the database named by ``--db`` / TURNOUT_DB_URL / the local file and decide who acts.

    SQLite: migrated, role ``local``, ``user`` as given (``--user``) or "local". PostgreSQL: the login of
    the URL, its role from the database; a ``--user`` is refused.
    """
    from turnout_desktop.services.context import open_context

    global acting_role
    db_url = getattr(args, "db", None)
    if getattr(args, "command", None) not in CREATES_THE_DATABASE:
        _refuse_a_missing_sqlite_file(db_url)
    context = open_context(db_url, user=user)
    acting_role = context.role
    return context


# Field metadata of a service result dataclass whose key the JSON leaves out while the value is None
# (``field(default=None, metadata=OMIT_IF_NONE)``): such keys were optional in the CLI contract.
OMIT_IF_NONE = result_fields.OMIT_IF_NONE  # defined in domain: store and services mark their fields with it
# Dataclass results to JSON-ready values: defined in domain too, where the stored forms of records use it.
json_ready = result_fields.json_ready


def print_json(payload: Any) -> None:
    json.dump(json_ready(payload), sys.stdout, indent=2, default=_json_default, ensure_ascii=False)
    sys.stdout.write("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class ProgressBar:
    """A plain text progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, label: str, *, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = -1

    def __call__(self, fraction: float, message: str = "") -> None:
        if not self.enabled:
            return
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if percent == self._last:
            return
        self._last = percent
        filled = percent // 4
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (25 - filled)}] {percent:3d}% {message[:40]:40}")
        if percent >= 100:
            sys.stderr.write("\n")
        sys.stderr.flush()

