"""The owner URL of the PostgreSQL test server; these tests fail rather than skip without one."""

from __future__ import annotations

import os

import pytest
from pg_logins import PG_URL_ENV

from turnout_desktop.db.session import normalize_url


def owner_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.fail(f"{PG_URL_ENV} is not set: the role and row-level security tests need the PostgreSQL server")
    return normalize_url(url)
