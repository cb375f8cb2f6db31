"""Loading the dashboard in the worker and showing it in the panels; the election chooser; Reconcile all.

Also the status filter's wiring: a summary tile or the overview's status box filters both tables.
Offline the panels keep the last dashboard loaded, marked "offline, figures as of HH:MM" (``offline_mark``);
a start while the shared server is away shows the snapshot saved after the last good load of that database
(``services.dashboard_snapshot``), marked with its date, time and zone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QTableView

from turnout_desktop.domain.labels import OFFLINE_FIGURES_MARK
from turnout_desktop.domain.scope import Scope
from turnout_desktop.gui import jobs
from turnout_desktop.gui.activity_panel import ActivityPanel
from turnout_desktop.gui.audit_alarm import AuditAlarmBanner
from turnout_desktop.gui.county_overview import CountyOverviewPanel
from turnout_desktop.gui.outbox_status import OutboxMonitor
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.status_panel import StatusPanel
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services import dashboard_snapshot
from turnout_desktop.services.outbox_sync import ServerStatus

log = logging.getLogger(__name__)
MAX_FITTED_COLUMN_WIDTH = 240  # a long public message must not push the other columns out of view


def fit_columns(table: QTableView) -> None:
    """Size every column to its contents once (capped), so nothing starts clipped or scrolled away."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for column in range(header.count()):
        header.resizeSection(column, min(header.sectionSize(column), MAX_FITTED_COLUMN_WIDTH))


def _save_snapshot(url: str, dashboard: jobs.Dashboard, loaded_at: dt.datetime, path: Path) -> None:
    try:
        dashboard_snapshot.save_snapshot(url, dashboard, loaded_at, path)
    except OSError as exc:  # the figures are shown all the same; only an offline start loses them
        log.warning("Could not save the dashboard snapshot %s: %s", path, exc)


