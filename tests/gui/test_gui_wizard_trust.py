"""The upload wizard you can trust: a fresh mapping for new files, a result page, and a
confirmation before an upload replaces an official count or carries another county's roster.

Real xlsx files written with openpyxl, a real SQLite database per test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from turnout_desktop.db.models import CountyTurnoutReference, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.gui import jobs
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.quality_geometry import MIN_SEGMENT, percent_text, segment_widths
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.theme import QUALITY_COLOURS
from turnout_desktop.gui.upload_wizard import UploadWizard
from turnout_desktop.services.context import open_context

ELECTION = dt.date(2026, 3, 3)
VOTED = dt.date(2026, 2, 20)


def write_roster(path: Path, titles: tuple[str, str, str, str] = ("VUID", "Party", "Precinct", "Date Voted"), *,
                 voters: int = 8, first: int = 1, bad_vuid: bool = False) -> Path:
    """A header row then ``voters`` voters alternating DEM/REP, VUIDs from 10000000``first``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    sheet.append(list(titles))
    for number in range(first, first + voters):
        sheet.append([f"{1000000000 + number}", "DEM" if number % 2 else "REP", "101", VOTED])
    if bad_vuid:
        sheet.append(["12AB", "DEM", "101", VOTED])
    workbook.save(path)
    return path


def make_window(qtbot, url: str, county: str) -> MainWindow:
    window = MainWindow(jobs.ContextSpec(url, user="clerk", role="clerk", county=county), Preferences())
    qtbot.addWidget(window)
    window.session.election = ELECTION
    return window


def click(qtbot, wizard: UploadWizard, button: QWizard.WizardButton) -> None:
    qtbot.mouseClick(wizard.button(button), Qt.MouseButton.LeftButton)


def to_review(qtbot, wizard: UploadWizard) -> None:
    wizard.files_page.method.setCurrentText("Early voting")
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        click(qtbot, wizard, QWizard.WizardButton.NextButton)


def submit_and_wait(qtbot, wizard: UploadWizard) -> None:
    with qtbot.waitSignal(wizard.submitted, timeout=30_000):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)


def test_back_and_another_file_reset_the_mapping_and_the_review(qtbot, empty_url, tmp_path):
    window = make_window(qtbot, empty_url, "LOVING")
    wizard = window.uploads.open_wizard([write_roster(tmp_path / "first.xlsx", bad_vuid=True)])
    to_review(qtbot, wizard)
    review = wizard.review_page
    assert review.mapping_combos["vuid"].currentText() == "VUID"
    assert any(review.problems.record(r).blocking for r in range(review.problems.rowCount()))

    click(qtbot, wizard, QWizard.WizardButton.BackButton)
    files = wizard.files_page
    files.file_list.clear()
    files.add_paths([write_roster(tmp_path / "second.xlsx", ("Voter ID", "Party", "Pct", "Date Voted"), voters=6)])
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    # Until the new check arrives nothing of the first file is on the page.
    assert wizard.check is None and review.preview.rowCount() == 0 and review.problems.rowCount() == 0
    assert review.quality.profiles == [] and review.mapping_combos["vuid"].currentText() == "(detect)"
    qtbot.waitUntil(lambda: wizard.check is not None, timeout=15_000)

    assert wizard.mapping == {}  # detection ran on the new file, not the old titles
    assert review.mapping_combos["vuid"].currentText() == "Voter ID"
    assert not any(review.problems.record(r).blocking for r in range(review.problems.rowCount()))
    assert next(p for p in review.quality.profiles if p.field == "vuid").valid == 6
    assert review.preview.headerData(1, Qt.Orientation.Horizontal) == "Voter ID"
    wizard.close()


def test_the_result_page_says_stored_then_duplicate_with_the_status_per_party(qtbot, empty_url, tmp_path):
    window = make_window(qtbot, empty_url, "LOVING")
    path = write_roster(tmp_path / "loving.xlsx")
    outcomes = []
    for _attempt in range(2):
        wizard = window.uploads.open_wizard([path])
        to_review(qtbot, wizard)
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
        submit_and_wait(qtbot, wizard)
        result = wizard.result_page
        assert wizard.currentPage() is result and wizard.isVisible()
        assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
        parties = [result.runs.record(r).party for r in range(result.runs.rowCount())]
        assert sorted(parties) == ["DEM", "REP"] or outcomes  # a duplicate reconciles nothing new
        statuses = {result.runs.index(r, 1).data(): result.runs.index(r, 2).data()
                    for r in range(result.runs.rowCount())}
        outcomes.append((result.outcome, result.headline.text(), result.next_step.text(), statuses))
        finish = wizard.button(QWizard.WizardButton.FinishButton)
        assert finish.text() == "Close"
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda w=wizard: not w.isVisible(), timeout=5000)
        qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
    assert outcomes[0][0] == "stored" and outcomes[0][1].startswith("Stored:")
    # The county's own rows fill the empty database, so both parties verify and there is nothing to do.
    assert outcomes[0][3] == {"DEM": "Verified", "REP": "Verified"}
    assert outcomes[0][2] == "Next step: Verified: nothing to do"
    assert outcomes[1][0] == "duplicate" and outcomes[1][1].startswith("Already stored:")
    assert outcomes[1][2] == ("Next step: Nothing to do: the county overview shows the status of the upload "
                              "already stored")


