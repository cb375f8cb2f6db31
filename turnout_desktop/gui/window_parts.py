"""The main window's panels and controllers, handed to code that drives the window from outside it.

``MainWindow.parts()`` builds one :class:`WindowParts`; ``--screenshot`` (``gui/screenshots.py``) opens each
view through it, the way a click would, without importing the window (only ``gui/app.py`` may: import-linter)
and without reaching into its attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QMainWindow

from turnout_desktop.gui.county_map import CountyMapWidget
from turnout_desktop.gui.escalation_inbox import EscalationInbox
from turnout_desktop.gui.printing import ReportPrinter
from turnout_desktop.gui.record_actions import RecordActions
from turnout_desktop.gui.settings_actions import SettingsActions
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.upload_actions import UploadActions
from turnout_desktop.gui.window_session import WindowSession


@dataclass(frozen=True, slots=True)
class WindowParts:
    """Read-only: which window, its session and task runner, and the controllers behind its menus and panels."""

    window: QMainWindow  # captured, and the parent of the dialogs the views open
    session: WindowSession
    runner: TaskRunner
    county_map: CountyMapWidget  # the Map tab's page
    records: RecordActions  # a log entry's details, escalation and override confirmation
    uploads: UploadActions  # the upload wizard
    settings: SettingsActions  # File > Settings…
    inbox: EscalationInbox  # Data > Escalation inbox
    report_printer: ReportPrinter  # File > Print preview…
