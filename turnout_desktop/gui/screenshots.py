"""``turnout-desktop --screenshot PATH --view NAME [--size WxH] [--dark]``: one view rendered offscreen to a PNG.

``ScreenshotTaker`` opens the view on the loaded main window (each through the same controller a click uses),
waits until its data arrived from the worker, and saves ``widget.grab()``. ``--size`` resizes the captured
widget (the main window, or the dialog a view opens); ``--dark`` gives the application ``theme.dark_palette()``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status
from turnout_desktop.gui import decision_jobs, jobs
from turnout_desktop.gui.accuracy_history_chart import AccuracyHistoryChart, load_accuracy_history
from turnout_desktop.gui.icons import stylesheet
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.theme import dark_palette
from turnout_desktop.gui.welcome_dialog import WelcomeDialog
from turnout_desktop.gui.window_parts import WindowParts

if TYPE_CHECKING:
    from turnout_desktop.gui.upload_wizard import UploadWizard
    from turnout_desktop.reports.model import Report
    from turnout_desktop.services.accuracy_history import AccuracyHistory
    from turnout_desktop.services.admin_decisions import InboxRow
    from turnout_desktop.services.reconciliation_results import LogEntry

log = logging.getLogger(__name__)
VIEWS = ("main", "map", "inbox", "details", "escalation", "override-confirm", "wizard", "wizard-result",
         "settings", "print-preview", "chart", "welcome")
MIN_SIZE, MAX_SIZE = QSize(320, 240), QSize(7680, 4320)
OVERRIDE_REASON = "Official canvass signed by the county judge"  # the demo reason the confirmation shows


def parse_size(text: str) -> QSize:
    """``1280x800`` as a QSize; argparse shows the ArgumentTypeError's message for anything else."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels, such as 1280x800; got {text!r}")
    size = QSize(int(match.group(1)), int(match.group(2)))
    if not (MIN_SIZE.width() <= size.width() <= MAX_SIZE.width()
            and MIN_SIZE.height() <= size.height() <= MAX_SIZE.height()):
        raise argparse.ArgumentTypeError(
            f"{text}: width must be {MIN_SIZE.width()}-{MAX_SIZE.width()} and height "
            f"{MIN_SIZE.height()}-{MAX_SIZE.height()} pixels")
    return size


def apply_dark_palette(app: QApplication) -> None:
    """The dark palette on Fusion (which follows the palette everywhere), and the stylesheet recoloured for it."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    app.setStyleSheet(stylesheet())


def changed_roster(roster: Path) -> Path:
    """A copy of a demo roster without its last voter, under the same name in a subfolder: an upload that is
    new (the stored one would be a duplicate with nothing to reconcile), so the result page lists each party."""
    folder = roster.parent / "screenshot-upload"
    folder.mkdir(exist_ok=True)
    lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    target = folder / roster.name
    target.write_text("".join(lines[:-1] if len(lines) > 2 else lines), encoding="utf-8")
    return target


class AccuracyChartView(QScrollArea):
    """The report's accuracy chart (``reports/chart.py``, as the PDF prints it) of the shown election."""

    def __init__(self, report: Report, width: int, parent: QWidget | None = None) -> None:
        from turnout_desktop.reports.chart import Bar, draw_accuracy_chart

        super().__init__(parent)
        self.setObjectName("accuracyChartView")
        self.setWindowTitle(f"Accuracy chart - {report.title} ({report.scope})")
        bars = [Bar(f"{c.county} {c.party}", c.accuracy_pct) for c in report.counties if c.method == "TOTAL"]
        image = draw_accuracy_chart(bars, width=max(200, width - 40), verified_pct=report.gate_verified_pct,
                                    within_pct=report.gate_within_pct)
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(image.width() / max(1, width - 40))  # drawn at SCALE: show at layout size
        label = QLabel()
        label.setPixmap(pixmap)
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(label)
        layout.addStretch(1)
        self.setWidget(content)
        self.setWidgetResizable(True)


