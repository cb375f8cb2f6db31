"""A window layout saved by an older version keeps its geometry but not its split or sort (gui/window_state.py).

Version 2 split the panes evenly and put the worst counties on top; a layout saved before (no version key)
would bring back its old split sorted by name, so only its size and place are restored.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from test_gui_main_window import open_window

from turnout_desktop.gui import jobs, window_state
from turnout_desktop.gui.county_overview import STATUS_COLUMN
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import ui_state

SAVED_SIZE = QSize(760, 520)  # inside the offscreen screen (restoreGeometry fits it there)
NARROW_SHARE = 0.1  # the county pane's share asked for in the split the user left (its minimum width bounds it)
CLOSE = 0.02  # a share this near is the same split (rounding to pixels)


def _left_share(window: MainWindow) -> float:
    sizes = window.splitter.sizes()
    return sizes[0] / sum(sizes)


def _close(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)
    window.close()  # saves the layout


def _leave_a_narrow_pane_sorted_by_county(qtbot, spec: jobs.ContextSpec) -> tuple[float, float]:
    """Save a layout with the county pane narrowed and sorted by name; its balanced and its saved share."""
    window = open_window(qtbot, spec)
    window.resize(SAVED_SIZE)
    qtbot.waitUntil(lambda: window.size() == SAVED_SIZE and sum(window.splitter.sizes()) > 0, timeout=5_000)
    balanced = _left_share(window)
    total = sum(window.splitter.sizes())
    window.splitter.setSizes([round(total * NARROW_SHARE), total - round(total * NARROW_SHARE)])
    window.splitter.splitterMoved.emit(window.splitter.sizes()[0], 1)  # as a drag of the handle reports it
    narrow = _left_share(window)
    assert balanced - narrow > 3 * CLOSE, "the saved split differs from the balanced one"
    window.overview.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    _close(qtbot, window)
    return balanced, narrow


def _reopened(qtbot, spec: jobs.ContextSpec) -> MainWindow:
    window = open_window(qtbot, spec)
    qtbot.waitUntil(lambda: sum(window.splitter.sizes()) > 0, timeout=5_000)
    return window


def test_a_layout_saved_now_carries_the_version_and_comes_back_whole(qtbot, admin_spec) -> None:
    balanced, narrow = _leave_a_narrow_pane_sorted_by_county(qtbot, admin_spec)
    assert window_state.saved_layout_version() == window_state.LAYOUT_VERSION
    window = _reopened(qtbot, admin_spec)
    header = window.overview.table.horizontalHeader()
    assert window.size() == SAVED_SIZE
    assert narrow - CLOSE < _left_share(window) < balanced - 2 * CLOSE  # the narrow split (down to the minimum)
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (0, Qt.SortOrder.DescendingOrder)
    _close(qtbot, window)


def test_an_older_layout_keeps_its_geometry_but_not_its_split_or_sort(qtbot, admin_spec) -> None:
    balanced, _narrow = _leave_a_narrow_pane_sorted_by_county(qtbot, admin_spec)
    ui_state().remove(window_state.LAYOUT_VERSION_KEY)  # what a layout before version 2 saved
    ui_state().sync()
    assert window_state.saved_layout_version() == 0
    window = _reopened(qtbot, admin_spec)
    header = window.overview.table.horizontalHeader()
    assert window.size() == SAVED_SIZE  # geometry kept
    assert abs(_left_share(window) - balanced) < CLOSE  # balanced panes, not the old narrow one
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        STATUS_COLUMN, Qt.SortOrder.AscendingOrder)  # problems on top
    _close(qtbot, window)
    assert window_state.saved_layout_version() == window_state.LAYOUT_VERSION  # saved anew, with the version


def test_an_unreadable_version_counts_as_an_older_layout(qtbot) -> None:
    ui_state().setValue(window_state.LAYOUT_VERSION_KEY, "not a number")
    assert window_state.saved_layout_version() == 0
