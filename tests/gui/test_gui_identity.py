"""Who acts is never a setting: the local file is "local, not signed in"; a database change needs a restart.

The PostgreSQL side (sign-in, the role the database reports, read-only shared settings) is in
test_gui_sign_in.py.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from test_gui_main_window import open_window

from turnout_desktop.db.identity import LOCAL_LABEL
from turnout_desktop.gui import jobs


def test_the_local_file_is_not_signed_in_and_settings_choose_no_identity(qtbot, demo_url: str) -> None:
    window = open_window(qtbot, jobs.ContextSpec(demo_url))
    assert window.labels.user_label.text() == LOCAL_LABEL == "local, not signed in"
    # the one office of a local file may do everything: admin actions are offered
    assert window.reconcile_action.isVisible() and not window.activity.override_button.isHidden()
    assert len({r.county for r in window.activity.model.records()}) > 1
    dialog = window.settings_actions.open()
    for name in ("roleCombo", "countyCombo"):
        assert dialog.findChild(QComboBox, name) is None
    assert not hasattr(dialog, "user_name") and not hasattr(dialog, "role")  # no typed identity either
    assert dialog.identity_label.text() == LOCAL_LABEL
    assert dialog.gate_verified.isEnabled() and dialog.shared_note.isHidden()
    with qtbot.waitSignal(window.settings_changed):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.session.spec == jobs.ContextSpec(demo_url)  # saving settings changed nobody's identity
    assert window.labels.user_label.text() == LOCAL_LABEL
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_an_app_level_clerk_sees_shared_settings_read_only(qtbot, clerk_spec: jobs.ContextSpec) -> None:
    window = open_window(qtbot, clerk_spec)
    assert window.labels.user_label.text() == "carl - clerk (KENT)"
    assert not window.auto_check.timer.isActive()  # the check is not a clerk's to run: no timer to fail hourly
    dialog = window.settings_actions.open()
    assert not dialog.gate_verified.isEnabled() and not dialog.statewide_source.isEnabled()
    assert not dialog.auto_check.isEnabled()
    assert dialog.shared_note.text().startswith("Read-only: only an administrator")
    assert dialog.shared_changes() == {}
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_a_database_change_waits_for_the_next_start(qtbot, admin_spec: jobs.ContextSpec, tmp_path) -> None:
    window = open_window(qtbot, admin_spec)
    dialog = window.settings_actions.open()
    dialog.local_path.setText(str(tmp_path / "other.db"))
    with qtbot.waitSignal(window.settings_changed):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.session.spec.db_url == admin_spec.db_url
    assert window.statusBar().currentMessage() == "The new database is used from the next start of the app."
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)
