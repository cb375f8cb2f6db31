"""The fast paths of ``audit verify``: stored-text hashing, the legacy fallback, and the two-process walk."""

from __future__ import annotations

import os

import pytest
from pg_logins import PG_URL_ENV, reset_schema
from sqlalchemy import Engine, create_engine, text

from turnout_desktop.db import audit_chain
from turnout_desktop.db.audit import record_event
from turnout_desktop.db.pg_security import setup_database
from turnout_desktop.db.session import make_engine, normalize_url, transaction

DETAILS = {"b": [1, 2.5, None], "a": "Peña \u2013 x", "nested": {"z": True, "y": "1,2: 3"}}


def _append(engine: Engine, count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        with transaction(engine) as session:
            record_event(session, "test_event", f"event {index}", user="postgres" if engine.dialect.name ==
                         "postgresql" else "local", role="admin" if engine.dialect.name == "postgresql" else "local",
                         county="LOVING" if index % 2 else None, details={**DETAILS, "index": index})


def _tamper(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
        connection.execute(text(statement))


def _verify(engine: Engine) -> audit_chain.ChainVerification:
    with transaction(engine) as session:
        return audit_chain.verify(session)


def test_rows_written_with_the_old_json_form_still_verify_and_edits_are_named(db_url: str) -> None:
    legacy = create_engine(normalize_url(db_url))  # SQLAlchemy's default JSON text: spaces, insertion order
    _append(legacy, 3)
    legacy.dispose()
    engine = make_engine(db_url)
    _append(engine, 3, start=3)
    outcome = _verify(engine)
    assert outcome.intact and outcome.events == 6 and outcome.head_seq == 6
    _tamper(engine, "UPDATE audit_event SET details = '{\"a\": 1}' WHERE seq = 2")
    assert (_verify(engine).broken_seq, "edited" in (_verify(engine).reason or "")) == (2, True)
    engine.dispose()


@pytest.fixture
def pg_url() -> str:
    """The PostgreSQL test server only: the walk is split over two processes there alone."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set: no PostgreSQL server for this run (CI always sets it)")
    reset_schema(url)
    engine = make_engine(url)
    setup_database(engine)
    engine.dispose()
    return normalize_url(url)


@pytest.mark.pg
@pytest.mark.parametrize("tampering", ["none", "edit_upper", "delete_first_upper", "delete_last"])
def test_the_two_process_walk_finds_what_one_process_finds(pg_url: str, tampering: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    db_url = pg_url
    monkeypatch.setattr(audit_chain, "PARALLEL_MIN_ROWS", 10)
    engine = make_engine(db_url)
    _append(engine, 40)
    statements = {"edit_upper": ("UPDATE audit_event SET message = 'x' WHERE seq = 33", 33),
                  "delete_first_upper": ("DELETE FROM audit_event WHERE seq = 21", 21),
                  "delete_last": ("DELETE FROM audit_event WHERE seq = 40", 40)}
    if tampering in statements:
        statement, seq = statements[tampering]
        _tamper(engine, statement)
        outcome = _verify(engine)
        assert outcome.broken_seq == seq, outcome
    else:
        outcome = _verify(engine)
        assert outcome.intact and outcome.events == 40 and outcome.head_seq == 40
        with engine.connect() as connection:
            head = connection.execute(text("SELECT hash FROM audit_event WHERE seq = 40")).scalar_one()
        assert outcome.head_hash == head
    engine.dispose()
