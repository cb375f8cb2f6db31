"""The accuracy-over-time chart (gui/accuracy_history_chart.py): a county's logged runs drawn as marked
points on a line that reads under a light and a dark palette, its empty state, its tooltip, and the details
dialog that shows it (read in the worker when its tab opens)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from accuracy_history_rows import ELECTION, escalate_then_heal
from PySide6.QtCore import QEvent, QPoint, QPointF
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolTip
from test_gui_main_window import open_window
from test_gui_window_actions import double_click_overview

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.scope import Scope
from turnout_desktop.gui.accuracy_history_chart import POINT_RADIUS, AccuracyHistoryChart
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.theme import STATUS_ACCENTS, contrast_ratio, dark_palette, text_on
from turnout_desktop.services import reconciliation
from turnout_desktop.services.accuracy_history import AccuracyHistory, accuracy_history
from turnout_desktop.services.context import open_context


@pytest.fixture(params=["light", "dark"])
def palette(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[QPalette]:
    """The application running under a light (the default) or a dark system palette."""
    original = QApplication.palette()
    QApplication.setPalette(dark_palette() if request.param == "dark" else QPalette(original))
    yield QApplication.palette()
    QApplication.setPalette(original)


@pytest.fixture
def healed_history(tmp_path: Path) -> AccuracyHistory:
    """LOVING escalated by its upload, then healed by the scheduled check: two points."""
    ctx = open_context(f"sqlite:///{tmp_path / 'history.db'}")
    try:
        escalate_then_heal(ctx, tmp_path / "files")
        return accuracy_history(ctx, Scope(ELECTION, "LOVING"))
    finally:
        ctx.engine.dispose()


def chart_with(qtbot, history: AccuracyHistory) -> AccuracyHistoryChart:
    chart = AccuracyHistoryChart()
    qtbot.addWidget(chart)
    chart.resize(640, 320)
    chart.set_history(history)
    return chart


def close_to(first: QColor, second: QColor, tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in ((first.red(), second.red()), (first.green(), second.green()),
                                                    (first.blue(), second.blue())))


def disc_pixels(image: QImage, centre: QPointF, ratio: float) -> list[QColor]:
    radius = int(POINT_RADIUS - 2)
    return [QColor(image.pixel(round((centre.x() + dx) * ratio), round((centre.y() + dy) * ratio)))
            for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)
            if dx * dx + dy * dy <= radius ** 2]


def test_each_logged_run_is_a_disc_in_its_status_colour_with_its_mark(qtbot, palette, healed_history) -> None:
    chart = chart_with(qtbot, healed_history)
    plotted = chart.plotted()
    assert [(p.point.status, p.point.accuracy_pct) for p in plotted] == [("ESCALATED", 83.3333), ("RESOLVED", 100.0)]
    assert plotted[0].position.x() < plotted[1].position.x()  # time runs left to right
    assert plotted[0].position.y() > plotted[1].position.y()  # 83 % below 100 %
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    for item, category in zip(plotted, (DisplayStatus.ESCALATED, DisplayStatus.VERIFIED), strict=True):
        accent = QColor(STATUS_ACCENTS[category])
        pixels = disc_pixels(image, item.position, ratio)
        assert sum(close_to(c, accent, 8) for c in pixels) > len(pixels) // 3  # the status colour ...
        mark = text_on(accent, palette)
        assert sum(close_to(c, mark, 60) for c in pixels) >= 4  # ... doubled by its mark (! and ✓) on it
    assert chart.accessibleName() == "Accuracy over time, LOVING"
    assert "2 reconciliation(s) logged; latest DEM 100.00%, Resolved" in chart.accessibleDescription()


def test_the_line_reads_on_the_plot_under_the_palette(qtbot, palette, healed_history) -> None:
    chart = chart_with(qtbot, healed_history)
    first, second = (p.position for p in chart.plotted())
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    middle = (first + second) / 2
    line = chart.line_colour(0)
    near = [QColor(image.pixel(round(middle.x() * ratio) + dx, round(middle.y() * ratio) + dy))
            for dx in range(-2, 3) for dy in range(-2, 3)]  # the line is anti-aliased: its core pixel
    drawn = min(near, key=lambda c: sum(abs(a - b) for a, b in zip(c.getRgb()[:3], line.getRgb()[:3], strict=True)))
    base = palette.color(QPalette.ColorRole.Base)
    assert close_to(drawn, line, 16), (drawn.name(), line.name())
    assert contrast_ratio(drawn, base) >= 3.0  # a visible line, on the dark plot too
    empty = QPointF(chart.plot_rect().left() + 20, chart.y_of(37.5))  # between grid lines, below every point
    background = QColor(image.pixel(round(empty.x() * ratio), round(empty.y() * ratio)))
    assert background == base  # the plot is the palette's own Base, not a fixed light colour


def test_empty_state_says_no_reconciliation_for_the_county(qtbot) -> None:
    chart = chart_with(qtbot, AccuracyHistory(election=ELECTION, county="KING", party=None, runs_logged=0, points=()))
    assert chart.message == "No reconciliation logged yet for KING"
    assert chart.plotted() == [] and chart.tooltip_at(QPointF(100, 100)) == ""
    assert chart.accessibleDescription() == "No reconciliation logged yet for KING"
    chart.grab()  # paints the words without a plot


def test_hovering_a_point_tells_time_figures_and_trigger(qtbot, healed_history, central_time) -> None:
    chart = chart_with(qtbot, healed_history)
    chart.show()
    first, second = chart.plotted()
    text = chart.tooltip_at(first.position + QPointF(3, 3))
    when = first.point.logged_at.astimezone(dt.timezone(dt.timedelta(hours=-6)))
    assert text.splitlines() == [f"{when:%Y-%m-%d %H:%M} CST", "DEM: 83.33% - Escalated !",
                                 "Official count 12, statewide roster 10", "Started by: County upload"]
    assert chart.tooltip_at(second.position).splitlines()[1:] == [
        "DEM: 100.00% - Resolved \N{CHECK MARK}", "Official count 12, statewide roster 12",
        "Started by: Scheduled check"]
    assert chart.tooltip_at(QPointF(2, 2)) == ""
    where = second.position.toPoint()
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, where, chart.mapToGlobal(where)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=3_000)
    assert "Started by: Scheduled check" in QToolTip.text()
    QToolTip.hideText()
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, QPoint(2, 2), chart.mapToGlobal(QPoint(2, 2))))


def test_the_details_dialog_shows_the_county_history_once_its_tab_opens(qtbot, admin_spec, demo_url) -> None:
    ctx = open_context(demo_url)
    try:  # a second run of LOVING (both parties) after the demo upload's
        reconciliation.reconcile(ctx, Scope(ELECTION, county="LOVING"))
    finally:
        ctx.engine.dispose()
    window = open_window(qtbot, admin_spec)
    double_click_overview(qtbot, window, "LOVING")
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    dialog = window.session.last_dialog
    chart = dialog.history_chart
    assert chart.history is None and chart.message == "Loading the accuracy history of LOVING…"
    assert window.runner.is_idle()  # nothing read until the tab opens
    tab = dialog.tabs.indexOf(chart)
    assert dialog.tabs.tabText(tab) == "Accuracy over time"
    dialog.tabs.setCurrentIndex(tab)
    qtbot.waitUntil(lambda: chart.history is not None, timeout=10_000)
    assert [(p.party, p.trigger_type) for p in chart.history.points] == [
        ("DEM", "COUNTY_UPLOAD"), ("REP", "COUNTY_UPLOAD"), ("DEM", "MANUAL"), ("REP", "MANUAL")]
    assert chart.parties() == ["DEM", "REP"] and len(chart.plotted()) == 4 and chart.message == ""
    qtbot.waitUntil(window.runner.is_idle, timeout=5_000)
    dialog.close()
