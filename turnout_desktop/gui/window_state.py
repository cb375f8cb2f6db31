"""The main window's layout and recent files in QSettings (UI state only, never preferences or secrets)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView

from turnout_desktop.gui.settings import ui_state

MAX_RECENT_FILES = 8


def restore_layout(window: QMainWindow, splitter: QSplitter, overview_table: QTableView,
                   activity_table: QTableView) -> bool:
    """Restore geometry, toolbars, splitter and column widths; True when column widths were restored."""
    state = ui_state()
    widths_restored = False
    for key, restore in (("main/geometry", window.restoreGeometry), ("main/state", window.restoreState),
                         ("main/splitter", splitter.restoreState),
                         ("main/overview_header", overview_table.horizontalHeader().restoreState),
                         ("main/activity_header", activity_table.horizontalHeader().restoreState)):
        value = state.value(key)
        if isinstance(value, QByteArray):
            restore(value)
            widths_restored |= key.endswith("_header")  # the user's own widths win over fitting
    return widths_restored


def save_layout(window: QMainWindow, splitter: QSplitter, overview_table: QTableView,
                activity_table: QTableView) -> None:
    state = ui_state()
    state.setValue("main/geometry", window.saveGeometry())
    state.setValue("main/state", window.saveState())
    state.setValue("main/splitter", splitter.saveState())
    state.setValue("main/overview_header", overview_table.horizontalHeader().saveState())
    state.setValue("main/activity_header", activity_table.horizontalHeader().saveState())
    state.sync()


def recent_files() -> list[str]:
    recent = ui_state().value("recent_files") or []
    return recent if isinstance(recent, list) else [recent]  # QSettings gives a lone string for one entry


def remember_files(paths: list[Path]) -> None:
    """Put ``paths`` first in the recent files (no duplicates, at most MAX_RECENT_FILES)."""
    names = [str(p) for p in paths]
    recent = names + [p for p in recent_files() if p not in names]
    ui_state().setValue("recent_files", recent[:MAX_RECENT_FILES])
