"""The "Data Accuracy Status" panel: verified / in progress / failed tiles, last run, next auto-check.

The four count tiles are clickable: a click filters the tables to that status (``group_clicked``). A
clerk's panel counts only the clerk's counties and says each one's next step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.display import DisplayStatus, StatusGroup, severity_rank, status_category, status_group
from turnout_desktop.domain.labels import next_step, status_group_label
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.status_tile import StatusTile
from turnout_desktop.services.reconciliation_results import CountyOverviewRow

VERIFIED_CAPTION = "Counties verified"
OWN_VERIFIED_CAPTION = "Your counties verified"


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


def worst_categories(rows: Sequence[CountyOverviewRow]) -> dict[str, DisplayStatus]:
    """Each county's worst display state over its parties (severity order of ``domain/display.py``)."""
    worst: dict[str, DisplayStatus] = {}
    for row in rows:
        category = status_category(row.status, row.accuracy_pct)
        if row.county not in worst or severity_rank(category) < severity_rank(worst[row.county]):
            worst[row.county] = category
    return worst


def next_steps(rows: Sequence[CountyOverviewRow], counties: Sequence[str]) -> list[tuple[str, str]]:
    """(county, next step) for ``counties``, the ones that need something first, then by name."""
    worst = worst_categories(rows)
    ordered = sorted(counties, key=lambda county: (severity_rank(worst.get(county)), county))
    return [(county, next_step(worst.get(county))) for county in ordered]


def summarize(rows: Sequence[CountyOverviewRow], total_counties: int | None = None) -> StatusSummary:
    """Summarise ``county_overview`` rows: a county is verified when every party row is."""
    total = total_counties if total_counties is not None else len(all_counties())
    groups = [status_group(category) for category in worst_categories(rows).values()]
    in_progress_rows: list[CountyOverviewRow] = []
    last: dt.datetime | None = None
    for row in rows:
        category = status_category(row.status, row.accuracy_pct)
        if category == DisplayStatus.IN_PROGRESS:
            in_progress_rows.append(row)
        stamp = _as_datetime(row.last_reconciled_at)
        if stamp is not None and (last is None or stamp > last):
            last = stamp
    worst = min(in_progress_rows, key=lambda r: float(r.accuracy_pct or 0.0), default=None)
    return StatusSummary(
        total_counties=total,
        verified=groups.count(StatusGroup.VERIFIED),
        in_progress=groups.count(StatusGroup.IN_PROGRESS),
        failed_or_escalated=groups.count(StatusGroup.PROBLEM),
        no_upload=max(0, total - len(groups)),
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
    """Four clickable figures and two clocks; the clocks tick once a second while the panel is shown."""

    group_clicked = Signal(str)  # the StatusGroup value of the tile clicked

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
        self.next_step_label = QLabel()
        self.next_step_label.setObjectName("nextStepLabel")
        self.next_step_label.setWordWrap(True)
        self.next_step_label.hide()  # only a clerk's panel (a scope of counties) has next steps
        grid = QGridLayout(self)
        self.tiles: dict[StatusGroup, StatusTile] = {}
        for column, (group, value) in enumerate((
            (StatusGroup.VERIFIED, self.verified_label), (StatusGroup.IN_PROGRESS, self.in_progress_label),
            (StatusGroup.PROBLEM, self.failed_label), (StatusGroup.NO_UPLOAD, self.no_upload_label),
        )):
            caption = VERIFIED_CAPTION if group is StatusGroup.VERIFIED else status_group_label(group)
            tile = StatusTile(caption, value)
            tile.clicked.connect(lambda chosen=group: emit(self.group_clicked, chosen.value))
            self.tiles[group] = tile
            grid.addWidget(tile, 0, column, 2, 1)
        for column, (title, value) in enumerate((
            ("Last reconciliation", self.last_run_label), ("Next auto-check", self.next_check_label),
        ), start=len(self.tiles)):
            caption_label = QLabel(title)
            caption_label.setObjectName("statusCaption")
            value.setObjectName("statusValue")
            grid.addWidget(caption_label, 0, column)
            grid.addWidget(value, 1, column)
        grid.addWidget(self.next_step_label, 2, 0, 1, len(self.tiles) + 2)
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

    def set_active_group(self, group: str | None) -> None:
        """Mark the tile the tables are filtered to (None or "": no tile)."""
        for tile_group, tile in self.tiles.items():
            tile.set_active(tile_group.value == group)

    def set_rows(self, rows: Sequence[CountyOverviewRow], last_run: dt.datetime | None = None, *,
                 counties: Collection[str] | None = None) -> None:
        """Recompute the figures from overview rows (``last_run`` wins when more recent).

        ``counties``: a clerk's own counties (None: every county). The figures then count only those,
        and each one's next step is shown, the ones that need something first.
        """
        if counties is not None:
            rows = [row for row in rows if row.county in counties]
        summary = summarize(rows, None if counties is None else len(counties))
        self.tiles[StatusGroup.VERIFIED].set_caption(VERIFIED_CAPTION if counties is None else OWN_VERIFIED_CAPTION)
        steps = next_steps(rows, sorted(counties)) if counties is not None else []
        self.next_step_label.setText("\n".join(f"{county}: {step}" for county, step in steps))
        self.next_step_label.setVisible(bool(steps))
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
