"""County overview: all 254 counties, coloured by status, filterable by party and name."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
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

from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.labels import display_label, status_text
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import RECORD_ROLE, SORT_ROLE, STATUS_COLOURS, Column, RecordTableModel, key
from turnout_desktop.services.reconciliation_results import CountyOverviewRow

ALL_PARTIES = "All parties"
CERTIFIED_MARK = "\N{LOCK} Certified"


def overview_records(rows: Sequence[CountyOverviewRow], counties: Sequence[str] | None = None,
                     certified: Collection[str | None] = ()) -> list[dict[str, Any]]:
    """The table's records: the service rows plus one "no upload yet" row for every county without an official count.

    Each record is a plain dict made here (the row's fields, its colour ``category`` and ``certified``), so
    the no-upload rows, which have no service row, read the same way. ``certified`` names the certified
    counties (None in it: the whole election); their rows are locked.
    """
    names = list(counties) if counties is not None else [c.sos_name for c in all_counties()]
    records = [{**{item.name: getattr(row, item.name) for item in fields(row)},
                "category": status_category(row.status, row.accuracy_pct)} for row in rows]
    reported = {row.county for row in rows}
    for name in names:
        if name not in reported:
            records.append({"county": name, "party": None, "expected_total": None, "actual_total": None,
                            "accuracy_pct": None, "status": None, "category": DisplayStatus.NO_UPLOAD,
                            "public_message": display_label(DisplayStatus.NO_UPLOAD), "last_log_id": None})
    for record in records:
        record["certified"] = None in certified or record["county"] in certified
    records.sort(key=lambda r: (r["county"], r.get("party") or ""))
    return records


def _status_text(_category: str | None, record: dict[str, Any]) -> str:
    label = status_text(record.get("status"), record.get("accuracy_pct"))
    return f"{CERTIFIED_MARK} \N{MIDDLE DOT} {label}" if record.get("certified") else label


OVERVIEW_COLUMNS = (
    Column("County", key("county")),
    Column("Party", key("party")),
    Column("Status", key("category"), _status_text),
    Column("Accuracy", key("accuracy_pct"), lambda v, _r: "" if v is None else f"{float(v):.2f}%", numeric=True),
    Column("Expected", key("expected_total"), numeric=True),
    Column("Actual", key("actual_total"), numeric=True),
    Column("Public", key("public_message")),
)


class CountyOverviewModel(RecordTableModel):
    """QAbstractTableModel over ``services.reconciliation.county_overview`` rows (+ no-upload rows)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(OVERVIEW_COLUMNS, parent=parent)

    def set_overview(self, rows: Sequence[CountyOverviewRow], counties: Sequence[str] | None = None,
                     certified: Collection[str | None] = ()) -> None:
        self.set_records(overview_records(rows, counties, certified))

    def row_background(self, record: dict[str, Any]) -> str | None:
        return STATUS_COLOURS.get(record.get("category") or "no_upload")


class CountyFilterProxy(QSortFilterProxyModel):
    """Filters by party (no-upload rows always shown) and by a case-insensitive name search."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._party: str | None = None
        self._search = ""
        self.setSortRole(SORT_ROLE)

    def _refilter(self, name: str, value: str | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+: invalidateFilter() is deprecated
            self.beginFilterChange()
            setattr(self, name, value)
            self.endFilterChange()
        else:
            setattr(self, name, value)
            self.invalidateFilter()

    def set_party(self, party: str | None) -> None:
        self._refilter("_party", party)

    def set_search(self, text: str) -> None:
        self._refilter("_search", text.strip().casefold())

    def filterAcceptsRow(self, source_row: int,  # noqa: N802 - Qt override
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        record = self.sourceModel().index(source_row, 0, source_parent).data(RECORD_ROLE)
        if record is None:
            return False
        if self._party and record.get("party") not in (None, self._party):
            return False
        return not self._search or self._search in str(record.get("county", "")).casefold()


class CountyOverviewPanel(QWidget):
    """Search box, party filter and the sortable, coloured county table."""

    county_activated = Signal(dict)  # the overview record double-clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CountyOverviewModel(self)
        self.proxy = CountyFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search_edit = QLineEdit(placeholderText="Search county…")
        self.search_edit.setObjectName("countySearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.proxy.set_search)
        self.party_combo = QComboBox()
        self.party_combo.setObjectName("partyFilter")
        self.party_combo.addItem(ALL_PARTIES)
        self.party_combo.currentTextChanged.connect(
            lambda text: self.proxy.set_party(None if text == ALL_PARTIES else text))
        self.table = QTableView()
        self.table.setObjectName("countyOverviewTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_click)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
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

    def _on_double_click(self, index: QModelIndex) -> None:
        record = index.data(RECORD_ROLE)
        if record is not None:
            emit(self.county_activated, record)
