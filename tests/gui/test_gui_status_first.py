"""Status first: severity sort with problems on top, the status filter, clickable tiles, a clerk's next steps,
balanced panes and an Election box that keeps its choice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from service_records import record
from test_gui_main_window import open_window

from turnout_desktop.domain.display import SEVERITY_ORDER, StatusGroup, severity_rank, status_group
from turnout_desktop.domain.labels import next_step
from turnout_desktop.gui import jobs
from turnout_desktop.gui.county_overview import STATUS_COLUMN, CountyOverviewPanel
from turnout_desktop.gui.record_model import RECORD_ROLE
from turnout_desktop.gui.status_panel import StatusPanel
from turnout_desktop.services.reconciliation_results import CountyOverviewRow

ROWS = [record(CountyOverviewRow, **row) for row in (
    {"county": "ANDREWS", "party": "REP", "accuracy_pct": 100.0, "status": "RESOLVED"},
    {"county": "BORDEN", "party": "REP", "accuracy_pct": 75.0, "status": "IN_PROGRESS"},
    {"county": "CRANE", "party": "DEM", "accuracy_pct": 99.5, "status": "RESOLVED"},
    {"county": "DALLAM", "party": "DEM", "accuracy_pct": 40.0, "status": "FAILED"},
    {"county": "KENT", "party": "REP", "accuracy_pct": 33.3, "status": "ESCALATED"},
    {"county": "LOVING", "party": "DEM", "accuracy_pct": 90.0, "status": "OVERRIDDEN"},
)]


def shown_categories(panel: CountyOverviewPanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(row, 0).data(RECORD_ROLE).category for row in range(proxy.rowCount())]


def shown_counties(proxy) -> list[str]:
    return [key_of(proxy.index(row, 0).data(RECORD_ROLE)) for row in range(proxy.rowCount())]


def key_of(item) -> str:
    return item.county


def test_severity_order_names_every_display_state_worst_first():
    assert [str(c) for c in SEVERITY_ORDER] == ["escalated", "failed", "in_progress", "within", "overridden",
                                                "verified", "no_upload"]
    assert severity_rank(None) == severity_rank("no_upload") == len(SEVERITY_ORDER) - 1
    assert status_group("within") is status_group("overridden") is StatusGroup.VERIFIED


def test_overview_sorts_by_severity_with_problems_on_top(qtbot):
    panel = CountyOverviewPanel()
    qtbot.addWidget(panel)
    panel.set_overview(ROWS)
    categories = shown_categories(panel)
    # the default order: problems first, the 248 counties with no upload last (not alphabetical by word)
    assert categories[:6] == ["escalated", "failed", "in_progress", "within", "overridden", "verified"]
    assert set(categories[6:]) == {"no_upload"} and len(categories) == 254
    assert panel.table.horizontalHeader().sortIndicatorSection() == STATUS_COLUMN
    panel.table.sortByColumn(STATUS_COLUMN, Qt.SortOrder.DescendingOrder)
    assert shown_categories(panel)[-2:] == ["failed", "escalated"]
    assert shown_counties(panel.proxy)[-2:] == ["DALLAM", "KENT"]


def test_status_filter_shows_one_group(qtbot):
    panel = CountyOverviewPanel()
    qtbot.addWidget(panel)
    panel.set_overview(ROWS)
    chosen = []
    panel.status_group_changed.connect(chosen.append)
    panel.status_combo.setCurrentIndex(panel.status_combo.findData(StatusGroup.PROBLEM.value))
    assert shown_counties(panel.proxy) == ["KENT", "DALLAM"]
    assert chosen == ["problem"]
    panel.set_status_group(StatusGroup.VERIFIED)
    assert set(shown_categories(panel)) == {"verified", "within", "overridden"}
    panel.set_status_group(StatusGroup.NO_UPLOAD)
    assert panel.proxy.rowCount() == 254 - 6
    panel.search_edit.setText("kent")  # the filters combine: KENT has an upload
    assert panel.proxy.rowCount() == 0
    panel.set_status_group(None)
    assert shown_counties(panel.proxy) == ["KENT"]
    with pytest.raises(ValueError, match="unknown status group"):
        panel.set_status_group("resolved")


def test_status_panel_tiles_emit_their_group_on_click_and_enter(qtbot):
    panel = StatusPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.group_clicked) as clicked:
        qtbot.mouseClick(panel.tiles[StatusGroup.PROBLEM], Qt.MouseButton.LeftButton)
    assert clicked.args == ["problem"]
    with qtbot.waitSignal(panel.group_clicked) as pressed:
        qtbot.keyClick(panel.tiles[StatusGroup.NO_UPLOAD], Qt.Key.Key_Return)
    assert pressed.args == ["no_upload"]


def test_clicking_a_tile_filters_both_tables_and_a_second_click_clears(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    overview, activity, tiles = window.overview, window.activity, window.status_panel.tiles
    all_log_rows = activity.proxy.rowCount()
    qtbot.mouseClick(tiles[StatusGroup.PROBLEM], Qt.MouseButton.LeftButton)
    assert sorted(set(shown_counties(overview.proxy))) == ["KENT", "TERRELL"]
    assert overview.proxy.rowCount() == 4
    assert sorted(set(shown_counties(activity.proxy))) == ["KENT", "TERRELL"]
    assert activity.proxy.rowCount() < all_log_rows
    assert tiles[StatusGroup.PROBLEM].is_active() and not tiles[StatusGroup.VERIFIED].is_active()
    assert overview.status_group() == "problem"
    qtbot.mouseClick(tiles[StatusGroup.NO_UPLOAD], Qt.MouseButton.LeftButton)
    assert overview.proxy.rowCount() == 247 and activity.proxy.rowCount() == 0
    qtbot.mouseClick(tiles[StatusGroup.NO_UPLOAD], Qt.MouseButton.LeftButton)  # the same tile again: all
    assert overview.proxy.rowCount() == 254 - 7 + 14 and activity.proxy.rowCount() == all_log_rows
    assert not any(tile.is_active() for tile in tiles.values())
    # the filter survives a refresh: the tables keep showing the chosen status
    qtbot.mouseClick(tiles[StatusGroup.VERIFIED], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        window.refresh_action.trigger()
    assert {status_group(c) for c in shown_categories(overview)} == {StatusGroup.VERIFIED}
    assert overview.proxy.rowCount() == 10


def test_one_county_clerk_sees_its_own_figures_and_next_step(qtbot, clerk_spec):
    window = open_window(qtbot, clerk_spec)
    panel = window.status_panel
    assert panel.verified_label.text() == "0 of 1 (0.0%)"  # not "0 of 254"
    assert panel.failed_label.text() == "1" and panel.no_upload_label.text() == "0"
    assert panel.tiles[StatusGroup.VERIFIED].caption_label.text() == "Your counties verified"
    assert panel.next_step_label.isVisibleTo(window)
    assert panel.next_step_label.text() == f"KENT: {next_step('escalated')}"


def test_clerk_of_several_counties_sees_each_next_step_worst_first(qtbot, demo_url):
    spec = jobs.ContextSpec(demo_url, user="cora", role="clerk", counties=("LOVING", "ANDERSON", "KENT"))
    window = open_window(qtbot, spec)
    panel = window.status_panel
    assert panel.verified_label.text() == "1 of 3 (33.3%)"
    assert panel.no_upload_label.text() == "1"
    assert panel.next_step_label.text().splitlines() == [
        "KENT: Escalated: check your roster; an administrator reviews the difference",
        "LOVING: Verified: nothing to do",
        "ANDERSON: Upload your roster",
    ]


def test_an_admin_sees_no_next_steps(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    assert not window.status_panel.next_step_label.isVisibleTo(window)
    assert window.status_panel.verified_label.text() == "5 of 254 (2.0%)"


@pytest.mark.parametrize("width, height", [(1920, 1080), (1366, 768)])
def test_panes_share_the_width(qtbot, admin_spec, width, height):
    window = open_window(qtbot, admin_spec)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width)
    overview_width, activity_width = window.splitter.sizes()
    assert abs(overview_width - activity_width) <= 2  # was 470 px against 1,400 at 1920 px
    assert overview_width >= 0.45 * window.width()
    if width >= 1920:  # every overview column in view, no horizontal scrolling
        qtbot.waitUntil(lambda: not window.overview.table.horizontalScrollBar().isVisible())


def test_election_box_keeps_its_choice_after_every_refresh(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    combo = window.dashboard_view.election_combo
    assert combo.currentText() == "2026-03-03"
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        window.refresh_action.trigger()  # F5
    assert combo.currentText() == "2026-03-03" and combo.currentIndex() == 0
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        window.session.request_refresh()  # what an override, a submit or a re-check asks for
    assert combo.currentText() == "2026-03-03"
    assert window.session.election.isoformat() == "2026-03-03"
