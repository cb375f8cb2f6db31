"""The context every service receives: the database engine and who is acting.

On PostgreSQL the acting user is the connection's login and the role and counties are what the database
reports (``db.identity``); a typed user name is refused. On the embedded SQLite file nobody signs in: the
role is ``local`` (one office, every action allowed) unless a caller names an app-level role.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from turnout_desktop.db.identity import LOCAL_USER, read_identity, sign_in_error
from turnout_desktop.db.migrate import check_schema, upgrade_to_head
from turnout_desktop.db.session import make_engine, resolve_db_url
from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.domain.limits import MAX_USER_NAME
from turnout_desktop.domain.permissions import ALL_COUNTIES_ROLES, Action, Role, is_allowed, refusal
from turnout_desktop.errors import InvalidRequest, PermissionDenied


@dataclass(slots=True)
class AppContext:
    """Database plus the acting user. A clerk acts for its granted counties only.

    ``county`` is a single-county clerk's county (app-level clerks on SQLite); ``counties`` the counties
    the database granted (PostgreSQL). Both None means every county.
    """

    engine: Engine
    user: str = LOCAL_USER
    role: str = Role.LOCAL
    county: str | None = None
    counties: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not self.user.strip() or len(self.user) > MAX_USER_NAME:
            raise InvalidRequest(f"The user name must be 1 to {MAX_USER_NAME} characters long.")
        if self.counties is None and self.role == Role.CLERK and self.county:
            self.counties = frozenset({self.county})
        if self.county is None and self.counties is not None and len(self.counties) == 1:
            self.county = next(iter(self.counties))

    def require(self, action: Action) -> None:
        """Raise PermissionDenied (exit 4) unless the role may do ``action``."""
        if not is_allowed(self.role, action):
            raise PermissionDenied(refusal(self.role, action))

    def require_county(self, county: str) -> None:
        """Clerks may act only for their granted counties."""
        scope = self.scope_counties
        if scope is not None and county not in scope:
            raise PermissionDenied(refusal(self.role, f"act for {county} (granted: {', '.join(sorted(scope))})"))

    @property
    def scope_counties(self) -> frozenset[str] | None:
        """The counties this user may see and change; None for every county."""
        if self.role in ALL_COUNTIES_ROLES:
            return None
        return self.counties if self.counties is not None else frozenset()

    def scoped_county(self, county: str | None) -> str | None:
        """The county a request is for, as the SOS writes it: a named one the user may act for (else
        PermissionDenied), or without one the default (a one-county clerk's county, else None for all)."""
        if county is None:
            return self.default_county()
        county = canonical_county_name(county) or county
        self.require_county(county)
        return county

    def default_county(self) -> str | None:
        """The county a request without one means: a one-county clerk's county, else None for every county
        the login may see (on PostgreSQL row-level security narrows a clerk's "every" to its grants)."""
        scope = self.scope_counties
        return next(iter(scope)) if scope is not None and len(scope) == 1 else None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def signed_in(self) -> bool:
        return self.backend == "postgresql"


def open_context(db_url: str | None = None, *, user: str | None = None, role: str | None = None,
                 county: str | None = None, migrate: bool = True) -> AppContext:
    """Open the database (``--db`` > TURNOUT_DB_URL > local file) and decide who is acting.

    SQLite: the schema is brought up to date (``migrate``) and ``user``/``role`` are app-level (default
    ``local``). PostgreSQL: the schema revision must equal this client's (never migrated here), the user
    is the login and the role comes from the database; passing ``user`` or ``role`` is refused.

    Raises:
        InvalidRequest: a user or role named on PostgreSQL.
        SchemaMismatch, SignInFailed, DatabaseUnavailable: the database cannot be used.
    """
    engine = make_engine(resolve_db_url(db_url))
    if engine.dialect.name == "postgresql":
        if user is not None or role is not None:
            engine.dispose()
            raise InvalidRequest("--user is not accepted on PostgreSQL: you act as the database login you "
                                 "signed in with (session_user).")
        try:  # who first (a login without a role cannot even read the schema revision), then the schema
            identity = read_identity(engine)
            check_schema(engine)
        except OperationalError as exc:
            engine.dispose()
            raise sign_in_error(exc, engine) from exc
        except Exception:
            engine.dispose()
            raise
        return AppContext(engine=engine, user=identity.user, role=identity.role.value, counties=identity.counties)
    if migrate:
        upgrade_to_head(engine)
    return AppContext(engine=engine, user=user or LOCAL_USER, role=role or Role.LOCAL, county=county)
