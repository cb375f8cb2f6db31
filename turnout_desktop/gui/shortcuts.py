"""Keyboard: the shortcuts of the window's actions and Enter to open a table row's details."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView

from turnout_desktop.gui.activity_panel import ActivityPanel
from turnout_desktop.gui.county_overview import CountyOverviewPanel
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import RECORD_ROLE

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

RECONCILE_KEYS = "Ctrl+R"
EXPORT_KEYS = "Ctrl+E"
PRINT_PREVIEW_KEYS = "Ctrl+Shift+P"
# Linux desktops bind no key to QKeySequence.Preferences (macOS gives Cmd+,): the same comma everywhere.
SETTINGS_FALLBACK_KEYS = "Ctrl+,"
# QKeySequence.Quit is empty on Linux desktops (KDE, GNOME): the key Windows and macOS users expect there too.
QUIT_FALLBACK_KEYS = "Ctrl+Q"


def with_fallback(standard: QKeySequence.StandardKey, fallback: str) -> list[QKeySequence]:
    """The platform's keys for ``standard``, or ``fallback`` where the platform has none."""
    keys = QKeySequence.keyBindings(standard)
    return keys if keys else [QKeySequence(fallback)]


def assign_shortcuts(*, reconcile: QAction, export: QAction, print_preview: QAction, settings: QAction,
                     quit_app: QAction) -> None:
    """Shortcuts for the actions that have no standard key of their own (Open, Print, Refresh already do)."""
    reconcile.setShortcut(QKeySequence(RECONCILE_KEYS))
    export.setShortcut(QKeySequence(EXPORT_KEYS))
    print_preview.setShortcut(QKeySequence(PRINT_PREVIEW_KEYS))
    settings.setShortcuts(with_fallback(QKeySequence.StandardKey.Preferences, SETTINGS_FALLBACK_KEYS))
    quit_app.setShortcuts(with_fallback(QKeySequence.StandardKey.Quit, QUIT_FALLBACK_KEYS))


class EnterOpensRow(QObject):
    """Enter or Return on a table opens its current row, as a double-click does."""

    def __init__(self, table: QAbstractItemView, open_record: Callable[[object], None]) -> None:
        super().__init__(table)
        self.table = table
        self.open_record = open_record
        table.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in _ENTER_KEYS):
            return self._open(self.table.currentIndex())
        return False

    def _open(self, index: QModelIndex) -> bool:
        record = index.data(RECORD_ROLE) if index.isValid() else None
        if record is None:
            return False
        self.open_record(record)
        return True


def enter_opens_details(overview: CountyOverviewPanel, activity: ActivityPanel) -> tuple[EnterOpensRow, ...]:
    """Enter on the county overview opens the county, on the activity table the entry's details."""
    return (EnterOpensRow(overview.table, lambda record: emit(overview.county_activated, record)),
            EnterOpensRow(activity.table, lambda record: emit(activity.details_requested, record)))
