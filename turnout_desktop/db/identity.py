"""Who is connected, as the database says: the login (``session_user``), its Turnout role and counties.

On PostgreSQL nothing the client types decides this: the role is the ``turnout_*`` group the login is
a member of and the counties are the login's rows in ``county_grant`` (written only by
``turnout admin grant-clerk``). On SQLite nobody signs in: the role is ``local``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from turnout_desktop.domain.permissions import ALL_COUNTIES_ROLES, Role
from turnout_desktop.errors import DatabaseUnavailable, SchemaMismatch, SignInFailed

LOCAL_USER = "local"
LOCAL_LABEL = "local, not signed in"


@dataclass(frozen=True, slots=True)
class Identity:
    """The acting login. ``counties`` is None for roles that see every county.

    ``turnout whoami --json`` prints this record: its fields are the JSON keys (counties sorted).
    """

    user: str
    role: Role
    counties: frozenset[str] | None
    backend: str


def database_identity(connection: Connection) -> Identity:
    """Read the login's identity from PostgreSQL (group membership plus county grants).

    Raises:
        SchemaMismatch: the database was never set up for Turnout (no ``turnout_role()``).
        SignInFailed: the login holds no Turnout role (reason ``no_role``).
    """
    user = connection.execute(text("SELECT session_user")).scalar_one()
    try:
        with connection.begin_nested():
            role_name = connection.execute(text("SELECT turnout_role()")).scalar()
    except ProgrammingError as exc:
        raise SchemaMismatch("This database has no Turnout schema or an older one: ask your administrator to run "
                             "turnout admin setup.") from exc
    if role_name is None:
        raise SignInFailed(f"not permitted: {user} has no Turnout role on this server; ask your administrator to "
                           f"grant one (turnout admin grant-clerk {user} --county ...)", reason="no_role")
    role = Role(role_name)
    counties: frozenset[str] | None = None
    if role not in ALL_COUNTIES_ROLES:
        counties = frozenset(connection.execute(text(
            "SELECT county FROM county_grant WHERE login = session_user")).scalars())
    return Identity(user=user, role=role, counties=counties, backend="postgresql")


def read_identity(engine: Engine) -> Identity:
    if engine.dialect.name != "postgresql":
        return Identity(user=LOCAL_USER, role=Role.LOCAL, counties=None, backend=engine.dialect.name)
    try:
        with engine.connect() as connection:
            return database_identity(connection)
    except OperationalError as exc:
        raise sign_in_error(exc, engine) from exc
    except DBAPIError as exc:  # e.g. county_grant unreadable: the schema was never set up for roles
        raise DatabaseUnavailable(f"Cannot read who is signed in: {exc.orig}; ask your administrator to run "
                                  "turnout admin setup") from exc


def sign_in_error(exc: OperationalError, engine: Engine) -> DatabaseUnavailable:
    """Say why a connection failed: wrong password, server unreachable, or something else the server said."""
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    user = engine.url.username or "(no user)"
    where = f"{engine.url.host or 'localhost'}:{engine.url.port or 5432}"
    lowered = detail.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return SignInFailed(f"Sign-in refused: wrong password for {user} on {where}", reason="password")
    if "does not exist" in lowered and "role" in lowered:
        return SignInFailed(f"Sign-in refused: there is no login {user} on {where}", reason="password")
    if "permission denied for database" in lowered:  # admin setup grants CONNECT to the Turnout groups only
        return SignInFailed(f"not permitted: {user} has no Turnout role on this server; ask your administrator "
                            f"to grant one (turnout admin grant-clerk {user} --county ...)", reason="no_role")
    if any(clue in lowered for clue in ("connection refused", "could not connect", "timeout expired",
                                         "could not translate host name", "no route to host", "name or service")):
        return SignInFailed(f"Server unreachable: {where} ({detail})", reason="unreachable")
    return DatabaseUnavailable(f"Cannot open the database: {detail}")
