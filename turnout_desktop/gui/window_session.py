"""What the main window's panels and controllers share, and how they ask the window for something.

The controllers (dashboard, auto-check, uploads, settings, reports, record actions, outbox) never see
the window: they read who acts and which election is shown here, and ask for a refresh, a banner, an
error dialog or a status-bar message through this object's signals, which the window connects.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.gui.jobs import Dashboard
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.services.worker_context import ContextSpec


class WindowSession(QObject):
    """Who acts, which election, the last dashboard and dialog; upward requests as signals."""

    refresh_requested = Signal()
    banner_requested = Signal(str)  # "" hides the banner
    error_raised = Signal(object, str)  # the exception, its traceback text
    message_requested = Signal(str, int)  # a status-bar message and how long it shows (ms)
    identity_changed = Signal(bool)  # True when the role changed too

    def __init__(self, spec: ContextSpec, preferences: Preferences, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.preferences = preferences
        self.election: dt.date | None = None
        self.dashboard: Dashboard | None = None
        self.last_dialog: QWidget | None = None  # the most recent dialog (tests and --screenshot use it)

    @property
    def is_admin(self) -> bool:
        """May override, review and undo: an admin, or the local user of a SQLite file."""
        return is_allowed(self.spec.role, Action.OVERRIDE)

    def change_identity(self, spec: ContextSpec) -> None:
        """Act as the identity in ``spec`` from now on (what the database reported); views follow it."""
        role_changed = spec.role != self.spec.role
        self.spec = spec
        emit(self.identity_changed, role_changed)

    def remember_dialog(self, dialog: QWidget) -> QWidget:
        self.last_dialog = dialog
        return dialog

    def request_refresh(self, _result: object = None) -> None:
        """Reload the dashboard (usable as a job's ``on_result``: the result is ignored)."""
        emit(self.refresh_requested)

    def show_banner(self, text: str) -> None:
        """Recoverable problems show inline, not as a modal box."""
        emit(self.banner_requested, text)

    def report_error(self, error: BaseException, trace: str = "") -> None:
        emit(self.error_raised, error, trace)

    def show_message(self, text: str, shown_ms: int) -> None:
        emit(self.message_requested, text, shown_ms)
