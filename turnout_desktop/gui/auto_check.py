"""The periodic auto-check: its timer, the next-check time on the status panel, and the check itself."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.gui import jobs
from turnout_desktop.gui.status_panel import StatusPanel
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.tray_notifier import TrayNotifier
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services.check_changes import CountyStatus, check_changes

if TYPE_CHECKING:
    from turnout_desktop.services.reconciliation import ReconcileResult

log = logging.getLogger(__name__)


class AutoCheck(QObject):
    """Runs ``jobs.auto_check`` every N minutes (0: off), never for a role the check would refuse.

    A check that escalates or heals a county says so through ``notifier`` (tray, else status bar).
    """

    def __init__(self, session: WindowSession, runner: TaskRunner, status_panel: StatusPanel,
                 parent: QObject | None = None, *, notifier: TrayNotifier | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.status_panel = status_panel
        self.notifier = notifier if notifier is not None else TrayNotifier(session, self)
        self.last_results: list[ReconcileResult] | None = None  # None: no check ran yet in this window
        self.timer = QTimer(self)
        self.timer.setObjectName("autoCheckTimer")
        self.timer.timeout.connect(self.run)

    def run(self) -> None:
        """One check; skipped while other work is running (the next tick will do it)."""
        self._schedule_next_check()
        if not self.runner.is_idle():
            log.info("auto-check skipped: the worker is busy")
            return
        self.runner.start(jobs.auto_check, self.session.spec, self.session.election, on_result=self._done,
                          on_error=lambda e, t: self.session.show_banner(f"Auto-check failed: {e}"),
                          title="Auto-check", heavy=True)

    def _done(self, results: list[ReconcileResult]) -> None:
        before = self._baseline()
        self.last_results = results
        if before is not None:
            self.notifier.notify(check_changes(before, results))
        self.session.request_refresh()

    def _baseline(self) -> Sequence[CountyStatus] | None:
        """What the last check found, else the dashboard shown; None when nothing is known to compare with."""
        if self.last_results is not None:
            return self.last_results
        dashboard = self.session.dashboard
        return dashboard.overview if dashboard is not None else None

    def apply_interval(self, minutes: int) -> None:
        """Run the check timer every ``minutes`` (0: off); never for a role the check would refuse."""
        self.timer.stop()
        if minutes > 0 and is_allowed(self.session.spec.role, Action.CHECK):
            self.timer.start(minutes * 60_000)
        self._schedule_next_check()

    def stop(self) -> None:
        self.timer.stop()
        self.notifier.hide()

    def _schedule_next_check(self) -> None:
        if not self.timer.isActive():
            self.status_panel.set_next_check(None)
            return
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.status_panel.set_next_check(now + dt.timedelta(milliseconds=self.timer.interval()))
