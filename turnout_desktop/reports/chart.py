"""Accuracy bar charts drawn with QPainter (QtGui only; needs a QGuiApplication for fonts)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

BAR_HEIGHT = 14
LABEL_WIDTH = 210
SCALE = 2  # draw at twice the layout size so the bitmap stays sharp in the PDF
_VERIFIED = QColor(46, 125, 50)
_WITHIN = QColor(249, 168, 37)
_BLOCKED = QColor(198, 40, 40)


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a label (county and party), accuracy in percent (None: nothing to compare)."""

    label: str
    accuracy_pct: float | None


def _colour(value: float, verified: float, within: float) -> QColor:
    if value >= verified:
        return _VERIFIED
    return _WITHIN if value >= within else _BLOCKED


def draw_accuracy_chart(bars: list[Bar], *, width: int, verified_pct: float, within_pct: float,
                        floor_pct: float = 90.0) -> QImage:
    """A horizontal bar chart of accuracy from ``floor_pct`` to 100 %, gate thresholds as lines.

    Args:
        bars: the bars, top to bottom.
        width: layout width in pixels (the image is drawn at ``SCALE`` times this size).
        verified_pct: gate "verified" threshold, drawn as a line.
        within_pct: gate "within 1%" threshold, drawn as a line.
        floor_pct: left end of the axis; lower accuracies are drawn as a stub at the left edge.

    Returns:
        The chart image.
    """
    height = (len(bars) + 2) * BAR_HEIGHT
    image = QImage(width * SCALE, height * SCALE, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.scale(SCALE, SCALE)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont("DejaVu Sans")
        font.setPixelSize(9)
        painter.setFont(font)
        plot_left = LABEL_WIDTH + 6
        plot_width = max(width - plot_left - 50, 10)

        def x_of(value: float) -> float:
            clamped = min(max(value, floor_pct), 100.0)
            return plot_left + plot_width * (clamped - floor_pct) / (100.0 - floor_pct)

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
        for tick in (floor_pct, within_pct, verified_pct, 100.0):
            painter.drawText(QRectF(x_of(tick) - 20, axis_top + 1, 40, BAR_HEIGHT),
                             Qt.AlignmentFlag.AlignHCenter, f"{tick:g}")
        painter.setPen(QPen(QColor(90, 90, 90), 0.5, Qt.PenStyle.DashLine))
        for threshold in (within_pct, verified_pct):
            painter.drawLine(QPointF(x_of(threshold), 0), QPointF(x_of(threshold), axis_top))
    finally:
        painter.end()
    return image
