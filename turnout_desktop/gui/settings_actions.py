"""File > Settings…: this computer's preferences, and (admins) the shared settings saved in the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from turnout_desktop.gui import jobs
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession

if TYPE_CHECKING:
    from turnout_desktop.gui.settings_dialog import SettingsDialog

NEXT_START_SHOWN_MS = 15_000


class SettingsActions(QObject):
    """Opens the settings dialog and applies what it saved; ``changed`` carries the new Preferences."""

    changed = Signal(object)  # Preferences

    def __init__(self, session: WindowSession, runner: TaskRunner, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.session = session
        self.runner = runner
        self.dialog_parent = dialog_parent

    def open(self) -> SettingsDialog:
        from turnout_desktop.gui.settings_dialog import SettingsDialog

        dashboard = self.session.dashboard
        shared = dashboard.shared if dashboard else None  # the database's values, not this computer's
        dialog = SettingsDialog(self.session.preferences, self.runner, self.dialog_parent, spec=self.session.spec,
                                shared=shared)
        dialog.shared_changes_requested.connect(self.save_shared_settings)
        dialog.saved.connect(self._on_saved)
        dialog.open()
        self.session.remember_dialog(dialog)
        return dialog

    def save_shared_settings(self, changes: dict[str, Any]) -> None:
        """Admin only: ``shared_settings.update`` in the worker (validated, audited); a refusal is a dialog."""
        self.runner.start(jobs.save_shared_settings, self.session.spec, changes,
                          on_result=self.session.request_refresh, on_error=self.session.report_error,
                          title="Saving shared settings")

    def _on_saved(self, preferences: Preferences) -> None:
        previous, self.session.preferences = self.session.preferences, preferences
        if previous.database_fields() != preferences.database_fields():
            # Switching databases under open dialogs and running jobs is not safe: the next start uses it.
            self.session.show_message("The new database is used from the next start of the app.",
                                      NEXT_START_SHOWN_MS)
        emit(self.changed, preferences)