class ScreenshotTaker(QObject):
    """Opens ``view`` on the window of ``parts`` (``MainWindow.parts()``), saves its picture to ``path`` and
    closes the window."""

    saved = Signal(str)

    def __init__(self, parts: WindowParts, path: Path, view: str, *, size: QSize | None = None,
                 demo_folder: Path | None = None) -> None:
        super().__init__(parts.window)
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
        self.parts = parts  # the window's controllers: each view opens through the one a click uses
        self.window: QMainWindow = parts.window
        self.path, self.view, self.size, self.demo_folder = path, view, size, demo_folder

    def take(self) -> None:
        """Call once the first dashboard is loaded."""
        openers: dict[str, Callable[[], None]] = {
            "main": lambda: self._later(self.window), "map": self._open_map,
            "inbox": self._open_inbox, "details": self._open_log_view, "escalation": self._open_log_view,
            "override-confirm": self._open_override_confirm, "wizard": self._open_wizard,
            "wizard-result": self._open_wizard, "settings": self._open_settings,
            "print-preview": self._open_print_preview, "chart": self._open_chart, "welcome": self._open_welcome,
        }
        openers[self.view]()

    def _later(self, widget: QWidget, delay_ms: int = 0) -> None:
        QTimer.singleShot(delay_ms, lambda: self._capture(widget))

    def _open_settings(self) -> None:
        """The Settings dialog once its "Checks while the app is closed" section has read the schedule."""
        dialog = self.parts.settings.open()
        section = dialog.schedule_section
        if section.status is not None:
            self._later(dialog)
            return
        section.status_changed.connect(lambda _status: self._later(dialog))
        section.failed.connect(lambda _message: self._later(dialog))

    def _open_welcome(self) -> None:
        """The first start's dialog (shown before any window), its shared-server form open; nothing is chosen."""
        dialog = WelcomeDialog(self.parts.session.preferences, self.window)
        dialog.show_server_form()
        dialog.show()
        self._later(dialog)

    def _open_map(self) -> None:
        tabs = self.window.findChild(QTabWidget, "countyTabs")
        if tabs is not None:
            tabs.setCurrentWidget(self.parts.county_map)
        self._later(self.window)

    def _open_inbox(self) -> None:
        dialog = self.parts.inbox.open()
        election = self.parts.session.election
        if election is None:
            self._later(dialog)
            return
        def show(rows: Sequence[InboxRow]) -> None:
            dialog.set_rows(rows, election)
            self._later(dialog)

        # The inbox's own reload fills it too; this one says when the rows are there.
        self.parts.runner.start(decision_jobs.escalation_inbox, self.parts.session.spec, election, on_result=show)

    def _entries(self) -> list[LogEntry]:
        dashboard = self.parts.session.dashboard
        return list(dashboard.log) if dashboard else []

    def _open_log_view(self) -> None:
        entries = self._entries()
        if self.view == "escalation":
            wanted = [e for e in entries if e.status == Status.ESCALATED]
        else:  # an admin sees an escalated entry in the escalation dialog, so show another one here
            wanted = sorted((e for e in entries if e.status != Status.ESCALATED),
                            key=lambda e: -(e.attempts_count or 0)) or entries
        if not wanted:
            log.warning("no log entry for --view %s; capturing the main window", self.view)
            self._capture(self.window)
            return
        actions = self.parts.records
        show = actions.show_escalation if self.view == "escalation" else actions.show_detail
        self.parts.runner.start(jobs.log_detail, self.parts.session.spec, wanted[0].id,
                                 on_result=lambda detail: self._later(show(detail)))

    def _open_override_confirm(self) -> None:
        """The confirmation an admin sees before overriding the first escalation, a reason typed."""
        escalated = [e for e in self._entries() if e.status == Status.ESCALATED]
        election = self.parts.session.election
        if not escalated or election is None:
            log.warning("no escalation for --view override-confirm; capturing the main window")
            self._capture(self.window)
            return
        record = escalated[0]
        actions = self.parts.records
        self.parts.runner.start(
            decision_jobs.preview_override, self.parts.session.spec, election, record.county, record.party,
            on_result=lambda preview: self._later(actions.confirm_override(record, preview, OVERRIDE_REASON)))

    def _open_wizard(self) -> None:
        """The review page of a demo roster (``wizard``) or the result of submitting it (``wizard-result``)."""
        rosters = sorted(self.demo_folder.glob("*_roster.csv"))[:1] if self.demo_folder else []
        if rosters and self.view == "wizard-result":
            rosters = [changed_roster(rosters[0])]
        wizard = self.parts.uploads.open_wizard(rosters)
        if not rosters:  # no demo files: the empty first page
            self._later(wizard)
            return
        if self.view == "wizard":
            wizard.checked.connect(lambda _check: self._later(wizard))
        else:
            wizard.submitted.connect(lambda _result: self._later(wizard))
            wizard.checked.connect(lambda _check: QTimer.singleShot(0, lambda: self._submit(wizard)))
        wizard.next()

    @staticmethod
    def _submit(wizard: UploadWizard) -> None:
        """On to the counts page, then Submit (without the replace-counts question: the demo is a copy)."""
        wizard.next()
        wizard.start_submit()

    def _open_print_preview(self) -> None:
        """File > Print preview… of the whole election, captured once its first pages are painted."""
        printer = self.parts.report_printer

        def painted(_pages: int) -> None:
            printer.painted.disconnect(painted)
            # The preview is remembered once open() returns, after its first paint: look it up when the timer fires.
            QTimer.singleShot(100, lambda: self._capture(self.parts.session.last_dialog or self.window))

        printer.painted.connect(painted)
        printer.request(preview=True)

    def _open_chart(self) -> None:
        election = self.parts.session.election
        if election is None:
            log.warning("no election for --view chart; capturing the main window")
            self._capture(self.window)
            return
        width = (self.size or QSize(1000, 700)).width()

        def show(report: Report) -> None:
            view = AccuracyChartView(report, width, self.window)
            view.setWindowFlag(Qt.WindowType.Dialog)
            view.resize(self.size or QSize(1000, 700))
            view.show()
            self._add_history(view, election)

        self.parts.runner.start(jobs.load_report, self.parts.session.spec, election, None, None,
                                on_result=show, title="Preparing the report", heavy=True)

    def _add_history(self, view: AccuracyChartView, election: dt.date) -> None:
        """Below the report's chart, the accuracy over time of the county logged most often (newest on a tie)."""
        counties = Counter(entry.county for entry in self._entries() if entry.status != Status.CHECKED)
        page = view.widget()
        content = page.layout() if page is not None else None
        if not counties or not isinstance(content, QVBoxLayout):
            self._later(view)
            return
        chart = AccuracyHistoryChart()
        chart.setMinimumHeight(260)
        content.insertWidget(1, chart)

        def show(history: AccuracyHistory) -> None:
            chart.set_history(history)
            self._later(view)

        self.parts.runner.start(load_accuracy_history, self.parts.session.spec,
                                Scope(election, counties.most_common(1)[0][0]), on_result=show,
                                title="Loading the accuracy history")

    def _capture(self, widget: QWidget) -> None:
        if self.size is not None and widget.size() != self.size:
            widget.resize(self.size)
            QApplication.processEvents()  # lay out at the new size before grabbing
        self.path.parent.mkdir(parents=True, exist_ok=True)
        picture = widget.grab()
        saved = picture.save(str(self.path), "PNG")
        log.info("screenshot %s (%dx%d): %s", self.path, picture.width(), picture.height(),
                 "saved" if saved else "FAILED")
        emit(self.saved, str(self.path))
        if widget is not self.window:
            widget.close()
        self.window.close()
