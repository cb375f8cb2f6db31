"""Create or upgrade the schema with Alembic.

A local SQLite file is migrated by ``turnout init`` and by the app on start. A shared PostgreSQL database
is migrated only by ``turnout admin setup`` under the owner login; clients compare the revision
(``check_schema``) and refuse a schema older or newer than their own.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from turnout_desktop.errors import DatabaseUnavailable, SchemaMismatch

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine, *, connection: Connection | None = None) -> None:
    """Bring the schema to the newest migration; a no-op when it is already there.

    ``connection``: run inside the caller's transaction (``turnout admin setup`` holds its lock there).
    """
    config = _config()
    try:
        if connection is not None:
            if MigrationContext.configure(connection).get_current_revision() != head_revision():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return
        if current_revision(engine) == head_revision():
            return
        with engine.begin() as own:
            config.attributes["connection"] = own
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise DatabaseUnavailable(f"Cannot open the database: {exc.orig}") from exc


def check_schema(engine: Engine) -> None:
    """Refuse to work on a schema this client was not built for (shared databases are never migrated here).

    Raises:
        SchemaMismatch: the schema is missing, older (ask the administrator) or newer (update the app).
    """
    head = head_revision()
    try:
        current = current_revision(engine)
    except OperationalError:
        raise
    except DBAPIError as exc:
        raise SchemaMismatch(f"Cannot read the database's schema revision ({exc.orig}); ask your administrator "
                             "to run turnout admin setup.") from exc
    if current == head:
        return
    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaMismatch(f"The database's schema (revision {current}) is newer than this Turnout Desktop "
                             f"(revision {head}): update Turnout Desktop.")
    found = f"revision {current}" if current else "no Turnout schema"
    raise SchemaMismatch(f"The database has {found}, this Turnout Desktop needs revision {head}: ask your "
                         "administrator to run turnout admin setup.")
