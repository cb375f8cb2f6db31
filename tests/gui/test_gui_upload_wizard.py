"""The upload wizard end to end on real xlsx files written with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from quality_roster import EXPECTED, profiles_of, write_mixed_roster
from sqlalchemy import func, select

from turnout_desktop.db.models import CountyRosterRow, CountyTurnoutReference, Submission
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.upload_wizard import UploadWizard
from turnout_desktop.services.context import open_context

ELECTION = dt.date(2026, 3, 3)


def write_roster(path: Path, *, bad_vuid: bool = False) -> Path:
    """Banner row, blank row, header on row 3, 8 voters (4 DEM, 4 REP), optional bad VUID, a total footer."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    sheet.append(["Loving County - Early Voting Roster"])
    sheet.append([])
    sheet.append(["VUID", "Party", "Precinct", "Date Voted"])
    for number in range(1, 9):
        sheet.append([f"10000000{number:02d}", "DEM" if number % 2 else "REP", "101", dt.date(2026, 2, 20)])
    if bad_vuid:
        sheet.append(["12AB", "DEM", "101", dt.date(2026, 2, 20)])
    sheet.append([f"Total Voters: {9 if bad_vuid else 8}"])
    workbook.save(path)
    return path


def start_wizard(qtbot, window: MainWindow, path: Path) -> UploadWizard:
    window.session.election = ELECTION
    wizard = window.uploads.open_wizard([path])
    assert isinstance(wizard, UploadWizard)
    files = wizard.files_page
    assert files.county.currentText() == "LOVING" and not files.county.isEnabled()  # clerk: own county only
    files.method.setCurrentText("Early voting")
    assert files.election_date() == ELECTION
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    return wizard


def test_wizard_submits_a_clean_roster(qtbot, window, tmp_path, empty_url):
    wizard = start_wizard(qtbot, window, write_roster(tmp_path / "loving.xlsx"))
    review = wizard.review_page
    assert "header on row 3" in review.layout_label.text()
    kinds = [review.preview.row_kind(r) for r in range(review.preview.rowCount())]
    assert kinds[:3] == ["banner", "blank", "header"] and kinds[-1] == "footer"
    assert kinds.count("data") == 8
    assert review.mapping_combos["vuid"].currentText() == "VUID"
    assert review.mapping_combos["vote_date"].currentText() == "Date Voted"
    vuid_quality = next(p for p in review.quality.profiles if p.field == "vuid")
    assert (vuid_quality.valid, vuid_quality.repaired, vuid_quality.error, vuid_quality.empty) == (8, 0, 0, 0)
    codes = [review.problems.record(r).code for r in range(review.problems.rowCount())]
    assert codes == ["banner_skipped", "footer_total"]
    review.problem_table.clicked.emit(review.problems.index(1, 0))  # the footer problem, row 12
    selected = review.preview_table.selectionModel().selectedRows()
    assert [review.preview.headerData(i.row(), Qt.Orientation.Vertical) for i in selected] == ["12"]

    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    counts = wizard.counts_page
    rows = {(r.party, r.voting_method): r.official for r in counts.counts.records()}
    assert rows[("DEM", "early-voting")] == 4 and rows[("REP", "TOTAL")] == 4
    submit = wizard.button(QWizard.WizardButton.FinishButton)
    assert submit.text() == "Submit" and submit.isEnabled() and counts.reason_label.text() == ""
    with qtbot.waitSignal(wizard.submitted, timeout=30_000) as blocker:
        qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)
    assert blocker.args[0].stored is True and blocker.args[0].counties == ("LOVING",)
    assert wizard.currentPage() is wizard.result_page and wizard.result_page.outcome == "stored"
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)  # Close
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)  # the refresh the submit triggered
    engine = open_context(empty_url).engine
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Submission)).scalar() == 1
        assert connection.execute(select(func.count()).select_from(CountyRosterRow)).scalar() == 8
        totals = connection.execute(select(CountyTurnoutReference.party, CountyTurnoutReference.official_count)
                                    .where(CountyTurnoutReference.voting_method == "TOTAL")
                                    .order_by(CountyTurnoutReference.party)).all()
    engine.dispose()
    assert [tuple(t) for t in totals] == [("DEM", 4), ("REP", 4)]


def test_wizard_blocks_submit_while_blocking_problems_remain(qtbot, window, tmp_path):
    wizard = start_wizard(qtbot, window, write_roster(tmp_path / "bad.xlsx", bad_vuid=True))
    review = wizard.review_page
    blocking = [review.problems.record(r) for r in range(review.problems.rowCount())
                if review.problems.record(r).blocking]
    assert [(p.row, p.code) for p in blocking] == [(12, "vuid_not_numeric")]
    vuid_quality = next(p for p in review.quality.profiles if p.field == "vuid")
    assert (vuid_quality.valid, vuid_quality.error) == (8, 1)
    assert review.preview.index(review.preview.row_for_spreadsheet_row(12), 0).data() == "Data (problem)"
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert wizard.counts_page.reason_label.text().startswith("Submit is disabled: 1 blocking problem(s)")
    assert "(row 12)" in wizard.counts_page.reason_label.text()
    wizard.close()


def test_wizard_remaps_a_column(qtbot, window, tmp_path):
    wizard = start_wizard(qtbot, window, write_roster(tmp_path / "loving.xlsx"))
    review = wizard.review_page
    review.mapping_combos["precinct"].setCurrentText("Party")  # a deliberate wrong choice, then re-check
    review.mapping_combos["party"].setCurrentText("(detect)")
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        qtbot.mouseClick(review.recheck_button, Qt.MouseButton.LeftButton)
    assert wizard.check.report.layout.mapping["precinct"] == "Party"
    wizard.close()


def test_wizard_shows_the_quality_bar(qtbot, window, tmp_path):
    wizard = start_wizard(qtbot, window, write_mixed_roster(tmp_path / "loving.xlsx"))
    bar = wizard.review_page.quality
    assert profiles_of(bar.profiles) == EXPECTED
    assert bar.toolTip().splitlines()[0] == (
        "VUID (VUID): 11 valid (73%), 2 repaired (13%), 1 error (6.7%), 1 empty (6.7%)")
    wizard.close()
