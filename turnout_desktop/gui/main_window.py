"""The main window: lays out the panels, builds the menus and toolbar, and wires the controllers.

The window owns no behaviour of its own: loading the dashboard (``dashboard_controller``), the
auto-check (``auto_check``), opening files (``upload_actions``), settings (``settings_actions``),
reports (``report_export``, ``printing``), row actions (``record_actions``) and the outbox
(``outbox_status``) are controllers that share a :class:`WindowSession` and never import this module.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from turnout_desktop.gui import shortcuts, window_state
from turnout_desktop.gui.activity_panel import ActivityPanel
from turnout_desktop.gui.audit_alarm import AuditAlarmBanner
from turnout_desktop.gui.auto_check import AutoCheck
from turnout_desktop.gui.balanced_splitter import BalancedSplitter
from turnout_desktop.gui.county_map import CountyMapController, CountyMapWidget, county_tabs
from turnout_desktop.gui.county_overview import CountyOverviewPanel
from turnout_desktop.gui.dashboard_controller import DashboardController
from turnout_desktop.gui.demo_actions import DemoActions
from turnout_desktop.gui.error_dialogs import show_error
from turnout_desktop.gui.escalation_inbox import EscalationInbox
from turnout_desktop.gui.help_menu import HelpMenu
from turnout_desktop.gui.icons import icon
from turnout_desktop.gui.outbox_status import OutboxMonitor
from turnout_desktop.gui.printing import ReportPrinter
from turnout_desktop.gui.record_actions import RecordActions
from turnout_desktop.gui.report_export import ReportExport
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.settings_actions import SettingsActions
from turnout_desktop.gui.status_bar import StatusBarLabels
from turnout_desktop.gui.status_panel import StatusPanel
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.upload_actions import UploadActions
from turnout_desktop.gui.window_parts import WindowParts
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services.connection import default_sqlite_url
from turnout_desktop.services.worker_context import ContextSpec

# The county pane and the log share the width alike: a wide screen shows every overview column.
OVERVIEW_ACTIVITY_WEIGHTS = (1, 1)


class MainWindow(QMainWindow):
    """Owns the task runner, the panels and the controllers; never touches the database itself."""

    dashboard_loaded = Signal()
    settings_changed = Signal(object)  # Preferences

    def __init__(self, spec: ContextSpec, preferences: Preferences | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Turnout Desktop")
        self.setAcceptDrops(True)
        if spec.is_shared and spec.outbox_url is None:  # uploads queue locally while the server is away
            spec = dataclasses.replace(spec, outbox_url=default_sqlite_url())
        self.session = WindowSession(spec, preferences or Preferences(), self)
        self.runner = TaskRunner(self, dialog_parent=self, default_error_handler=self.show_error)
        self.labels = StatusBarLabels(self.statusBar(), spec)
        self.outbox = OutboxMonitor(self.session, self.runner, self.labels.online_label, self)
        self.report_printer = ReportPrinter(self.session, self.runner, self)
        self.report_export = ReportExport(self.session, self.runner, self)
        self.actions_for_records = RecordActions(self.session, self.runner, self, report_export=self.report_export,
                                                 report_printer=self.report_printer)
        self._build_central()
        self.dashboard_view = DashboardController(
            self.session, self.runner, overview=self.overview, activity=self.activity,
            status_panel=self.status_panel, audit_banner=self.audit_banner, online_label=self.labels.online_label,
            outbox=self.outbox, parent=self)
        self.dashboard_view.loaded.connect(self.dashboard_loaded)
        self.statusBar().addPermanentWidget(self.dashboard_view.offline_mark)  # shown only while offline
        self.map_view = CountyMapController(self.session, self.county_map, self.actions_for_records.open_county,
                                            self)
        self.dashboard_view.loaded.connect(self.map_view.refresh)
        self.auto_check = AutoCheck(self.session, self.runner, self.status_panel, self)
        self.uploads = UploadActions(self.session, self.runner, self.outbox, self)
        self.settings_actions = SettingsActions(self.session, self.runner, self)
        self.settings_actions.changed.connect(lambda p: self.auto_check.apply_interval(p.auto_check_minutes))
        self.settings_actions.changed.connect(self.settings_changed)
        self.demo = DemoActions(self.session, self)  # "DEMO" in the title, File > Remove demo data
        self.dashboard_view.loaded.connect(self.demo.follow_dashboard)
        self._build_actions()
        self.session.refresh_requested.connect(self.dashboard_view.refresh)
        self.session.banner_requested.connect(self.set_banner)
        self.session.error_raised.connect(self.show_error)
        self.session.message_requested.connect(self.statusBar().showMessage)
        self.session.identity_changed.connect(self._on_identity_changed)
        self.auto_check.apply_interval(self.session.preferences.auto_check_minutes)
        self.dashboard_view.columns_fitted |= window_state.restore_layout(
            self, self.splitter, self.overview.table, self.activity.table)

    def _build_central(self) -> None:
        self.status_panel = StatusPanel()
        self.overview = CountyOverviewPanel()
        self.overview.county_activated.connect(self.actions_for_records.open_county)
        self.activity = ActivityPanel(is_admin=self.session.is_admin)
        self.activity.details_requested.connect(self.actions_for_records.view_details)
        self.activity.recheck_requested.connect(self.actions_for_records.force_recheck)
        self.activity.override_requested.connect(self.actions_for_records.ask_override)
        shortcuts.enter_opens_details(self.overview, self.activity)
        self.banner = QLabel()
        self.banner.setObjectName("inlineBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.audit_banner = AuditAlarmBanner()  # red, above everything: a broken audit trail is an alarm
        self.splitter = BalancedSplitter(Qt.Orientation.Horizontal, OVERVIEW_ACTIVITY_WEIGHTS)
        self.splitter.setObjectName("mainSplitter")
        self.county_map = CountyMapWidget()
        self.splitter.addWidget(county_tabs(self.overview, self.county_map))
        self.splitter.addWidget(self.activity)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.audit_banner)
        layout.addWidget(self.banner)
        layout.addWidget(self.status_panel)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _build_actions(self) -> None:
        self.open_action = QAction(icon("open"), "&Open county file…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.uploads.choose_files)
        self.reconcile_action = QAction(icon("reconcile"), "&Reconcile all", self)
        self.reconcile_action.triggered.connect(self.dashboard_view.reconcile_all)
        self.reconcile_action.setVisible(self.session.is_admin)
        self.export_action = QAction(icon("export"), "&Export report…", self)
        self.export_action.triggered.connect(self.report_export.choose_file)
        self.print_action = QAction(icon("print"), "&Print…", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(lambda: self.report_printer.request(preview=False))
        self.print_preview_action = QAction(icon("print"), "Print pre&view…", self)
        self.print_preview_action.triggered.connect(lambda: self.report_printer.request(preview=True))
        self.settings_action = QAction(icon("settings"), "&Settings…", self)
        self.settings_action.triggered.connect(self.settings_actions.open)
        self.refresh_action = QAction(icon("refresh"), "Re&fresh", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(lambda: self.dashboard_view.refresh(verify_audit=True))
        self.quit_action = quit_action = QAction("&Quit", self)
        quit_action.triggered.connect(self.close)
        shortcuts.assign_shortcuts(reconcile=self.reconcile_action, export=self.export_action,
                                   print_preview=self.print_preview_action, settings=self.settings_action,
                                   quit_app=quit_action)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.open_action])
        file_menu.addMenu(self.uploads.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.export_action, self.print_preview_action, self.print_action])
        file_menu.addSeparator()
        file_menu.addAction(self.outbox.send_action)
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.demo.remove_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        data_menu = self.menuBar().addMenu("&Data")
        data_menu.addActions([self.reconcile_action, self.refresh_action])
        self.inbox = EscalationInbox(self.session, self.runner, self.actions_for_records, self)
        data_menu.addAction(self.inbox.action)
        self.help_menu = HelpMenu(self.session, self, self.menuBar().addMenu("&Help"))
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.addActions([self.open_action, self.reconcile_action, self.export_action, self.refresh_action,
                            self.settings_action])
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Election: "))
        toolbar.addWidget(self.dashboard_view.election_combo)

    def parts(self) -> WindowParts:
        """The panels and controllers that code driving the window from outside (``--screenshot``) may use."""
        return WindowParts(window=self, session=self.session, runner=self.runner, county_map=self.county_map,
                           records=self.actions_for_records, uploads=self.uploads, settings=self.settings_actions,
                           inbox=self.inbox, report_printer=self.report_printer)

    def set_banner(self, text: str) -> None:
        """Recoverable problems show inline, not as a modal box."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def show_error(self, error: BaseException, trace: str = "") -> None:
        self.session.remember_dialog(show_error(self, error, trace))

    def _on_identity_changed(self, role_changed: bool) -> None:
        """The database reported another identity: every view follows it."""
        self.labels.show_identity(self.session.spec)
        self.reconcile_action.setVisible(self.session.is_admin)
        self.activity.set_admin(self.session.is_admin)
        if role_changed:
            self.audit_banner.reset()
            self.auto_check.apply_interval(self.session.preferences.auto_check_minutes)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        self.uploads.accept_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        self.uploads.open_dropped(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Save layout, stop the timers, wait for the worker: nothing outlives the window."""
        window_state.save_layout(self, self.splitter, self.overview.table, self.activity.table)
        self.auto_check.stop()
        self.outbox.stop()
        self.status_panel.clock.stop()
        self.statusBar().clearMessage()  # a timed message owns a timer of its own
        self.runner.shutdown()
        super().closeEvent(event)
