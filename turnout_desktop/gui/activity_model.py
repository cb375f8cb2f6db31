"""Recent activity: the reconciliation log as a table (newest first, as the service returns it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt

from turnout_desktop.gui.record_model import STATUS_COLOURS, Column, Index, RecordTableModel, format_value, key

MAX_ATTEMPTS = 10
VERIFIED_PCT = 99.9

STATUS_LABELS = {
    "verified": "Verified",
    "within": "Within 1%",
    "in_progress": "In progress",
    "escalated": "Escalated",
    "failed": "Failed",
    "overridden": "Overridden",
    "no_upload": "No upload yet",
}


def status_category(status: str | None, accuracy_pct: float | None) -> str:
    """Map a log/overview status (and accuracy) to one of the colour categories."""
    if not status:
        return "no_upload"
    if status == "OVERRIDDEN":
        return "overridden"
    if status == "ESCALATED":
        return "escalated"
    if status == "FAILED":
        return "failed"
    if status == "RESOLVED":
        if accuracy_pct is None or float(accuracy_pct) >= VERIFIED_PCT:
            return "verified"
        return "within"
    return "in_progress"


def off_by_text(record: dict[str, Any]) -> str:
    """``-12 (0.35%)``: the discrepancy in votes and percent of the expected total."""
    discrepancy = record.get("discrepancy")
    if discrepancy is None:
        return ""
    pct = record.get("discrepancy_pct")
    pct_text = f" ({abs(float(pct)):.2f}%)" if pct is not None else ""
    return f"{discrepancy:+,}{pct_text}"


def current_strategy(record: dict[str, Any]) -> str | None:
    """The strategy running now, else the one that succeeded, else the last one tried."""
    tried = record.get("strategies_tried") or []
    return record.get("current_strategy") or record.get("strategy_succeeded") or (tried[-1] if tried else None)


def when_text(value: Any, _record: dict[str, Any]) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return format_value(value)


ACTIVITY_COLUMNS = (
    Column("County", key("county")),
    Column("Election", key("election_date")),
    Column("Party", key("party")),
    Column("Expected", key("expected_total"), numeric=True),
    Column("Actual", key("actual_total"), numeric=True),
    Column("Off by", lambda r: abs(r.get("discrepancy") or 0), lambda _v, r: off_by_text(r), numeric=True),
    Column("Status", lambda r: "OVERRIDDEN" if r.get("override") else r.get("status")),
    Column("Attempt", lambda r: r.get("attempts_count") or 0,
           lambda v, _r: f"{v}/{MAX_ATTEMPTS}", numeric=True),
    Column("Strategy", current_strategy),
    Column("Time", lambda r: r.get("resolved_at") or r.get("updated_at") or r.get("created_at"), when_text),
)


class ActivityModel(RecordTableModel):
    """QAbstractTableModel over ``services.reconciliation.log_entries`` rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(ACTIVITY_COLUMNS, parent=parent)

    def row_background(self, record: dict[str, Any]) -> str | None:
        return STATUS_COLOURS.get(activity_category(record))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The status cell's tooltip of an overridden row carries the override's reason."""
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and 0 <= index.row() < self.rowCount():
            tip = override_tooltip(self.record(index.row()))
            if tip:
                return tip
        return super().data(index, role)


def activity_category(record: dict[str, Any]) -> str:
    """The colour category of a log row; an active override wins over the computed status."""
    if record.get("override"):
        return "overridden"
    return status_category(record.get("status"), record.get("final_accuracy_pct"))


def override_tooltip(record: dict[str, Any]) -> str | None:
    """``Overridden by ada: <reason> (computed: ESCALATED)``, or None without an active override."""
    override = record.get("override")
    if not override:
        return None
    who = f" by {override['created_by']}" if override.get("created_by") else ""
    return f"Overridden{who}: {override.get('reason', '')} (computed: {record.get('status')})"
