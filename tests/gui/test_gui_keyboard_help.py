"""Keyboard and help: Enter opens a row's details, the window's shortcuts (no clashes), the Help menu's user
guide (a bundled file that names every shortcut) and About, and accessible names on the tables and search."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox
from test_gui_main_window import open_window, select_activity
from test_gui_window_actions import overview_index

from turnout_desktop import __version__
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.help_menu import user_guide_url
from turnout_desktop.gui.settings_dialog import SettingsDialog

REPOSITORY = Path(__file__).resolve().parents[2]


def test_enter_on_the_county_overview_opens_the_county(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    table = window.overview.table
    table.setCurrentIndex(overview_index(window, "LOVING"))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    assert window.session.last_dialog.detail.county == "LOVING"


def test_enter_on_the_activity_table_opens_the_entry(qtbot, clerk_spec):
    window = open_window(qtbot, clerk_spec)
    entry = select_activity(window, "KENT", "REP")
    qtbot.keyClick(window.activity.table, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    assert window.session.last_dialog.detail.id == entry.id


def test_upload_reconcile_export_print_and_settings_have_distinct_shortcuts(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    expected = {window.open_action: QKeySequence.StandardKey.Open, window.print_action: QKeySequence.StandardKey.Print}
    for action, standard in expected.items():
        assert action.shortcut() == QKeySequence.keyBindings(standard)[0]
    assert window.reconcile_action.shortcut() == QKeySequence("Ctrl+R")
    assert window.export_action.shortcut() == QKeySequence("Ctrl+E")
    assert window.print_preview_action.shortcut() == QKeySequence("Ctrl+Shift+P")
    assert not window.settings_action.shortcut().isEmpty()
    bound = [(key.toString(), action.text()) for action in window.findChildren(QAction) for key in action.shortcuts()]
    keys = [key for key, _text in bound]
    assert len(keys) == len(set(keys)), f"two actions share a key: {sorted(bound)}"


def test_the_settings_shortcut_opens_the_settings(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    shortcut = window.settings_action.shortcut()
    qtbot.keyClick(window.overview.table, shortcut[0].key(), shortcut[0].keyboardModifiers())
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, SettingsDialog), timeout=5_000)
    # The key's release reached the table after the dialog took focus, so Qt still counts Ctrl as held;
    # release it where focus is now, or later tests' selectRow() would add to a selection (Ctrl+click).
    qtbot.keyRelease(window.session.last_dialog, Qt.Key.Key_Control)
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier


def test_help_menu_opens_the_bundled_user_guide_which_names_every_shortcut(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    help_menu = window.help_menu.menu
    assert help_menu.title() == "&Help"
    assert help_menu.menuAction() in window.menuBar().actions()
    assert window.help_menu.guide_action in help_menu.actions()
    assert window.help_menu.guide_action.shortcut() == QKeySequence("F1")
    url = user_guide_url()  # what the action hands to QDesktopServices.openUrl
    guide = Path(url.toLocalFile())
    assert url.isLocalFile() and guide.is_file()
    text = guide.read_text(encoding="utf-8")
    for heading in ("Uploading a county file", "Statuses", "Escalations and overrides", "Reports",
                    "Working offline", "The hourly check", "Keyboard shortcuts"):
        assert f"## {heading}" in text
    for action in (window.open_action, window.reconcile_action, window.export_action, window.print_action,
                   window.print_preview_action, window.settings_action, window.refresh_action,
                   window.quit_action, window.help_menu.guide_action):
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
        assert f"| {shown} |" in text, f"the guide does not list {shown} ({action.text()})"
    pictures = re.findall(r"\]\((screenshots/[\w-]+\.png)\)", text)
    assert pictures and all((guide.parent / picture).is_file() for picture in pictures), pictures
    assert "resources/user-guide.md" in (REPOSITORY / "docs" / "user-guide.md").read_text(encoding="utf-8")


def test_about_names_the_version(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    assert window.help_menu.about_action in window.help_menu.menu.actions()
    window.help_menu.about_action.trigger()
    box = window.session.last_dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert __version__ in box.text()
    box.close()


def test_tables_and_search_box_have_accessible_names(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    assert window.overview.table.accessibleName() == "County overview"
    assert window.overview.search_edit.accessibleName() == "Search counties"
    assert window.activity.table.accessibleName() == "Recent activity"
