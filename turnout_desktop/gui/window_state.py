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


# The layout format: raise it when the defaults of the splitter or of the tables' sort change, so a layout
# saved before no longer overrides them. 2: the balanced panes and severity-first county sort (a
# layout without a version was saved before them and had the county pane narrow and sorted by name).
LAYOUT_VERSION = 2
LAYOUT_VERSION_KEY = "main/layout_version"
WINDOW_KEYS = ("main/geometry", "main/state")  # restored whatever version saved them
PANE_KEYS = ("main/splitter", "main/overview_header", "main/activity_header")  # split, column widths, sort


def saved_layout_version() -> int:
    """The version the saved layout was written with; 0 for none (an older Turnout Desktop, or unreadable)."""
    value = ui_state().value(LAYOUT_VERSION_KEY)
    try:
        return int(str(value)) if value is not None else 0
    except ValueError:
        return 0


def restore_layout(window: QMainWindow, splitter: QSplitter, overview_table: QTableView,
                   activity_table: QTableView) -> bool:
    """Restore geometry, toolbars, splitter and column widths; True when column widths were restored.

    A layout of another version restores the window's geometry and toolbars only: its split and sort
    would override today's defaults (balanced panes, problems on top), which the panes keep instead.
    """
    state = ui_state()
    widths_restored = False
    restorers = {"main/geometry": window.restoreGeometry, "main/state": window.restoreState,
                 "main/splitter": splitter.restoreState,
                 "main/overview_header": overview_table.horizontalHeader().restoreState,
                 "main/activity_header": activity_table.horizontalHeader().restoreState}
    keys = WINDOW_KEYS + (PANE_KEYS if saved_layout_version() == LAYOUT_VERSION else ())
    for key in keys:
        value = state.value(key)
        if isinstance(value, QByteArray):
            restorers[key](value)
            widths_restored |= key.endswith("_header")  # the user's own widths win over fitting
    return widths_restored


def save_layout(window: QMainWindow, splitter: QSplitter, overview_table: QTableView,
                activity_table: QTableView) -> None:
    state = ui_state()
    state.setValue(LAYOUT_VERSION_KEY, LAYOUT_VERSION)
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
