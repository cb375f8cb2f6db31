"""The upload wizard's counts page: counts beside the statewide cache, the risks, Submit (and its confirmation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout, QWizardPage

from turnout_desktop.domain.labels import method_label
from turnout_desktop.gui.details_dialog import make_table
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import Column, RecordTableModel, key

if TYPE_CHECKING:
    from turnout_desktop.gui.upload_wizard import UploadWizard

COUNT_COLUMNS = (
    Column("County", key("county")), Column("Party", key("party")),
    Column("Method", key("voting_method"), lambda v, _r: method_label(v)),
    Column("County count", key("official"), numeric=True), Column("Statewide", key("statewide"), numeric=True),
    Column("Difference", key("difference"), lambda v, _r: "" if v is None else f"{v:+,}", numeric=True),
)


class CountsPage(QWizardPage):
    """Counts by party x method beside the cached statewide counts; Submit waits for no blocking problem."""

    def __init__(self, wizard: UploadWizard) -> None:
        super().__init__()
        self.setTitle("Compare the counts and submit")
        self.wizard_ = wizard
        self.counts = RecordTableModel(COUNT_COLUMNS, (), self)
        self.count_table = make_table(self.counts, "countTable")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("submitReason")
        self.reason_label.setWordWrap(True)
        self.risk_label = QLabel()
        self.risk_label.setObjectName("riskLabel")
        self.risk_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_table)
        layout.addWidget(self.risk_label)
        layout.addWidget(self.reason_label)
        self.setFinalPage(True)
        self.confirm_dialog: QMessageBox | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        check = self.wizard_.check
        if check is None:
            return
        # Without a cache every row still shows, its statewide count and difference blank (None).
        rows = check.statewide or check.report.statewide_comparison
        self.counts.set_records(rows)
        risks = check.risks.messages() if check.risks is not None else ()
        self.risk_label.setText("\n".join(f"Check before submitting: {line}" for line in risks))
        self.risk_label.setVisible(bool(risks))
        self.reason_label.setText(self.block_reason())
        emit(self.completeChanged)

    def block_reason(self) -> str:
        """Why Submit is disabled ("" when it is enabled)."""
        check = self.wizard_.check
        if check is None:
            return "Not checked yet."
        blocking = [p for p in check.report.upload.problems if p.blocking]
        if blocking:
            first = blocking[0]
            where = f" (row {first.row})" if first.row is not None else ""
            return f"Submit is disabled: {len(blocking)} blocking problem(s), e.g. {first.message}{where}."
        if self.wizard_.submitting:
            return "Submitting…"
        return ""

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self.block_reason()

    def nextId(self) -> int:  # noqa: N802 - Qt override
        """The last page until the submit finished: Finish says Submit; then the result page follows."""
        return self.wizard_.result_page_id if self.wizard_.submit_done else -1

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Submit runs in the worker, after a confirmation when it would replace or mix up counts."""
        if self.wizard_.submit_done:
            return True
        check = self.wizard_.check
        if check is not None and check.risks is not None and check.risks.needs_confirmation:
            self.ask_confirmation(check.risks.messages())
        else:
            self.wizard_.start_submit()
        return False

    def ask_confirmation(self, risks: tuple[str, ...]) -> None:
        """A window-modal question (the GUI thread never waits); Submit anyway starts the submit."""
        if self.confirm_dialog is not None and self.confirm_dialog.isVisible():
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Submit this upload?",
                          "Check before submitting:\n\n" + "\n".join(f"• {line}" for line in risks),
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmSubmitDialog")
        submit = box.addButton("Submit anyway", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter must not overwrite a count
        submit.setObjectName("confirmSubmitButton")
        box.buttonClicked.connect(lambda button: self.wizard_.start_submit() if button is submit else None)
        self.confirm_dialog = box
        box.open()
