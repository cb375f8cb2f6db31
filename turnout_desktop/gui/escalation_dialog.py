"""Escalation dialog (admin): everything needed to decide, and the decisions themselves."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.advice import (
    ADVICE_COUNTY_REPORTS_MORE,
    ADVICE_DATABASE_HOLDS_MORE,
    ADVICE_REVIEW_EVIDENCE,
    ADVICE_STATEWIDE_BEHIND,
    ESCALATION_ADVICE,
)
from turnout_desktop.domain.decisions import ReviewState
from turnout_desktop.domain.labels import review_label
from turnout_desktop.gui.details_dialog import (
    ATTEMPT_COLUMNS,
    EVIDENCE_COLUMNS,
    METHOD_COLUMNS,
    diagnosis_text,
    gate_text,
    make_table,
    method_records,
    print_buttons,
    summary_text,
)
from turnout_desktop.gui.override_confirm import OverrideInForceBox
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import RecordTableModel
from turnout_desktop.services.fixes import review_state_of
from turnout_desktop.services.reconciliation_results import LogDetail, LogEntry

# The states services.fixes.mark_reviewed accepts, in plain language; the plain value is the item's data (Qt
# compares it with the stored state). An unreviewed escalation is open.
REVIEW_STATES = tuple((state.value, review_label(state)) for state in ReviewState)


def recommended_next_step(detail: LogEntry) -> str:
    """A plain-language suggestion from the diagnosis and what the strategies already tried.

    The engine stores whole diagnosis codes (``domain/diagnosis.py``), so a code is looked up as it is.
    """
    diagnosis = {str(code) for code in detail.diagnosis}
    remedy = next((advice for code, advice in ESCALATION_ADVICE.items() if code in diagnosis), None)
    if remedy is not None:
        return remedy
    discrepancy = detail.discrepancy or 0
    if discrepancy > 0:
        return ADVICE_DATABASE_HOLDS_MORE
    if discrepancy < 0:
        return ADVICE_COUNTY_REPORTS_MORE + (ADVICE_STATEWIDE_BEHIND if detail.strategies_tried else "")
    return ADVICE_REVIEW_EVIDENCE


class EscalationDialog(QDialog):
    """Shows an escalated county/party; emits the admin's decisions for the main window to run."""

    # The LogDetail travels as ``object``: Signal(dict) would deliver a dataclass as {}.
    recheck_requested = Signal(object)
    review_requested = Signal(int, str, str)  # log id, state, reason
    override_requested = Signal(object, str)  # detail, reason
    revoke_requested = Signal(object, int, str)  # detail, override id, reason
    export_requested = Signal(object, str)  # detail, "pdf" | "csv"
    print_requested = Signal(object, bool)  # detail, preview first

    def __init__(self, detail: LogDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("escalationDialog")
        self.setWindowTitle(f"Escalation - {detail.county} {detail.party}")
        self.resize(900, 640)
        self.detail = detail
        self.summary_label = QLabel(summary_text(detail))
        self.summary_label.setWordWrap(True)
        self.diagnosis_label = QLabel(diagnosis_text(detail))
        self.gate_label = QLabel(gate_text(detail))
        self.gate_label.setObjectName("gateLabel")
        self.next_step_label = QLabel("Recommended next step: " + recommended_next_step(detail))
        self.next_step_label.setObjectName("nextStepLabel")
        self.next_step_label.setWordWrap(True)
        self.methods = RecordTableModel(METHOD_COLUMNS, method_records(detail), self)
        self.evidence = RecordTableModel(EVIDENCE_COLUMNS, detail.evidence, self)
        self.attempts = RecordTableModel(ATTEMPT_COLUMNS, detail.attempts, self)
        tabs = QTabWidget()
        tabs.addTab(make_table(self.methods, "methodTable"), "Expected vs actual")
        tabs.addTab(make_table(self.evidence, "evidenceTable"), f"Evidence ({self.evidence.rowCount()})")
        tabs.addTab(make_table(self.attempts, "attemptTable"), f"Strategies tried ({self.attempts.rowCount()})")

        self.review_state = QComboBox()
        self.review_state.setObjectName("reviewState")
        for value, label in REVIEW_STATES:
            self.review_state.addItem(label, value)
        self.review_reason = QLineEdit()
        self.review_reason.setObjectName("reviewReason")
        self.review_reason.setPlaceholderText("Reason (required for every review state)")
        self.review_hint = QLabel()
        self.review_hint.setObjectName("reviewHint")
        self.review_hint.setWordWrap(True)
        self.review_button = QPushButton("Mark reviewed")
        self.review_button.setObjectName("markReviewedButton")
        self.review_button.clicked.connect(self._emit_review)
        self.review_reason.returnPressed.connect(self._emit_review)  # Enter in the reason: what its button does
        self.review_state.currentIndexChanged.connect(self._update_buttons)
        self.review_reason.textChanged.connect(self._update_buttons)
        self.review_box = review_box = QGroupBox()
        review_box.setObjectName("reviewBox")
        review_form = QFormLayout(review_box)
        review_form.addRow("State", self.review_state)
        review_form.addRow("Reason", self.review_reason)
        review_form.addRow(self.review_hint)
        review_form.addRow(self.review_button)

        self.override_reason = QPlainTextEdit()
        self.override_reason.setObjectName("overrideReason")
        self.override_reason.setPlaceholderText("Why the figure may be published as it is (recorded in the audit log)")
        self.override_reason.setMaximumHeight(70)
        self.override_button = QPushButton("Manual override")
        self.override_button.setObjectName("overrideButton")
        self.override_button.clicked.connect(
            lambda: emit(self.override_requested, self.detail, self.override_reason.toPlainText().strip()))
        self.override_reason.textChanged.connect(self._update_buttons)
        self.override_box = override_box = QGroupBox("Override")
        override_layout = QVBoxLayout(override_box)
        override_layout.addWidget(self.override_reason)
        override_layout.addWidget(self.override_button)
        # One override at a time: while one is in force the dialog offers its revoke, not a second override.
        self.in_force_box = OverrideInForceBox()
        self.in_force_box.revoke_requested.connect(
            lambda override_id, reason: emit(self.revoke_requested, self.detail, override_id, reason))
        self.feedback_label = QLabel()
        self.feedback_label.setObjectName("decisionFeedback")
        self.feedback_label.setWordWrap(True)
        self.feedback_label.hide()

        self.recheck_button = QPushButton("Force re-check")
        self.recheck_button.setObjectName("recheckButton")
        self.recheck_button.clicked.connect(lambda: emit(self.recheck_requested, self.detail))
        self.pdf_button = QPushButton("Export PDF…")
        self.pdf_button.setObjectName("exportPdfButton")
        self.pdf_button.clicked.connect(lambda: emit(self.export_requested, self.detail, "pdf"))
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setObjectName("exportCsvButton")
        self.csv_button.clicked.connect(lambda: emit(self.export_requested, self.detail, "csv"))
        self.print_preview_button, self.print_button = print_buttons(self, lambda preview: emit(
            self.print_requested, self.detail, preview))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        # No button answers Enter on its own (a QDialog presses the next auto-default button otherwise, e.g.
        # "Print preview…" from the reason field): Enter does what the focused field's own button does.
        for button in (self.review_button, self.override_button, self.recheck_button, self.pdf_button,
                       self.csv_button, self.print_preview_button, self.print_button,
                       close.button(QDialogButtonBox.StandardButton.Close)):
            button.setAutoDefault(False)
            button.setDefault(False)

        decisions = QHBoxLayout()
        decisions.addWidget(review_box, 1)
        decisions.addWidget(override_box, 1)
        decisions.addWidget(self.in_force_box, 1)
        bottom = QHBoxLayout()
        for button in (self.recheck_button, self.pdf_button, self.csv_button, self.print_preview_button,
                       self.print_button):
            bottom.addWidget(button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        for label in (self.summary_label, self.diagnosis_label, self.gate_label, self.next_step_label):
            layout.addWidget(label)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.feedback_label)
        layout.addLayout(decisions)
        layout.addLayout(bottom)
        self.set_detail(detail)
        self.review_reason.setFocus()

    def set_detail(self, detail: LogDetail) -> None:
        """Show ``detail`` as it is now (after a decision): status, gate, review state, the override in force."""
        self.detail = detail
        self.summary_label.setText(summary_text(detail))
        self.diagnosis_label.setText(diagnosis_text(detail))
        self.gate_label.setText(gate_text(detail))
        current = review_state_of(detail.review_state)  # older databases hold the old state names
        if current:
            self.review_state.setCurrentIndex(max(0, self.review_state.findData(current)))
        self.review_reason.setText(detail.review_reason or "")
        self.review_box.setTitle(f"Review (now: {review_label(current)})")
        self.override_reason.clear()
        self.override_box.setVisible(detail.override is None)
        self.in_force_box.setVisible(detail.override is not None)
        self.in_force_box.show_override(detail.override)
        self._update_buttons()

    def show_feedback(self, text: str) -> None:
        """What the last decision did, in the dialog itself (the status bar may be hidden behind it)."""
        self.feedback_label.setText(text)
        self.feedback_label.setVisible(bool(text))

    def _update_buttons(self) -> None:
        # services.fixes.mark_reviewed records a reason with every state change, so every state needs one.
        has_reason = bool(self.review_reason.text().strip())
        self.review_button.setEnabled(has_reason)
        self.review_hint.setText("" if has_reason else "Type a reason to mark this escalation reviewed.")
        self.review_hint.setVisible(not has_reason)
        self.override_button.setEnabled(self.detail.override is None
                                        and bool(self.override_reason.toPlainText().strip()))

    def _emit_review(self) -> None:
        if not self.review_button.isEnabled():
            return
        emit(self.review_requested, self.detail.id, str(self.review_state.currentData()),
             self.review_reason.text().strip())
