"""What the row actions do: load details, re-check, override, review, revoke, undo, export an escalation.

Every action runs through the task runner; dialogs only emit what the user decided. An override is
confirmed first, on the figure and label it publishes (``gui/override_confirm.py``); after each decision the
tables reload and the open escalation dialog shows the entry as it is now, with what the decision did.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from turnout_desktop.domain.labels import review_label
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status
from turnout_desktop.gui import accuracy_history_chart, decision_jobs, jobs
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.escalation_dialog import EscalationDialog
from turnout_desktop.gui.override_confirm import OverrideConfirmDialog
from turnout_desktop.gui.printing import ReportPrinter
from turnout_desktop.gui.report_export import ReportExport
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services.county_overview import OverviewLine
from turnout_desktop.services.fixes_results import OverrideMade, OverrideRevoked, ReviewResult
from turnout_desktop.services.reconciliation_results import LogDetail, LogEntry

if TYPE_CHECKING:  # the service module loads the engine; the window starts without it
    from turnout_desktop.services.admin_decisions import OverridePreview


def _election_of(entry: LogEntry, fallback: dt.date | None) -> dt.date | None:
    return entry.election_date or fallback


class RecordActions(QObject):
    """Row actions of the activity table and county overview; dialogs open over ``dialog_parent``."""

    def __init__(self, session: WindowSession, runner: TaskRunner, dialog_parent: QWidget, *,
                 report_export: ReportExport, report_printer: ReportPrinter) -> None:
        super().__init__(dialog_parent)
        self.session = session
        self.runner = runner
        self.dialog_parent = dialog_parent
        self.report_export = report_export
        self.report_printer = report_printer
        self.decision_dialog: EscalationDialog | DetailsDialog | None = None  # the open one follows decisions

    @property
    def spec(self) -> jobs.ContextSpec:
        return self.session.spec

    def _remember(self, dialog: QWidget) -> QWidget:
        return self.session.remember_dialog(dialog)

    # -- details ------------------------------------------------------------------------------
    def open_county(self, line: OverviewLine) -> None:
        """Double-click in the overview (or a click on the map): details of the county's latest log entry."""
        if line.last_log_id is None:
            self.session.show_banner(f"{line.county}: no reconciliation yet (no upload, or not checked).")
            return
        self.load_detail(line.last_log_id)

    def view_details(self, entry: LogEntry) -> None:
        """The details (or, for admins, escalation) dialog of an activity row."""
        self.load_detail(entry.id)

    def load_detail(self, log_id: int) -> None:
        """Load ``log_detail`` in the worker, then open the details (or, for admins, escalation) dialog."""
        self.runner.start(decision_jobs.decision_detail, self.spec, log_id, on_result=self.show_detail,
                          title="Loading details")

    def show_detail(self, detail: LogDetail) -> QWidget:
        if self.session.is_admin and detail.status == Status.ESCALATED:
            return self.show_escalation(detail)
        dialog = DetailsDialog(detail, is_admin=self.session.is_admin, parent=self.dialog_parent)
        dialog.undo_requested.connect(self.undo_fix)
        dialog.recheck_requested.connect(self.force_recheck)
        dialog.print_requested.connect(self.print_entry)
        dialog.revoke_requested.connect(lambda d, override_id, reason: self.revoke_override(d, override_id, reason))
        election = _election_of(detail, self.session.election)
        if election is not None:  # the accuracy over time, read in the worker when its tab opens
            accuracy_history_chart.load_into(dialog.history_chart, self.runner, self.spec,
                                             Scope(election, detail.county))
        dialog.open()
        self.decision_dialog = dialog
        return self._remember(dialog)

    def show_escalation(self, detail: LogDetail) -> QWidget:
        dialog = EscalationDialog(detail, parent=self.dialog_parent)
        dialog.recheck_requested.connect(self.force_recheck)
        dialog.review_requested.connect(self.mark_reviewed)
        dialog.override_requested.connect(lambda d, reason: self.ask_override(d, reason))
        dialog.revoke_requested.connect(lambda d, override_id, reason: self.revoke_override(d, override_id, reason))
        dialog.export_requested.connect(self.choose_escalation_export)
        dialog.print_requested.connect(self.print_entry)
        dialog.open()
        self.decision_dialog = dialog
        return self._remember(dialog)

    def _after_decision(self, log_id: int | None, feedback: str) -> None:
        """Reload the tables, say what was done, and show the open dialog of ``log_id`` as it is now."""
        self.session.request_refresh()
        self.session.show_message(feedback, 10_000)
        dialog = self.decision_dialog
        if dialog is None or not dialog.isVisible() or log_id is None or dialog.detail.id != log_id:
            return
        dialog.show_feedback(feedback)
        self.runner.start(decision_jobs.decision_detail, self.spec, log_id,
                          on_result=lambda detail: self._show_current(dialog, detail), title="Reloading details")

    def _show_current(self, dialog: EscalationDialog | DetailsDialog, detail: LogDetail) -> None:
        if dialog.isVisible():
            dialog.set_detail(detail)

    # -- decisions ----------------------------------------------------------------------------
    def force_recheck(self, record: LogEntry) -> None:
        election = _election_of(record, self.session.election)
        if election is None:
            return
        self.runner.start(jobs.reconcile, self.spec, Scope(election, record.county, record.party),
                          on_result=self.session.request_refresh, title=f"Re-checking {record.county}",
                          heavy=True)

    def ask_override(self, record: LogEntry, reason: str = "") -> None:
        """Load what the override would publish, then ask for confirmation (``OverrideConfirmDialog``)."""
        election = _election_of(record, self.session.election)
        if election is None:
            return
        self.runner.start(decision_jobs.preview_override, self.spec, election, record.county, record.party,
                          on_result=lambda preview: self.confirm_override(record, preview, reason),
                          title="Loading the figures")

    def confirm_override(self, record: LogEntry, preview: OverridePreview, reason: str = "") -> OverrideConfirmDialog:
        dialog = OverrideConfirmDialog(preview, reason, self.dialog_parent)
        dialog.accepted.connect(lambda: self.request_override(record, dialog.reason()))
        dialog.open()
        self._remember(dialog)
        return dialog

    def request_override(self, record: LogEntry, reason: str) -> None:
        """Run ``services.fixes.override`` (confirmed already); a clerk gets the service's PermissionDenied."""
        election = _election_of(record, self.session.election)
        if election is None:
            return

        def done(made: OverrideMade) -> None:
            self._after_decision(record.id, f"Override recorded: {made.county} {made.party} is published "
                                            f"by override ({made.reason}).")

        self.runner.start(jobs.override, self.spec, election, record.county, record.party,
                          reason, on_result=done, title="Recording override")

    def revoke_override(self, record: LogEntry, override_id: int, reason: str) -> None:
        def done(revoked: OverrideRevoked) -> None:
            self._after_decision(record.id, f"Override revoked: {revoked.county} {revoked.party} shows its "
                                            "computed status again.")

        self.runner.start(decision_jobs.revoke_override, self.spec, override_id, reason, on_result=done,
                          title="Revoking override")

    def mark_reviewed(self, log_id: int, state: str, reason: str) -> None:
        def done(result: ReviewResult) -> None:
            self._after_decision(result.log_id, f"Marked {review_label(result.review_state)}: {result.county} "
                                                f"{result.party} ({result.review_reason}).")

        self.runner.start(jobs.mark_reviewed, self.spec, log_id, state, reason, on_result=done,
                          title="Marking reviewed")

    def undo_fix(self, fix_id: int, reason: str) -> None:
        self.runner.start(jobs.undo_fix, self.spec, fix_id, reason, on_result=self.session.request_refresh,
                          title=f"Undoing fix {fix_id}")

    def choose_escalation_export(self, detail: LogDetail, fmt: str) -> None:
        dialog = QFileDialog(self.dialog_parent, f"Export escalation as {fmt.upper()}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(fmt)
        dialog.selectFile(f"escalation-{detail.county}-{detail.id}.{fmt}")
        dialog.fileSelected.connect(lambda name: self.export_escalation(detail, Path(name)))
        dialog.open()

    def export_escalation(self, detail: LogDetail, out: Path) -> None:
        self.report_export.export(out, county=detail.county, escalation_id=detail.id)

    def print_entry(self, detail: LogDetail, preview: bool) -> None:
        """Print (or preview) the report of one log entry, the scope its PDF export has."""
        self.report_printer.request(preview=preview, county=detail.county, escalation_id=detail.id,
                                    election=_election_of(detail, self.session.election))
