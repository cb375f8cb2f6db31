"""The main window's layout and recent files in QSettings (UI state only, never preferences or secrets)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView

from turnout_desktop.gui.settings import ui_state

MAX_RECENT_FILES = 8
PREFERRED_SIZE = QSize(1280, 800)  # a first start's size when the screen has room for it
# Room the window manager's title bar and borders take outside the window's own geometry.
FRAME_ALLOWANCE = QSize(16, 48)


def has_saved_geometry() -> bool:
    """True once a window geometry was saved (on close): then it is restored, never overridden."""
    return isinstance(ui_state().value("main/geometry"), QByteArray)


def first_start_geometry(available: QRect, preferred: QSize = PREFERRED_SIZE,
                         minimum: QSize = QSize(0, 0)) -> QRect:
    """The window's geometry on a first start: ``preferred`` shrunk to fit ``available`` (the screen less its
    task bars) with its frame, centred there, so a 1366x768 screen keeps the status bar in view."""
    width = max(minimum.width(), min(preferred.width(), available.width() - FRAME_ALLOWANCE.width()))
    height = max(minimum.height(), min(preferred.height(), available.height() - FRAME_ALLOWANCE.height()))
    side = FRAME_ALLOWANCE.width() // 2  # one border
    title = FRAME_ALLOWANCE.height() - side  # the title bar and the top border
    left = available.left() + max(0, (available.width() - width - FRAME_ALLOWANCE.width()) // 2) + side
    top = available.top() + max(0, (available.height() - height - FRAME_ALLOWANCE.height()) // 2) + title
    return QRect(left, top, width, height)


def fit_first_start(window: QMainWindow, available: QRect | None = None) -> None:
    """Size and place ``window`` to fit its screen, unless a saved geometry was restored."""
    if has_saved_geometry():
        return
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            window.resize(PREFERRED_SIZE)
            return
        available = screen.availableGeometry()
    window.setGeometry(first_start_geometry(available, minimum=window.minimumSizeHint().boundedTo(
        available.size() - FRAME_ALLOWANCE)))


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
