"""A demo database says so: "DEMO" in the title bar, and File > Remove demo data… to get rid of it.

Whether the open database is a demo one is the database's own word (the ``demo_data`` setting that
``services.demo.seed_demo`` writes), read with every dashboard load (``jobs.Dashboard.demo``). Removing it is the
application's business (``app.Launcher``): this controller only confirms, points the preferences back at the
local database, and emits ``removal_confirmed``; ``remove_demo_window`` then closes the window, lets go of the
file and deletes it.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget
from sqlalchemy.engine import make_url

from turnout_desktop.domain.labels import REMOVE_DEMO_DATA, demo_marked
from turnout_desktop.gui import jobs
from turnout_desktop.gui.process_worker import shutdown_child
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.settings import save_preferences
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services import demo

log = logging.getLogger(__name__)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for a server."""
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


class DemoActions(QObject):
    """Marks the window of a demo database and offers to remove it (File menu)."""

    removal_confirmed = Signal(object)  # the demo database's Path

    def __init__(self, session: WindowSession, window: QWidget) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self.base_title = window.windowTitle()
        self.is_demo = False
        self.confirm_box: QMessageBox | None = None
        self.remove_action = QAction(REMOVE_DEMO_DATA, window)
        self.remove_action.setObjectName("removeDemoAction")
        self.remove_action.setVisible(False)  # offered only for a demo database
        self.remove_action.triggered.connect(self.ask_removal)

    def follow_dashboard(self) -> None:
        """Connected to every dashboard load: the loaded dashboard says whether the database is a demo."""
        dashboard = self.session.dashboard
        if dashboard is None or dashboard.demo == self.is_demo:
            return
        self.is_demo = dashboard.demo
        self.window.setWindowTitle(demo_marked(self.base_title) if self.is_demo else self.base_title)
        self.remove_action.setVisible(self.is_demo and self.database_path() is not None)

    def database_path(self) -> Path | None:
        return None if self.session.spec.is_shared else sqlite_path(self.session.spec.resolved_url)

    def ask_removal(self) -> QMessageBox:
        """Confirm first: the demo database and its files are deleted for good."""
        box = QMessageBox(QMessageBox.Icon.Question, "Remove demo data",
                          "Close the demo database and delete it with its files? Turnout Desktop then opens "
                          "the local database, which never held demo data.",
                          QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("removeDemoConfirm")
        remove_button = box.addButton("Remove demo data", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self.remove() if box.clickedButton() is remove_button else None)
        box.open()
        self.confirm_box = box
        return box

    def remove(self) -> None:
        """Point this computer back at the local database and ask the application to delete the demo."""
        database = self.database_path()
        if database is None or not self.is_demo:
            return
        preferences = self.session.preferences
        if preferences.local_path and Path(preferences.local_path).resolve() == database.resolve():
            preferences = dataclasses.replace(preferences, local_path="", start_choice="local")
            save_preferences(preferences)
            self.session.preferences = preferences
        emit(self.removal_confirmed, database)


def remove_demo_window(window: QMainWindow, database: Path) -> BaseException | None:
    """Close ``window``, close every connection (this process's and the heavy-job child's), delete the demo.

    Returns the error that kept the file from being deleted, or None. The caller opens the next window and
    keeps the application from quitting when this, its last window, closes.
    """
    window.close()  # waits for the window's jobs (MainWindow.closeEvent)
    jobs.dispose_engines()
    shutdown_child()  # the child caches engines too; the next heavy job starts a new one
    try:
        demo.remove_demo_database(database)
    except Exception as exc:  # noqa: BLE001 - shown in the next window; the app keeps running
        log.warning("demo database %s not removed: %s", database, exc)
        return exc
    return None
