"""Settings > "Checks while the app is closed": the GUI face of ``turnout schedule`` (services/schedule.py).

Reading the status, installing and removing all run a platform command (systemctl, schtasks, launchctl),
which may take seconds: they go through the task runner, never on the GUI thread. A refusal is a dialog.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from turnout_desktop.gui.error_dialogs import show_error
from turnout_desktop.gui.jobs import Cancelled, Progress
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.services import schedule
from turnout_desktop.services.schedule import ScheduleHost, ScheduleStatus
from turnout_desktop.services.schedule_units import MAX_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES, format_every

DEFAULT_EVERY_MINUTES = 60


def read_schedule(host: ScheduleHost | None, *, progress: Progress, cancelled: Cancelled) -> ScheduleStatus:
    return schedule.status(host)


def install_schedule(every_minutes: int, db_url: str | None, host: ScheduleHost | None, *,
                     progress: Progress, cancelled: Cancelled) -> ScheduleStatus:
    return schedule.install(every_minutes, db_url, host)


def remove_schedule(host: ScheduleHost | None, *, progress: Progress,
                    cancelled: Cancelled) -> ScheduleStatus:
    return schedule.remove(host)


def describe(status: ScheduleStatus) -> str:
    """One paragraph for the section: what runs, how often, on which database, and the notes."""
    if status.installed:
        text = (f"Scheduled ({status.scheduler}): turnout check every {status.every or '?'} on "
                f"{status.database or 'an unknown database'}.")
        if status.next_run:
            text += f" Next run: {status.next_run}."
    else:
        text = "Not scheduled: checks run only while the app is open."
    return " ".join((text, *status.notes))


class ScheduleSection(QGroupBox):
    """Shows this user's scheduled check and installs or removes it; ``status_changed`` carries the status."""

    status_changed = Signal(object)  # ScheduleStatus
    failed = Signal(str)

    def __init__(self, runner: TaskRunner, db_url: str | None, parent: QWidget | None = None, *,
                 every_minutes: int = DEFAULT_EVERY_MINUTES, host: ScheduleHost | None = None) -> None:
        super().__init__("Checks while the app is closed", parent)
        self.setObjectName("scheduleSection")
        self.runner = runner
        self.db_url = db_url
        self.host = host
        self.status: ScheduleStatus | None = None
        self.status_label = QLabel("Reading the schedule…")
        self.status_label.setObjectName("scheduleStatus")
        self.status_label.setWordWrap(True)
        self.every = QSpinBox()
        self.every.setObjectName("scheduleEvery")
        self.every.setRange(MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES)
        self.every.setSingleStep(5)
        self.every.setSuffix(" min")
        self.every.setValue(max(MIN_INTERVAL_MINUTES, every_minutes))
        self.every.setToolTip("How often this computer runs `turnout check` while the app is closed.")
        self.install_button = QPushButton("Schedule checks")
        self.install_button.setObjectName("scheduleInstall")
        self.install_button.clicked.connect(self.install)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("scheduleRemove")
        self.remove_button.clicked.connect(self.remove)
        row = QHBoxLayout()
        row.addWidget(QLabel("Every"))
        row.addWidget(self.every)
        row.addStretch(1)
        row.addWidget(self.install_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addLayout(row)
        self._set_busy(True)
        self.runner.start(read_schedule, self.host, on_result=self._show, on_error=self._failed,
                          title="Reading the schedule")

    def install(self) -> None:
        self._set_busy(True)
        self.status_label.setText(f"Scheduling checks every {format_every(self.every.value())}…")
        self.runner.start(install_schedule, self.every.value(), self.db_url, self.host, on_result=self._show,
                          on_error=self._failed, title="Scheduling checks")

    def remove(self) -> None:
        self._set_busy(True)
        self.status_label.setText("Removing the scheduled check…")
        self.runner.start(remove_schedule, self.host, on_result=self._show, on_error=self._failed,
                          title="Removing the scheduled check")

    def _set_busy(self, busy: bool) -> None:
        self.install_button.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and bool(self.status and self.status.installed))

    def _show(self, status: ScheduleStatus) -> None:
        if not shiboken6.isValid(self):  # the settings dialog was closed (and deleted) while the job ran
            return
        self.status = status
        if status.installed and status.interval_minutes:
            self.every.setValue(status.interval_minutes)
        self.install_button.setText("Change schedule" if status.installed else "Schedule checks")
        self.status_label.setText(describe(status))
        self._set_busy(False)
        emit(self.status_changed, status)

    def _failed(self, error: BaseException, trace: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.status_label.setText(describe(self.status) if self.status else "The schedule could not be read.")
        self._set_busy(False)
        show_error(self.window(), error, trace)
        emit(self.failed, str(error))
