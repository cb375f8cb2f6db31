"""Widgets of the upload wizard: the marked preview table model and the column quality bar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from turnout_desktop.domain.labels import ROW_KIND_LABELS, field_label
from turnout_desktop.gui.quality_geometry import counts_text, percent_text, segment_widths, state_counts
from turnout_desktop.gui.theme import OKABE_ITO, QUALITY_COLOURS, text_on, tinted
from turnout_desktop.services.upload_preview import BANNER, BLANK, FOOTER, HEADER, ColumnQuality, SheetPreview

Index = QModelIndex | QPersistentModelIndex
# Accents of the preview's row kinds, tinted into the palette when painted (gui/theme.py): dark mode follows.
ROW_KIND_ACCENTS = {BANNER: OKABE_ITO["grey"], HEADER: OKABE_ITO["sky_blue"], FOOTER: OKABE_ITO["reddish_purple"],
                    BLANK: OKABE_ITO["grey"]}
ROW_KIND_TINTS = {BANNER: 0.25, HEADER: None, FOOTER: None, BLANK: 0.1}
PROBLEM_ACCENT = OKABE_ITO["vermillion"]


class PreviewModel(QAbstractTableModel):
    """The first rows of one sheet; the first column says what kind of row it is."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._preview: SheetPreview | None = None
        self._problem_rows: set[int] = set()
        self._width = 0
        self.only_problems = False
        self._shown: Sequence[tuple[int, str, Sequence[str]]] = ()  # the rows on screen (all, or problem rows)

    def set_preview(self, preview: SheetPreview | None, problem_rows: set[int] = frozenset()) -> None:
        self.beginResetModel()
        self._preview = preview
        self._problem_rows = set(problem_rows)
        self._width = max((len(cells) for _n, _k, cells in preview.rows), default=0) if preview else 0
        self._filter()
        self.endResetModel()

    def show_only_problems(self, only: bool) -> None:
        """Show just the rows that have a problem (the header row stays, to read the columns by)."""
        self.beginResetModel()
        self.only_problems = only
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        rows = self._preview.rows if self._preview is not None else ()
        self._shown = [r for r in rows if r[0] in self._problem_rows or r[1] == HEADER] if self.only_problems \
            else rows

    def row_for_spreadsheet_row(self, row_no: int) -> int | None:
        """Model row showing spreadsheet row ``row_no`` (None when not in the preview)."""
        if self._preview is None:
            return None
        for position, (number, _kind, _cells) in enumerate(self._shown):
            if number == row_no:
                return position
        return None

    def row_kind(self, row: int) -> str:
        assert self._preview is not None
        return self._shown[row][1]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() or self._preview is None else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else self._width + 1

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self._preview is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(self._shown[section][0]) if section < len(self._shown) else None
        if section == 0:
            return "Row kind"
        titles = self._preview.titles
        return titles[section - 1] if section - 1 < len(titles) and titles[section - 1] else f"Column {section}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole):
            return None
        if self._preview is None or not index.isValid() or index.row() >= len(self._shown):
            return None
        number, kind, cells = self._shown[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole:
            if number in self._problem_rows:
                return QBrush(tinted(PROBLEM_ACCENT))
            if kind not in ROW_KIND_ACCENTS:
                return None
            return QBrush(tinted(ROW_KIND_ACCENTS[kind], amount=ROW_KIND_TINTS[kind]))
        if role == Qt.ItemDataRole.FontRole:
            if kind == HEADER:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if index.column() == 0:
            return ROW_KIND_LABELS.get(kind, kind) + (" (problem)" if number in self._problem_rows else "")
        column = index.column() - 1
        return cells[column] if column < len(cells) else ""


class QualityBar(QWidget):
    """A stacked horizontal bar per field: valid / repaired / error / empty, with counts and a legend."""

    ROW_HEIGHT = 20
    LABEL_WIDTH = 110.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profiles: list[ColumnQuality] = []
        self.setMinimumHeight(self.ROW_HEIGHT)

    def _rows(self) -> int:
        """Bars plus the legend row (no legend without bars)."""
        return len(self.profiles) + 1 if self.profiles else 1

    def set_profiles(self, profiles: Sequence[ColumnQuality]) -> None:
        self.profiles = list(profiles)
        self.setToolTip("\n".join(
            f"{field_label(p.field)}{f' ({p.column})' if p.column else ''}: {counts_text(p)}" for p in self.profiles))
        self.setMinimumHeight(self.ROW_HEIGHT * self._rows())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(320, self.ROW_HEIGHT * self._rows())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        row_height = float(self.ROW_HEIGHT)
        width = max(1.0, self.width() - self.LABEL_WIDTH)
        for row, profile in enumerate(self.profiles):
            top = row * row_height
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(0, top, self.LABEL_WIDTH - 6, row_height),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             field_label(profile.field))
            left = self.LABEL_WIDTH
            counts = state_counts(profile)
            for (_name, colour), count, part in zip(QUALITY_COLOURS, counts, segment_widths(counts, width),
                                                    strict=True):
                if part <= 0:
                    continue
                segment = QRectF(left, top + 2, part, row_height - 4)
                painter.fillRect(segment, QColor(colour))
                # count and percentage where they fit, else the count alone; the tooltip always has both
                texts = (f"{count:,} ({percent_text(count, profile.total)})", f"{count:,}")
                text = next((t for t in texts if metrics.horizontalAdvance(t) + 6 <= part), "")
                if text:
                    painter.setPen(text_on(QColor(colour)))
                    painter.drawText(segment, int(Qt.AlignmentFlag.AlignCenter), text)
                left += part
        if self.profiles:
            self._paint_legend(painter, len(self.profiles) * row_height, row_height)
        painter.end()

    def _paint_legend(self, painter: QPainter, top: float, row_height: float) -> None:
        left = 4.0  # the whole width: the legend is wider than a bar
        metrics = painter.fontMetrics()
        for name, colour in QUALITY_COLOURS:
            painter.fillRect(QRectF(left, top + 5, 10, row_height - 10), QColor(colour))
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(left + 14, top, 200, row_height),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), name)
            left += 14 + metrics.horizontalAdvance(name) + 12
