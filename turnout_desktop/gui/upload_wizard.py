"""Upload wizard (clerk): files -> layout, preview, mapping, problems -> counts -> Submit -> result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from turnout_desktop.domain.codes import KNOWN_PARTIES, VotingMethod
from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.labels import method_label
from turnout_desktop.gui import wizard_jobs
from turnout_desktop.gui.details_dialog import make_table
from turnout_desktop.gui.jobs import ContextSpec
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import Column, RecordTableModel, key
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.wizard_counts import CountsPage
from turnout_desktop.gui.wizard_fields import AUTO, MappingPanel
from turnout_desktop.gui.wizard_result import ResultPage
from turnout_desktop.gui.wizard_widgets import PreviewModel, QualityBar
from turnout_desktop.services.upload_preview import UploadCheck

if TYPE_CHECKING:
    from turnout_desktop.services.outbox import SubmitOrQueueResult
    from turnout_desktop.services.submission_results import SubmitResult

PREVIEW_MAX_COLUMN_WIDTH = 180
PROBLEM_COLUMNS = (
    Column("Row", key("row"), numeric=True), Column("Column", key("column")), Column("Value", key("value")),
    Column("Problem", key("message")), Column("Blocks submit", lambda r: "yes" if r.blocking else "no"),
    Column("File", key("file")),
)


def _choice_combo(name: str, items: list[str], current: str | None = None,
                  label: Callable[[str], str] = str) -> QComboBox:
    """A combo of ``items`` after "(detect)"; each shows ``label(item)`` and carries the item as its data."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(AUTO, None)
    for item in items:
        combo.addItem(label(item), item)
    if current:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def _choice(combo: QComboBox) -> str | None:
    """The chosen item (the code, not the words on screen); None for "(detect)"."""
    data = combo.currentData()
    return None if data is None else str(data)


