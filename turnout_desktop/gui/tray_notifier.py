"""Tells the user what an auto-check changed: a tray notification, or the status bar where there is no tray.

The decision (which counties escalated or healed) is ``check_changes``; this module only words and shows it.
Offscreen and on desktops without a system tray ``QSystemTrayIcon.isSystemTrayAvailable()`` is False, so
the status bar is the fallback (and what the tests see).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from turnout_desktop.domain.labels import CHECK_CHANGE_LABELS
from turnout_desktop.gui.icons import icon
from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.services.check_changes import CheckChanges

NOTIFICATION_SHOWN_MS = 15_000
NOTIFICATION_TITLE = "Turnout Desktop auto-check"


def notification_text(changes: CheckChanges) -> str:
    """One line per kind of change, e.g. ``Escalated: KENT, LOVING``."""
    lines = [f"{CHECK_CHANGE_LABELS[kind]}: {', '.join(counties)}"
             for kind, counties in (("escalated", changes.escalated), ("healed", changes.healed)) if counties]
    return "\n".join(lines)


class TrayNotifier(QObject):
    """Owns the tray icon (when the desktop has a tray) and shows one notification per changed check."""

    def __init__(self, session: WindowSession, parent: QObject | None = None, *,
                 tray_available: bool | None = None) -> None:
        super().__init__(parent)
        self.session = session
        available = QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        self.tray: QSystemTrayIcon | None = None
        if available:
            self.tray = QSystemTrayIcon(icon("app"), self)
            self.tray.setToolTip("Turnout Desktop")
            self.tray.activated.connect(self.on_activated)
            self.tray.show()
        self.last_text = ""  # what was shown last (tests and the status bar fallback read it)

    def notify(self, changes: CheckChanges) -> None:
        """Show the changes; an unchanged check stays silent."""
        if not changes:
            return
        self.last_text = notification_text(changes)
        kinds = QSystemTrayIcon.MessageIcon
        icon_kind = kinds.Warning if changes.escalated else kinds.Information
        if self.tray is not None and self.tray.isVisible():
            self.tray.showMessage(NOTIFICATION_TITLE, self.last_text, icon_kind, NOTIFICATION_SHOWN_MS)
        else:
            self.session.show_message(f"Auto-check: {self.last_text.replace(chr(10), '; ')}", NOTIFICATION_SHOWN_MS)

    def on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        """A click on the tray icon brings the window it belongs to forward (restored if minimised).

        The context-menu click is left to the tray; the window is the one this notifier is a child of.
        """
        if reason == QSystemTrayIcon.ActivationReason.Context:
            return
        window = self.owner_window()
        if window is None:
            return
        if window.isMinimized() or not window.isVisible():
            window.showNormal()
        window.raise_()
        window.activateWindow()

    def owner_window(self) -> QWidget | None:
        """The top-level window up the parent chain (the notifier hangs off the auto-check, a window child)."""
        owner = self.parent()
        while owner is not None and not isinstance(owner, QWidget):
            owner = owner.parent()
        return owner.window() if isinstance(owner, QWidget) else None

    def hide(self) -> None:
        """The window closes: the tray icon goes with it."""
        if self.tray is not None:
            self.tray.hide()
