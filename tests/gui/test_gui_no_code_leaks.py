"""No internal code reaches a person: the upload wizard's method choice, field sources,
confirmations, preview and problems, and the details dialog's Problem column show the label table's words
(domain/labels.py), checked against the codes derived from the code (tests/user_facing_codes.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from service_records import record
from user_facing_codes import METHOD_CODES, leaked_codes

from turnout_desktop.domain.labels import DIAGNOSIS_LABELS, EVIDENCE_KIND_LABELS, METHOD_LABELS
from turnout_desktop.gui import jobs
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.record_model import RecordTableModel
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.services.reconciliation_results import FailingVuid, GateResult, LogDetail
from turnout_desktop.services.reconciliation_views import evidence_rows

ELECTION = dt.date(2026, 3, 3)


def _mail_roster(path: Path) -> Path:
    """A title row, then a sheet named for mail ballots (its method comes from the name) and one bad VUID."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Mail Ballots"
    sheet.append(["Loving County mail ballot roster", ""])
    sheet.append(["VUID", "Party", "Precinct"])
    for number in range(1, 7):
        sheet.append([f"{1000000000 + number}", "DEM" if number % 2 else "REP", "101"])
    sheet.append(["12AB", "DEM", "101"])
    workbook.save(path)
    return path


def _cells(model: RecordTableModel) -> list[str]:
    return [str(model.index(row, column).data() or "") for row in range(model.rowCount())
            for column in range(model.columnCount())]


def test_the_wizard_shows_methods_sources_and_problems_in_words(qtbot, empty_url, tmp_path):
    window = MainWindow(jobs.ContextSpec(empty_url, user="clerk", role="clerk", county="LOVING"), Preferences())
    qtbot.addWidget(window)
    window.session.election = ELECTION
    wizard = window.uploads.open_wizard([_mail_roster(tmp_path / "loving.xlsx")])
    method = wizard.files_page.method
    items = [method.itemText(i) for i in range(method.count())]
    assert items == ["(detect)", *METHOD_LABELS.values()]
    assert not leaked_codes(" ".join(items), METHOD_CODES)
    # The words are shown, the code is what the pre-check gets.
    method.setCurrentIndex(items.index(METHOD_LABELS["mail-in"]))
    assert wizard.options()["method"] == "mail-in"
    method.setCurrentIndex(0)
    assert wizard.options()["method"] is None

    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    review = wizard.review_page
    panel = review.mapping_panel
    sources = [label.text() for label in panel.state_labels.values()]
    assert "from the sheet name: Mail-in (confirm it below)" in sources
    confirmations = [panel.confirm_list.item(i).text() for i in range(panel.confirm_list.count())]
    assert confirmations and "is voting method Mail-in (taken from the sheet name" in confirmations[0]
    kinds = [str(review.preview.index(row, 0).data()) for row in range(review.preview.rowCount())]
    assert kinds[0].startswith("Title row") and kinds[1] == "Header" and "Data (problem)" in kinds
    problems = _cells(review.problems)
    assert any("VUID" in text for text in problems)
    shown = [*sources, *confirmations, *kinds, *problems, review.layout_label.text()]
    assert leaked_codes("\n".join(shown)) == []

    panel.confirm_list.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    counts = wizard.counts_page
    assert METHOD_LABELS["mail-in"] in _cells(counts.counts)
    assert leaked_codes("\n".join([*_cells(counts.counts), counts.risk_label.text(), counts.reason_label.text()])) \
        == []
    wizard.close()


def test_the_details_dialogs_problem_column_names_each_evidence_kind(qtbot):
    gate = GateResult(allowed=False, accuracy_pct=50.0, message="Blocked", level="escalated")
    failing = (record(FailingVuid, vuid="1000000001", row_no=4, file="kent.xlsx", voting_method="mail-in"),)
    missing = record(LogDetail, id=3, county="KENT", party="REP", status="ESCALATED", diagnosis=("missing_vuids",),
                     failing_vuids=failing, evidence=evidence_rows(failing, {}), gate=gate)
    kinds = [{"vuid": f"10000000{n:02d}", "kind": kind} for n, kind in enumerate(EVIDENCE_KIND_LABELS)]
    stored = {"evidence": [
        *kinds, {"vuid": "1000000099", "code": "duplicate_records"},
        {"vuid": "1000000098", "reason": "county votes dated after the latest statewide vote date"}]}
    others = record(LogDetail, id=4, county="KENT", party="DEM", status="ESCALATED", diagnosis=("wrong_district",),
                    failing_vuids=(), evidence=evidence_rows((), stored), gate=gate, diagnosis_details=stored)
    shown = []
    for detail in (missing, others):
        dialog = DetailsDialog(detail, is_admin=False)
        qtbot.addWidget(dialog)
        problem = dialog.evidence.headers().index("Problem")
        shown.append([dialog.evidence.index(row, problem).data() for row in range(dialog.evidence.rowCount())])
    assert shown[0] == [DIAGNOSIS_LABELS["missing_vuids"]]
    assert shown[1] == [*EVIDENCE_KIND_LABELS.values(), DIAGNOSIS_LABELS["duplicate_records"],
                        "county votes dated after the latest statewide vote date"]
    assert leaked_codes("\n".join(shown[0] + shown[1])) == []
