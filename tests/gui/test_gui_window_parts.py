"""``MainWindow.parts()``: the typed view of the window's controllers that ``--screenshot`` drives."""

from __future__ import annotations

import dataclasses

import pytest

from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.window_parts import WindowParts


def test_the_parts_are_the_windows_own_controllers(qtbot, admin_spec):
    window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    parts = window.parts()
    assert isinstance(parts, WindowParts)
    assert parts.window is window and parts.session is window.session and parts.runner is window.runner
    assert (parts.county_map, parts.records, parts.uploads, parts.settings, parts.inbox, parts.report_printer) == (
        window.county_map, window.actions_for_records, window.uploads, window.settings_actions, window.inbox,
        window.report_printer)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parts.runner = window.runner  # type: ignore[misc]  # read-only: code outside the window rewires nothing
