"""PostgreSQL logins for tests: created once per cluster with a password, granted a Turnout role per test.

Logins are cluster-wide and survive the per-test schema reset; the grant (group membership and
``county_grant`` rows) is made again in every test through ``turnout admin`` itself.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from turnout_desktop.db.session import normalize_url
from turnout_desktop.domain.permissions import Role

PASSWORD = "Turnout-test-pw-1"
PG_URL_ENV = "TURNOUT_TEST_PG_URL"


def reset_schema(url: str) -> None:
    """An empty ``public`` schema on the test server (logins and group roles are cluster-wide and stay)."""
    owner = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    owner.dispose()


def create_login(owner_url: str, name: str, password: str = PASSWORD) -> None:
    """``CREATE ROLE name LOGIN PASSWORD ...`` (what the database administrator does), idempotently."""
    engine = create_engine(normalize_url(owner_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
        verb = "ALTER" if exists else "CREATE"
        quoted = connection.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one()
        literal = connection.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar_one()
        connection.execute(text(f"{verb} ROLE {quoted} LOGIN PASSWORD {literal}"))
    engine.dispose()


def login_url(owner_url: str, name: str, password: str = PASSWORD) -> str:
    url = make_url(normalize_url(owner_url)).set(username=name, password=password)
    return url.render_as_string(hide_password=False)


def signed_in_url(owner_url: str, name: str, role: Role | None, counties: list[str] | None = None) -> str:
    """A login with ``role`` (None: no Turnout role at all) on the already set-up test database."""
    from turnout_desktop.services import admin

    create_login(owner_url, name)
    with admin.owner_engine(owner_url) as engine:
        if role is None:
            admin.revoke(engine, name)
        else:
            admin.grant(engine, name, role, counties)
    return login_url(owner_url, name)


def local_user(url: str, name: str) -> list[str]:
    """``--user NAME`` for a SQLite database; nothing on PostgreSQL, where the login is who acts."""
    return ["--user", name] if str(url).startswith("sqlite") else []
