"""Settings > "Checks while the app is closed": status, install with an interval, remove, a refusal as a dialog."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from schedule_runner import RecordingRunner, host_for

from turnout_desktop.gui.schedule_section import ScheduleSection
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.settings_dialog import SettingsDialog
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.services import schedule
from turnout_desktop.services import schedule_units as units
from turnout_desktop.services.schedule import CommandOutcome


def test_section_installs_and_removes_the_scheduled_check(qtbot, tmp_path, empty_url):
    parent = QWidget()
    qtbot.addWidget(parent)
    task_runner = TaskRunner(parent)
    recording = RecordingRunner()
    with qtbot.waitSignal(task_runner.busy_changed, check_params_cb=lambda busy: not busy, timeout=10_000):
        section = ScheduleSection(task_runner, empty_url, parent, every_minutes=60,
                                  host=host_for(schedule.LINUX, tmp_path, recording))
    assert section.status is not None and not section.status.installed
    assert section.status_label.text() == "Not scheduled: checks run only while the app is open."
    assert not section.remove_button.isEnabled() and section.every.value() == 60

    section.every.setValue(30)
    with qtbot.waitSignal(section.status_changed, timeout=10_000) as installed:
        qtbot.mouseClick(section.install_button, Qt.MouseButton.LeftButton)
    status = installed.args[0]
    assert status.installed and status.every == "30m" and status.database == empty_url
    assert (tmp_path / ".config" / "systemd" / "user" / units.TIMER_UNIT).is_file()
    assert f"turnout check every 30m on {empty_url}" in section.status_label.text()
    assert section.remove_button.isEnabled() and section.install_button.text() == "Change schedule"

    with qtbot.waitSignal(section.status_changed, timeout=10_000) as removed:
        qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    assert not removed.args[0].installed
    assert not (tmp_path / ".config" / "systemd" / "user" / units.TIMER_UNIT).exists()
    assert not section.remove_button.isEnabled()
    task_runner.shutdown()


def test_a_refusal_is_shown_in_a_dialog(qtbot, tmp_path, empty_url):
    parent = QWidget()
    qtbot.addWidget(parent)
    task_runner = TaskRunner(parent)
    refusal = CommandOutcome(1, "", "Failed to connect to bus: No medium found")
    section = ScheduleSection(task_runner, empty_url, parent,
                              host=host_for(schedule.LINUX, tmp_path, RecordingRunner(fail={"enable": refusal})))
    qtbot.waitUntil(lambda: section.install_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(section.failed, timeout=10_000) as failed:
        qtbot.mouseClick(section.install_button, Qt.MouseButton.LeftButton)
    assert "No medium found" in failed.args[0]
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    boxes += parent.findChildren(QMessageBox)
    assert any("No medium found" in box.text() for box in boxes)
    for box in boxes:
        box.close()
    assert section.install_button.isEnabled()
    assert section.status_label.text() == "Not scheduled: checks run only while the app is open."
    task_runner.shutdown()


def test_settings_dialog_offers_the_schedule(qtbot, tmp_path, monkeypatch, empty_url):
    monkeypatch.setenv("HOME", str(tmp_path))  # the dialog uses this user's real scheduler: nothing installed here
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    parent = QWidget()
    qtbot.addWidget(parent)
    task_runner = TaskRunner(parent)
    dialog = SettingsDialog(Preferences(auto_check_minutes=15, local_path=empty_url.removeprefix("sqlite:///")),
                            task_runner, parent)
    section = dialog.findChild(ScheduleSection, "scheduleSection")
    assert section is dialog.schedule_section and section.db_url == empty_url
    assert section.every.value() == 15
    qtbot.waitUntil(lambda: section.status is not None, timeout=10_000)
    assert not section.status.installed
    task_runner.shutdown()


def test_a_status_arriving_after_the_dialog_closed_is_dropped(qtbot, tmp_path, empty_url):
    """The window's runner outlives the settings dialog: a late result must not touch deleted widgets."""
    owner = QWidget()
    qtbot.addWidget(owner)
    task_runner = TaskRunner(owner)
    dialog = QWidget()
    ScheduleSection(task_runner, empty_url, dialog, host=host_for(schedule.LINUX, tmp_path, RecordingRunner()))
    shiboken6.delete(dialog)  # closed before the schedule was read
    qtbot.waitUntil(task_runner.is_idle, timeout=10_000)
    qtbot.wait(50)  # the result's delivery: an exception in it would fail this test (pytest-qt)
    task_runner.shutdown()
