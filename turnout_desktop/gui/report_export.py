"""File > Export report…: the report rendered to PDF, CSV or Excel in the worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from turnout_desktop.gui import jobs
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession

EXPORT_SUFFIXES = (".pdf", ".csv", ".xlsx")
WRITTEN_SHOWN_MS = 10_000


class ReportExport(QObject):
    """Asks where to write the report, then renders it in the worker; the suffix picks the format."""

    def __init__(self, session: WindowSession, runner: TaskRunner, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.session = session
        self.runner = runner
        self.dialog_parent = dialog_parent

    def choose_file(self) -> None:
        dialog = QFileDialog(self.dialog_parent, "Export report")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["PDF (*.pdf)", "CSV (*.csv)", "Excel (*.xlsx)"])
        dialog.fileSelected.connect(lambda name: self.export(Path(name)))
        dialog.open()

    def export(self, out: Path, *, county: str | None = None, escalation_id: int | None = None) -> None:
        """Render a report in the worker; the format follows the file suffix (default PDF)."""
        election = self.session.election
        if election is None:
            self.session.show_banner("Nothing to export yet: the database holds no election.")
            return
        fmt = out.suffix.lower().lstrip(".") if out.suffix.lower() in EXPORT_SUFFIXES else "pdf"
        out = out if out.suffix else out.with_suffix(".pdf")
        self.runner.start(jobs.export_report, self.session.spec, election, fmt, out, county, escalation_id,
                          on_result=lambda path: self.session.show_message(f"Report written to {path}",
                                                                           WRITTEN_SHOWN_MS),
                          title="Exporting report", heavy=True)
