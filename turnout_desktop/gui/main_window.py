"""The main window: status panel, county overview, recent activity, menus, toolbar, status bar."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.db.session import default_sqlite_url
from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.gui import jobs, window_state
from turnout_desktop.gui.activity_panel import ActivityPanel
from turnout_desktop.gui.audit_alarm import AuditAlarmBanner
from turnout_desktop.gui.county_overview import CountyOverviewPanel
from turnout_desktop.gui.error_dialogs import show_error
from turnout_desktop.gui.icons import icon
from turnout_desktop.gui.outbox_jobs import QUEUED_TEXT
from turnout_desktop.gui.outbox_status import OutboxMonitor
from turnout_desktop.gui.printing import ReportPrinter
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_actions import RecordActions
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.status_panel import StatusPanel
from turnout_desktop.gui.task_runner import TaskRunner

log = logging.getLogger(__name__)
MAX_FITTED_COLUMN_WIDTH = 240  # a long public message must not push the other columns out of view


def fit_columns(table: QTableView) -> None:
    """Size every column to its contents once (capped), so nothing starts clipped or scrolled away."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for column in range(header.count()):
        header.resizeSection(column, min(header.sectionSize(column), MAX_FITTED_COLUMN_WIDTH))


class MainWindow(QMainWindow):
    """Owns the task runner, the auto-check timer and every panel; never touches the database itself."""

    dashboard_loaded = Signal()
    settings_changed = Signal(object)  # Preferences

    def __init__(self, spec: jobs.ContextSpec, preferences: Preferences | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Turnout Desktop")
        self.setAcceptDrops(True)
        if spec.is_shared and spec.outbox_url is None:  # uploads queue locally while the server is away
            spec = dataclasses.replace(spec, outbox_url=default_sqlite_url())
        self.spec = spec
        self.preferences = preferences or Preferences()
        self.election: dt.date | None = None
        self.dashboard: jobs.Dashboard | None = None
        self.last_auto_check: list[dict[str, Any]] = []
        self.last_dialog: QWidget | None = None  # the most recent dialog (tests and --screenshot use it)
        self.columns_fitted = False  # True once the tables' widths were restored or fitted to the data
        self.runner = TaskRunner(self, dialog_parent=self, default_error_handler=self.show_error)
        self.actions_for_records = RecordActions(self)
        self.report_printer = ReportPrinter(self)
        self.outbox = OutboxMonitor(self)

        self.status_panel = StatusPanel()
        self.overview = CountyOverviewPanel()
        self.overview.county_activated.connect(self.actions_for_records.open_county)
        self.activity = ActivityPanel(is_admin=self.is_admin)
        self.activity.details_requested.connect(self.actions_for_records.view_details)
        self.activity.recheck_requested.connect(self.actions_for_records.force_recheck)
        self.activity.override_requested.connect(self.actions_for_records.ask_override)
        self.banner = QLabel()
        self.banner.setObjectName("inlineBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.audit_banner = AuditAlarmBanner()  # red, above everything: a broken audit trail is an alarm
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.overview)
        self.splitter.addWidget(self.activity)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([470, 810])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.audit_banner)
        layout.addWidget(self.banner)
        layout.addWidget(self.status_panel)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_status_bar()
        self.auto_check_timer = QTimer(self)
        self.auto_check_timer.setObjectName("autoCheckTimer")
        self.auto_check_timer.timeout.connect(self.run_auto_check)
        self.apply_auto_check_interval(self.preferences.auto_check_minutes)
        self.restore_ui_state()

    # -- construction -------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        """May override, review and undo: an admin, or the local user of a SQLite file."""
        return is_allowed(self.spec.role, Action.OVERRIDE)

    def _build_actions(self) -> None:
        self.open_action = QAction(icon("open"), "&Open county file…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_files)
        self.reconcile_action = QAction(icon("reconcile"), "&Reconcile all", self)
        self.reconcile_action.triggered.connect(self.reconcile_all)
        self.reconcile_action.setVisible(self.is_admin)
        self.export_action = QAction(icon("export"), "&Export report…", self)
        self.export_action.triggered.connect(self.choose_report_file)
        self.print_action = QAction(icon("print"), "&Print…", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(lambda: self.print_report(preview=False))
        self.print_preview_action = QAction(icon("print"), "Print pre&view…", self)
        self.print_preview_action.triggered.connect(lambda: self.print_report(preview=True))
        self.settings_action = QAction(icon("settings"), "&Settings…", self)
        self.settings_action.triggered.connect(self.open_settings)
        self.refresh_action = QAction(icon("refresh"), "Re&fresh", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(lambda: self.refresh(verify_audit=True))
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.recent_menu = QMenu("Recent &files", self)
        self.election_combo = QComboBox()
        self.election_combo.setObjectName("electionCombo")
        self.election_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.election_combo.setMinimumContentsLength(10)  # YYYY-MM-DD
        self.election_combo.activated.connect(self._on_election_chosen)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.open_action])
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.export_action, self.print_preview_action, self.print_action])
        file_menu.addSeparator()
        file_menu.addAction(self.outbox.send_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        data_menu = self.menuBar().addMenu("&Data")
        data_menu.addActions([self.reconcile_action, self.refresh_action])
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.addActions([self.open_action, self.reconcile_action, self.export_action, self.refresh_action,
                            self.settings_action])
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Election: "))
        toolbar.addWidget(self.election_combo)
        self._rebuild_recent_menu()

    def _build_status_bar(self) -> None:
        self.db_label = QLabel("shared server" if self.spec.is_shared else "local database")
        self.db_label.setObjectName("dbLabel")
        self.online_label = QLabel("…")
        self.online_label.setObjectName("onlineLabel")
        self.user_label = QLabel(self._user_text())
        self.user_label.setObjectName("userLabel")
        for label in (self.db_label, self.online_label, self.user_label):
            self.statusBar().addPermanentWidget(label)

    def _user_text(self) -> str:
        """Who acts as the database reports it (``clerk_loving - clerk (LOVING)``, ``local, not signed in``)."""
        return self.spec.label()

    # -- data ---------------------------------------------------------------------------------
    def refresh(self, verify_audit: bool | None = None) -> None:
        """Reload the dashboard in the worker; panels update when it arrives.

        The audit chain is verified as well when ``verify_audit`` is True (Refresh in the menu) or, when
        None, if the last verification is old enough (see ``audit_alarm``). The worker verifies only for a
        role that may, as the database reports it (the window may not know the role yet: offline start).
        """
        verify, record = self.audit_banner.wants_verification(may_verify=verify_audit is not False,
                                                              explicit=verify_audit is True)
        self.runner.start(jobs.load_dashboard, self.spec, self.election, verify_audit=verify,
                          record_verification=record, on_result=self.apply_dashboard,
                          on_error=self._on_refresh_failed, title="Loading")

    def _on_refresh_failed(self, error: BaseException, trace: str) -> None:
        if not self.outbox.handle_server_error(error):  # an absent shared server is a state, not a dialog
            self.show_error(error, trace)

    def apply_dashboard(self, dashboard: jobs.Dashboard) -> None:
        self.dashboard = dashboard
        if dashboard.identity is not None and self.spec.is_shared:
            reported = self.spec.with_identity(dashboard.identity)
            if reported != self.spec:  # the database's word wins over what the window assumed
                self.apply_identity(reported, refresh=False)
        self.audit_banner.show_check(dashboard.audit)
        self.election = dashboard.election
        self.election_combo.clear()
        for election in dashboard.elections:
            self.election_combo.addItem(election.isoformat(), election)
        if dashboard.election is not None:
            self.election_combo.setCurrentIndex(self.election_combo.findData(dashboard.election))
        scope = self.spec.scope
        self.overview.set_overview(dashboard.overview, list(scope) if scope is not None else None,
                                   dashboard.certified)
        self.activity.set_entries(dashboard.log)
        self.status_panel.set_rows(dashboard.overview)
        if not self.columns_fitted and dashboard.overview:
            fit_columns(self.overview.table)
            # The election is chosen in the toolbar and every entry shown belongs to it.
            self.activity.table.setColumnHidden(self.activity.model.headers().index("Election"), True)
            fit_columns(self.activity.table)
            self.columns_fitted = True
        if dashboard.outbox_pending is None:
            self.online_label.setText("online" if dashboard.online else "offline")
        else:
            self.outbox.apply_dashboard(dashboard)
        self.set_banner(" ".join(dashboard.missing))
        emit(self.dashboard_loaded)

    def set_banner(self, text: str) -> None:
        """Recoverable problems show inline, not as a modal box."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def _on_election_chosen(self, index: int) -> None:
        self.election = self.election_combo.itemData(index)
        self.refresh()

    def reconcile_all(self) -> None:
        if self.election is None:
            self.set_banner("No election in the database yet: import statewide data or submit a county file first.")
            return
        self.runner.start(jobs.reconcile, self.spec, self.election, on_result=lambda _r: self.refresh(),
                          title="Reconciling all counties", heavy=True)

    def run_auto_check(self) -> None:
        """The hourly check; skipped while other work is running (the next tick will do it)."""
        self._schedule_next_check()
        if not self.runner.is_idle():
            log.info("auto-check skipped: the worker is busy")
            return
        self.runner.start(jobs.auto_check, self.spec, self.election, on_result=self._auto_check_done,
                          on_error=lambda e, t: self.set_banner(f"Auto-check failed: {e}"), title="Auto-check",
                          heavy=True)

    def _auto_check_done(self, results: list[dict[str, Any]]) -> None:
        self.last_auto_check = results
        self.refresh()

    def apply_auto_check_interval(self, minutes: int) -> None:
        """Run the check timer every ``minutes`` (0: off); never for a role the check would refuse."""
        self.auto_check_timer.stop()
        if minutes > 0 and is_allowed(self.spec.role, Action.CHECK):
            self.auto_check_timer.start(minutes * 60_000)
        self._schedule_next_check()

    def _schedule_next_check(self) -> None:
        if not self.auto_check_timer.isActive():
            self.status_panel.set_next_check(None)
            return
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.status_panel.set_next_check(now + dt.timedelta(milliseconds=self.auto_check_timer.interval()))

    def show_error(self, error: BaseException, trace: str = "") -> None:
        self.last_dialog = show_error(self, error, trace)

    # -- files --------------------------------------------------------------------------------
    def choose_files(self) -> None:
        dialog = QFileDialog(self, "Open county file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.tsv *.txt *.zip *.json);;All files (*)")
        dialog.filesSelected.connect(lambda names: self.open_upload_wizard([Path(n) for n in names]))
        dialog.open()

    def open_upload_wizard(self, paths: list[Path]) -> QWidget:
        from turnout_desktop.gui.upload_wizard import UploadWizard

        window_state.remember_files(paths)
        self._rebuild_recent_menu()
        wizard = UploadWizard(self.spec, self.runner, paths, election=self.election, parent=self)
        wizard.submitted.connect(self._on_wizard_submitted)
        wizard.open()
        self.last_dialog = wizard
        return wizard

    def _on_wizard_submitted(self, result: Any) -> None:
        """Stored: reload the dashboard. Queued offline (server away): say so plainly and count it."""
        if getattr(result, "queued", False):
            self.set_banner(f"{QUEUED_TEXT} {result.message}")
            self.outbox.check()
        else:
            self.refresh()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = window_state.recent_files()
        for name in recent:
            action = self.recent_menu.addAction(name)
            action.triggered.connect(lambda _checked=False, n=name: self.open_upload_wizard([Path(n)]))
        self.recent_menu.setEnabled(bool(recent))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_upload_wizard(paths)

    def choose_report_file(self) -> None:
        dialog = QFileDialog(self, "Export report")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["PDF (*.pdf)", "CSV (*.csv)", "Excel (*.xlsx)"])
        dialog.fileSelected.connect(lambda name: self.export_report(Path(name)))
        dialog.open()

    def export_report(self, out: Path, *, county: str | None = None, escalation_id: int | None = None) -> None:
        """Render a report in the worker; the format follows the file suffix (default PDF)."""
        if self.election is None:
            self.set_banner("Nothing to export yet: the database holds no election.")
            return
        fmt = out.suffix.lower().lstrip(".") if out.suffix.lower() in (".pdf", ".csv", ".xlsx") else "pdf"
        out = out if out.suffix else out.with_suffix(".pdf")
        self.runner.start(jobs.export_report, self.spec, self.election, fmt, out, county, escalation_id,
                          on_result=lambda path: self.statusBar().showMessage(f"Report written to {path}", 10_000),
                          title="Exporting report", heavy=True)

    def print_report(self, *, preview: bool, county: str | None = None, escalation_id: int | None = None) -> None:
        """Print (or preview) the report; a clerk's whole-election report is their county's (see the service)."""
        self.report_printer.request(preview=preview, county=county, escalation_id=escalation_id)

    # -- settings and state -------------------------------------------------------------------
    def open_settings(self) -> QWidget:
        from turnout_desktop.gui.settings_dialog import SettingsDialog

        shared = self.dashboard.shared if self.dashboard else None  # the database's values, not this computer's
        dialog = SettingsDialog(self.preferences, self.runner, self, spec=self.spec, shared=shared)
        dialog.shared_changes_requested.connect(self.save_shared_settings)
        dialog.saved.connect(self._on_settings_saved)
        dialog.open()
        self.last_dialog = dialog
        return dialog

    def save_shared_settings(self, changes: dict[str, Any]) -> None:
        """Admin only: ``shared_settings.update`` in the worker (validated, audited); a refusal is a dialog."""
        self.runner.start(jobs.save_shared_settings, self.spec, changes, on_result=lambda _changes: self.refresh(),
                          on_error=self.show_error, title="Saving shared settings")

    def _on_settings_saved(self, preferences: Preferences) -> None:
        previous, self.preferences = self.preferences, preferences
        self.apply_auto_check_interval(preferences.auto_check_minutes)
        if previous.database_fields() != preferences.database_fields():
            # Switching databases under open dialogs and running jobs is not safe: the next start uses it.
            self.statusBar().showMessage("The new database is used from the next start of the app.", 15_000)
        emit(self.settings_changed, preferences)

    def apply_identity(self, spec: jobs.ContextSpec, *, refresh: bool = True) -> None:
        """Act as the identity in ``spec`` from now on (what the database reported); views follow it."""
        role_changed = spec.role != self.spec.role
        self.spec = spec
        self.user_label.setText(self._user_text())
        self.reconcile_action.setVisible(self.is_admin)
        self.activity.set_admin(self.is_admin)
        if role_changed:
            self.audit_banner.reset()
            self.apply_auto_check_interval(self.preferences.auto_check_minutes)
        if refresh:
            self.refresh()

    def restore_ui_state(self) -> None:
        self.columns_fitted |= window_state.restore_layout(self)

    def save_ui_state(self) -> None:
        window_state.save_layout(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Save layout, stop the timers, wait for the worker: nothing outlives the window."""
        self.save_ui_state()
        self.auto_check_timer.stop()
        self.outbox.stop()
        self.status_panel.clock.stop()
        self.statusBar().clearMessage()  # a timed message owns a timer of its own
        self.runner.shutdown()
        super().closeEvent(event)

    def record_detail_opened(self, dialog: QWidget) -> None:
        self.last_dialog = dialog

    def current_records(self) -> dict[str, Any]:
        """What the window shows now (for tests and the screenshot helper)."""
        return {"overview": self.overview.model.records(), "activity": self.activity.model.records()}
