"""A read-only table model over a list of dicts; cells are formatted on demand in ``data()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from turnout_desktop.domain.labels import local_time_text
from turnout_desktop.gui.theme import PaletteStatusColours, status_icon, text_on

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2

# Row colour of each display state, derived from the application palette when read (gui/theme.py).
STATUS_COLOURS: Mapping[str, str] = PaletteStatusColours()


@dataclass(frozen=True, slots=True)
class Column:
    """One column: header, how to get the raw value, how to show it."""

    header: str
    value: Callable[[dict[str, Any]], Any]
    display: Callable[[Any, dict[str, Any]], str] | None = None
    numeric: bool = False
    marked: bool = False  # the status cell: shows the row's status mark (✓ ! ✕ ...) as an icon


def format_value(value: Any) -> str:
    """Plain text of a cell value (None as an empty cell, dates in ISO, times local with their zone, floats
    with 2 decimals)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return local_time_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def key(name: str) -> Callable[[Any], Any]:
    """The value of field ``name`` of a record: a service result dataclass (attribute) or a mapping."""
    return lambda record: record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


class RecordTableModel(QAbstractTableModel):
    """Rows are dicts; columns are :class:`Column` specs. Replace all rows with ``set_records``."""

    def __init__(self, columns: Sequence[Column], records: Sequence[dict[str, Any]] = (),
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._records: list[dict[str, Any]] = list(records)

    def set_records(self, records: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def headers(self) -> list[str]:
        return [column.header for column in self._columns]

    def record(self, row: int) -> dict[str, Any]:
        return self._records[row]

    def records(self) -> list[dict[str, Any]]:
        return list(self._records)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].header
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def row_category(self, record: Any) -> str | None:
        """Subclasses name a row's display state (``domain/display.py``); None: an uncoloured row."""
        return None

    def row_background(self, record: Any) -> str | None:
        """The row's colour: its display state's palette-derived colour; None leaves the default."""
        category = self.row_category(record)
        return STATUS_COLOURS.get(category) if category else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole,
                        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole,
                        Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE, RECORD_ROLE):
            return None  # unknown roles return early: data() is called very often
        if not index.isValid() or not (0 <= index.row() < len(self._records)):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        record = self._records[index.row()]
        column = self._columns[index.column()]
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = self.row_background(record)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole:  # readable on the row colour under any palette
            colour = self.row_background(record)
            return QBrush(text_on(QColor(colour))) if colour else None
        if role == Qt.ItemDataRole.DecorationRole:
            category = self.row_category(record) if column.marked else None
            return status_icon(category) if category else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        value = column.value(record)
        if role == SORT_ROLE:
            if value is None:
                return float("-inf") if column.numeric else ""
            return value if column.numeric else str(value)
        text = column.display(value, record) if column.display else format_value(value)
        return text
