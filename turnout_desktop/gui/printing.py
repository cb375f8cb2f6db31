"""Print and print preview of the diagnostic report.

The report model is built in the worker (``jobs.load_report``); the painting happens on the GUI
thread, in the preview's ``paintRequested`` or after the print dialog is accepted, with the same
code that writes the exported PDF (``reports.pdf.paint_report``), so paper and PDF match.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from turnout_desktop.gui import jobs
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession

log = logging.getLogger(__name__)


def new_report_printer() -> QPrinter:
    """A high-resolution printer preset to the report's page (US Letter, landscape)."""
    from turnout_desktop.reports.pdf import report_page_layout

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(report_page_layout())
    printer.setDocName("Turnout reconciliation report")
    return printer


class ReportPrinter(QObject):
    """File > Print… / Print preview… and the same for one log entry; dialogs open over ``dialog_parent``."""

    painted = Signal(int)  # pages painted on a printer (preview or paper)

    def __init__(self, session: WindowSession, runner: TaskRunner, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.session = session
        self.runner = runner
        self.dialog_parent = dialog_parent
        self.printer: QPrinter | None = None
        self.last_pages = 0

    def request(self, *, preview: bool, county: str | None = None, escalation_id: int | None = None,
                election: dt.date | None = None) -> None:
        """Build the report for this scope in the worker, then open the preview or the print dialog."""
        election = election or self.session.election
        if election is None:
            self.session.show_banner("Nothing to print yet: the database holds no election.")
            return
        show = self.open_preview if preview else self.open_print_dialog
        self.runner.start(jobs.load_report, self.session.spec, election, county, escalation_id,
                          on_result=show, title="Preparing the report", heavy=True)

    def paint(self, report: Any, printer: QPrinter) -> int:
        """Paint ``report`` on ``printer``; errors are shown, never raised into Qt's event loop."""
        from turnout_desktop.reports.pdf import paint_report

        try:
            pages = paint_report(report, printer)
        except Exception as exc:  # noqa: BLE001 - a failed print is reported to the user
            log.exception("printing failed")
            self.session.report_error(exc)
            return 0
        self.last_pages = pages
        emit(self.painted, pages)
        return pages

    def open_preview(self, report: Any) -> QPrintPreviewDialog:
        """The print preview, laid out exactly as the paper will be; it prints from its own toolbar."""
        self.printer = new_report_printer()
        dialog = QPrintPreviewDialog(self.printer, self.dialog_parent)
        dialog.setObjectName("printPreviewDialog")
        dialog.setWindowTitle(f"Print preview - {report.title} ({report.scope})")
        dialog.resize(1000, 760)
        dialog.paintRequested.connect(lambda printer: self.paint(report, printer))
        dialog.open()
        self.session.remember_dialog(dialog)
        return dialog

    def open_print_dialog(self, report: Any) -> QPrintDialog:
        """The system print dialog; the report is painted once the user accepts it."""
        self.printer = new_report_printer()
        dialog = QPrintDialog(self.printer, self.dialog_parent)
        dialog.setObjectName("printDialog")
        dialog.setWindowTitle("Print report")
        printer = self.printer
        dialog.finished.connect(
            lambda code: self.paint(report, printer) if code == QDialog.DialogCode.Accepted.value else None)
        QDialog.open(dialog)  # PySide6 binds only QPrintDialog.open(receiver, member)
        self.session.remember_dialog(dialog)
        return dialog
