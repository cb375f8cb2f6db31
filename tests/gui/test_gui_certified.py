"""The county overview marks a certified county with a lock (one county, or every county of the election)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from service_records import record

from turnout_desktop.gui.county_overview import CERTIFIED_MARK, CountyOverviewModel
from turnout_desktop.services.reconciliation_results import CountyOverviewRow

ROWS = [record(CountyOverviewRow, **row) for row in (
    {"county": "LOVING", "party": "DEM", "expected_total": 21, "actual_total": 21, "accuracy_pct": 100.0,
     "status": "RESOLVED", "last_log_id": 6},
    {"county": "KING", "party": "DEM", "expected_total": 50, "actual_total": 45, "accuracy_pct": 90.0,
     "status": "ESCALATED", "last_log_id": 4},
)]


def _status_cells(model: CountyOverviewModel) -> dict[str, str]:
    status = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) == "Status")
    return {model.index(r, 0).data(): model.index(r, status).data() for r in range(model.rowCount())}


def test_a_certified_county_shows_a_lock(qtmodeltester) -> None:  # noqa: ANN001
    model = CountyOverviewModel()
    model.set_overview(ROWS, counties=["LOVING", "KING", "KENT"], certified=("LOVING",))
    qtmodeltester.check(model)
    cells = _status_cells(model)
    assert cells["LOVING"].startswith(f"{CERTIFIED_MARK} \N{MIDDLE DOT} ")
    assert CERTIFIED_MARK not in cells["KING"] and CERTIFIED_MARK not in cells["KENT"]
    model.set_overview(ROWS, counties=["LOVING", "KING", "KENT"], certified=(None,))  # the whole election
    assert all(text.startswith(CERTIFIED_MARK) for text in _status_cells(model).values())
    model.set_overview(ROWS, counties=["LOVING", "KING", "KENT"])
    assert not any(CERTIFIED_MARK in text for text in _status_cells(model).values())
