"""The context every service receives: the database engine and who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from turnout_desktop.db.migrate import upgrade_to_head
from turnout_desktop.db.session import make_engine, resolve_db_url
from turnout_desktop.domain.limits import MAX_USER_NAME
from turnout_desktop.errors import InvalidRequest, PermissionDenied

ROLE_ADMIN = "admin"
ROLE_CLERK = "clerk"


@dataclass(slots=True)
class AppContext:
    """Database plus the acting user. A clerk acts for one county only."""

    engine: Engine
    user: str = "cli"
    role: str = ROLE_ADMIN
    county: str | None = None  # a clerk's county (canonical SOS name)

    def __post_init__(self) -> None:
        if not self.user.strip() or len(self.user) > MAX_USER_NAME:
            raise InvalidRequest(f"The user name must be 1 to {MAX_USER_NAME} characters long.")

    def require_admin(self, action: str) -> None:
        if self.role != ROLE_ADMIN:
            raise PermissionDenied(f"Only an admin may {action}; {self.user} is signed in as {self.role}.")

    def require_county(self, county: str) -> None:
        """Clerks may act only for their own county."""
        if self.role == ROLE_CLERK and self.county and county != self.county:
            raise PermissionDenied(f"{self.user} is the clerk of {self.county} and may not act for {county}.")

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


def open_context(db_url: str | None = None, *, user: str = "cli", role: str = ROLE_ADMIN,
                 county: str | None = None, migrate: bool = True) -> AppContext:
    """Open the database (``--db`` > TURNOUT_DB_URL > local file) and bring its schema up to date."""
    engine = make_engine(resolve_db_url(db_url))
    if migrate:
        upgrade_to_head(engine)
    return AppContext(engine=engine, user=user, role=role, county=county)
