"""Details of one county/party reconciliation: methods, evidence, attempts, fixes, gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.labels import (
    ACCURACY_HISTORY_TITLE,
    diagnoses_text,
    evidence_label,
    method_label,
    outcome_label,
    status_text,
    strategy_label,
)
from turnout_desktop.gui.accuracy_history_chart import AccuracyHistoryChart
from turnout_desktop.gui.activity_model import off_by_text
from turnout_desktop.gui.override_confirm import OverrideInForceBox
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import Column, RecordTableModel, format_value, key
from turnout_desktop.services.labels import strategy_labels
from turnout_desktop.services.reconciliation_results import EvidenceRow, FixDetail, LogDetail, LogEntry

METHOD_COLUMNS = (
    Column("Method", key("method"), lambda v, _r: method_label(v)),
    Column("Expected", key("expected"), numeric=True),
    Column("Actual", key("actual"), numeric=True),
    Column("Off by", lambda r: (r.get("actual") or 0) - (r.get("expected") or 0), lambda v, _r: f"{v:+,}",
           numeric=True),
)
EVIDENCE_COLUMNS = (  # over LogDetail.evidence
    Column("VUID", key("vuid")),
    Column("Problem", lambda r: evidence_problem(r)),
    Column("Row", key("row_no"), numeric=True),
    Column("Source file", key("source_file")),
    Column("Precinct", key("precinct")),
)
ATTEMPT_COLUMNS = (
    Column("#", key("attempt_no"), numeric=True),
    Column("Strategy", key("strategy"), lambda v, _r: strategy_label(v, strategy_labels())),
    Column("Outcome", key("outcome"), lambda v, _r: outcome_label(v)),
    Column("Before", key("before_actual"), numeric=True),
    Column("After", key("after_actual"), numeric=True),
    Column("Accuracy before", key("before_accuracy_pct"), numeric=True),
    Column("Accuracy after", key("after_accuracy_pct"), numeric=True),
    Column("Message", key("message")),
)
FIX_COLUMNS = (
    Column("Fix", key("id"), numeric=True),
    Column("Strategy", key("strategy"), lambda v, _r: strategy_label(v, strategy_labels())),
    Column("Summary", key("summary")),
    Column("Rows changed", lambda r: len(r.actions), numeric=True),
    Column("Undone", key("undone_at")),
)


def method_records(detail: LogDetail) -> list[dict[str, Any]]:
    """``by_method`` as table rows, methods in a stable order."""
    by_method = detail.by_method or {}
    return [{"method": method, "expected": values.get("expected"), "actual": values.get("actual")}
            for method, values in sorted(by_method.items())]


def evidence_problem(row: EvidenceRow) -> str:
    """The Problem cell of one evidence row, in words (the diagnosis keeps the codes): its kind or code, else
    the reason the diagnosis already said in words."""
    return evidence_label(row.kind) if row.kind else row.reason or ""


def make_table(model: RecordTableModel, name: str) -> QTableView:
    """A read-only, row-selecting table with fixed row heights."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(22)
    table.verticalHeader().hide()  # row numbers mean nothing here; spreadsheet rows have their own column
    table.horizontalHeader().setStretchLastSection(True)
    return table


def print_buttons(parent: QWidget, request: Callable[[bool], None]) -> tuple[QPushButton, QPushButton]:
    """"Print preview…" and "Print…" buttons for one log entry's report; ``request(preview)`` runs on click."""
    preview = QPushButton("Print preview…", parent)
    preview.setObjectName("printPreviewButton")
    preview.clicked.connect(lambda: request(True))
    paper = QPushButton("Print…", parent)
    paper.setObjectName("printButton")
    paper.clicked.connect(lambda: request(False))
    return preview, paper


def summary_text(detail: LogEntry) -> str:
    """One paragraph: who, expected vs actual, off by, status, attempts."""
    return (f"<b>{detail.county}</b> {detail.party} - election "
            f"{format_value(detail.election_date)}<br>Expected {format_value(detail.expected_total)}, "
            f"actual {format_value(detail.actual_total)}, off by {off_by_text(detail) or '0'}; status "
            f"<b>{_status_words(detail)}</b> after {detail.attempts_count or 0} attempt(s).")


def _status_words(detail: LogEntry) -> str:
    return status_text(detail.status, detail.final_accuracy_pct, overridden=detail.override is not None)


def gate_text(detail: LogDetail) -> str:
    state = "shown publicly" if detail.gate.allowed else "held back"
    return f"Public gate: {state} - {detail.gate.message}"


def diagnosis_text(detail: LogEntry) -> str:
    return "Diagnosis: " + diagnoses_text(detail.diagnosis)


