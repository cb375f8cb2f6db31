"""Table models without a view (qtmodeltester), status summary and the small text helpers."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from service_records import record

from turnout_desktop.domain.display import status_category
from turnout_desktop.domain.labels import local_time_text
from turnout_desktop.gui.activity_model import ActivityModel, off_by_text
from turnout_desktop.gui.county_overview import CountyFilterProxy, CountyOverviewModel
from turnout_desktop.gui.record_model import RECORD_ROLE, SORT_ROLE, STATUS_COLOURS
from turnout_desktop.gui.status_panel import StatusPanel, countdown_text, relative_time, summarize
from turnout_desktop.gui.theme import tinted
from turnout_desktop.gui.wizard_widgets import PROBLEM_ACCENT, PreviewModel, QualityBar
from turnout_desktop.services.reconciliation_results import CountyOverviewRow, LogEntry
from turnout_desktop.services.upload_preview import ColumnQuality, SheetPreview

LOG = [record(LogEntry, **row) for row in (
    {"id": 7, "county": "KENT", "election_date": dt.date(2026, 3, 3), "party": "REP", "expected_total": 42,
     "actual_total": 14, "discrepancy": -28, "discrepancy_pct": 66.67, "status": "ESCALATED", "attempts_count": 6,
     "strategies_tried": ("A", "B"), "strategy_succeeded": None, "created_at": dt.datetime(2026, 3, 4, 10, 0)},
    {"id": 6, "county": "LOVING", "election_date": dt.date(2026, 3, 3), "party": "DEM", "expected_total": 21,
     "actual_total": 21, "discrepancy": 0, "discrepancy_pct": 0.0, "status": "RESOLVED", "attempts_count": 0,
     "final_accuracy_pct": 100.0, "created_at": dt.datetime(2026, 3, 4, 9, 0)},
)]
OVERVIEW = [record(CountyOverviewRow, **row) for row in (
    {"county": "KENT", "party": "REP", "expected_total": 42, "actual_total": 14, "accuracy_pct": 33.33,
     "status": "ESCALATED", "last_reconciled_at": "2026-03-04T10:00:00", "last_log_id": 7},
    {"county": "KENT", "party": "DEM", "expected_total": 31, "actual_total": 31, "accuracy_pct": 100.0,
     "status": "RESOLVED", "last_reconciled_at": "2026-03-04T09:30:00", "last_log_id": 5},
    {"county": "LOVING", "party": "DEM", "expected_total": 21, "actual_total": 21, "accuracy_pct": 100.0,
     "status": "RESOLVED", "last_reconciled_at": "2026-03-04T09:00:00", "last_log_id": 6},
    {"county": "KING", "party": "DEM", "expected_total": 1000, "actual_total": 995, "accuracy_pct": 99.5,
     "status": "RESOLVED", "last_reconciled_at": None, "last_log_id": 4},
    {"county": "BORDEN", "party": "REP", "expected_total": 200, "actual_total": 150, "accuracy_pct": 75.0,
     "status": "IN_PROGRESS", "last_reconciled_at": None, "last_log_id": 3},
    {"county": "TERRELL", "party": "REP", "expected_total": 200, "actual_total": 190, "accuracy_pct": 95.0,
     "status": "IN_PROGRESS", "last_reconciled_at": None, "last_log_id": 2},
)]


def test_activity_model_passes_modeltester_and_formats_cells(qtmodeltester):
    model = ActivityModel()
    model.set_records(LOG)
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == 10
    cells = [model.index(0, c).data() for c in range(10)]
    assert cells == ["KENT", "2026-03-03", "REP", "42", "14", "-28 (66.67%)", "Escalated", "6/10", "B",
                     local_time_text(dt.datetime(2026, 3, 4, 10, 0))]  # stored UTC, shown local with its zone
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == STATUS_COLOURS["escalated"]
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == STATUS_COLOURS["verified"]
    assert model.index(0, 5).data(SORT_ROLE) == 28
    assert model.index(1, 3).data(Qt.ItemDataRole.DecorationRole) is None  # unknown roles return None


def test_overview_adds_every_county_without_upload(qtmodeltester):
    model = CountyOverviewModel()
    model.set_overview(OVERVIEW)
    qtmodeltester.check(model)
    # 6 reported rows for 5 counties + 249 counties with no upload yet
    assert model.rowCount() == 6 + 254 - 5
    records = model.records()
    assert sum(1 for r in records if r.category == "no_upload") == 249
    kent = [r for r in records if r.county == "KENT"]
    assert [(r.party, r.category) for r in kent] == [("DEM", "verified"), ("REP", "escalated")]
    king = next(r for r in records if r.county == "KING")
    assert king.category == "within"


def test_overview_filter_by_party_and_search(qtmodeltester):
    model = CountyOverviewModel()
    model.set_overview(OVERVIEW, counties=["KENT", "LOVING", "KING", "BORDEN", "TERRELL", "ANDERSON"])
    proxy = CountyFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.set_search("ken")
    assert [proxy.index(r, 1).data() for r in range(proxy.rowCount())] == ["DEM", "REP"]
    proxy.set_search("")
    proxy.set_party("REP")
    counties = sorted(proxy.index(r, 0).data(RECORD_ROLE).county for r in range(proxy.rowCount()))
    assert counties == ["ANDERSON", "BORDEN", "KENT", "TERRELL"]  # no-upload rows stay visible


def test_status_summary_counts_counties_by_worst_party():
    summary = summarize(OVERVIEW, total_counties=254)
    assert (summary.verified, summary.in_progress, summary.failed_or_escalated, summary.no_upload) == (2, 2, 1, 249)
    assert summary.worst_county == "BORDEN" and summary.worst_accuracy == 75.0
    assert summary.last_reconciled_at == dt.datetime(2026, 3, 4, 10, 0)
    assert round(summary.verified_pct, 2) == 0.79


def test_status_panel_texts(qtbot):
    panel = StatusPanel()
    qtbot.addWidget(panel)
    panel.set_rows(OVERVIEW)
    assert panel.verified_label.text() == "2 of 254 (0.8%)"
    assert panel.in_progress_label.text() == "2 - worst: BORDEN 75.00%"
    assert panel.failed_label.text() == "1"
    assert panel.last_run_label.text().endswith("ago")
    panel.set_next_check(None)
    assert panel.next_check_label.text() == "off"
    panel.clock.stop()


def test_relative_time_and_countdown():
    now = dt.datetime(2026, 3, 4, 12, 0, 0)
    assert relative_time(None, now) == "never"
    assert relative_time(now - dt.timedelta(seconds=30), now) == "just now"
    assert relative_time(now - dt.timedelta(minutes=1), now) == "1 minute ago"
    assert relative_time(now - dt.timedelta(minutes=2, seconds=5), now) == "2 minutes ago"
    assert relative_time(now - dt.timedelta(hours=3), now) == "3 hours ago"
    assert countdown_text(3599.4) == "in 59:59"
    assert countdown_text(3723) == "in 1:02:03"
    assert countdown_text(-5) == "in 0:00"
    assert countdown_text(None) == "off"


def test_status_category_and_off_by():
    assert status_category(None, None) == "no_upload"
    assert status_category("RESOLVED", 99.95) == "verified"
    assert status_category("RESOLVED", 99.2) == "within"
    assert status_category("OVERRIDDEN", 50.0) == "overridden"
    assert status_category("IN_PROGRESS", 80.0) == "in_progress"
    assert off_by_text(record(LogEntry, discrepancy=12, discrepancy_pct=-0.35)) == "+12 (0.35%)"
    assert off_by_text(record(LogEntry, discrepancy=None)) == ""


def test_preview_model_marks_rows(qtmodeltester, qtbot):
    preview = SheetPreview("f.xlsx", "Sheet1", 2, ["VUID", "Party"], [
        (1, "banner", ["Early voting roster", ""]), (2, "header", ["VUID", "Party"]),
        (3, "data", ["1000000001", "DEM"]), (4, "data", ["12", "DEM"]), (5, "footer", ["Total 2", ""]),
    ])
    model = PreviewModel()
    model.set_preview(preview, {4})
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(5)] == ["Title row", "Header", "Data", "Data (problem)",
                                                             "Footer"]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "VUID"
    assert model.headerData(4, Qt.Orientation.Vertical) == "5"
    assert model.row_for_spreadsheet_row(4) == 3
    assert model.index(3, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == tinted(PROBLEM_ACCENT).name()
    assert model.index(1, 1).data(Qt.ItemDataRole.FontRole).bold()
    bar = QualityBar()
    qtbot.addWidget(bar)
    bar.set_profiles([ColumnQuality("vuid", 8, 1, 1, 0)])
    assert bar.toolTip() == (  # the field in words (labels.py), every count with its share
        "VUID: 8 valid (80%), 1 repaired (10%), 1 error (10%), 0 empty (0%)")
    assert not bar.grab().isNull()
