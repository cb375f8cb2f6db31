"""GUI fixtures: a demo database copied per test, a context spec, and a leak check after every test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_timers import active_timers
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from turnout_desktop.gui import jobs
from turnout_desktop.gui.process_worker import shutdown_child
from turnout_desktop.gui.task_runner import live_runners
from turnout_desktop.services.context import open_context


@pytest.fixture(scope="session", autouse=True)
def _child_process_stopped() -> Iterator[None]:
    """Heavy jobs run in one spawned child process: stop it when the session ends."""
    yield
    shutdown_child()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded demo database per session (seeding takes seconds); tests get a copy."""
    from turnout_desktop.services.demo import seed_demo

    folder = tmp_path_factory.mktemp("demo-template")
    ctx = open_context(f"sqlite:///{folder / 'demo.db'}")
    seed_demo(ctx, folder / "files")
    ctx.engine.dispose()  # checkpoints the WAL into the main file
    return folder / "demo.db"


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_context(url).engine.dispose()
    return url


@pytest.fixture
def window(qtbot, empty_url: str):
    """The main window of a Loving County clerk (user lou) on an empty database, as the upload wizard tests use."""
    from turnout_desktop.gui.main_window import MainWindow
    from turnout_desktop.gui.settings import Preferences

    window = MainWindow(jobs.ContextSpec(empty_url, user="lou", role="clerk", county="LOVING"), Preferences())
    qtbot.addWidget(window)
    return window


@pytest.fixture
def admin_spec(demo_url: str) -> jobs.ContextSpec:
    return jobs.ContextSpec(demo_url, user="ada", role="admin")


@pytest.fixture
def clerk_spec(demo_url: str) -> jobs.ContextSpec:
    return jobs.ContextSpec(demo_url, user="carl", role="clerk", county="KENT")


@pytest.fixture(autouse=True)
def no_leaked_work(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves work running, or a timer active in a window after that window closed."""
    yield
    busy = [runner for runner in live_runners() if not runner.is_idle()]
    for runner in busy:
        runner.shutdown()
    windows = QApplication.topLevelWidgets()
    for widget in windows:
        widget.close()
    leaked_timers = [name for widget in windows for name in active_timers(widget)]
    for runner in live_runners():
        runner.shutdown()
    jobs.dispose_engines()
    assert not busy, "a test left work running on the task runner"
    assert not leaked_timers, f"timers left running after close: {leaked_timers}"
    assert QThreadPool.globalInstance().activeThreadCount() == 0
