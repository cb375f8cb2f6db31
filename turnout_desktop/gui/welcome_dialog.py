"""The first start: try the demo, use a local database, or connect to the shared server.

Shown while nothing is configured (``settings.is_first_run``). The choice is saved in the preferences, so the
dialog does not come back: "demo" opens a demo database of its own (``services.demo.demo_database_path``,
seeded at start), "local" the real local file (migrated, empty, never seeded), "server" the shared server
named here, after the usual sign-in.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.labels import START_CHOICE_LABELS
from turnout_desktop.gui.settings import DB_LOCAL, DB_POSTGRESQL, Preferences, save_preferences
from turnout_desktop.services.demo import demo_database_path
from turnout_desktop.services.sign_in import SSL_MODES

CHOICE_DEMO = "demo"
CHOICE_LOCAL = "local"
CHOICE_SERVER = "server"

CHOICE_HINTS = {
    CHOICE_DEMO: "A separate demo database with made-up figures; marked DEMO, removable from the File menu.",
    CHOICE_LOCAL: "An empty database on this computer, for your own county files.",
    CHOICE_SERVER: "The state's shared database: you sign in with your own user name and password.",
}


def chosen_preferences(preferences: Preferences, choice: str) -> Preferences:
    """``preferences`` set up for a welcome choice (the server's address is already in ``preferences``)."""
    if choice == CHOICE_DEMO:
        return dataclasses.replace(preferences, db_kind=DB_LOCAL, local_path=str(demo_database_path()),
                                   start_choice=choice)
    if choice == CHOICE_LOCAL:
        return dataclasses.replace(preferences, db_kind=DB_LOCAL, local_path="", start_choice=choice)
    if choice == CHOICE_SERVER:
        return dataclasses.replace(preferences, db_kind=DB_POSTGRESQL, start_choice=choice)
    raise ValueError(f"unknown start choice {choice!r}; expected one of {sorted(START_CHOICE_LABELS)}")


class WelcomeDialog(QDialog):
    """Three buttons; the server one first asks for the server's address. Accepted once a choice is saved."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle("Welcome - Turnout Desktop")
        self.setMinimumWidth(460)
        self.preferences = preferences
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        intro = QLabel("How do you want to start? You can change the database later in File > Settings.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.buttons: dict[str, QPushButton] = {}
        for choice in (CHOICE_DEMO, CHOICE_LOCAL, CHOICE_SERVER):
            button = QPushButton(START_CHOICE_LABELS[choice])
            button.setObjectName(f"welcome_{choice}")
            button.setToolTip(CHOICE_HINTS[choice])
            hint = QLabel(CHOICE_HINTS[choice])
            hint.setWordWrap(True)
            layout.addWidget(button)
            layout.addWidget(hint)
            self.buttons[choice] = button
        self.buttons[CHOICE_DEMO].clicked.connect(lambda: self.choose(CHOICE_DEMO))
        self.buttons[CHOICE_LOCAL].clicked.connect(lambda: self.choose(CHOICE_LOCAL))
        self.buttons[CHOICE_SERVER].clicked.connect(self.show_server_form)
        self.server_box = self._server_form()
        self.server_box.hide()  # asked only when the shared server is chosen
        layout.addWidget(self.server_box)

    def _server_form(self) -> QGroupBox:
        box = QGroupBox("Shared server")
        self.host_edit = QLineEdit(self.preferences.pg_host)
        self.host_edit.setObjectName("welcomeHost")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(self.preferences.pg_port)
        self.database_edit = QLineEdit(self.preferences.pg_database)
        self.database_edit.setObjectName("welcomeDatabase")
        self.sslmode_combo = QComboBox()
        self.sslmode_combo.addItems(list(SSL_MODES))
        self.sslmode_combo.setCurrentText(self.preferences.pg_sslmode)
        self.connect_button = QPushButton("Continue to sign-in")
        self.connect_button.setObjectName("welcomeConnect")
        self.connect_button.clicked.connect(lambda: self.choose(CHOICE_SERVER))
        self.host_edit.textChanged.connect(self._update_connect)
        self.database_edit.textChanged.connect(self._update_connect)
        form = QFormLayout(box)
        form.addRow("Server", self.host_edit)
        form.addRow("Port", self.port_spin)
        form.addRow("Database", self.database_edit)
        form.addRow("SSL", self.sslmode_combo)
        form.addRow(self.connect_button)
        return box

    def _update_connect(self) -> None:
        self.connect_button.setEnabled(bool(self.host_edit.text().strip() and self.database_edit.text().strip()))

    def show_server_form(self) -> None:
        self.server_box.show()
        self._update_connect()
        self.host_edit.setFocus()

    def choose(self, choice: str) -> None:
        """Save the preferences for ``choice`` (ending the first run) and close the dialog."""
        preferences = self.preferences
        if choice == CHOICE_SERVER:
            preferences = dataclasses.replace(
                preferences, pg_host=self.host_edit.text().strip(), pg_port=self.port_spin.value(),
                pg_database=self.database_edit.text().strip(), pg_sslmode=self.sslmode_combo.currentText())
        self.preferences = chosen_preferences(preferences, choice)
        save_preferences(self.preferences)
        self.choice = choice
        self.accept()


def ask_how_to_start(preferences: Preferences, parent: QWidget | None = None) -> Preferences | None:
    """Show the welcome dialog (modal, before any window); None when it was closed without a choice."""
    dialog = WelcomeDialog(preferences, parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.preferences if accepted and dialog.choice is not None else None