class DetailsDialog(QDialog):
    """Read-mostly view of ``services.reconciliation.log_detail``; Undo and Re-check go to the owner."""

    undo_requested = Signal(int, str)  # fix id, the admin's written reason
    recheck_requested = Signal(object)  # the LogDetail (Signal(dict) would deliver a dataclass as {})
    print_requested = Signal(object, bool)  # the LogDetail, preview first
    revoke_requested = Signal(object, int, str)  # the LogDetail, override id, reason (admin only)

    def __init__(self, detail: LogDetail, *, is_admin: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsDialog")
        self.setWindowTitle(f"Details - {detail.county} {detail.party}")
        self.resize(860, 560)
        self.detail = detail
        self.summary_label = QLabel(summary_text(detail))
        self.summary_label.setWordWrap(True)
        self.diagnosis_label = QLabel(diagnosis_text(detail))
        self.diagnosis_label.setWordWrap(True)
        self.gate_label = QLabel(gate_text(detail))
        self.gate_label.setObjectName("gateLabel")
        self.methods = RecordTableModel(METHOD_COLUMNS, method_records(detail), self)
        self.evidence = RecordTableModel(EVIDENCE_COLUMNS, detail.evidence, self)
        self.attempts = RecordTableModel(ATTEMPT_COLUMNS, detail.attempts, self)
        self.fixes = RecordTableModel(FIX_COLUMNS, detail.fixes, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(make_table(self.methods, "methodTable"), "By method")
        self.tabs.addTab(make_table(self.evidence, "evidenceTable"), f"Evidence ({self.evidence.rowCount()})")
        self.tabs.addTab(make_table(self.attempts, "attemptTable"), f"Attempts ({self.attempts.rowCount()})")
        fixes_page = QWidget()
        self.fix_table = make_table(self.fixes, "fixTable")
        self.undo_button = QPushButton("Undo selected fix")
        self.undo_button.setObjectName("undoFixButton")
        self.undo_button.setVisible(is_admin)  # admin-only; the service refuses clerks anyway
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self._undo_selected)
        self.undo_reason = QLineEdit()
        self.undo_reason.setObjectName("undoReason")
        self.undo_reason.setPlaceholderText("Why undo this fix? (required; kept in the audit trail)")
        self.undo_reason.setVisible(is_admin)
        self.undo_reason.textChanged.connect(self._update_undo)
        self.fix_table.selectionModel().selectionChanged.connect(self._update_undo)
        fixes_layout = QVBoxLayout(fixes_page)
        fixes_layout.addWidget(self.fix_table)
        undo_row = QHBoxLayout()
        undo_row.addWidget(self.undo_reason, 1)
        undo_row.addWidget(self.undo_button)
        fixes_layout.addLayout(undo_row)
        self.tabs.addTab(fixes_page, f"Fixes ({self.fixes.rowCount()})")
        # The county's accuracy over time; its owner has it read when the tab opens (accuracy_history_chart.load_into).
        self.history_chart = AccuracyHistoryChart()
        self.history_chart.show_loading(detail.county)
        self.tabs.addTab(self.history_chart, ACCURACY_HISTORY_TITLE)
        self.recheck_button = QPushButton("Force re-check")
        self.recheck_button.setObjectName("recheckButton")
        self.recheck_button.clicked.connect(lambda: emit(self.recheck_requested, self.detail))
        self.print_preview_button, self.print_button = print_buttons(self, lambda preview: emit(
            self.print_requested, self.detail, preview))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        for button in (self.recheck_button, self.print_preview_button, self.print_button):
            bottom.addWidget(button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.diagnosis_label)
        layout.addWidget(self.gate_label)
        layout.addWidget(self.tabs, 1)
        # An override in force over a run that did not escalate is revoked here (escalations: EscalationDialog).
        self.is_admin = is_admin
        self.in_force_box = OverrideInForceBox()
        self.in_force_box.revoke_requested.connect(
            lambda override_id, reason: emit(self.revoke_requested, self.detail, override_id, reason))
        self.feedback_label = QLabel()
        self.feedback_label.setObjectName("decisionFeedback")
        self.feedback_label.hide()
        layout.addWidget(self.in_force_box)
        layout.addWidget(self.feedback_label)
        layout.addLayout(bottom)
        self.set_detail(detail)

    def set_detail(self, detail: LogDetail) -> None:
        """Show ``detail`` as it is now (after a decision): status, gate, the override in force."""
        self.detail = detail
        self.summary_label.setText(summary_text(detail))
        self.gate_label.setText(gate_text(detail))
        self.in_force_box.setVisible(self.is_admin and detail.override is not None)
        self.in_force_box.show_override(detail.override if self.is_admin else None)

    def show_feedback(self, text: str) -> None:
        self.feedback_label.setText(text)
        self.feedback_label.setVisible(bool(text))

    def selected_fix(self) -> FixDetail | None:
        rows = self.fix_table.selectionModel().selectedRows()
        return self.fixes.record(rows[0].row()) if rows else None

    def _update_undo(self) -> None:
        fix = self.selected_fix()
        self.undo_button.setEnabled(fix is not None and not fix.undone_at
                                    and bool(self.undo_reason.text().strip()))

    def _undo_selected(self) -> None:
        fix = self.selected_fix()
        reason = self.undo_reason.text().strip()
        if fix is not None and reason:
            emit(self.undo_requested, fix.id, reason)
