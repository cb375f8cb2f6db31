"""Accuracy bar charts drawn with QPainter (QtGui only; needs a QGuiApplication for fonts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

BAR_HEIGHT = 14
LABEL_WIDTH = 210
SCALE = 2  # draw at twice the layout size so the bitmap stays sharp in the PDF
FONT_PIXELS = 9
AXIS_LABEL_GAP = 3.0  # least free space between two axis labels on one line
AXIS_LABEL_LINES = 2  # a label that collides on the first line moves to the second, then is dropped
# The axis starts at 0 %: bar length is proportional to accuracy, so 33 % and 66 % look as different as they are.
AXIS_FLOOR_PCT = 0.0
MIDPOINT_PCT = 50.0  # labelled too on an axis from 0, so lengths can be read
# Okabe-Ito hues as the GUI's status colours (gui/theme.py): apart under deuteranopia and protanopia too.
VERIFIED_COLOUR = QColor("#009e73")  # bluish green
WITHIN_COLOUR = QColor("#56b4e9")  # sky blue
BLOCKED_COLOUR = QColor("#d55e00")  # vermillion
_LABEL_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextDontClip


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a label (county and party), accuracy in percent (None: nothing to compare)."""

    label: str
    accuracy_pct: float | None


@dataclass(frozen=True, slots=True)
class AxisLabel:
    """One axis label as placed: its tick value and text, horizontal extent and line (0 = just below)."""

    value: float
    text: str
    left: float
    right: float
    line: int


def place_axis_labels(ticks: Sequence[float], x_of: Callable[[float], float], text_width: Callable[[str], float],
                      *, left: float, right: float, gap: float = AXIS_LABEL_GAP,
                      lines: int = AXIS_LABEL_LINES) -> list[AxisLabel]:
    """Place tick labels so that no two overlap.

    Ticks are placed in the order given (most important first). Each label is centred on its tick, moved
    inside ``[left, right]`` when it would stick out, and put on the first line where it keeps ``gap``
    from every label already there; a label that fits on no line is left out (its tick line still shows).
    Close thresholds (99 / 99.9 / 100 on a 90-100 axis) therefore never print over each other.

    Args:
        ticks: Tick values, most important first; equal texts are labelled once.
        x_of: Maps a value to its x position.
        text_width: Width of a label's text in the same units.
        left, right: The horizontal room the labels may use.
        gap: Least space between two labels on one line.
        lines: How many label lines there are below the axis.

    Returns:
        The placed labels, sorted by line and then from left to right.
    """
    placed: list[AxisLabel] = []
    seen: set[str] = set()
    for value in ticks:
        text = f"{value:g}"
        if text in seen:
            continue
        seen.add(text)
        width = text_width(text)
        start = min(max(x_of(value) - width / 2, left), right - width)
        for line in range(lines):
            if all(other.line != line or start + width + gap <= other.left or other.right + gap <= start
                   for other in placed):
                placed.append(AxisLabel(value, text, start, start + width, line))
                break
    return sorted(placed, key=lambda label: (label.line, label.left))


def axis_x_mapper(width: int, floor_pct: float) -> tuple[float, float, Callable[[float], float]]:
    """The plot's left edge and width, and the value -> x mapping (accuracy clamped to floor..100)."""
    plot_left = LABEL_WIDTH + 6
    plot_width = max(width - plot_left - 50, 10)

    def x_of(value: float) -> float:
        clamped = min(max(value, floor_pct), 100.0)
        return plot_left + plot_width * (clamped - floor_pct) / (100.0 - floor_pct)

    return plot_left, plot_width, x_of


def chart_axis_labels(width: int, *, verified_pct: float, within_pct: float,
                      floor_pct: float = AXIS_FLOOR_PCT) -> list[AxisLabel]:
    """The axis labels :func:`draw_accuracy_chart` draws (layout pixels); gate thresholds win a collision."""
    _plot_left, _plot_width, x_of = axis_x_mapper(width, floor_pct)
    metrics = QFontMetricsF(_chart_font())
    ticks = (verified_pct, within_pct, floor_pct, 100.0) + ((MIDPOINT_PCT,) if floor_pct < MIDPOINT_PCT else ())
    return place_axis_labels(ticks, x_of, metrics.horizontalAdvance, left=0.0, right=float(width))


def _chart_font() -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(FONT_PIXELS)
    return font


def _colour(value: float, verified: float, within: float) -> QColor:
    if value >= verified:
        return VERIFIED_COLOUR
    return WITHIN_COLOUR if value >= within else BLOCKED_COLOUR


def draw_accuracy_chart(bars: list[Bar], *, width: int, verified_pct: float, within_pct: float,
                        floor_pct: float = AXIS_FLOOR_PCT) -> QImage:
    """A horizontal bar chart of accuracy from ``floor_pct`` (default 0 %) to 100 %, gate thresholds as lines.

    Args:
        bars: the bars, top to bottom.
        width: layout width in pixels (the image is drawn at ``SCALE`` times this size).
        verified_pct: gate "verified" threshold, drawn as a line.
        within_pct: gate "within 1%" threshold, drawn as a line.
        floor_pct: left end of the axis; lower accuracies are drawn as a stub at the left edge.

    Returns:
        The chart image.
    """
    line_height = QFontMetricsF(_chart_font()).height()
    height = len(bars) * BAR_HEIGHT + 4 + int(AXIS_LABEL_LINES * line_height + 0.999)
    image = QImage(width * SCALE, height * SCALE, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.scale(SCALE, SCALE)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(_chart_font())
        plot_left, plot_width, x_of = axis_x_mapper(width, floor_pct)
        for index, bar in enumerate(bars):
            top = index * BAR_HEIGHT + 2
            painter.setPen(QColor("black"))
            painter.drawText(QRectF(0, top, LABEL_WIDTH, BAR_HEIGHT),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, bar.label)
            if bar.accuracy_pct is None:
                continue
            right = max(x_of(bar.accuracy_pct), plot_left + 2)
            painter.fillRect(QRectF(plot_left, top + 2, right - plot_left, BAR_HEIGHT - 4),
                             _colour(bar.accuracy_pct, verified_pct, within_pct))
            painter.drawText(QRectF(right + 3, top, 48, BAR_HEIGHT), Qt.AlignmentFlag.AlignVCenter,
                             f"{bar.accuracy_pct:.2f}%")
        axis_top = len(bars) * BAR_HEIGHT + 2
        painter.setPen(QPen(QColor("black"), 0.5))
        painter.drawLine(QPointF(plot_left, axis_top), QPointF(plot_left + plot_width, axis_top))
        for label in chart_axis_labels(width, verified_pct=verified_pct, within_pct=within_pct,
                                       floor_pct=floor_pct):
            painter.drawLine(QPointF(x_of(label.value), axis_top), QPointF(x_of(label.value), axis_top + 2))
            painter.drawText(QRectF(label.left, axis_top + 2 + label.line * line_height,
                                    label.right - label.left, line_height),
                             _LABEL_FLAGS, label.text)
        painter.setPen(QPen(QColor(90, 90, 90), 0.5, Qt.PenStyle.DashLine))
        for threshold in (within_pct, verified_pct):
            painter.drawLine(QPointF(x_of(threshold), 0), QPointF(x_of(threshold), axis_top))
    finally:
        painter.end()
    return image
