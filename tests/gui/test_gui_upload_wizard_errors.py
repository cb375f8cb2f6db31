"""A pre-check or submit that fails shows the main window's error dialog, reached through the wizard's
``failed`` signal (the wizard never calls into its parent window)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWizard

from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.upload_wizard import UploadWizard

ELECTION = dt.date(2026, 3, 3)


def write_roster(path: Path) -> Path:
    """A header row and 4 Loving voters."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["VUID", "Party", "Precinct", "Date Voted"])
    for number in range(1, 5):
        sheet.append([f"10000000{number:02d}", "DEM" if number % 2 else "REP", "101", dt.date(2026, 2, 20)])
    workbook.save(path)
    return path


def open_wizard(window: MainWindow, path: Path) -> UploadWizard:
    window.session.election = ELECTION
    wizard = window.uploads.open_wizard([path])
    wizard.files_page.method.setCurrentText("Early voting")
    return wizard


def wait_for_error_box(qtbot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, QMessageBox), timeout=30_000)
    box = window.session.last_dialog
    assert isinstance(box, QMessageBox)
    assert box.parent() is window  # the window's error dialog, as for any failed job
    return box


def test_a_failed_submit_shows_the_error_dialog(qtbot, window, tmp_path):
    roster = write_roster(tmp_path / "loving.xlsx")
    wizard = open_wizard(window, roster)
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    submit = wizard.button(QWizard.WizardButton.FinishButton)
    assert submit.isEnabled()
    roster.unlink()  # gone between the check and the submit: the submit cannot read it
    with qtbot.waitSignal(wizard.failed, timeout=30_000) as blocker:
        qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)
    error = blocker.args[0]
    assert isinstance(error, BaseException)
    box = wait_for_error_box(qtbot, window)
    assert box.text() == (str(error) or type(error).__name__)
    assert wizard.counts_page.reason_label.text() == f"Not submitted: {error}"
    assert wizard.result is None and not wizard.submitting
    box.close()
    wizard.close()
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)


def test_a_failed_pre_check_shows_the_error_dialog(qtbot, window, tmp_path):
    roster = write_roster(tmp_path / "loving.xlsx")
    wizard = open_wizard(window, roster)
    roster.unlink()  # chosen, then gone before the pre-check reads it
    with qtbot.waitSignal(wizard.failed, timeout=30_000) as blocker:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    error = blocker.args[0]
    box = wait_for_error_box(qtbot, window)
    assert box.text() == (str(error) or type(error).__name__)
    assert wizard.check is None and not wizard.checking
    box.close()
    wizard.close()
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
