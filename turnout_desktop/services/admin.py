"""``turnout admin``: set up a shared PostgreSQL database and grant Turnout roles to existing logins.

These run under the owner login (``--db OWNER_URL``). Creating logins and their passwords stays with the
database administrator (``CREATE ROLE name LOGIN PASSWORD ...``); here a login only gets (or loses) one
Turnout group role and, for a clerk, its counties. Every change is an audit event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.migrate import current_revision
from turnout_desktop.db.pg_security import GROUPS, setup_database
from turnout_desktop.db.session import make_engine, resolve_db_url, transaction
from turnout_desktop.domain.counties import known_county_name
from turnout_desktop.domain.permissions import Role
from turnout_desktop.errors import INSUFFICIENT_PRIVILEGE, InvalidRequest, NotFound, PermissionDenied

GRANTABLE = {Role.CLERK: "turnout_clerk", Role.ADMIN: "turnout_admin", Role.AUDITOR: "turnout_auditor",
             Role.SERVICE: "turnout_service"}
OWNER_ROLE_LABEL = "owner"


@dataclass(frozen=True, slots=True)
class LoginGrant:
    login: str
    role: str
    counties: tuple[str, ...]


@contextmanager
def owner_engine(db_url: str | None) -> Iterator[Engine]:
    """The owner's engine of a shared PostgreSQL database, disposed when the block ends."""
    engine = make_engine(resolve_db_url(db_url))
    try:
        if engine.dialect.name != "postgresql":
            raise InvalidRequest("turnout admin works on a shared PostgreSQL database; a local SQLite file has "
                                 "no sign-in (use turnout init).")
        yield engine
    finally:
        engine.dispose()


def setup(engine: Engine) -> str:
    """Create or update schema, group roles, privileges and policies; a second run changes nothing."""
    try:
        setup_database(engine)
    except DBAPIError as exc:
        raise _refused(exc, "set up the database") from exc
    revision = current_revision(engine) or ""
    with transaction(engine) as session:
        user = session.execute(text("SELECT session_user")).scalar_one()
        record_event(session, "admin_setup", f"Schema, roles and policies set up at revision {revision}",
                     user=user, role=OWNER_ROLE_LABEL, details={"revision": revision})
    return revision


def grant(engine: Engine, login: str, role: Role, counties: list[str] | None = None) -> LoginGrant:
    """Make ``login`` a member of exactly one Turnout group (and, for a clerk, of exactly these counties)."""
    if role not in GRANTABLE:
        raise InvalidRequest(f"{role} is not a role that can be granted.")
    names: list[str] = []
    if role == Role.CLERK:
        if not counties:
            raise InvalidRequest("A clerk needs at least one --county.")
        for county in counties:
            names.append(known_county_name(county))
    elif counties:
        raise InvalidRequest(f"--county applies to clerks only; a {role} sees every county.")
    try:
        with transaction(engine) as session:
            connection = session.connection()
            _require_login(connection, login)
            _revoke_groups(connection, login)
            connection.execute(text(f'GRANT "{GRANTABLE[role]}" TO {_ident(connection, login)}'))
            connection.execute(text("DELETE FROM county_grant WHERE login = :login"), {"login": login})
            user = connection.execute(text("SELECT session_user")).scalar_one()
            connection.execute(text("DELETE FROM login_role WHERE login = :login"), {"login": login})
            connection.execute(text("INSERT INTO login_role (login, role, granted_at, granted_by) VALUES "
                                    "(:login, :role, now() AT TIME ZONE 'UTC', :by)"),
                               {"login": login, "role": str(role), "by": user})
            for name in sorted(set(names)):
                connection.execute(text("INSERT INTO county_grant (login, county, granted_at, granted_by) "
                                        "VALUES (:login, :county, now() AT TIME ZONE 'UTC', :by)"),
                                   {"login": login, "county": name, "by": user})
            record_event(session, "role_grant", f"{login} granted {role}" + (f" for {', '.join(sorted(set(names)))}"
                                                                               if names else ""),
                         user=user, role=OWNER_ROLE_LABEL, details={"login": login, "role": str(role),
                                                                    "counties": sorted(set(names))})
    except DBAPIError as exc:
        raise _refused(exc, "grant roles") from exc
    return LoginGrant(login=login, role=str(role), counties=tuple(sorted(set(names))))


def revoke(engine: Engine, login: str) -> None:
    """Take every Turnout role and county grant away from ``login`` (the login itself stays)."""
    try:
        with transaction(engine) as session:
            connection = session.connection()
            _require_login(connection, login)
            _revoke_groups(connection, login)
            connection.execute(text("DELETE FROM county_grant WHERE login = :login"), {"login": login})
            connection.execute(text("DELETE FROM login_role WHERE login = :login"), {"login": login})
            user = connection.execute(text("SELECT session_user")).scalar_one()
            record_event(session, "role_revoke", f"{login}: every Turnout role revoked", user=user,
                         role=OWNER_ROLE_LABEL, details={"login": login})
    except DBAPIError as exc:
        raise _refused(exc, "revoke roles") from exc


def list_grants(engine: Engine) -> list[LoginGrant]:
    """Every login holding a Turnout role in this database (its group and its login_role row), with counties."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT r.login, g.rolname FROM login_role r JOIN pg_roles m ON m.rolname = r.login "
            "JOIN pg_auth_members a ON a.member = m.oid JOIN pg_roles g ON g.oid = a.roleid "
            "AND g.rolname = 'turnout_' || r.role ORDER BY r.login")).all()
        counties: dict[str, list[str]] = {}
        for login, county in connection.execute(text("SELECT login, county FROM county_grant ORDER BY login, county")):
            counties.setdefault(login, []).append(county)
    return [LoginGrant(login=login, role=group.removeprefix("turnout_"), counties=tuple(counties.get(login, [])))
            for login, group in rows]


def _require_login(connection: Connection, login: str) -> None:
    found = connection.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :name"), {"name": login}).first()
    if found is None:
        raise NotFound(f"There is no PostgreSQL login {login!r}; the database administrator creates it first "
                       "(CREATE ROLE ... LOGIN PASSWORD ...).")
    if not found[0] or login in GROUPS:
        raise InvalidRequest(f"{login!r} is not a login role.")


def _revoke_groups(connection: Connection, login: str) -> None:
    for group in GROUPS:
        connection.execute(text(f'REVOKE "{group}" FROM {_ident(connection, login)}'))


def _ident(connection: Connection, name: str) -> str:
    return connection.execute(text("SELECT quote_ident(:name)"), {"name": name}).scalar_one()


def _refused(exc: DBAPIError, action: str) -> Exception:
    if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        return PermissionDenied(f"not permitted: this login may not {action} (connect as the database owner)")
    return exc
