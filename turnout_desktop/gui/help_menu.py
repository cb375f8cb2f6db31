"""Help menu: the user guide shipped with the application (F1) and About."""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from turnout_desktop.gui.window_session import WindowSession
from turnout_desktop.resources_path import resource_path
from turnout_desktop.version import __version__

# resources/user-guide.md, installed and frozen with the other resources (its pictures in resources/screenshots/);
# generated from docs/user-guide.md by tools/ship_user_guide.py
USER_GUIDE = "user-guide.md"
GUIDE_NOT_OPENED_MS = 10_000


def user_guide_url() -> QUrl:
    """The local file URL of the bundled user guide; FileNotFoundError if the installation lacks it."""
    guide = resource_path(USER_GUIDE)
    if not guide.is_file():
        raise FileNotFoundError(f"The user guide {guide} is missing; reinstall the application.")
    return QUrl.fromLocalFile(str(guide))


def about_text() -> str:
    return (f"<b>Turnout Desktop</b> {__version__}<p>Reconciles the official turnout counts of the Texas "
            "counties with the statewide roster and publishes what the gate allows.</p>"
            "<p>Help &gt; User guide (F1) explains uploads, statuses, escalations, reports and shortcuts.</p>")


class HelpMenu(QObject):
    """Builds the Help menu on ``window``'s menu bar; the About box is remembered as the session's last dialog."""

    def __init__(self, session: WindowSession, window: QWidget, menu: QMenu) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self.menu = menu
        self.guide_action = QAction("&User guide", window)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(self.open_user_guide)
        self.about_action = QAction("&About Turnout Desktop", window)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        menu.addAction(self.guide_action)
        menu.addSeparator()
        menu.addAction(self.about_action)

    def open_user_guide(self) -> None:
        """Open the guide in the system's viewer for Markdown (or its browser); say so when none opens it."""
        try:
            url = user_guide_url()
        except FileNotFoundError as missing:
            self.session.show_banner(str(missing))
            return
        if not QDesktopServices.openUrl(url):
            self.session.show_message(f"No program opened the user guide; it is at {url.toLocalFile()}",
                                      GUIDE_NOT_OPENED_MS)

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "About Turnout Desktop", about_text(),
                          QMessageBox.StandardButton.Close, self.window)
        box.setObjectName("aboutBox")
        box.open()  # window-modal without a nested event loop
        self.session.remember_dialog(box)
        return box
