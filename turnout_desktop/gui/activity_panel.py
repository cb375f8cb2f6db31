"""Recent activity panel: the log table with View Details / Force Re-check / Manual Override."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.status import Status
from turnout_desktop.gui.activity_model import ActivityModel, activity_category
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import RECORD_ROLE
from turnout_desktop.gui.status_filter import StatusFilterProxy
from turnout_desktop.services.reconciliation_results import LogEntry


class ActivityFilterProxy(StatusFilterProxy):
    """Log entries of one status group (an override in force counts as what is published)."""

    def category(self, record: LogEntry) -> str | None:
        return activity_category(record)

    def accepts(self, record: LogEntry) -> bool:
        """A scheduled check's summary row (county "*") belongs to no county's group."""
        return self.group is None or record.status != Status.CHECKED


class ActivityPanel(QWidget):
    """Table of log entries; row actions via buttons, context menu and double-click."""

    # The selected LogEntry travels as ``object``: Signal(dict) would deliver a dataclass as {}.
    details_requested = Signal(object)
    recheck_requested = Signal(object)
    override_requested = Signal(object)

    def __init__(self, *, is_admin: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.is_admin = is_admin
        self.model = ActivityModel(self)
        self.proxy = ActivityFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("activityTable")
        self.table.setAccessibleName("Recent activity")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(len(self.model.headers()) - 1, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _index: self._emit(self.details_requested))
        self.details_button = QPushButton("View details")
        self.details_button.setObjectName("viewDetailsButton")
        self.recheck_button = QPushButton("Force re-check")
        self.recheck_button.setObjectName("forceRecheckButton")
        self.override_button = QPushButton("Manual override…")
        self.override_button.setObjectName("manualOverrideButton")
        self.override_button.setVisible(is_admin)  # hidden for clerks; the service refuses them anyway
        self.details_button.clicked.connect(lambda: self._emit(self.details_requested))
        self.recheck_button.clicked.connect(lambda: self._emit(self.recheck_requested))
        self.override_button.clicked.connect(lambda: self._emit(self.override_requested))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        buttons = QHBoxLayout()
        title = QLabel("Recent activity")
        title.setObjectName("panelTitle")
        buttons.addWidget(title)
        buttons.addStretch(1)
        for button in (self.details_button, self.recheck_button, self.override_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self._update_buttons()

    def set_entries(self, entries: Sequence[LogEntry]) -> None:
        self.model.set_records(entries)
        self._update_buttons()

    def set_status_group(self, group: str | None) -> None:
        """Show only the entries of ``group`` (a StatusGroup value; None or "" for all)."""
        self.proxy.set_group(group or None)
        self._update_buttons()

    def selected_record(self) -> LogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(RECORD_ROLE) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def set_admin(self, is_admin: bool) -> None:
        """Show or hide the admin-only actions after the signed-in role changed."""
        self.is_admin = is_admin
        self.override_button.setVisible(is_admin)
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.selected_record() is not None
        for button in (self.details_button, self.recheck_button, self.override_button):
            button.setEnabled(selected)

    def _emit(self, signal: Signal) -> None:
        record = self.selected_record()
        if record is not None:
            emit(signal, record)

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction("View details", lambda: self._emit(self.details_requested))
        menu.addAction("Force re-check", lambda: self._emit(self.recheck_requested))
        if self.is_admin:
            menu.addAction("Manual override…", lambda: self._emit(self.override_requested))
        menu.popup(self.table.viewport().mapToGlobal(position))
