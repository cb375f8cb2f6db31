"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, isolated app data."""

from __future__ import annotations

import gc
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_logins import PG_URL_ENV, reset_schema
from sqlalchemy import Engine

from turnout_desktop import resources_path
from turnout_desktop.db.migrate import upgrade_to_head
from turnout_desktop.db.pg_security import setup_database
from turnout_desktop.db.session import make_engine, normalize_url
from turnout_desktop.gui.main_thread_gc import collect_due_generations

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _garbage_collected_in_the_main_thread() -> Iterator[tuple[int, int, int]]:
    """As in the app (gui/main_thread_gc.py): no collection in a worker thread, which could free a Qt object
    there and crash the run; the main thread collects after every test instead."""
    thresholds = gc.get_threshold()
    gc.disable()
    yield thresholds
    gc.enable()


@pytest.fixture(scope="session", autouse=True)
def _qapplication_first(qapp: object) -> object:
    """The one QApplication of the run exists before any test renders a PDF: the PDF renderer would otherwise
    create a bare QGuiApplication (as the CLI process does), and a later widget test would abort the run."""
    return qapp


@pytest.fixture(autouse=True)
def _collect_after_each_test(_garbage_collected_in_the_main_thread: tuple[int, int, int]) -> Iterator[None]:
    yield
    collect_due_generations(_garbage_collected_in_the_main_thread)


@pytest.fixture(autouse=True)
def _isolated_app_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data folder or a real TURNOUT_DB_URL."""
    monkeypatch.setenv("TURNOUT_DATA_DIR", str(tmp_path_factory.mktemp("appdata")))
    monkeypatch.delenv("TURNOUT_DB_URL", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty, migrated database: a SQLite file, then the PostgreSQL test server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'turnout.db'}"
    else:
        pg_url = os.environ.get(PG_URL_ENV)
        if not pg_url:
            pytest.skip(f"{PG_URL_ENV} is not set: no PostgreSQL server for this run (CI always sets it)")
        reset_schema(pg_url)
        url = normalize_url(pg_url)
    engine = make_engine(url)
    if request.param == "sqlite":
        upgrade_to_head(engine)
    else:  # what `turnout admin setup` does: groups, migrations, privileges and row-level security
        setup_database(engine)
    engine.dispose()
    yield url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database only (for tests that are about SQLite itself)."""
    url = f"sqlite:///{tmp_path / 'only-sqlite.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    return url


@pytest.fixture
def central_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer in Texas (US Central time)."""
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def bundle_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copied resources tree found as a frozen bundle's (``sys._MEIPASS``), the way the built app finds its own:
    tests break the copy, never the shipped files."""
    bundle = tmp_path / "bundle"
    shutil.copytree(resources_path.resources_dir(), bundle / "resources")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    resources_path.resources_dir.cache_clear()
    yield bundle / "resources"
    monkeypatch.delattr(sys, "_MEIPASS")
    resources_path.resources_dir.cache_clear()