@pytest.fixture
def kent_with_loving_roster(empty_url: str) -> str:
    """KENT has an official DEM count of 42; the statewide roster holds LOVING voters 1000000001-08."""
    context = open_context(empty_url)
    with transaction(context.engine) as session:
        for party, count in (("DEM", 42), ("REP", 0)):
            session.add(CountyTurnoutReference(county="KENT", election_date=ELECTION, party=party,
                                               voting_method="TOTAL", official_count=count))
        session.add_all(TurnoutRecord(election_date=ELECTION, vuid=f"{1000000000 + n}", county="LOVING",
                                      party="DEM" if n % 2 else "REP", voting_method="early-voting",
                                      source="statewide", verification="verified") for n in range(1, 9))
    context.engine.dispose()
    return empty_url


def kent_dem_total(url: str) -> int:
    context = open_context(url)
    with context.engine.connect() as connection:
        total = connection.execute(select(CountyTurnoutReference.official_count).where(
            CountyTurnoutReference.county == "KENT", CountyTurnoutReference.party == "DEM",
            CountyTurnoutReference.voting_method == "TOTAL")).scalar_one()
    context.engine.dispose()
    return int(total)


def test_submitting_another_countys_roster_over_an_official_count_asks_first(qtbot, kent_with_loving_roster,
                                                                               tmp_path):
    window = make_window(qtbot, kent_with_loving_roster, "KENT")
    wizard = window.uploads.open_wizard([write_roster(tmp_path / "loving.xlsx")])
    to_review(qtbot, wizard)
    risks = wizard.check.risks
    assert risks is not None and risks.needs_confirmation
    assert [(f.county, f.other_county, f.found, f.in_other_county) for f in risks.foreign] == [
        ("KENT", "LOVING", 8, 8)]
    assert [(r.party, r.earlier, r.new) for r in risks.replaced] == [("DEM", 42, 4), ("REP", 0, 4)]
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    counts = wizard.counts_page
    assert "belong to LOVING, not KENT" in counts.risk_label.text()

    click(qtbot, wizard, QWizard.WizardButton.FinishButton)  # Submit: the question, nothing stored yet
    dialog = counts.confirm_dialog
    assert dialog is not None and dialog.isVisible()
    assert "42 -> 4" in dialog.text() and "LOVING" in dialog.text()
    assert dialog.defaultButton() is not dialog.findChild(type(dialog.defaultButton()), "confirmSubmitButton")
    dialog.reject()  # Cancel keeps KENT's count
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert window.runner.is_idle() and not wizard.submitting and kent_dem_total(kent_with_loving_roster) == 42

    click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    with qtbot.waitSignal(wizard.submitted, timeout=30_000):
        qtbot.mouseClick(counts.confirm_dialog.findChild(type(dialog.defaultButton()), "confirmSubmitButton"),
                         Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.result_page and wizard.result_page.outcome == "stored"
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
    assert kent_dem_total(kent_with_loving_roster) == 4
    wizard.close()


def test_a_correction_of_the_same_county_with_the_same_counts_asks_nothing(qtbot, empty_url, tmp_path):
    window = make_window(qtbot, empty_url, "LOVING")
    path = write_roster(tmp_path / "loving.xlsx")
    wizard = window.uploads.open_wizard([path])
    to_review(qtbot, wizard)
    assert wizard.check.risks is not None and not wizard.check.risks.needs_confirmation
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    submit_and_wait(qtbot, wizard)
    assert wizard.counts_page.confirm_dialog is None
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
    wizard.close()


def write_unrecognised_roster(path: Path) -> Path:
    """Sheet "Early Voting" with titles detection does not know ("Pty", "How Voted") and two bad codes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Early Voting"
    sheet.append(["VUID", "Pty", "How Voted", "Precinct"])
    rows = [("DEM", "early-voting"), ("REP", "mail-in"), ("REP", "early-voting"), ("DEM", "curbside??"),
            ("GRN", "early-voting"), ("DEM", "mail-in")]
    for number, (party, method) in enumerate(rows, start=1):
        sheet.append([f"{1000000000 + number}", party, method, "101"])
    workbook.save(path)
    return path


def test_every_field_says_where_it_comes_from_and_a_sheet_name_must_be_confirmed(qtbot, empty_url, tmp_path):
    window = make_window(qtbot, empty_url, "LOVING")
    wizard = window.uploads.open_wizard([write_unrecognised_roster(tmp_path / "loving.xlsx")])
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
    panel = wizard.review_page.mapping_panel
    states = {name: label.text() for name, label in panel.state_labels.items()}
    assert states == {
        "vuid": "detected: VUID", "county": "from your choice: LOVING", "party": "not found: choose a column",
        "voting_method": "from the sheet name: Early voting (confirm it below)", "precinct": "detected: Precinct",
        "vote_date": "not found: choose a column", "district": "not found: choose a column"}
    assert panel.confirm_list.count() == 1 and not panel.confirm_list.isHidden()
    assert panel.confirm_list.item(0).text() == (
        "Every row of loving.xlsx Early Voting is voting method Early voting (taken from the sheet name; "
        "no column says so)")
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # the sheet name's method is not confirmed yet
    panel.confirm_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert next_button.isEnabled()

    panel.combos["party"].setCurrentText("Pty")
    panel.combos["voting_method"].setCurrentText("How Voted")
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        qtbot.mouseClick(panel.recheck_button, Qt.MouseButton.LeftButton)
    assert wizard.mapping == {"party": "Pty", "voting_method": "How Voted"}
    assert panel.state_labels["party"].text() == "mapped: Pty"
    assert panel.state_labels["voting_method"].text() == "mapped: How Voted"
    assert panel.state_labels["vuid"].text() == "detected: VUID"
    assert panel.confirm_list.count() == 0 and panel.confirm_list.isHidden()
    review = wizard.review_page
    problems = [review.problems.record(r) for r in range(review.problems.rowCount())]
    assert [(p.row, p.code, p.value, p.blocking) for p in problems if p.code.startswith("unknown_")] == [
        (5, "unknown_method", "curbside??", True)]
    parties = {c.party for c in wizard.check.report.upload.counts}
    assert parties == {"DEM", "REP", "GRN"}
    wizard.close()


def test_quality_segments_keep_a_visible_minimum_and_the_bar_length():
    widths = segment_widths([39, 0, 1, 0], 160.0)
    assert widths[2] == MIN_SEGMENT and widths[1] == widths[3] == 0.0  # 1 in 40 would be 4 px
    assert sum(widths) == pytest.approx(160.0) and widths[0] == pytest.approx(154.0)
    assert segment_widths([1, 1], 4.0) == [2.0, 2.0]  # no room for two minimums: plain proportions
    assert segment_widths([0, 0], 100.0) == [0.0, 0.0]
    assert [percent_text(n, 40) for n in (39, 1, 0)] == ["98%", "2.5%", "0%"]
    assert percent_text(1, 5000) == "<0.1%"


def test_one_error_in_forty_rows_is_a_visible_mark_with_its_count(qtbot, empty_url, tmp_path):
    window = make_window(qtbot, empty_url, "LOVING")
    wizard = window.uploads.open_wizard([write_roster(tmp_path / "loving.xlsx", voters=39, bad_vuid=True)])
    to_review(qtbot, wizard)
    bar = wizard.review_page.quality
    assert bar.toolTip().splitlines()[0] == "VUID (VUID): 39 valid (98%), 0 repaired (0%), 1 error (2.5%), 0 empty (0%)"
    bar.resize(int(bar.LABEL_WIDTH) + 160, bar.sizeHint().height())
    image = bar.grab().toImage()
    error_colour = QColor(dict(QUALITY_COLOURS)["error"])
    middle = bar.ROW_HEIGHT // 2  # the VUID bar is the first row
    red = [x for x in range(image.width()) if image.pixelColor(x, middle) == error_colour]
    assert len(red) >= MIN_SEGMENT - 1  # antialiasing may soften one edge pixel
    wizard.close()


def test_the_preview_filters_to_problem_rows(qtbot, empty_url, tmp_path):
    window = make_window(qtbot, empty_url, "LOVING")
    wizard = window.uploads.open_wizard([write_roster(tmp_path / "loving.xlsx", voters=20, bad_vuid=True)])
    to_review(qtbot, wizard)
    review = wizard.review_page
    assert review.preview.rowCount() == 22  # header, 20 voters, the bad row
    review.only_problems.setChecked(True)
    shown = [review.preview.headerData(r, Qt.Orientation.Vertical) for r in range(review.preview.rowCount())]
    assert shown == ["1", "22"] and review.preview.row_kind(1) == "data"
    problem = next(r for r in range(review.problems.rowCount()) if review.problems.record(r).row == 22)
    review.problem_table.clicked.emit(review.problems.index(problem, 0))
    assert [i.row() for i in review.preview_table.selectionModel().selectedRows()] == [1]
    review.only_problems.setChecked(False)
    assert review.preview.rowCount() == 22
    wizard.close()


def test_a_county_from_the_file_name_is_shown_but_not_asked(qtbot, empty_url, tmp_path):
    window = MainWindow(jobs.ContextSpec(empty_url, user="ada", role="admin"), Preferences())
    qtbot.addWidget(window)
    window.session.election = ELECTION
    wizard = window.uploads.open_wizard([write_roster(tmp_path / "Loving_roster.xlsx")])
    to_review(qtbot, wizard)
    panel = wizard.review_page.mapping_panel
    assert panel.state_labels["county"].text() == "from the file name: LOVING"
    assert panel.state_labels["voting_method"].text() == "from your choice: Early voting"
    assert panel.confirm_list.count() == 0 and wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.close()
