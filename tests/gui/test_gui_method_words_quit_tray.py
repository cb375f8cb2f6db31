"""Small usability gaps: voting methods in words wherever the GUI shows one, Ctrl+Q where the platform has
no Quit key, and a click on the tray icon bringing the window forward."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QSystemTrayIcon
from test_gui_main_window import open_window

from turnout_desktop.domain.codes import VotingMethod
from turnout_desktop.domain.labels import method_label
from turnout_desktop.domain.scope import Scope
from turnout_desktop.gui import shortcuts
from turnout_desktop.gui.override_confirm import figures_text
from turnout_desktop.gui.wizard_counts import COUNT_COLUMNS
from turnout_desktop.services.admin_decisions import preview_override
from turnout_desktop.services.context import open_context

ELECTION = dt.date(2026, 3, 3)


def test_the_override_confirmation_names_methods_in_words(admin_spec) -> None:
    ctx = open_context(admin_spec.db_url, user="ada", role="admin")
    preview = preview_override(ctx, Scope(ELECTION, "KENT", "REP"))
    ctx.engine.dispose()
    assert preview.official_by_method  # the codes the text must word
    text = figures_text(preview)
    for method, count in preview.official_by_method.items():
        assert f"{method_label(method)} {count:,}" in text
        assert method not in text, method


def test_the_wizard_counts_table_shows_methods_in_words_and_keeps_the_code() -> None:
    method_column = next(column for column in COUNT_COLUMNS if column.header == "Method")
    record = {"county": "KENT", "party": "DEM", "voting_method": VotingMethod.MAIL_IN, "official": 3}
    assert method_column.display is not None
    assert method_column.display(method_column.value(record), record) == "Mail-in"
    assert record["voting_method"] == "mail-in"


def test_quit_has_a_shortcut_even_where_the_platform_has_none(qtbot, admin_spec) -> None:
    window = open_window(qtbot, admin_spec)
    platform_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
    expected = platform_keys[0] if platform_keys else QKeySequence(shortcuts.QUIT_FALLBACK_KEYS)
    assert window.quit_action.shortcut() == expected
    assert not window.quit_action.shortcut().isEmpty()
    assert shortcuts.with_fallback(QKeySequence.StandardKey.UnknownKey, "Ctrl+Q") == [QKeySequence("Ctrl+Q")]
    window.close()


def test_clicking_the_tray_icon_brings_the_window_forward(qtbot, admin_spec) -> None:
    window = open_window(qtbot, admin_spec, minutes=0)
    notifier = window.auto_check.notifier
    assert notifier.owner_window() is window
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized, timeout=5_000)
    notifier.on_activated(QSystemTrayIcon.ActivationReason.Context)  # the tray's menu, not the window
    assert window.isMinimized()
    notifier.on_activated(QSystemTrayIcon.ActivationReason.Trigger)
    qtbot.waitUntil(lambda: not window.isMinimized(), timeout=5_000)
    assert window.isVisible()
    qtbot.wait(50)  # let the restore's show events arrive before the close hides the window again
    window.close()
