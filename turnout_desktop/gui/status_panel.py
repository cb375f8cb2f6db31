"""The "Data Accuracy Status" panel: verified / in progress / failed, last run, next auto-check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.labels import display_label
from turnout_desktop.services.reconciliation_results import CountyOverviewRow

# Worse categories first: a county shows the worst state of any of its parties.
_SEVERITY = {"failed": 0, "escalated": 0, "in_progress": 1, "within": 2, "overridden": 2, "verified": 3}


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """Counts behind the status panel (counties, not county/party pairs)."""

    total_counties: int
    verified: int
    in_progress: int
    failed_or_escalated: int
    no_upload: int
    worst_county: str | None
    worst_accuracy: float | None
    last_reconciled_at: dt.datetime | None

    @property
    def verified_pct(self) -> float:
        return 100.0 * self.verified / self.total_counties if self.total_counties else 0.0


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, dt.datetime) else None


def summarize(rows: Sequence[CountyOverviewRow], total_counties: int | None = None) -> StatusSummary:
    """Summarise ``county_overview`` rows: a county is verified when every party row is."""
    total = total_counties if total_counties is not None else len(all_counties())
    worst_by_county: dict[str, int] = {}
    in_progress_rows: list[CountyOverviewRow] = []
    last: dt.datetime | None = None
    for row in rows:
        category = status_category(row.status, row.accuracy_pct)
        severity = _SEVERITY.get(category, 1)
        county = row.county
        worst_by_county[county] = min(severity, worst_by_county.get(county, severity))
        if category == "in_progress":
            in_progress_rows.append(row)
        stamp = _as_datetime(row.last_reconciled_at)
        if stamp is not None and (last is None or stamp > last):
            last = stamp
    worst = min(in_progress_rows, key=lambda r: float(r.accuracy_pct or 0.0), default=None)
    return StatusSummary(
        total_counties=total,
        verified=sum(1 for s in worst_by_county.values() if s >= 2),
        in_progress=sum(1 for s in worst_by_county.values() if s == 1),
        failed_or_escalated=sum(1 for s in worst_by_county.values() if s == 0),
        no_upload=max(0, total - len(worst_by_county)),
        worst_county=worst.county if worst else None,
        worst_accuracy=float(worst.accuracy_pct) if worst and worst.accuracy_pct is not None else None,
        last_reconciled_at=last,
    )


def relative_time(then: dt.datetime | None, now: dt.datetime) -> str:
    """``just now``, ``1 minute ago``, ``2 hours ago``, ``3 days ago``; ``never`` for None."""
    if then is None:
        return "never"
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            amount = seconds // size
            return f"{amount} {unit}{'s' if amount != 1 else ''} ago"
    return "just now"


def countdown_text(seconds: float | None) -> str:
    """``in 59:30`` (mm:ss), ``in 1:02:03`` past an hour; ``off`` when auto-check is disabled."""
    if seconds is None:
        return "off"
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"in {hours}:{minutes:02d}:{secs:02d}" if hours else f"in {minutes}:{secs:02d}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # the database stores naive UTC


class StatusPanel(QFrame):
    """Four figures and two clocks; the clocks tick once a second while the panel is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusPanel")
        self.summary: StatusSummary | None = None
        self._next_check_at: dt.datetime | None = None
        self.verified_label = QLabel("–")
        self.in_progress_label = QLabel("–")
        self.failed_label = QLabel("–")
        self.no_upload_label = QLabel("–")
        self.last_run_label = QLabel("never")
        self.next_check_label = QLabel("off")
        grid = QGridLayout(self)
        for column, (title, value) in enumerate((
            ("Counties verified", self.verified_label),
            (display_label(DisplayStatus.IN_PROGRESS), self.in_progress_label),
            (f"{display_label(DisplayStatus.FAILED)} / {display_label(DisplayStatus.ESCALATED).lower()}",
             self.failed_label),
            (display_label(DisplayStatus.NO_UPLOAD), self.no_upload_label),
            ("Last reconciliation", self.last_run_label), ("Next auto-check", self.next_check_label),
        )):
            caption = QLabel(title)
            caption.setObjectName("statusCaption")
            value.setObjectName("statusValue")
            grid.addWidget(caption, 0, column)
            grid.addWidget(value, 1, column)
        self.clock = QTimer(self)
        self.clock.setObjectName("statusClock")
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Tick only while visible: a closed window (its children get a hide event) leaves no timer running."""
        self.tick()
        self.clock.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self.clock.stop()
        super().hideEvent(event)

    def set_rows(self, rows: Sequence[CountyOverviewRow], last_run: dt.datetime | None = None) -> None:
        """Recompute the figures from overview rows (``last_run`` wins when more recent)."""
        summary = summarize(rows)
        if last_run is not None and (summary.last_reconciled_at is None or last_run > summary.last_reconciled_at):
            summary = StatusSummary(**{**{f: getattr(summary, f) for f in summary.__slots__},
                                       "last_reconciled_at": last_run})
        self.summary = summary
        self.verified_label.setText(f"{summary.verified} of {summary.total_counties} ({summary.verified_pct:.1f}%)")
        worst = ""
        if summary.worst_county:
            accuracy = "" if summary.worst_accuracy is None else f" {summary.worst_accuracy:.2f}%"
            worst = f" - worst: {summary.worst_county}{accuracy}"
        self.in_progress_label.setText(f"{summary.in_progress}{worst}")
        self.failed_label.setText(str(summary.failed_or_escalated))
        self.no_upload_label.setText(str(summary.no_upload))
        self.tick()

    def set_next_check(self, when: dt.datetime | None) -> None:
        """When the next auto-check runs (naive UTC), or None when auto-check is off."""
        self._next_check_at = when
        self.tick()

    def tick(self) -> None:
        """Refresh the live texts ("2 minutes ago", the countdown)."""
        now = _utcnow()
        self.last_run_label.setText(relative_time(self.summary.last_reconciled_at if self.summary else None, now))
        remaining = None if self._next_check_at is None else (self._next_check_at - now).total_seconds()
        self.next_check_label.setText(countdown_text(remaining))
