"""The accuracy of one county over time, from its reconciliation log (``services/accuracy_history.py``).

A line per party over a 0-100 % axis, times in this computer's zone; every run is a disc in its status's
Okabe-Ito accent that also carries the status's mark (✓ ! ✕ ...), so the status never rests on colour. All
colours come from the widget's palette (``gui/theme.py``), so a dark theme gets a light line on a dark plot.
Hovering a point tells its time, accuracy, the official and statewide figures and what started the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from turnout_desktop.domain.display import status_category
from turnout_desktop.domain.labels import (
    ACCURACY_HISTORY_POINT,
    ACCURACY_HISTORY_TITLE,
    LOADING_ACCURACY_HISTORY,
    NO_ACCURACY_HISTORY,
    accuracy_text,
    local_time_text,
    status_label,
    status_mark,
    trigger_label,
)
from turnout_desktop.domain.scope import Scope
from turnout_desktop.gui.point_tooltips import show_point_tooltip
from turnout_desktop.gui.theme import OKABE_ITO, STATUS_ACCENTS, blend, contrast_ratio, text_on
from turnout_desktop.services.worker_context import ContextSpec, open_worker_context

if TYPE_CHECKING:  # the service module loads the database layer; the window starts without it
    from turnout_desktop.gui.task_runner import TaskRunner
    from turnout_desktop.services.accuracy_history import AccuracyHistory, AccuracyPoint

MIN_LINE_CONTRAST = 3.0  # WCAG 2.1 1.4.11: graphics need 3:1 against what is next to them
PARTY_LINES = (OKABE_ITO["blue"], OKABE_ITO["reddish_purple"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"])
PARTY_DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)
PERCENT_TICKS = (0, 25, 50, 75, 100)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 52.0, 24.0, 30.0, 44.0
POINT_RADIUS = 8.0
HOVER_DISTANCE = 12.0


def readable_on(colour: QColor, background: QColor, toward: QColor, minimum: float = MIN_LINE_CONTRAST) -> QColor:
    """``colour`` moved toward ``toward`` (the palette's text) until it has ``minimum`` contrast on ``background``."""
    amount, result = 0.0, QColor(colour)
    while amount < 1.0 and contrast_ratio(result, background) < minimum:
        amount = min(1.0, amount + 0.05)
        result = blend(colour, toward, amount)
    return result


def point_tooltip(point: AccuracyPoint, *, zone: dt.tzinfo | None = None) -> str:
    """What hovering a point says: time (with zone), party, accuracy, status, the figures and the trigger."""
    category = status_category(point.status, point.accuracy_pct)
    return ACCURACY_HISTORY_POINT.format(
        time=local_time_text(point.logged_at, zone=zone), party=point.party,
        accuracy=accuracy_text(point.accuracy_pct), status=status_label(point.status), mark=status_mark(category),
        official=f"{point.official_count:,}", statewide=f"{point.statewide_count:,}",
        trigger=trigger_label(point.trigger_type))


@dataclass(frozen=True, slots=True)
class PlottedPoint:
    """Where a point is drawn, and which party line it belongs to."""

    position: QPointF
    point: AccuracyPoint
    line: int  # index into PARTY_LINES / PARTY_DASHES


class AccuracyHistoryChart(QWidget):
    """Paints an :class:`AccuracyHistory`; empty (or loading) it says so in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accuracyHistoryChart")
        self.setMouseTracking(True)
        self.setMinimumSize(360, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(ACCURACY_HISTORY_TITLE)
        self.history: AccuracyHistory | None = None
        self.message = ""
        self._load_when_shown: Callable[[], None] | None = None

    def load_when_shown(self, load: Callable[[], None]) -> None:
        """Run ``load`` the first time the chart is shown (its tab opened): a dialog opened for another
        reason reads nothing more."""
        self._load_when_shown = load
        if self.isVisible():
            self._start_load()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._start_load()

    def _start_load(self) -> None:
        load, self._load_when_shown = self._load_when_shown, None
        if load is not None:
            load()

    # -- content ------------------------------------------------------------------------------------
    def show_loading(self, county: str) -> None:
        self.history = None
        self._set_message(LOADING_ACCURACY_HISTORY.format(county=county), county)

    def set_history(self, history: AccuracyHistory) -> None:
        self.history = history
        if not history.points:
            self._set_message(NO_ACCURACY_HISTORY.format(county=history.county), history.county)
            return
        self.message = ""
        latest = history.points[-1]
        self.setAccessibleName(f"{ACCURACY_HISTORY_TITLE}, {history.county}")
        self.setAccessibleDescription(
            f"{len(history.points)} reconciliation(s) logged; latest {latest.party} "
            f"{accuracy_text(latest.accuracy_pct)}, {status_label(latest.status)}, "
            f"{local_time_text(latest.logged_at)}.")
        self.update()

    def _set_message(self, text: str, county: str) -> None:
        self.message = text
        self.setAccessibleName(f"{ACCURACY_HISTORY_TITLE}, {county}")
        self.setAccessibleDescription(text)
        self.update()

    def parties(self) -> list[str]:
        """The parties in the history, in the order their lines are drawn (and coloured)."""
        return sorted({point.party for point in self.history.points}) if self.history else []

    # -- geometry ------------------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        return QRectF(MARGIN_LEFT, MARGIN_TOP, max(1.0, self.width() - MARGIN_LEFT - MARGIN_RIGHT),
                      max(1.0, self.height() - MARGIN_TOP - MARGIN_BOTTOM))

    def _time_span(self) -> tuple[dt.datetime, float]:
        assert self.history is not None and self.history.points
        times = [point.logged_at for point in self.history.points]
        return min(times), (max(times) - min(times)).total_seconds()

    def x_of(self, when: dt.datetime) -> float:
        rect = self.plot_rect()
        first, span = self._time_span()
        if span <= 0:
            return rect.center().x()
        inset = POINT_RADIUS + 2  # the first and last discs stay whole inside the plot
        return rect.left() + inset + (rect.width() - 2 * inset) * (when - first).total_seconds() / span

    def y_of(self, percent: float) -> float:
        rect = self.plot_rect()
        return rect.bottom() - rect.height() * max(0.0, min(100.0, percent)) / 100.0

    def plotted(self) -> list[PlottedPoint]:
        """Every point where it is drawn, oldest first."""
        if self.history is None or not self.history.points:
            return []
        lines = {party: index for index, party in enumerate(self.parties())}
        return [PlottedPoint(QPointF(self.x_of(point.logged_at), self.y_of(point.accuracy_pct)), point,
                             lines[point.party]) for point in self.history.points]

    def point_at(self, position: QPointF) -> AccuracyPoint | None:
        """The point nearest ``position`` within the hover distance, if any."""
        best: tuple[float, AccuracyPoint] | None = None
        for plotted in self.plotted():
            delta = plotted.position - position
            distance = (delta.x() ** 2 + delta.y() ** 2) ** 0.5
            if distance <= HOVER_DISTANCE and (best is None or distance < best[0]):
                best = (distance, plotted.point)
        return best[1] if best else None

    # -- colours --------------------------------------------------------------------------------------
    def line_colour(self, line: int) -> QColor:
        """Party line ``line``'s colour, moved toward the text colour until it shows on the plot."""
        palette = self.palette()
        return readable_on(QColor(PARTY_LINES[line % len(PARTY_LINES)]), palette.color(QPalette.ColorRole.Base),
                           palette.color(QPalette.ColorRole.Text))

    # -- painting -------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        palette = self.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(self.rect(), base)
            if self.message or self.history is None or not self.history.points:
                painter.setPen(text)
                painter.drawText(QRectF(self.rect()), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                                 self.message)
                return
            self._paint_axes(painter, base, text)
            plotted = self.plotted()
            self._paint_lines(painter, plotted)
            self._paint_points(painter, plotted, base, text)
            self._paint_legend(painter, text)
        finally:
            painter.end()

    def _paint_axes(self, painter: QPainter, base: QColor, text: QColor) -> None:
        rect = self.plot_rect()
        grid = blend(base, text, 0.15)
        metrics = painter.fontMetrics()
        for percent in PERCENT_TICKS:
            y = self.y_of(percent)
            painter.setPen(QPen(grid, 1.0))
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - metrics.height() / 2, MARGIN_LEFT - 6, metrics.height()),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             accuracy_text(percent, decimals=0))
        painter.setPen(QPen(text, 1.0))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.topLeft())
        assert self.history is not None
        times = sorted({point.logged_at for point in self.history.points})
        labelled = [times[0]] if len(times) == 1 else [times[0], times[-1]]
        label_top = rect.bottom() + 4
        for index, when in enumerate(labelled):
            label = local_time_text(when)
            width = metrics.horizontalAdvance(label) + 4
            x = self.x_of(when)
            if len(labelled) > 1:  # the first label starts at its point, the last one ends at its point
                left = x - POINT_RADIUS if index == 0 else x - width + POINT_RADIUS
            else:
                left = x - width / 2
            left = max(0.0, min(left, self.width() - width))
            painter.drawLine(QPointF(x, rect.bottom()), QPointF(x, rect.bottom() + 3))
            painter.drawText(QRectF(left, label_top, width, metrics.height()), int(Qt.AlignmentFlag.AlignCenter),
                             label)
        painter.drawText(QRectF(rect.left(), 4, rect.width(), metrics.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         f"{ACCURACY_HISTORY_TITLE} - {self.history.county}")

    def _paint_lines(self, painter: QPainter, plotted: list[PlottedPoint]) -> None:
        for line in sorted({p.line for p in plotted}):
            positions = [p.position for p in plotted if p.line == line]
            pen = QPen(self.line_colour(line), 2.5, PARTY_DASHES[line % len(PARTY_DASHES)])
            painter.setPen(pen)
            for start, end in zip(positions, positions[1:], strict=False):
                painter.drawLine(start, end)

    def _paint_points(self, painter: QPainter, plotted: list[PlottedPoint], base: QColor, text: QColor) -> None:
        painter.save()  # the marks' bold font and the discs' brush stay with the marks
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(11)
        painter.setFont(font)
        for item in plotted:
            category = status_category(item.point.status, item.point.accuracy_pct)
            accent = QColor(STATUS_ACCENTS[category])
            disc = QRectF(item.position.x() - POINT_RADIUS, item.position.y() - POINT_RADIUS,
                          2 * POINT_RADIUS, 2 * POINT_RADIUS)
            painter.setPen(QPen(text, 1.2))  # the ring shows a pale disc on a light plot and a dark one on dark
            painter.setBrush(accent)
            painter.drawEllipse(disc)
            painter.setPen(text_on(accent, self.palette()))
            painter.drawText(disc, int(Qt.AlignmentFlag.AlignCenter), status_mark(category))
        painter.restore()

    def _paint_legend(self, painter: QPainter, text: QColor) -> None:
        metrics = painter.fontMetrics()
        right = self.width() - MARGIN_RIGHT
        for line, party in reversed(list(enumerate(self.parties()))):
            width = metrics.horizontalAdvance(party)
            painter.setPen(text)
            painter.drawText(QRectF(right - width, 4, width, metrics.height()),
                             int(Qt.AlignmentFlag.AlignVCenter), party)
            painter.setPen(QPen(self.line_colour(line), 2.5, PARTY_DASHES[line % len(PARTY_DASHES)]))
            y = 4 + metrics.height() / 2
            painter.drawLine(QPointF(right - width - 30, y), QPointF(right - width - 6, y))
            right -= width + 44

    # -- hover ----------------------------------------------------------------------------------------
    def tooltip_at(self, position: QPointF) -> str:
        point = self.point_at(position)
        return point_tooltip(point) if point is not None else ""

    def event(self, event: QEvent) -> bool:
        return show_point_tooltip(self, event, self.tooltip_at) or super().event(event)


def load_accuracy_history(spec: ContextSpec, scope: Scope, *, progress: Callable[[float, str], None],
                          cancelled: Callable[[], bool]) -> AccuracyHistory:
    """Worker job (no Qt): ``services.accuracy_history.accuracy_history`` in the worker's own context."""
    from turnout_desktop.services.accuracy_history import accuracy_history

    return accuracy_history(open_worker_context(spec), scope)


def load_into(chart: AccuracyHistoryChart, runner: TaskRunner, spec: ContextSpec, scope: Scope) -> None:
    """Show ``scope``'s county as loading; once the chart is first shown, read its history in the worker."""
    chart.show_loading(scope.county or "")

    def show(history: AccuracyHistory) -> None:
        if shiboken6.isValid(chart):  # the dialog may have been closed and deleted meanwhile
            chart.set_history(history)

    chart.load_when_shown(lambda: runner.start(load_accuracy_history, spec, scope, on_result=show,
                                               title="Loading the accuracy history"))
