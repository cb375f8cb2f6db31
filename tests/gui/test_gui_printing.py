"""Print and print preview on a real seeded demo database, painted onto a PDF-format QPrinter."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog

from turnout_desktop.gui import jobs
from turnout_desktop.gui.escalation_dialog import EscalationDialog
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences

DEMO_COUNTIES = ("BORDEN", "KENEDY", "KENT", "KING", "LOVING", "MCMULLEN", "TERRELL")


def open_window(qtbot, spec: jobs.ContextSpec) -> MainWindow:
    window = MainWindow(spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        window.dashboard_view.refresh()
    return window


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def pdf_text_and_pages(path: Path) -> tuple[str, int]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return unicodedata.normalize("NFKC", text), pages


def wait_for_dialog(qtbot, window: MainWindow, kind: type) -> QDialog:
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, kind), timeout=30_000)
    dialog = window.session.last_dialog
    assert isinstance(dialog, kind)
    return dialog


def test_print_preview_paints_the_whole_election(qtbot, admin_spec, tmp_path):
    window = open_window(qtbot, admin_spec)
    assert [a.text() for a in window.menuBar().actions()[0].menu().actions() if a.text()][2:5] == [
        "&Export report…", "Print pre&view…", "&Print…"]
    window.print_preview_action.trigger()
    preview = wait_for_dialog(qtbot, window, QPrintPreviewDialog)
    assert preview.isVisible() and preview.windowTitle().endswith("(election)")
    target = tmp_path / "preview.pdf"
    with qtbot.waitSignal(window.report_printer.painted, timeout=10_000) as painted:
        preview.paintRequested.emit(pdf_printer(target))
    text, pages = pdf_text_and_pages(target)
    assert painted.args[0] == pages and pages >= 2  # the counties table starts on a new page
    assert "Turnout reconciliation report" in text and f"page 1 of {pages}" in text
    for county in DEMO_COUNTIES:  # the counties table (the chart is an image)
        assert re.search(rf"^\s*{county}\s+DEM\s+TOTAL\s", text, re.MULTILINE), county
        assert re.search(rf"^\s*{county}\s+REP\s+TOTAL\s", text, re.MULTILINE), county
    preview.close()


def test_print_dialog_paints_only_when_accepted(qtbot, admin_spec, tmp_path):
    window = open_window(qtbot, admin_spec)
    window.print_action.trigger()
    dialog = wait_for_dialog(qtbot, window, QPrintDialog)
    printer = dialog.printer()
    assert printer.pageLayout().orientation().name == "Landscape"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "paper.pdf"
    printer.setOutputFileName(str(target))
    dialog.finished.emit(QDialog.DialogCode.Rejected.value)
    assert not target.exists() and window.report_printer.last_pages == 0
    with qtbot.waitSignal(window.report_printer.painted, timeout=10_000):
        dialog.finished.emit(QDialog.DialogCode.Accepted.value)
    text, pages = pdf_text_and_pages(target)
    assert pages == window.report_printer.last_pages >= 2
    assert all(county in text for county in DEMO_COUNTIES)
    dialog.close()


def test_escalation_print_preview_has_the_escalation_scope(qtbot, admin_spec, tmp_path):
    window = open_window(qtbot, admin_spec)
    escalated = next(e for e in window.session.dashboard.log if e.status == "ESCALATED")
    window.actions_for_records.view_details(escalated)
    dialog = wait_for_dialog(qtbot, window, EscalationDialog)
    qtbot.mouseClick(dialog.print_preview_button, Qt.MouseButton.LeftButton)
    preview = wait_for_dialog(qtbot, window, QPrintPreviewDialog)
    target = tmp_path / "escalation.pdf"
    with qtbot.waitSignal(window.report_printer.painted, timeout=10_000):
        preview.paintRequested.emit(pdf_printer(target))
    text, pages = pdf_text_and_pages(target)
    county, party = escalated.county, escalated.party
    assert pages >= 1 and f"{county} {party}: Escalated (log {escalated.id})" in text
    assert re.search(rf"^\s*{county}\s+{party}\s+TOTAL\s", text, re.MULTILINE)
    others = [c for c in DEMO_COUNTIES if c != county]
    assert not any(re.search(rf"^\s*{other}\s", text, re.MULTILINE) for other in others)
    preview.close()
    dialog.close()


def test_screenshot_views_open_the_right_dialog(qtbot, admin_spec, tmp_path):
    """``--view details`` shows the details dialog even for an admin (escalations have their own view)."""
    from turnout_desktop.gui.app import Startup
    from turnout_desktop.gui.details_dialog import DetailsDialog

    for view, kind in (("details", DetailsDialog), ("escalation", EscalationDialog),
                       ("print-preview", QPrintPreviewDialog)):
        window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
        qtbot.addWidget(window)
        window.show()
        shot = tmp_path / f"{view}.png"
        startup = Startup(window, seed_if_empty=False, screenshot=shot, view=view)
        with qtbot.waitSignal(startup.screenshot_saved, timeout=30_000):
            startup.start()
        assert isinstance(window.session.last_dialog, kind) and shot.read_bytes()[:4] == b"\x89PNG"
        qtbot.waitUntil(lambda w=window: not w.isVisible(), timeout=5000)


def test_settings_dialog_sizes_to_the_chosen_database_page(qtbot):
    from turnout_desktop.gui.settings_dialog import SettingsDialog
    from turnout_desktop.gui.task_runner import TaskRunner

    runner = TaskRunner()
    dialog = SettingsDialog(Preferences(), runner)
    qtbot.addWidget(dialog)
    local_height = dialog.db_pages.sizeHint().height()
    dialog.db_kind.setCurrentIndex(dialog.db_kind.findData("postgresql"))
    assert dialog.db_pages.currentIndex() == 1 and dialog.db_pages.sizeHint().height() > local_height
    dialog.db_kind.setCurrentIndex(0)
    assert dialog.db_pages.sizeHint().height() == local_height
    runner.shutdown()
