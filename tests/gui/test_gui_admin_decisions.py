"""Safe admin decisions on the demo database: an override is confirmed on the figure and label the gate will
publish, every decision refreshes the dialog and the tables, an override in force is revoked (not doubled),
a review says what it did, Enter does what the focused field implies, and the inbox lists open escalations."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from sqlalchemy import select
from test_gui_dialogs import DETAIL
from test_gui_escalation_review import open_escalation, status_cell
from test_gui_main_window import open_window, select_activity

from turnout_desktop.db.models import ManualOverride
from turnout_desktop.domain.scope import Scope
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.escalation_dialog import EscalationDialog
from turnout_desktop.gui.escalation_inbox import EscalationInboxDialog, age_text
from turnout_desktop.gui.override_confirm import OverrideConfirmDialog
from turnout_desktop.services import fixes
from turnout_desktop.services.admin_decisions import escalation_inbox, preview_override
from turnout_desktop.services.context import AppContext, open_context
from turnout_desktop.services.reconciliation import gate

ELECTION = dt.date(2026, 3, 3)
REASON = "County confirmed late mail ballots by phone"


def _admin(spec) -> AppContext:
    return open_context(spec.db_url, user="ada", role="admin")


def _overrides(spec) -> list[tuple[str, str, str, bool]]:
    ctx = _admin(spec)
    with ctx.engine.connect() as connection:
        rows = connection.execute(select(ManualOverride.county, ManualOverride.party, ManualOverride.reason,
                                         ManualOverride.revoked_at.is_not(None))).all()
    ctx.engine.dispose()
    return [tuple(row) for row in rows]


def _confirm_dialog(qtbot, window) -> OverrideConfirmDialog:
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, OverrideConfirmDialog), timeout=10_000)
    return window.session.last_dialog


def test_override_is_confirmed_on_the_label_the_gate_then_publishes(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    escalation = open_escalation(qtbot, window, "KENT", "REP")
    escalation.override_reason.setPlainText(REASON)
    qtbot.mouseClick(escalation.override_button, Qt.MouseButton.LeftButton)
    confirm = _confirm_dialog(qtbot, window)
    assert _overrides(admin_spec) == []  # nothing is published before the confirmation
    figures = confirm.figures_label.text()
    assert "Figure to publish: <b>42</b> votes, KENT's official REP count" in figures
    assert "Public now: held back - Blocked: escalated to an administrator" in figures
    assert confirm.publish_button.text() == "Publish KENT REP by override"
    assert not confirm.publish_button.autoDefault() and not confirm.publish_button.isDefault()
    assert confirm.cancel_button.isDefault()  # Enter outside the reason cancels; publishing takes the click
    promised = confirm.published_label.text()
    confirm.reject()  # Cancel publishes nothing
    assert _overrides(admin_spec) == []

    qtbot.mouseClick(escalation.override_button, Qt.MouseButton.LeftButton)
    confirm = _confirm_dialog(qtbot, window)
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        qtbot.mouseClick(confirm.publish_button, Qt.MouseButton.LeftButton)
    ctx = _admin(admin_spec)
    published = gate(ctx, Scope(ELECTION, "KENT", "REP"))
    ctx.engine.dispose()
    assert published.allowed
    assert promised == f"After the override: shown publicly as 42 votes, labelled \u201c{published.message}\u201d."
    assert published.message == f"Published by override ({REASON})"

    # The open dialog follows the decision: no stale ESCALATED with the override button still on offer.
    qtbot.waitUntil(lambda: escalation.detail.override is not None, timeout=10_000)
    assert escalation.gate_label.text() == f"Public gate: shown publicly - {published.message}"
    assert "<b>Overridden</b>" in escalation.summary_label.text()
    assert not escalation.override_box.isVisibleTo(escalation) and not escalation.override_button.isEnabled()
    assert escalation.in_force_box.isVisibleTo(escalation)
    assert escalation.feedback_label.text().startswith("Override recorded: KENT REP is published by override")
    assert status_cell(window, "KENT", "REP").data() == "Overridden"
    escalation.close()


def test_quick_override_shows_the_numbers_and_says_what_it_does(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    select_activity(window, "TERRELL", "DEM")
    qtbot.mouseClick(window.activity.override_button, Qt.MouseButton.LeftButton)
    confirm = _confirm_dialog(qtbot, window)
    assert "Figure to publish: <b>18</b> votes, TERRELL's official DEM count" in confirm.figures_label.text()
    assert "The database holds 24 votes" in confirm.figures_label.text()
    assert confirm.publish_button.text() == "Publish TERRELL DEM by override"
    assert confirm.buttons.button(QDialogButtonBox.StandardButton.Ok) is None
    assert not confirm.publish_button.isEnabled()  # no reason yet
    assert confirm.published_label.text() == ("After the override: shown publicly as 18 votes, labelled "
                                              "\u201cPublished by override ((your reason))\u201d.")
    qtbot.keyClicks(confirm.reason_edit, "Canvass sheet")
    assert confirm.published_label.text().endswith("\u201cPublished by override (Canvass sheet)\u201d.")
    confirm.close()


def test_revoke_in_the_dialog_and_no_second_override_while_one_is_in_force(qtbot, admin_spec):
    ctx = _admin(admin_spec)
    fixes.override(ctx, Scope(ELECTION, "KENT", "REP"), reason="Phoned the county")
    ctx.engine.dispose()
    window = open_window(qtbot, admin_spec)
    record = select_activity(window, "KENT", "REP")
    window.actions_for_records.ask_override(record)  # the quick path, on a pair already overridden
    confirm = _confirm_dialog(qtbot, window)
    qtbot.keyClicks(confirm.reason_edit, "Another reason")
    assert not confirm.publish_button.isEnabled()
    assert confirm.in_force_label.text().startswith("Override in force (RESOLVED), given by ada")
    confirm.close()

    escalation = open_escalation(qtbot, window, "KENT", "REP")
    assert escalation.in_force_box.isVisibleTo(escalation) and not escalation.override_box.isVisibleTo(escalation)
    assert "Phoned the county" in escalation.in_force_box.info_label.text()
    revoke = escalation.in_force_box.revoke_button
    assert not revoke.isEnabled()  # a revoke needs a written reason
    qtbot.keyClicks(escalation.in_force_box.reason_edit, "Numbers now match")
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        qtbot.mouseClick(revoke, Qt.MouseButton.LeftButton)
    assert _overrides(admin_spec) == [("KENT", "REP", "Phoned the county", True)]
    qtbot.waitUntil(lambda: escalation.detail.override is None, timeout=10_000)
    assert escalation.override_box.isVisibleTo(escalation) and not escalation.in_force_box.isVisibleTo(escalation)
    assert escalation.gate_label.text() == "Public gate: held back - Blocked: escalated to an administrator"
    assert escalation.feedback_label.text().startswith("Override revoked: KENT REP")
    assert status_cell(window, "KENT", "REP").data() == "Escalated"
    escalation.close()


def test_mark_reviewed_says_what_it_did_and_the_table_shows_the_review(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    escalation = open_escalation(qtbot, window, "TERRELL", "DEM")
    assert escalation.review_box.title() == "Review (now: Open, not reviewed yet)"
    escalation.review_state.setCurrentIndex(escalation.review_state.findData("investigating"))
    qtbot.keyClicks(escalation.review_reason, "Called the county clerk")
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        qtbot.keyClick(escalation.review_reason, Qt.Key.Key_Return)  # Enter in the reason marks it reviewed
    assert escalation.feedback_label.isVisibleTo(escalation)
    assert escalation.feedback_label.text() == "Marked Investigating: TERRELL DEM (Called the county clerk)."
    qtbot.waitUntil(lambda: escalation.review_box.title() == "Review (now: Investigating)", timeout=10_000)
    cell = status_cell(window, "TERRELL", "DEM")
    assert cell.data() == "Escalated \N{MIDDLE DOT} Investigating"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "Escalated, reviewed: Investigating - Called the county clerk"
    assert status_cell(window, "KENT", "REP").data() == "Escalated"  # not reviewed: the plain status
    escalation.close()


def test_enter_in_the_reason_field_never_opens_print_preview(qtbot):
    dialog = EscalationDialog(DETAIL)
    qtbot.addWidget(dialog)
    dialog.show()
    printed: list[bool] = []
    reviewed: list[tuple[int, str, str]] = []
    dialog.print_requested.connect(lambda _detail, preview: printed.append(preview))
    dialog.review_requested.connect(lambda *args: reviewed.append(args))
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    qtbot.keyClick(dialog.review_reason, Qt.Key.Key_Return)  # no reason yet: Enter does nothing at all
    assert printed == [] and reviewed == [] and dialog.isVisible()
    qtbot.keyClicks(dialog.review_reason, "County confirmed")
    qtbot.keyClick(dialog.review_reason, Qt.Key.Key_Return)
    assert printed == []
    assert reviewed == [(11, "investigating", "County confirmed")]
    assert [b.objectName() for b in dialog.findChildren(QPushButton) if b.autoDefault() or b.isDefault()] == []


def test_inbox_lists_open_escalations_with_age_review_and_last_touch(qtbot, admin_spec):
    ctx = _admin(admin_spec)
    rows = escalation_inbox(ctx, ELECTION)
    assert sorted((row.county, row.party) for row in rows) == [
        ("KENT", "DEM"), ("KENT", "REP"), ("TERRELL", "DEM"), ("TERRELL", "REP")]
    assert [row.escalated_at for row in rows] == sorted(row.escalated_at for row in rows)  # oldest first
    later = escalation_inbox(ctx, ELECTION, now=dt.datetime.fromisoformat(rows[0].escalated_at)
                             + dt.timedelta(hours=3, minutes=12))
    assert later[0].age_seconds == 3 * 3600 + 12 * 60 and age_text(later[0].age_seconds) == "3 h 12 min"
    terrell = next(row for row in rows if (row.county, row.party) == ("TERRELL", "DEM"))
    fixes.mark_reviewed(ctx, terrell.log_id, "investigating", "Called the county clerk")
    fixes.override(ctx, Scope(ELECTION, "KENT", "DEM"), reason="Canvass sheet")
    ctx.engine.dispose()

    window = open_window(qtbot, admin_spec)
    window.inbox.action.trigger()
    inbox = window.session.last_dialog
    assert isinstance(inbox, EscalationInboxDialog)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 3, timeout=10_000)  # KENT DEM is overridden: not open
    shown = {(inbox.model.index(r, 0).data(), inbox.model.index(r, 1).data()):
             [inbox.model.index(r, c).data() for c in range(2, 6)] for r in range(3)}
    assert shown[("TERRELL", "DEM")][2] == "Investigating"
    assert shown[("TERRELL", "DEM")][3].startswith("ada reviewed, ")
    assert shown[("KENT", "REP")][0] == "-28" and shown[("KENT", "REP")][2:] == [
        "Open, not reviewed yet", "nobody yet"]
    assert inbox.summary_label.text() == "3 open escalations (2026-03-03), oldest first."
    row = next(r for r in range(3) if inbox.model.index(r, 0).data() == "KENT")
    inbox.table.selectRow(row)
    qtbot.keyClick(inbox.table, Qt.Key.Key_Return)  # Enter opens the selected escalation
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, EscalationDialog), timeout=10_000)
    assert (window.session.last_dialog.detail.county, window.session.last_dialog.detail.party) == ("KENT", "REP")
    window.session.last_dialog.close()


def test_preview_refuses_clerks_and_pairs_without_counts(admin_spec):
    import pytest

    from turnout_desktop.errors import InvalidRequest, PermissionDenied

    clerk = open_context(admin_spec.db_url, user="carl", role="clerk", county="KENT")
    with pytest.raises(PermissionDenied):
        preview_override(clerk, Scope(ELECTION, "KENT", "REP"))
    clerk.engine.dispose()
    ctx = _admin(admin_spec)
    with pytest.raises(InvalidRequest, match="nothing to override"):
        preview_override(ctx, Scope(ELECTION, "TRAVIS", "DEM"))
    ctx.engine.dispose()


def test_revoke_from_the_details_of_a_run_that_did_not_escalate(qtbot, admin_spec):
    ctx = _admin(admin_spec)
    fixes.override(ctx, Scope(ELECTION, "LOVING", "DEM"), reason="Certified canvass")
    ctx.engine.dispose()
    window = open_window(qtbot, admin_spec)
    select_activity(window, "LOVING", "DEM")
    qtbot.mouseClick(window.activity.details_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    details = window.session.last_dialog
    assert details.in_force_box.isVisibleTo(details)
    assert details.gate_label.text() == "Public gate: shown publicly - Published by override (Certified canvass)"
    clerk_view = DetailsDialog(details.detail, is_admin=False)
    qtbot.addWidget(clerk_view)
    assert details.detail.override is not None and not clerk_view.in_force_box.isVisibleTo(clerk_view)
    qtbot.keyClicks(details.in_force_box.reason_edit, "Not needed: verified anyway")
    with qtbot.waitSignal(window.dashboard_loaded, timeout=15_000):
        qtbot.keyClick(details.in_force_box.reason_edit, Qt.Key.Key_Return)  # Enter revokes, as its button
    assert _overrides(admin_spec) == [("LOVING", "DEM", "Certified canvass", True)]
    qtbot.waitUntil(lambda: details.detail.override is None, timeout=10_000)
    assert not details.in_force_box.isVisibleTo(details)
    assert details.gate_label.text().startswith("Public gate: shown publicly - Data verified")
    assert details.feedback_label.text().startswith("Override revoked: LOVING DEM")
    details.close()
