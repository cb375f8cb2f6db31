"""Opening county files: File > Open, the recent-files menu, drag and drop, and the upload wizard."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from turnout_desktop.gui import window_state
from turnout_desktop.gui.outbox_status import OutboxMonitor
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services.outbox_sync import QUEUED_TEXT

if TYPE_CHECKING:
    from turnout_desktop.gui.upload_wizard import UploadWizard
    from turnout_desktop.services.outbox import SubmitOrQueueResult
    from turnout_desktop.services.submission_results import SubmitResult

FILE_FILTER = "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.tsv *.txt *.zip *.json);;All files (*)"


class UploadActions(QObject):
    """Opens the upload wizard for files chosen, recent, or dropped on ``window`` (which forwards its drops)."""

    def __init__(self, session: WindowSession, runner: TaskRunner, outbox: OutboxMonitor, window: QWidget) -> None:
        super().__init__(window)
        self.session = session
        self.runner = runner
        self.outbox = outbox
        self.window = window
        self.recent_menu = QMenu("Recent &files", window)
        self._rebuild_recent_menu()

    def choose_files(self) -> None:
        dialog = QFileDialog(self.window, "Open county file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(FILE_FILTER)
        dialog.filesSelected.connect(lambda names: self.open_wizard([Path(n) for n in names]))
        dialog.open()

    def open_wizard(self, paths: list[Path]) -> UploadWizard:
        from turnout_desktop.gui.upload_wizard import UploadWizard

        window_state.remember_files(paths)
        self._rebuild_recent_menu()
        wizard = UploadWizard(self.session.spec, self.runner, paths, election=self.session.election,
                              parent=self.window)
        wizard.submitted.connect(self._on_wizard_submitted)
        wizard.failed.connect(self.session.report_error)  # the window's error dialog, as for any job
        wizard.open()
        self.session.remember_dialog(wizard)
        return wizard

    def _on_wizard_submitted(self, result: SubmitResult | SubmitOrQueueResult) -> None:
        """Stored: reload the dashboard. Queued offline (server away): say so plainly and count it."""
        from turnout_desktop.services.outbox import SubmitOrQueueResult  # cheap now: the wizard loaded the readers

        if isinstance(result, SubmitOrQueueResult) and result.queued:
            self.session.show_banner(f"{QUEUED_TEXT} {result.message}")
            self.outbox.check()
        else:
            self.session.request_refresh()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = window_state.recent_files()
        for name in recent:
            action = self.recent_menu.addAction(name)
            action.triggered.connect(lambda _checked=False, n=name: self.open_wizard([Path(n)]))
        self.recent_menu.setEnabled(bool(recent))

    def accept_drag(self, event: QDragEnterEvent) -> None:
        """A drag carrying files may be dropped on the window."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def open_dropped(self, event: QDropEvent) -> None:
        """Files dropped on the window open in the wizard."""
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_wizard(paths)
