"""Create or upgrade the schema with Alembic.

A local SQLite file is migrated by ``turnout init`` and by the app on start. A shared PostgreSQL database
is migrated only by ``turnout admin setup`` under the owner login; clients compare the revision
(``check_schema``) and refuse a schema older or newer than their own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from turnout_desktop.errors import DatabaseUnavailable, SchemaMismatch
from turnout_desktop.resources_path import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = migrations_dir()  # a frozen bundle keeps them under sys._MEIPASS (build.spec)
# ``revision = '0004'`` / ``down_revision = '0003'`` (or None) as the migration files write them.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(None|'[^']+'|\"[^\"]+\")\s*$", re.MULTILINE)


def _config() -> Config:
    from alembic.config import Config  # Alembic costs ~0.1 s to import: only when a migration is needed

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine, *, connection: Connection | None = None) -> None:
    """Bring the schema to the newest migration; a no-op when it is already there.

    ``connection``: run inside the caller's transaction (``turnout admin setup`` holds its lock there).
    """
    try:
        if connection is None and _already_at_head(engine):
            return
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        config = _config()
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
    if _already_at_head(engine):
        return
    from alembic.script import ScriptDirectory

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


def _head_from_version_files() -> str | None:
    """The head of a linear chain read from the files' ``revision`` lines, without loading Alembic.

    None whenever the files are not plainly one linear chain (a line written another way, a merge,
    a branch): the caller then asks Alembic, which stays the authority.
    """
    down_of: dict[str, str | None] = {}
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        if path.name == "__init__.py":
            continue
        found = {key: value.strip("'\"") for key, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8"))}
        if set(found) != {"revision", "down_revision"} or found["revision"] in down_of:
            return None
        down_of[found["revision"]] = None if found["down_revision"] == "None" else found["down_revision"]
    heads = set(down_of) - set(down_of.values())
    roots = [revision for revision, down in down_of.items() if down is None]
    if len(heads) != 1 or len(roots) != 1 or not set(down_of.values()) - {None} <= set(down_of):
        return None
    return heads.pop()


def _already_at_head(engine: Engine) -> bool:
    """True when ``alembic_version`` holds exactly the head revision: the common start-up case, answered
    with one query so that ``turnout status`` need not import Alembic. False means "ask Alembic"."""
    head = _head_from_version_files()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except OperationalError:
        raise
    except DBAPIError:  # e.g. no privilege on the table: Alembic's path gives the precise error
        return False
    return stamped == [head]
