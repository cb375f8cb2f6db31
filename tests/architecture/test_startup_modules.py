"""What ``turnout --help``, ``status`` and ``gate`` load beyond the heavy libraries (the command line must start fast).

``test_lazy_imports.py`` keeps pandas, numpy, Qt and Alembic out; here ``--help`` also starts without
SQLAlchemy (it opens no database), and ``status`` / ``gate`` without the reconciliation loop (engine/batch.py,
engine/loop.py: only a run needs them), file readers, report writers or, on SQLite, a PostgreSQL driver.
No timings: ``benchmarks/startup.py`` measures those.
"""

from __future__ import annotations

import pytest
from test_lazy_imports import ELECTION, modules_loaded, small_database  # noqa: F401 - fixture used by name

from turnout_desktop.cli import cmd_outbox
from turnout_desktop.db import session as db_session


def _modules_loaded(*args: str) -> set[str]:
    return modules_loaded(*args)[0]


def test_help_starts_without_sqlalchemy() -> None:
    loaded = _modules_loaded("--help")
    assert "turnout_desktop.cli.cmd_engine" in loaded  # the sub-commands were registered
    assert not {name for name in loaded if name.split(".")[0] == "sqlalchemy"}


@pytest.mark.parametrize("command", [["status"], ["gate", "--county", "Loving", "--party", "DEM"]])
def test_status_and_gate_start_without_the_reconciliation_loop(small_database: str,  # noqa: F811
                                                               command: list[str]) -> None:
    loaded = _modules_loaded("--db", small_database, *command, "--election", ELECTION.isoformat(), "--json")
    assert "turnout_desktop.services.reconciliation" in loaded  # the command did read through the service
    assert not loaded & {"turnout_desktop.engine.batch", "turnout_desktop.engine.loop",
                         "turnout_desktop.engine.diagnose", "turnout_desktop.strategies"}


@pytest.mark.parametrize("command", [["status"], ["gate", "--county", "Loving", "--party", "DEM"]])
def test_status_and_gate_read_without_files_reports_or_another_driver(small_database: str,  # noqa: F811
                                                                       command: list[str]) -> None:
    """The read path loads no file reading (ingest, store), no report writer and, on SQLite, no PostgreSQL
    driver: none is needed to read, and ``benchmarks/startup.py`` would count each one's import."""
    loaded = _modules_loaded("--db", small_database, *command, "--election", ELECTION.isoformat(), "--json")
    assert "turnout_desktop.engine.publication" in loaded  # the command did decide the gate
    packages = {name.split(".")[0] for name in loaded}
    assert not {name for name in loaded if name.split(".")[:2] in (["turnout_desktop", "ingest"],
                                                                   ["turnout_desktop", "store"],
                                                                   ["turnout_desktop", "reports"])}
    assert not packages & {"psycopg", "psycopg2", "psycopg_binary", "asyncpg", "pg8000"}


def test_the_outbox_help_names_the_same_variable_as_the_session() -> None:
    assert cmd_outbox.DB_URL_ENV == db_session.DB_URL_ENV
