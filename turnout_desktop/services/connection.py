"""Can a database be reached: the desktop app's online check and its Settings dialog's "Test connection".

Neither migrates nor signs in; both only ask the server for a trivial answer. The GUI also finds the user
data folder and the local SQLite database here, the CLI how a database URL resolves and the schema revision
``turnout init`` reports (re-exported from db/session.py and db/migrate.py: gui/ and cli/ never import db/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from turnout_desktop.db.identity import sign_in_error
from turnout_desktop.db.migrate import current_revision
from turnout_desktop.db.session import default_data_dir, default_sqlite_url, make_engine, normalize_url, resolve_db_url
from turnout_desktop.engine.types import CancelCheck, ProgressCallback
from turnout_desktop.errors import DatabaseUnavailable, SignInFailed

if TYPE_CHECKING:
    from turnout_desktop.services.context import AppContext

__all__ = ["default_data_dir", "default_sqlite_url", "normalize_url", "ping", "resolve_db_url", "schema_revision",
           "test_connection"]


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - offline is a state to show, not an error
        return False


def schema_revision(ctx: AppContext) -> str | None:
    """The Alembic revision the schema of the context's database is at (None: no schema yet)."""
    return current_revision(ctx.engine)


def test_connection(url: str, *, progress: ProgressCallback, cancelled: CancelCheck) -> str:
    """Connect to ``url`` once (no migration, no sign-in) and describe the server.

    Raises:
        DatabaseUnavailable: the server could not be reached (a server that asks for a password was reached).
    """
    engine = make_engine(url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        problem = sign_in_error(exc, engine) if engine.dialect.name == "postgresql" else None
        if isinstance(problem, SignInFailed) and problem.reason == "password":
            # A server that asks for a password was reached: the password comes at sign-in.
            return f"Reached {engine.dialect.name} at {where}; you sign in with your own user and password."
        raise DatabaseUnavailable(f"Cannot connect: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"Cannot connect: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    else:
        return f"Connected to {engine.dialect.name} ({where})."
    finally:
        engine.dispose()
