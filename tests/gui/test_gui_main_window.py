"""The main window on a real seeded demo database: panels, row actions, roles, errors, timers."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from turnout_desktop.db.models import ManualOverride
from turnout_desktop.gui import jobs
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.error_dialogs import CrashDialog
from turnout_desktop.gui.escalation_dialog import EscalationDialog
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.override_confirm import OverrideConfirmDialog
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.services.context import open_context
from turnout_desktop.services.reconciliation_results import LogEntry


def open_window(qtbot, spec: jobs.ContextSpec, minutes: int = 60) -> MainWindow:
    window = MainWindow(spec, Preferences(auto_check_minutes=minutes))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        window.dashboard_view.refresh()
    return window


def select_activity(window: MainWindow, county: str, party: str) -> LogEntry:
    panel = window.activity
    for row in range(panel.proxy.rowCount()):
        record = panel.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole + 2)
        if record.county == county and record.party == party:
            panel.select_row(row)
            return record
    raise AssertionError(f"{county} {party} not in the activity table")


def test_admin_dashboard_shows_demo_counties(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    overview = window.overview.model.records()
    assert len(overview) == 254 - 7 + 14  # 7 demo counties x 2 parties, the rest "no upload yet"
    statuses = {(r.county, r.party): r.category for r in overview if r.party}
    assert statuses[("LOVING", "DEM")] == "verified"
    assert statuses[("KENT", "REP")] == "escalated"
    assert window.status_panel.failed_label.text() == "2"
    assert window.status_panel.no_upload_label.text() == "247"
    assert window.activity.model.rowCount() == 14
    assert window.dashboard_view.election_combo.currentText() == "2026-03-03"
    assert window.labels.db_label.text() == "local database"
    assert window.labels.online_label.text() == "online"
    assert window.labels.user_label.text() == "ada - admin"
    assert window.activity.override_button.isVisibleTo(window)
    assert window.auto_check.timer.isActive() and window.auto_check.timer.interval() == 3_600_000
    assert window.status_panel.next_check_label.text().startswith("in 59:")
    window.overview.search_edit.setText("lov")
    assert window.overview.proxy.rowCount() == 2


def test_view_details_opens_details_and_escalation(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    select_activity(window, "LOVING", "DEM")
    qtbot.mouseClick(window.activity.details_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    details = window.session.last_dialog
    assert details.isVisible()
    assert details.methods.rowCount() >= 1
    assert details.gate_label.text().startswith("Public gate: shown publicly")
    assert not details.undo_button.isEnabled()
    details.close()
    select_activity(window, "KENT", "REP")
    qtbot.mouseClick(window.activity.details_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, EscalationDialog), timeout=10_000)
    escalation = window.session.last_dialog
    assert "KENT" in escalation.summary_label.text()
    assert not escalation.override_button.isEnabled()
    escalation.override_reason.setPlainText("County confirmed late mail ballots by phone")
    assert escalation.override_button.isEnabled()
    qtbot.mouseClick(escalation.override_button, Qt.MouseButton.LeftButton)  # asks for confirmation first
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, OverrideConfirmDialog), timeout=10_000)
    confirm = window.session.last_dialog
    assert confirm.reason() == "County confirmed late mail ballots by phone"
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        qtbot.mouseClick(confirm.publish_button, Qt.MouseButton.LeftButton)
    kent = next(r for r in window.overview.model.records() if (r.county, r.party) == ("KENT", "REP"))
    assert kent.status == "OVERRIDDEN" and kent.category == "overridden"
    escalation.close()


def test_manual_override_from_the_table_needs_a_reason(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    select_activity(window, "TERRELL", "DEM")
    qtbot.mouseClick(window.activity.override_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, OverrideConfirmDialog), timeout=10_000)
    dialog = window.session.last_dialog
    assert not dialog.publish_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "Checked with county")
    assert dialog.publish_button.isEnabled()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    ctx = open_context(admin_spec.db_url)
    with ctx.engine.connect() as connection:
        rows = connection.execute(select(ManualOverride.county, ManualOverride.party, ManualOverride.reason,
                                         ManualOverride.created_by)).all()
    ctx.engine.dispose()
    assert [tuple(r) for r in rows] == [("TERRELL", "DEM", "Checked with county", "ada")]


def test_clerk_sees_only_their_county_and_override_is_refused(qtbot, clerk_spec):
    window = open_window(qtbot, clerk_spec)
    assert {r.county for r in window.overview.model.records()} == {"KENT"}
    assert {r.county for r in window.activity.model.records()} == {"KENT"}
    assert not window.activity.override_button.isVisibleTo(window)
    assert not window.reconcile_action.isVisible()
    assert window.labels.user_label.text() == "carl - clerk (KENT)"
    record = select_activity(window, "KENT", "REP")
    window.actions_for_records.request_override(record, "I am the clerk")  # the hidden action, forced
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, QMessageBox), timeout=10_000)
    assert "not permitted: clerk may not" in window.session.last_dialog.text()
    window.session.last_dialog.close()


def test_worker_error_shown_in_crash_dialog(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)

    def broken(*, progress, cancelled):
        raise KeyError("no such column")

    window.runner.start(broken)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, CrashDialog), timeout=10_000)
    assert "KeyError" in window.session.last_dialog.summary.text()
    assert "raise KeyError" in window.session.last_dialog.trace_view.toPlainText()
    window.session.last_dialog.close()


def test_force_recheck_and_auto_check_refresh(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec, minutes=1)
    before = window.activity.model.rowCount()
    select_activity(window, "KING", "DEM")
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        qtbot.mouseClick(window.activity.recheck_button, Qt.MouseButton.LeftButton)
    assert window.activity.model.rowCount() == before + 1
    assert window.auto_check.timer.interval() == 60_000
    with qtbot.waitSignal(window.dashboard_loaded, timeout=30_000):
        window.auto_check.run()  # what the timer calls
    # nothing drifted since the re-check: every county/party is reported, none gets a new log row
    assert len(window.auto_check.last_results) == 14
    assert {r.check for r in window.auto_check.last_results} == {"unchanged"}
    # ... but the check itself leaves its summary row (county and party "*"), so it can be shown it ran
    assert window.activity.model.rowCount() == before + 2
    newest = max(window.activity.model.records(), key=lambda r: r.id)
    assert (newest.county, newest.status, newest.trigger_type) == ("*", "CHECKED", "AUTO_CHECK")


def test_empty_database_and_missing_data(qtbot, empty_url):
    window = open_window(qtbot, jobs.ContextSpec(empty_url))
    assert window.session.election is None
    assert window.overview.model.rowCount() == 254
    assert window.status_panel.verified_label.text() == "0 of 254 (0.0%)"
    window.dashboard_view.reconcile_all()
    assert window.banner.isVisibleTo(window) and "No election" in window.banner.text()


@pytest.mark.parametrize("minutes", [0])
def test_auto_check_off(qtbot, empty_url, minutes):
    window = open_window(qtbot, jobs.ContextSpec(empty_url), minutes=minutes)
    assert not window.auto_check.timer.isActive()
    assert window.status_panel.next_check_label.text() == "off"


def test_close_saves_and_restores_layout(qtbot, empty_url):
    window = open_window(qtbot, jobs.ContextSpec(empty_url))
    window.resize(700, 520)
    window.overview.table.horizontalHeader().resizeSection(0, 177)
    window.close()
    assert window.runner.is_idle() and not window.auto_check.timer.isActive()
    again = open_window(qtbot, jobs.ContextSpec(empty_url))
    assert again.overview.table.horizontalHeader().sectionSize(0) == 177
    assert again.size().width() == 700
