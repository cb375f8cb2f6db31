"""Changing user, role or county in Settings takes effect at once; a database change says it needs a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_gui_main_window import open_window

from turnout_desktop.domain.limits import MAX_USER_NAME
from turnout_desktop.gui import jobs


def test_switching_to_a_clerk_hides_admin_actions_and_scopes_the_views(qtbot, admin_spec: jobs.ContextSpec) -> None:
    window = open_window(qtbot, admin_spec)
    assert window.reconcile_action.isVisible() and not window.activity.override_button.isHidden()
    all_counties = {r["county"] for r in window.activity.model.records()}
    assert len(all_counties) > 1
    dialog = window.open_settings()
    assert dialog.user_name.maxLength() == MAX_USER_NAME  # longer names the database cannot hold
    dialog.user_name.setText("carl")
    dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
    dialog.county.setCurrentText("KENT")
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (window.spec.user, window.spec.role, window.spec.county) == ("carl", "clerk", "KENT")
    assert window.spec.db_url == admin_spec.db_url  # the same database
    assert window.user_label.text() == "carl - clerk (KENT)"
    assert not window.reconcile_action.isVisible() and window.activity.override_button.isHidden()
    assert {r["county"] for r in window.activity.model.records()} == {"KENT"}
    assert window.statusBar().currentMessage() == ""  # the database did not change
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_a_database_change_waits_for_the_next_start(qtbot, admin_spec: jobs.ContextSpec, tmp_path) -> None:
    window = open_window(qtbot, admin_spec)
    dialog = window.open_settings()
    dialog.local_path.setText(str(tmp_path / "other.db"))
    with qtbot.waitSignal(window.settings_changed):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.spec.db_url == admin_spec.db_url
    assert window.statusBar().currentMessage() == "The new database is used from the next start of the app."
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)
