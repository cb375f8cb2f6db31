"""County overview: all 254 counties, coloured by status, problems first, filterable by status, party and name."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.display import StatusGroup, severity_rank
from turnout_desktop.domain.labels import ALL_STATUSES, status_group_label, status_text
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import (
    RECORD_ROLE,
    SORT_ROLE,
    Column,
    Index,
    RecordTableModel,
    key,
)
from turnout_desktop.gui.status_filter import StatusFilterProxy
from turnout_desktop.services.county_overview import OverviewLine, overview_lines
from turnout_desktop.services.reconciliation_results import CountyOverviewRow

ALL_PARTIES = "All parties"
CERTIFIED_MARK = "\N{LOCK} Certified"
MIN_STATUS_FILTER_WIDTH = 80


def _status_text(_category: str | None, line: OverviewLine) -> str:
    label = status_text(line.status, line.accuracy_pct)
    return f"{CERTIFIED_MARK} \N{MIDDLE DOT} {label}" if line.certified else label


OVERVIEW_COLUMNS = (
    Column("County", key("county")),
    Column("Party", key("party")),
    Column("Status", key("category"), _status_text, marked=True),
    Column("Accuracy", key("accuracy_pct"), lambda v, _r: "" if v is None else f"{float(v):.2f}%", numeric=True),
    Column("Expected", key("expected_total"), numeric=True),
    Column("Actual", key("actual_total"), numeric=True),
    Column("Public", key("public_message")),
)
STATUS_COLUMN = next(i for i, column in enumerate(OVERVIEW_COLUMNS) if column.header == "Status")


class CountyOverviewModel(RecordTableModel):
    """QAbstractTableModel over the overview lines (``services/county_overview.py``): service rows + no-upload rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(OVERVIEW_COLUMNS, parent=parent)

    def set_overview(self, rows: Sequence[CountyOverviewRow], counties: Sequence[str] | None = None,
                     certified: Collection[str | None] = ()) -> None:
        self.set_records(overview_lines(rows, counties, certified))

    def row_category(self, record: OverviewLine) -> str | None:
        return record.category

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The status column sorts by severity (escalated first, no upload last), not by its words."""
        if role == SORT_ROLE and index.column() == STATUS_COLUMN and index.isValid() \
                and 0 <= index.row() < self.rowCount():
            return severity_rank(self.record(index.row()).category)
        return super().data(index, role)


class CountyFilterProxy(StatusFilterProxy):
    """Filters by status group, by party (no-upload rows always shown) and by a case-insensitive name search."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._party: str | None = None
        self._search = ""

    def set_party(self, party: str | None) -> None:
        self._refilter("_party", party)

    def set_search(self, text: str) -> None:
        self._refilter("_search", text.strip().casefold())

    def category(self, record: OverviewLine) -> str | None:
        return record.category

    def accepts(self, record: OverviewLine) -> bool:
        if self._party and record.party not in (None, self._party):
            return False
        return not self._search or self._search in record.county.casefold()


class CountyOverviewPanel(QWidget):
    """Search box, status and party filters and the sortable, coloured county table (problems on top)."""

    county_activated = Signal(object)  # the OverviewLine double-clicked
    status_group_changed = Signal(str)  # the StatusGroup value shown, "" for every status

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CountyOverviewModel(self)
        self.proxy = CountyFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search_edit = QLineEdit(placeholderText="Search county…")
        self.search_edit.setObjectName("countySearch")
        self.search_edit.setAccessibleName("Search counties")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.proxy.set_search)
        self.party_combo = QComboBox()
        self.party_combo.setObjectName("partyFilter")
        self.party_combo.addItem(ALL_PARTIES)
        self.party_combo.currentTextChanged.connect(
            lambda text: self.proxy.set_party(None if text == ALL_PARTIES else text))
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.setAccessibleName("Status filter")
        # Full width where there is room, narrower (elided) before the window outgrows a small screen.
        self.status_combo.setMinimumWidth(MIN_STATUS_FILTER_WIDTH)
        self.status_combo.addItem(ALL_STATUSES, "")
        for group in StatusGroup:
            self.status_combo.addItem(status_group_label(group), group.value)
        self.status_combo.currentIndexChanged.connect(self._on_status_chosen)
        self.table = QTableView()
        self.table.setObjectName("countyOverviewTable")
        self.table.setAccessibleName("County overview")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)  # problems on top
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_click)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.party_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table)

    def set_overview(self, rows: Sequence[CountyOverviewRow], counties: Sequence[str] | None = None,
                     certified: Collection[str | None] = ()) -> None:
        """Show ``rows`` (certified counties locked); keep the party filter choices in step with the parties."""
        self.model.set_overview(rows, counties, certified)
        parties = sorted({row.party for row in rows if row.party})
        current = self.party_combo.currentText()
        self.party_combo.blockSignals(True)
        self.party_combo.clear()
        self.party_combo.addItems([ALL_PARTIES, *parties])
        self.party_combo.setCurrentText(current if current in parties else ALL_PARTIES)
        self.party_combo.blockSignals(False)
        self.proxy.set_party(None if self.party_combo.currentText() == ALL_PARTIES else current)

    def status_group(self) -> str:
        """The StatusGroup value shown ("" for every status)."""
        return str(self.status_combo.currentData() or "")

    def set_status_group(self, group: str | None) -> None:
        """Show only the rows of ``group`` (a StatusGroup value; None or "" for every status)."""
        index = self.status_combo.findData(group or "")
        if index < 0:
            raise ValueError(f"unknown status group {group!r}")
        self.status_combo.setCurrentIndex(index)

    def _on_status_chosen(self, index: int) -> None:
        group = str(self.status_combo.itemData(index) or "")
        self.proxy.set_group(group or None)
        emit(self.status_group_changed, group)

    def _on_double_click(self, index: QModelIndex) -> None:
        record = index.data(RECORD_ROLE)
        if record is not None:
            emit(self.county_activated, record)
