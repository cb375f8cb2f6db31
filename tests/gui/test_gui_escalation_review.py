"""Escalations on the demo database: a review needs a reason and is stored, overridden rows show "Overridden"
with the reason, and an escalation exports to a PDF naming the county."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select
from test_gui_main_window import open_window, select_activity

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.gui.escalation_dialog import EscalationDialog
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.record_model import STATUS_COLOURS
from turnout_desktop.services.context import open_context


def open_escalation(qtbot, window: MainWindow, county: str, party: str) -> EscalationDialog:
    select_activity(window, county, party)
    qtbot.mouseClick(window.activity.details_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, EscalationDialog), timeout=10_000)
    return window.session.last_dialog


def test_review_needs_a_reason_in_every_state_and_is_stored(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    dialog = open_escalation(qtbot, window, "TERRELL", "DEM")
    for state in ("investigating", "resolved", "wont-fix"):
        dialog.review_state.setCurrentIndex(dialog.review_state.findData(state))
        assert not dialog.review_button.isEnabled(), state
        assert dialog.review_hint.text() == "Type a reason to mark this escalation reviewed."
    dialog.review_state.setCurrentIndex(dialog.review_state.findData("investigating"))
    qtbot.keyClicks(dialog.review_reason, "   ")
    assert not dialog.review_button.isEnabled()  # blank reasons do not count
    qtbot.keyClicks(dialog.review_reason, "Called the county clerk")
    assert dialog.review_button.isEnabled() and not dialog.review_hint.isVisibleTo(dialog)
    log_id = dialog.detail.id
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    dialog.close()
    ctx = open_context(admin_spec.db_url)
    with ctx.engine.connect() as connection:
        row = connection.execute(select(ReconciliationLog.county, ReconciliationLog.party,
                                        ReconciliationLog.review_state, ReconciliationLog.review_reason)
                                 .where(ReconciliationLog.id == log_id)).one()
    ctx.engine.dispose()
    assert tuple(row) == ("TERRELL", "DEM", "investigating", "Called the county clerk")


def status_cell(window: MainWindow, county: str, party: str):
    panel = window.activity
    column = panel.model.headers().index("Status")
    for row in range(panel.proxy.rowCount()):
        record = panel.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole + 2)
        if (record.county, record.party) == (county, party):
            return panel.proxy.index(row, column)
    raise AssertionError(f"{county} {party} not in the activity table")


def test_overridden_rows_show_overridden_with_the_reason(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    before = status_cell(window, "KENT", "REP")
    assert before.data() == "Escalated"
    assert before.data(Qt.ItemDataRole.BackgroundRole).color() == QColor(STATUS_COLOURS["escalated"])
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        window.actions_for_records.request_override(select_activity(window, "KENT", "REP"),
                                                    "County confirmed late mail ballots")
    after = status_cell(window, "KENT", "REP")
    assert after.data() == "Overridden"
    assert after.data(Qt.ItemDataRole.BackgroundRole).color() == QColor(STATUS_COLOURS["overridden"])
    assert STATUS_COLOURS["overridden"] != STATUS_COLOURS["escalated"]
    assert after.data(Qt.ItemDataRole.ToolTipRole) == (
        "Overridden by ada: County confirmed late mail ballots (computed: Escalated)")
    other = status_cell(window, "KENT", "DEM")  # the other party keeps its computed status
    assert other.data() == "Escalated" and other.data(Qt.ItemDataRole.ToolTipRole) == "Escalated"


def test_escalation_export_pdf_names_the_county(qtbot, admin_spec, tmp_path):
    window = open_window(qtbot, admin_spec)
    dialog = open_escalation(qtbot, window, "KENT", "REP")
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(QFileDialog)), timeout=5_000)
    chooser = next(d for d in window.findChildren(QFileDialog) if d.isVisible())
    out = tmp_path / "kent-escalation.pdf"
    chooser.selectFile(str(out))
    chooser.accept()
    qtbot.waitUntil(lambda: out.exists() and window.runner.is_idle(), timeout=60_000)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "KENT" in text
    assert window.statusBar().currentMessage() == f"Report written to {out}"
    dialog.close()
