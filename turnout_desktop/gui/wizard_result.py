"""The upload wizard's last page: stored, duplicate or queued offline, each party's status, the next step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWizard, QWizardPage

from turnout_desktop.domain.display import DisplayStatus, severity_rank, status_category
from turnout_desktop.domain.labels import (
    DUPLICATE_NEXT_STEP,
    QUEUED_NEXT_STEP,
    UPLOAD_OUTCOME_LABELS,
    accuracy_text,
    next_step,
    status_text,
)
from turnout_desktop.gui.details_dialog import make_table
from turnout_desktop.gui.record_model import Column, RecordTableModel, key

if TYPE_CHECKING:
    from turnout_desktop.services.outbox import SubmitOrQueueResult
    from turnout_desktop.services.submission_results import ReconcileRun, SubmitResult

RESULT_COLUMNS = (
    Column("County", key("county")), Column("Party", key("party")),
    Column("Status", lambda r: status_text(r.status, r.final_accuracy_pct)),
    Column("County count", key("expected_total"), numeric=True),
    Column("Database", key("actual_total"), numeric=True),
    Column("Accuracy", key("final_accuracy_pct"), lambda v, _r: accuracy_text(v), numeric=True),
    Column("Next step", lambda r: next_step(status_category(r.status, r.final_accuracy_pct))),
)


def submit_outcome(result: SubmitResult | SubmitOrQueueResult) -> tuple[str, tuple[ReconcileRun, ...]]:
    """The outcome code (a key of ``UPLOAD_OUTCOME_LABELS``) and the reconciliations run after storing."""
    from turnout_desktop.services.outbox import SubmitOrQueueResult  # cheap: the submit loaded it already

    if isinstance(result, SubmitOrQueueResult):
        if result.queued:
            return "queued", ()
        if result.submit is None:
            return "not_stored", ()
        result = result.submit
    if result.duplicate:
        return "duplicate", result.reconcile
    return ("stored" if result.stored else "not_stored"), result.reconcile


def overall_next_step(outcome: str, runs: tuple[ReconcileRun, ...]) -> str:
    """What to do now: offline, wait; otherwise the step of the party in the worst state."""
    if outcome == "queued":
        return QUEUED_NEXT_STEP
    if outcome == "duplicate" and not runs:
        return DUPLICATE_NEXT_STEP
    if not runs:
        return next_step(DisplayStatus.IN_PROGRESS)
    # The severity order the overview sorts by, so the result page names the step the overview shows next.
    worst = min((status_category(r.status, r.final_accuracy_pct) for r in runs), key=severity_rank)
    return next_step(worst)


class ResultPage(QWizardPage):
    """Shown once the submit finished; Back is closed (the upload is done), Finish says Close."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Upload result")
        self.setFinalPage(True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Close")
        self.headline = QLabel()
        self.headline.setObjectName("resultHeadline")
        self.headline.setWordWrap(True)
        self.runs = RecordTableModel(RESULT_COLUMNS, (), self)
        self.run_table = make_table(self.runs, "resultTable")
        self.next_step = QLabel()
        self.next_step.setObjectName("resultNextStep")
        self.next_step.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(QLabel("Status per party after reconciliation"))
        layout.addWidget(self.run_table, 1)
        layout.addWidget(self.next_step)
        self.outcome = ""

    def show_result(self, result: SubmitResult | SubmitOrQueueResult) -> None:
        self.outcome, runs = submit_outcome(result)
        headline = UPLOAD_OUTCOME_LABELS[self.outcome]
        self.headline.setText(headline)
        self.runs.set_records(runs)
        self.next_step.setText(f"Next step: {overall_next_step(self.outcome, runs)}")
