"""The PostgreSQL test server for tests/security: its owner URL (fail, never skip, without one) and refusals."""

from __future__ import annotations

import os

import pytest
from pg_logins import PG_URL_ENV
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from turnout_desktop.db.session import normalize_url


def owner_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.fail(f"{PG_URL_ENV} is not set: the role and row-level security tests need the PostgreSQL server")
    return normalize_url(url)


def refused(url: str, *statements: str) -> bool:
    """True when the statements, run in one transaction as ``url``'s login, raise; nothing of them is kept."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            try:
                for statement in statements:
                    connection.execute(text(statement))
            except DBAPIError:
                return True
            finally:
                connection.rollback()
        return False
    finally:
        engine.dispose()
