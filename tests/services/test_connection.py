"""Reaching a database (services/connection.py): the online check and the Settings dialog's "Test connection".

A real SQLite file answers; a PostgreSQL URL on a loopback port nobody listens on does not.
"""

from __future__ import annotations

import pytest
from desktop_jobs import closed_port_url, never_cancelled, no_progress

from turnout_desktop.db.session import make_engine
from turnout_desktop.errors import DatabaseUnavailable
from turnout_desktop.services import connection


def test_ping_is_true_for_a_database_that_answers(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert connection.ping(engine) is True
    finally:
        engine.dispose()


def test_ping_is_false_not_an_error_when_nobody_listens() -> None:
    engine = make_engine(closed_port_url())
    try:
        assert connection.ping(engine) is False
    finally:
        engine.dispose()


def test_a_reachable_database_is_described(sqlite_url: str) -> None:
    described = connection.test_connection(sqlite_url, progress=no_progress, cancelled=never_cancelled)
    assert described.startswith("Connected to sqlite (sqlite:///") and described.endswith("only-sqlite.db).")


def test_an_unreachable_server_is_a_clear_error_of_one_line() -> None:
    with pytest.raises(DatabaseUnavailable, match=r"^Cannot connect: OperationalError: ") as raised:
        connection.test_connection(closed_port_url(), progress=no_progress, cancelled=never_cancelled)
    assert "\n" not in str(raised.value)