class DashboardController(QObject):
    """Owns the election chooser; fills the overview, activity, status panel and audit banner."""

    loaded = Signal()

    def __init__(self, session: WindowSession, runner: TaskRunner, *, overview: CountyOverviewPanel,
                 activity: ActivityPanel, status_panel: StatusPanel, audit_banner: AuditAlarmBanner,
                 online_label: QLabel, outbox: OutboxMonitor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.overview = overview
        self.activity = activity
        self.status_panel = status_panel
        self.audit_banner = audit_banner
        self.online_label = online_label
        self.outbox = outbox
        self.columns_fitted = False  # True once the tables' widths were restored or fitted to the data
        self.loaded_at: dt.datetime | None = None  # local time the shown figures were loaded
        self.from_snapshot = False  # the figures shown come from an earlier session (offline start)
        self.snapshot_writer: threading.Thread | None = None  # the last save of the figures, off the GUI thread
        self.offline_mark = QLabel()  # the window puts it in the status bar
        self.offline_mark.setObjectName("offlineFiguresMark")
        self.offline_mark.hide()
        outbox.status_changed.connect(self._on_server_status)
        self.election_combo = QComboBox()
        self.election_combo.setObjectName("electionCombo")
        self.election_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.election_combo.setMinimumContentsLength(10)  # YYYY-MM-DD
        self.election_combo.activated.connect(self._on_election_chosen)
        status_panel.group_clicked.connect(self.toggle_status_group)
        overview.status_group_changed.connect(self._show_status_group)

    def toggle_status_group(self, group: str) -> None:
        """A tile click shows only that status; clicking the tile shown again shows every status."""
        self.overview.set_status_group("" if group == self.overview.status_group() else group)

    def _show_status_group(self, group: str) -> None:
        self.activity.set_status_group(group)
        self.status_panel.set_active_group(group)

    def refresh(self, verify_audit: bool | None = None) -> None:
        """Reload the dashboard in the worker; panels update when it arrives.

        The audit chain is verified as well when ``verify_audit`` is True (Refresh in the menu) or, when
        None, if the last verification is old enough (see ``audit_alarm``). The worker verifies only for a
        role that may, as the database reports it (the window may not know the role yet: offline start).
        """
        verify, record = self.audit_banner.wants_verification(may_verify=verify_audit is not False,
                                                              explicit=verify_audit is True)
        self.runner.start(jobs.load_dashboard, self.session.spec, self.session.election, verify_audit=verify,
                          record_verification=record, on_result=self.apply_dashboard,
                          on_error=self._on_refresh_failed, title="Loading")

    def _on_refresh_failed(self, error: BaseException, trace: str) -> None:
        if not self.outbox.handle_server_error(error):  # an absent shared server is a state, not a dialog
            self.session.report_error(error, trace)
            return
        shown = self.session.dashboard
        if shown is None:  # an offline start: the figures saved after the last good load of this database
            self.show_snapshot()
        else:  # keep the last figures, with the election they belong to, and say how old
            self.session.election = shown.election
            self.show_elections(shown.elections, shown.election)
        self.mark_offline()

    def _on_server_status(self, status: ServerStatus) -> None:
        if not status.online:
            self.mark_offline()

    def mark_offline(self) -> None:
        """The server is away: the figures shown are the last loaded ones; say since when (none: no mark)."""
        if self.loaded_at is None:
            return
        shown_format = "%Y-%m-%d %H:%M %Z" if self.from_snapshot else "%H:%M"
        self.offline_mark.setText(OFFLINE_FIGURES_MARK.format(time=self.loaded_at.strftime(shown_format)))
        self.offline_mark.show()

    def show_snapshot(self) -> None:
        """Fill the tables from this database's saved snapshot (none or unreadable: they stay empty)."""
        snapshot = dashboard_snapshot.load_snapshot(self.session.spec.resolved_url)
        if snapshot is None:
            return
        saved = snapshot.dashboard
        shown = jobs.Dashboard(**{item.name: getattr(saved, item.name) for item in dataclasses.fields(saved)},
                               online=False)
        self.session.dashboard = shown
        self.loaded_at = snapshot.loaded_at.astimezone()  # the zone shown is the user's, as for a fresh load
        self.from_snapshot = True
        self.show_figures(shown)

    def save_snapshot(self, dashboard: jobs.Dashboard) -> None:
        """Keep what the tables show for an offline start (shared databases only; local ones are always there)."""
        if self.loaded_at is None or not self.session.spec.is_shared:
            return
        url = self.session.spec.resolved_url
        # A plain thread, not the task runner: writing a few hundred kB must not stall the window, and it
        # is no work the user waits for. Each save writes its own temporary file, then replaces atomically.
        self.snapshot_writer = threading.Thread(
            target=_save_snapshot, args=(url, dashboard, self.loaded_at, dashboard_snapshot.snapshot_path(url)),
            name="dashboard-snapshot", daemon=True)
        self.snapshot_writer.start()

    def apply_dashboard(self, dashboard: jobs.Dashboard) -> None:
        session = self.session
        session.dashboard = dashboard
        self.loaded_at = dt.datetime.now().astimezone()
        self.from_snapshot = False
        self.offline_mark.hide()
        if dashboard.identity is not None and session.spec.is_shared:
            reported = session.spec.with_identity(dashboard.identity)
            if reported != session.spec:  # the database's word wins over what the window assumed
                session.change_identity(reported)
        self.audit_banner.show_check(dashboard.audit)
        self.save_snapshot(dashboard)
        self.show_figures(dashboard)
        if dashboard.outbox_pending is None:
            self.online_label.setText("online" if dashboard.online else "offline")
        else:
            self.outbox.apply_dashboard(dashboard)
        session.show_banner("")  # a fresh dashboard clears the last recoverable problem
        emit(self.loaded)

    def show_figures(self, dashboard: jobs.Dashboard) -> None:
        """The election box, the overview, the activity table and the summary tiles."""
        session = self.session
        session.election = dashboard.election
        self.show_elections(dashboard.elections, dashboard.election)
        scope = session.spec.scope
        self.overview.set_overview(dashboard.overview, list(scope) if scope is not None else None,
                                   dashboard.certified)
        self.activity.set_entries(dashboard.log)
        self.status_panel.set_rows(dashboard.overview, counties=scope)
        if not self.columns_fitted and dashboard.overview:
            fit_columns(self.overview.table)
            # The election is chosen in the toolbar and every entry shown belongs to it.
            self.activity.table.setColumnHidden(self.activity.model.headers().index("Election"), True)
            fit_columns(self.activity.table)
            self.columns_fitted = True

    def show_elections(self, elections: tuple[dt.date, ...], shown: dt.date | None) -> None:
        """Refill the election box with ``shown`` selected.

        The index is looked up here, not with ``findData``: a ``date`` item data comes back from Qt as a
        new object that ``findData`` never matches, which left the box blank after every refresh.
        """
        self.election_combo.blockSignals(True)  # refilling is no choice of the user's
        self.election_combo.clear()
        for election in elections:
            self.election_combo.addItem(election.isoformat(), election)
        self.election_combo.setCurrentIndex(elections.index(shown) if shown in elections else -1)
        self.election_combo.blockSignals(False)

    def _on_election_chosen(self, index: int) -> None:
        self.session.election = self.election_combo.itemData(index)
        self.refresh()

    def reconcile_all(self) -> None:
        if self.session.election is None:
            self.session.show_banner(
                "No election in the database yet: import statewide data or submit a county file first.")
            return
        self.runner.start(jobs.reconcile, self.session.spec, Scope(self.session.election),
                          on_result=self.session.request_refresh, title="Reconciling all counties", heavy=True)
