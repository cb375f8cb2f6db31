"""Recent activity: the reconciliation log as a table (newest first, as the service returns it)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.labels import review_label, status_label, status_text, strategy_label
from turnout_desktop.domain.status import Status
from turnout_desktop.gui.record_model import Column, Index, RecordTableModel, key
from turnout_desktop.services.fixes import review_state_of
from turnout_desktop.services.labels import strategy_labels
from turnout_desktop.services.reconciliation_results import LogEntry

MAX_ATTEMPTS = 10


def off_by_text(record: LogEntry) -> str:
    """``-12 (0.35%)``: the discrepancy in votes and percent of the expected total."""
    discrepancy = record.discrepancy
    if discrepancy is None:
        return ""
    pct = record.discrepancy_pct
    pct_text = f" ({abs(float(pct)):.2f}%)" if pct is not None else ""
    return f"{discrepancy:+,}{pct_text}"


def current_strategy(record: LogEntry) -> str | None:
    """The strategy running now, else the one that succeeded, else the last one tried."""
    tried = record.strategies_tried
    return record.current_strategy or record.strategy_succeeded or (tried[-1] if tried else None)


def reviewed_state(record: LogEntry) -> str | None:
    """The review state of an escalation nobody overrode (None: not an escalation, or not reviewed yet)."""
    if record.status != Status.ESCALATED or record.override is not None:
        return None
    return review_state_of(record.review_state)


def activity_status_text(record: LogEntry) -> str:
    """``Escalated``, ``Escalated · Investigating`` once reviewed, ``Overridden`` while an override is in force."""
    text = status_text(record.status, record.final_accuracy_pct, overridden=record.override is not None)
    state = reviewed_state(record)
    return f"{text} \N{MIDDLE DOT} {review_label(state)}" if state else text


def review_tooltip(record: LogEntry) -> str | None:
    """``Escalated, reviewed: Investigating - <reason>``, or None for a row without a review."""
    state = reviewed_state(record)
    if state is None:
        return None
    return f"{status_label(record.status)}, reviewed: {review_label(state)} - {record.review_reason or ''}"


ACTIVITY_COLUMNS = (
    Column("County", key("county")),
    Column("Election", key("election_date")),
    Column("Party", key("party")),
    Column("Expected", key("expected_total"), numeric=True),
    Column("Actual", key("actual_total"), numeric=True),
    Column("Off by", lambda r: abs(r.discrepancy or 0), lambda _v, r: off_by_text(r), numeric=True),
    Column("Status", lambda r: Status.OVERRIDDEN if r.override else r.status,
           lambda _v, r: activity_status_text(r), marked=True),
    Column("Attempt", lambda r: r.attempts_count or 0,
           lambda v, _r: f"{v}/{MAX_ATTEMPTS}", numeric=True),
    Column("Strategy", current_strategy, lambda v, _r: strategy_label(v, strategy_labels())),
    Column("Time", lambda r: r.resolved_at or r.updated_at or r.created_at),  # stored UTC, shown local
)


class ActivityModel(RecordTableModel):
    """QAbstractTableModel over ``services.reconciliation.log_entries`` rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(ACTIVITY_COLUMNS, parent=parent)

    def row_category(self, record: LogEntry) -> str | None:
        return activity_category(record)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The status cell's tooltip of an overridden row carries the override's reason."""
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and 0 <= index.row() < self.rowCount():
            tip = override_tooltip(self.record(index.row())) or review_tooltip(self.record(index.row()))
            if tip:
                return tip
        return super().data(index, role)


def activity_category(record: LogEntry) -> DisplayStatus:
    """The colour category of a log row; an active override wins over the computed status."""
    if record.override is not None:
        return DisplayStatus.OVERRIDDEN
    return status_category(record.status, record.final_accuracy_pct)


def override_tooltip(record: LogEntry) -> str | None:
    """``Overridden by ada: <reason> (computed: Escalated)``, or None without an active override."""
    override = record.override
    if override is None:
        return None
    who = f" by {override.created_by}" if override.created_by else ""
    return f"Overridden{who}: {override.reason} (computed: {status_label(record.status)})"
