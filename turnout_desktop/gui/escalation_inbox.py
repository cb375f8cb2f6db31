"""The escalation inbox: open escalations of the shown election, oldest first, with age, review and last touch.

``EscalationInbox`` is the controller the main window holds (its ``action`` goes in the Data menu); the rows
come from ``services/admin_decisions.py`` ``escalation_inbox`` on the worker. Enter or a double-click opens
the escalation through the record actions, as the activity table does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from turnout_desktop.domain.labels import decision_event_label, review_label
from turnout_desktop.gui import decision_jobs
from turnout_desktop.gui.details_dialog import make_table
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_actions import RecordActions
from turnout_desktop.gui.record_model import Column, RecordTableModel, format_value, key
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.window_session import WindowSession

if TYPE_CHECKING:
    from turnout_desktop.services.admin_decisions import InboxRow


def age_text(seconds: int) -> str:
    """``45 min``, ``3 h 12 min``, ``2 days 4 h``: how long an escalation has waited."""
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''} {hours} h"


def touched_text(row: InboxRow) -> str:
    """``ada reviewed, 2026-03-04 04:00 CST``; ``nobody yet`` for an escalation no admin acted on."""
    if row.last_touched_by is None:
        return "nobody yet"
    when = format_value(dt.datetime.fromisoformat(row.last_touched_at)) if row.last_touched_at else ""
    return f"{row.last_touched_by} {decision_event_label(row.last_action)}, {when}"


INBOX_COLUMNS = (
    Column("County", key("county")),
    Column("Party", key("party")),
    Column("Off by", lambda r: abs(r.discrepancy or 0), lambda _v, r: f"{r.discrepancy or 0:+,}", numeric=True),
    Column("Age", key("age_seconds"), lambda v, _r: age_text(v), numeric=True),
    Column("Review", lambda r: review_label(r.review_state)),
    Column("Last touched by", lambda r: r.last_touched_at or "", lambda _v, r: touched_text(r)),
)


class EscalationInboxDialog(QDialog):
    """The open escalations as a table; ``open_requested`` carries the chosen row's log id."""

    open_requested = Signal(int)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("escalationInbox")
        self.setWindowTitle("Escalation inbox")
        self.resize(760, 420)
        self.summary_label = QLabel("Loading…")
        self.summary_label.setObjectName("inboxSummary")
        self.model = RecordTableModel(INBOX_COLUMNS, parent=self)
        self.table: QTableView = make_table(self.model, "inboxTable")
        self.table.setAccessibleName("Open escalations")
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.open_button = QPushButton("Open escalation…")
        self.open_button.setObjectName("openEscalationButton")
        self.open_button.clicked.connect(self._open_selected)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshInboxButton")
        self.refresh_button.clicked.connect(lambda: emit(self.refresh_requested))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            button.setAutoDefault(False)  # Enter opens the selected escalation (keyPressEvent), never Close
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def set_rows(self, rows: Sequence[InboxRow], election: dt.date | None) -> None:
        self.model.set_records(rows)
        shown = election.isoformat() if election else "no election"
        self.summary_label.setText(f"{len(rows)} open escalation{'s' if len(rows) != 1 else ''} ({shown}), "
                                   "oldest first." if rows else f"No open escalations ({shown}).")
        if rows and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open_selected()
            return
        super().keyPressEvent(event)

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._open(rows[0].row())

    def _open(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            emit(self.open_requested, self.model.record(row).log_id)


class EscalationInbox(QObject):
    """Opens the inbox (Data menu), loads it on the worker, reloads it with the window's refreshes."""

    def __init__(self, session: WindowSession, runner: TaskRunner, record_actions: RecordActions,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.record_actions = record_actions
        self.dialog_parent = parent
        self.dialog: EscalationInboxDialog | None = None
        self.action = QAction("Escalation &inbox…", parent)
        self.action.setObjectName("escalationInboxAction")
        self.action.triggered.connect(self.open)
        session.refresh_requested.connect(self._refresh_if_open)

    def open(self) -> EscalationInboxDialog:
        if self.dialog is None:
            self.dialog = EscalationInboxDialog(self.dialog_parent)
            self.dialog.open_requested.connect(self.record_actions.load_detail)
            self.dialog.refresh_requested.connect(self.reload)
        self.dialog.show()
        self.dialog.raise_()
        self.session.remember_dialog(self.dialog)
        self.reload()
        return self.dialog

    def reload(self) -> None:
        election = self.session.election
        dialog = self.dialog
        if dialog is None:
            return
        if election is None:
            dialog.set_rows((), None)
            return
        self.runner.start(decision_jobs.escalation_inbox, self.session.spec, election,
                          on_result=lambda rows: dialog.set_rows(rows, election), title="Loading the inbox")

    def _refresh_if_open(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.reload()