class FilesPage(QWizardPage):
    """Pick the files and what is known about them (county, election, party, method)."""

    def __init__(self, wizard: UploadWizard) -> None:
        super().__init__()
        self.setTitle("Choose the county file(s)")
        self.file_list = QListWidget()
        self.file_list.setObjectName("fileList")
        add = QPushButton("Add files…")
        add.clicked.connect(self._choose)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_selected)
        clerk_county = wizard.spec.county if wizard.spec.role == "clerk" else None
        self.county = _choice_combo("wizardCounty", [c.sos_name for c in all_counties()], clerk_county)
        self.county.setEnabled(clerk_county is None)  # a clerk submits only for their county
        self.election = QDateEdit()
        self.election.setObjectName("wizardElection")
        self.election.setCalendarPopup(True)
        self.election.setDisplayFormat("yyyy-MM-dd")
        start = wizard.initial_election or dt.date.today()
        self.election.setDate(QDate(start.year, start.month, start.day))
        self.party = _choice_combo("wizardParty", list(KNOWN_PARTIES))
        self.method = _choice_combo("wizardMethod", [m.value for m in VotingMethod], label=method_label)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("County", self.county)
        form.addRow("Election", self.election)
        form.addRow("Party", self.party)
        form.addRow("Voting method", self.method)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_list)
        layout.addLayout(buttons)
        layout.addLayout(form)
        for path in wizard.initial_paths:
            self.file_list.addItem(str(path))

    def paths(self) -> list[Path]:
        return [Path(self.file_list.item(i).text()) for i in range(self.file_list.count())]

    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            self.file_list.addItem(str(path))
        emit(self.completeChanged)

    def _choose(self) -> None:
        dialog = QFileDialog(self, "Add county files")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(lambda names: self.add_paths([Path(n) for n in names]))
        dialog.open()

    def _remove_selected(self) -> None:
        for item in self.file_list.selectedItems():
            self.file_list.takeItem(self.file_list.row(item))
        emit(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.file_list.count() > 0

    def election_date(self) -> dt.date:
        qdate = self.election.date()
        return dt.date(qdate.year(), qdate.month(), qdate.day())


class ReviewPage(QWizardPage):
    """Detected layout, marked preview, editable mapping, column quality and the problem list."""

    def __init__(self, wizard: UploadWizard) -> None:
        super().__init__()
        self.setTitle("Check how the file was read")
        self.wizard_ = wizard
        self.layout_label = QLabel("Reading…")
        self.layout_label.setObjectName("layoutLabel")
        self.layout_label.setWordWrap(True)
        self.sheet_combo = QComboBox()
        self.sheet_combo.currentIndexChanged.connect(self._show_sheet)
        self.preview = PreviewModel(self)
        self.preview_table = QTableView()
        self.preview_table.setObjectName("previewTable")
        self.preview_table.setModel(self.preview)
        self.preview_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview_table.verticalHeader().setDefaultSectionSize(22)
        self.only_problems = QCheckBox("Only rows with problems")
        self.only_problems.setObjectName("onlyProblemsCheck")
        self.only_problems.toggled.connect(self.preview.show_only_problems)
        self.mapping_panel = MappingPanel()
        self.mapping_combos = self.mapping_panel.combos
        self.recheck_button = self.mapping_panel.recheck_button
        self.recheck_button.clicked.connect(self.run_check)
        self.mapping_panel.confirmations_changed.connect(lambda: emit(self.completeChanged))
        self.quality = QualityBar()
        self.quality.setObjectName("qualityBar")
        self.problems = RecordTableModel(PROBLEM_COLUMNS, (), self)
        self.problem_table = make_table(self.problems, "problemTable")
        self.problem_table.clicked.connect(self.select_problem_row)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.mapping_panel)
        side_layout.addWidget(QLabel("Column quality"))
        side_layout.addWidget(self.quality)
        side_layout.addStretch(1)
        top = QSplitter()
        top.addWidget(self.preview_table)
        top.addWidget(side)
        top.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.layout_label)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet_combo)
        sheet_row.addStretch(1)
        sheet_row.addWidget(self.only_problems)
        layout.addLayout(sheet_row)
        layout.addWidget(top, 3)
        layout.addWidget(QLabel("Problems (click one to see its row)"))
        layout.addWidget(self.problem_table, 2)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        if tuple(self.wizard_.files_page.paths()) != self.wizard_.checked_paths:
            self.reset_mapping()  # another file's column titles mean nothing for these files
        self.clear_check("Reading…")
        self.run_check()

    def reset_mapping(self) -> None:
        """Every field back to detection, with no titles offered until the new files are read."""
        self.mapping_panel.reset()

    def clear_check(self, message: str) -> None:
        """Forget the last pre-check on screen: no stale preview, problems or bars beside a new file."""
        self.wizard_.check = None
        self.layout_label.setText(message)
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.blockSignals(False)
        self.preview.set_preview(None)
        self.quality.set_profiles(())
        self.problems.set_records(())
        self.mapping_panel.show_sources((), None)
        emit(self.completeChanged)

    def mapping(self) -> dict[str, str]:
        return self.mapping_panel.mapping()

    def run_check(self) -> None:
        self.wizard_.run_check(self.mapping())

    def show_check(self, check: UploadCheck) -> None:
        report = check.report
        layout = report.layout
        self.layout_label.setText(
            f"{layout.kind.capitalize()} upload read with {layout.parser}"
            f"{' (' + layout.encoding + ')' if layout.encoding else ''}; "
            f"{'header on row ' + str(layout.header_row) if layout.header_row else 'no header row'}; "
            f"{check.row_count:,} data rows; {len(report.upload.problems)} problem(s)."
            + (" Working offline: no statewide counts." if check.offline else ""))
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for preview in check.previews:
            self.sheet_combo.addItem(f"{preview.file} {preview.sheet}".strip())
        self.sheet_combo.blockSignals(False)
        self.sheet_combo.setVisible(len(check.previews) > 1)
        self.mapping_panel.show_titles([t for p in check.previews for t in p.titles if t], layout.mapping)
        self.quality.set_profiles(check.quality)
        self.problems.set_records(report.upload.problems)  # ingest Problem records
        self._show_sheet(0)
        emit(self.completeChanged)

    def _show_sheet(self, index: int) -> None:
        check = self.wizard_.check
        if check is None or not 0 <= index < len(check.previews):
            self.preview.set_preview(None)
            return
        preview = check.previews[index]
        rows = {p.row for p in check.report.upload.problems if p.row is not None and p.file == preview.file}
        self.preview.set_preview(preview, rows)
        self.mapping_panel.show_sources(check.fields, (preview.file, preview.sheet))
        self.preview_table.resizeColumnsToContents()
        header = self.preview_table.horizontalHeader()
        for column in range(header.count()):  # a long banner cell must not make its column screen-wide
            header.resizeSection(column, min(header.sectionSize(column), PREVIEW_MAX_COLUMN_WIDTH))

    def select_problem_row(self, index: QModelIndex) -> None:
        """Select the problem's spreadsheet row in the preview and scroll to it."""
        problem = self.problems.record(index.row())
        if problem.row is None or self.wizard_.check is None:
            return
        for position, preview in enumerate(self.wizard_.check.previews):
            if preview.file == problem.file and (not problem.sheet or preview.sheet == problem.sheet):
                if self.sheet_combo.currentIndex() != position:
                    self.sheet_combo.setCurrentIndex(position)
                break
        row = self.preview.row_for_spreadsheet_row(problem.row)
        if row is not None:
            self.preview_table.selectRow(row)
            self.preview_table.scrollTo(self.preview.index(row, 0))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Checked, and every party or method taken from a sheet or file name confirmed."""
        return self.wizard_.check is not None and not self.wizard_.checking and self.mapping_panel.all_confirmed()


class UploadWizard(QWizard):
    """The clerk's upload flow; all reading and storing runs on the shared task runner."""

    checked = Signal(object)  # UploadCheck
    submitted = Signal(object)  # SubmitResult, or SubmitOrQueueResult through a shared server (wizard_jobs.submit)
    # A pre-check or submit that raised: the exception and its traceback text, for whoever shows error dialogs
    # (UploadActions passes it to the session, so the main window shows it as it shows any job's error).
    failed = Signal(object, str)

    def __init__(self, spec: ContextSpec, runner: TaskRunner, paths: list[Path], *,
                 election: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("uploadWizard")
        self.setWindowTitle("Upload county file")
        self.resize(1000, 700)
        self.spec = spec
        self.runner = runner
        self.initial_paths = list(paths)
        self.initial_election = election
        self.check: UploadCheck | None = None
        self.checked_paths: tuple[Path, ...] = ()  # the files the last pre-check read
        self.mapping: dict[str, str] | None = None  # the column choices the last pre-check used
        self._check_serial = 0
        self.checking = False
        self.submitting = False
        self.submit_done = False
        self.result: SubmitResult | SubmitOrQueueResult | None = None
        self.files_page = FilesPage(self)
        self.review_page = ReviewPage(self)
        self.counts_page = CountsPage(self)
        self.result_page = ResultPage()
        for page in (self.files_page, self.review_page, self.counts_page):
            self.addPage(page)
        self.result_page_id = self.addPage(self.result_page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Submit")

    def options(self) -> dict[str, Any]:
        return {"county": _choice(self.files_page.county), "election": self.files_page.election_date(),
                "party": _choice(self.files_page.party), "method": _choice(self.files_page.method)}

    def run_check(self, mapping: dict[str, str]) -> None:
        self.checking = True
        emit(self.review_page.completeChanged)
        self.mapping = mapping
        self.checked_paths = tuple(self.files_page.paths())
        self._check_serial += 1
        serial = self._check_serial  # a slower check of earlier files must not overwrite this one
        self.runner.start(wizard_jobs.run_precheck, self.spec, list(self.checked_paths), mapping=mapping,
                          on_result=lambda check: self._on_checked(check, serial),
                          on_error=lambda error, trace: self._on_check_failed(error, trace, serial),
                          title="Pre-checking", heavy=True, **self.options())

    def _on_checked(self, check: UploadCheck, serial: int) -> None:
        if serial != self._check_serial:
            return
        self.check = check
        self.checking = False
        self.review_page.show_check(check)
        emit(self.checked, check)

    def _on_check_failed(self, error: BaseException, trace: str, serial: int) -> None:
        if serial != self._check_serial:
            return
        self.checking = False
        self.review_page.clear_check(f"The file cannot be read: {error}")
        emit(self.failed, error, trace)

    def start_submit(self) -> None:
        if self.submitting:
            return
        self.submitting = True
        emit(self.counts_page.completeChanged)
        options = self.options()
        self.runner.start(wizard_jobs.submit, self.spec, self.files_page.paths(), election=options["election"],
                          county=options["county"], party=options["party"], method=options["method"],
                          mapping=self.mapping, on_result=self._on_submitted,
                          on_error=self._on_submit_failed, title="Submitting and reconciling", heavy=True)

    def _on_submitted(self, result: SubmitResult | SubmitOrQueueResult) -> None:
        self.submitting = False
        self.submit_done = True
        self.result = result
        self.result_page.show_result(result)
        self.counts_page.setCommitPage(True)  # the upload is done: no Back from the result page
        emit(self.submitted, result)
        self.next()

    def _on_submit_failed(self, error: BaseException, trace: str) -> None:
        self.submitting = False
        self.counts_page.reason_label.setText(f"Not submitted: {error}")
        emit(self.counts_page.completeChanged)
        emit(self.failed, error, trace)
