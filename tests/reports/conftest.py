"""Fixtures for report tests: the small election of ``report_election_data`` in a fresh database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_election_data import populate
from sqlalchemy import Engine
from sqlalchemy.orm import Session


@pytest.fixture
def populated(db_engine: Engine) -> Iterator[tuple[Engine, dict[str, int]]]:
    """The election above in a fresh database (SQLite and PostgreSQL)."""
    with Session(db_engine) as session:
        ids = populate(session)
        session.commit()
    yield db_engine, ids
