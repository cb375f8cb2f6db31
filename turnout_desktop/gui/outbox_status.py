"""The main window's outbox watcher: "Online" / "Offline - N queued", and pushing queued uploads.

A periodic check (a QTimer owned by the monitor) asks the worker whether the shared server answers and
how many uploads wait in the local outbox. When the server comes back (offline -> online) with uploads
waiting, or when the user picks File > Send queued uploads, the outbox is pushed on the worker and the
dashboard is refreshed. With a local database the outbox is not used and nothing here runs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services import outbox_sync
from turnout_desktop.services.outbox_sync import PushSummary, ServerStatus

if TYPE_CHECKING:
    from turnout_desktop.gui.jobs import Dashboard

log = logging.getLogger(__name__)
CHECK_INTERVAL_MS = 60_000
SUMMARY_SHOWN_MS = 30_000


class OutboxMonitor(QObject):
    """Keeps the status bar's online label (given) and the local outbox in step with the shared server."""

    status_changed = Signal(object)  # ServerStatus
    pushed = Signal(object)  # PushSummary

    def __init__(self, session: WindowSession, runner: TaskRunner, online_label: QLabel,
                 parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.online_label = online_label
        self.status: ServerStatus | None = None
        self.last_summary: PushSummary | None = None
        self.pushing = False
        self.timer = QTimer(self)
        self.timer.setObjectName("outboxTimer")
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.check(from_timer=True))
        self.send_action = QAction("Send &queued uploads", self)
        self.send_action.setObjectName("sendQueuedAction")
        self.send_action.triggered.connect(self.push)
        self.send_action.setEnabled(self.enabled)
        if self.enabled:
            self.timer.start()

    @property
    def enabled(self) -> bool:
        """The outbox is used only when the window works on a shared server."""
        return self.session.spec.uses_outbox

    def stop(self) -> None:
        """Stop the periodic check (the window is closing)."""
        self.timer.stop()

    def check(self, *, from_timer: bool = False) -> None:
        """Ask the worker for the server status; a timer tick is skipped while other work runs."""
        if not self.enabled:
            return
        if from_timer and not self.runner.is_idle():
            log.info("server check skipped: the worker is busy")
            return
        self.runner.start(outbox_sync.server_status, self.session.spec, on_result=self.apply_status,
                          on_error=self._on_check_failed, title="Checking the server")

    def push(self) -> None:
        """Send every queued upload to the server on the worker (File > Send queued uploads)."""
        if not self.enabled or self.pushing:
            return
        self.pushing = True
        self.online_label.setText("Sending queued uploads…")
        self.runner.start(outbox_sync.push_queued, self.session.spec, on_result=self._on_pushed,
                          on_error=self._on_push_failed, title="Sending queued uploads", heavy=True)

    def apply_dashboard(self, dashboard: Dashboard) -> None:
        """A dashboard load also tells whether the server answered and how many uploads wait."""
        if dashboard.outbox_pending is not None:
            self.apply_status(ServerStatus(dashboard.online, dashboard.outbox_pending), reload=False)

    def apply_status(self, status: ServerStatus, *, reload: bool = True) -> None:
        """Show the status; coming back online pushes waiting uploads (or, with none, reloads the dashboard)."""
        previous = self.status
        came_back = status.online and (previous is None or not previous.online)
        self.status = status
        if not self.pushing:
            self.online_label.setText(status.label())
        self.online_label.setToolTip(status.error or "")
        emit(self.status_changed, status)
        if came_back and status.pending > 0:
            self.push()  # refreshes the dashboard when done
        elif came_back and reload and previous is not None:
            self.session.request_refresh()  # the dashboard failed while the server was away

    def handle_server_error(self, error: BaseException) -> bool:
        """A job failed because the shared server is away: say so inline and count the outbox.

        Returns:
            True when handled (the server is unreachable and the outbox is used), False otherwise.
        """
        from turnout_desktop.services.outbox import is_unreachable

        if not self.enabled or not is_unreachable(error):
            return False
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        self.session.show_banner(f"The shared server cannot be reached ({first_line}). Uploads are queued "
                                 "offline and sent when it is back.")
        self.check()
        return True

    def _on_check_failed(self, error: BaseException, trace: str) -> None:
        # The local outbox itself failed (the server being away is a status, not an error).
        log.error("server check failed:\n%s", trace)
        self.online_label.setText("Outbox unavailable")
        self.online_label.setToolTip(str(error))

    def _on_pushed(self, summary: PushSummary) -> None:
        self.pushing = False
        self.last_summary = summary
        self.apply_status(summary.status, reload=False)
        self.session.show_message(summary.text(), SUMMARY_SHOWN_MS)
        emit(self.pushed, summary)
        if summary.online:
            self.session.request_refresh()

    def _on_push_failed(self, error: BaseException, trace: str) -> None:
        self.pushing = False
        if self.status is not None:
            self.online_label.setText(self.status.label())
        self.session.report_error(error, trace)
