"""Filtering a table to one status group (a summary tile or the overview's status box chose it)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from turnout_desktop.domain.display import StatusGroup, status_group
from turnout_desktop.gui.record_model import RECORD_ROLE, SORT_ROLE


class StatusFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` and keeps only the rows of one status group (None: every row).

    Subclasses say which display state a record is in (``category``) and may filter further
    (``accepts``).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._group: StatusGroup | None = None
        self.setSortRole(SORT_ROLE)

    @property
    def group(self) -> StatusGroup | None:
        return self._group

    def _refilter(self, name: str, value: object) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+: invalidateFilter() is deprecated
            self.beginFilterChange()
            setattr(self, name, value)
            self.endFilterChange()
        else:
            setattr(self, name, value)
            self.invalidateFilter()

    def set_group(self, group: str | None) -> None:
        """Show only ``group`` (a :class:`StatusGroup` value); None or "" shows every row."""
        self._refilter("_group", StatusGroup(group) if group else None)

    def category(self, record: Any) -> str | None:
        """The display state of ``record``; subclasses know their records."""
        raise NotImplementedError

    def accepts(self, record: Any) -> bool:
        """Further conditions of a subclass; every record passes here."""
        return True

    def filterAcceptsRow(self, source_row: int,  # noqa: N802 - Qt override
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        record = self.sourceModel().index(source_row, 0, source_parent).data(RECORD_ROLE)
        if record is None:
            return False
        if self._group is not None and status_group(self.category(record)) is not self._group:
            return False
        return self.accepts(record)
