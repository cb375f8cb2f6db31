"""The county overview as the window lists it: one line per (county, party) with official counts, plus one
"no upload yet" line for every county without any, each with its display state and certification lock.

Qt-free: the overview table, the map and the row actions (``gui/county_overview.py``, ``gui/county_map.py``,
``gui/record_actions.py``) only read these lines.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.labels import display_label
from turnout_desktop.domain.status import Status
from turnout_desktop.services.reconciliation_results import CountyOverviewRow


@dataclass(frozen=True, slots=True)
class OverviewLine:
    """One overview line: a :class:`CountyOverviewRow`'s fields, its display ``category`` and ``certified``.

    A county with no upload yet has a line too: its party and every figure None, its category
    ``no_upload`` and its public message the "no upload yet" label.
    """

    county: str
    category: DisplayStatus
    certified: bool  # the county (or the whole election) is certified: the line is locked
    party: str | None = None
    expected_total: int | None = None
    actual_total: int | None = None
    accuracy_pct: float | None = None
    confirmed_total: int | None = None
    confirmed_accuracy_pct: float | None = None
    status: Status | None = None
    public: bool | None = None
    public_message: str | None = None
    public_level: str | None = None
    certification: str | None = None
    last_log_id: int | None = None
    last_reconciled_at: str | None = None
    attempts_count: int | None = None
    current_strategy: str | None = None
    by_method: Mapping[str, Mapping[str, int]] | None = None


def no_upload_line(county: str, certified: bool = False) -> OverviewLine:
    """The line of ``county`` while it has no official count (nothing to open, nothing to show but the label)."""
    return OverviewLine(county=county, category=DisplayStatus.NO_UPLOAD, certified=certified,
                        public_message=display_label(DisplayStatus.NO_UPLOAD))


def _line_of(row: CountyOverviewRow, certified: bool) -> OverviewLine:
    return OverviewLine(
        county=row.county, category=status_category(row.status, row.accuracy_pct), certified=certified,
        party=row.party, expected_total=row.expected_total, actual_total=row.actual_total,
        accuracy_pct=row.accuracy_pct, confirmed_total=row.confirmed_total,
        confirmed_accuracy_pct=row.confirmed_accuracy_pct, status=row.status, public=row.public,
        public_message=row.public_message, public_level=row.public_level, certification=row.certification,
        last_log_id=row.last_log_id, last_reconciled_at=row.last_reconciled_at, attempts_count=row.attempts_count,
        current_strategy=row.current_strategy, by_method=row.by_method)


def overview_lines(rows: Sequence[CountyOverviewRow], counties: Sequence[str] | None = None,
                   certified: Collection[str | None] = ()) -> tuple[OverviewLine, ...]:
    """The lines of ``rows`` plus a no-upload line for each of ``counties`` (None: all 254) without a row.

    ``certified`` names the certified counties (None in it: the whole election). Sorted by county, then
    party (a no-upload line has none).
    """
    names = list(counties) if counties is not None else [county.sos_name for county in all_counties()]
    whole_election = None in certified

    def is_certified(county: str) -> bool:
        return whole_election or county in certified

    lines = [_line_of(row, is_certified(row.county)) for row in rows]
    reported = {row.county for row in rows}
    lines.extend(no_upload_line(name, is_certified(name)) for name in names if name not in reported)
    lines.sort(key=lambda line: (line.county, line.party or ""))
    return tuple(lines)
