"""Settings: which database, who is signed in (read-only), and the settings every office shares.

Who acts is never chosen here: on PostgreSQL the database reports the signed-in login's role and
counties, on the local file nobody signs in (``local``). The shared settings (gate thresholds,
statewide source, auto-check interval) live in the database and only an admin (or the local user)
changes them, through ``services.shared_settings.update`` in the worker; everybody else sees them
read-only.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.schedule_section import DEFAULT_EVERY_MINUTES, ScheduleSection
from turnout_desktop.gui.settings import DB_LOCAL, DB_POSTGRESQL, Preferences, save_preferences
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.services import connection
from turnout_desktop.services.shared_settings import SharedSettings
from turnout_desktop.services.sign_in import SSL_MODES
from turnout_desktop.services.worker_context import ContextSpec


def _valid_pct(text: str) -> bool:
    try:
        return Decimal(0) < Decimal(text) <= Decimal(100)
    except InvalidOperation:  # also NaN: comparing it raises
        return False


class SettingsDialog(QDialog):
    """Edits a copy of the preferences; ``saved`` carries the new ones after they are written.

    ``shared_changes_requested`` carries the shared settings the user changed (only for a role that
    may change them); the main window saves them in the worker.
    """

    saved = Signal(object)  # Preferences
    shared_changes_requested = Signal(dict)
    connection_tested = Signal(bool, str)

    def __init__(self, preferences: Preferences, runner: TaskRunner, parent: QWidget | None = None, *,
                 spec: ContextSpec | None = None, shared: SharedSettings | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(480)
        self.runner = runner
        self.original = preferences
        self.spec = spec or ContextSpec(preferences.database_url())
        self.may_change_shared = is_allowed(self.spec.role, Action.SET_SHARED_SETTINGS)

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_database_box(preferences))
        layout.addWidget(self._build_identity_box())
        layout.addWidget(self._build_shared_box(preferences, shared))
        # This user's `turnout check` while the app is closed (turnout schedule): on the database in use now
        self.schedule_section = ScheduleSection(runner, self.spec.db_url, self,
                                                every_minutes=preferences.auto_check_minutes or DEFAULT_EVERY_MINUTES)
        layout.addWidget(self.schedule_section)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("settingsProblem")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.gate_verified, self.gate_within):
            edit.textChanged.connect(self._update_state)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self._update_state()

    # -- construction -------------------------------------------------------------------------
    def _build_database_box(self, preferences: Preferences) -> QGroupBox:
        self.db_kind = QComboBox()
        self.db_kind.setObjectName("dbKind")
        self.db_kind.addItem("Local file (this computer)", DB_LOCAL)
        self.db_kind.addItem("Shared PostgreSQL server", DB_POSTGRESQL)
        self.local_path = QLineEdit(preferences.local_path)
        self.local_path.setPlaceholderText("default file in the user data folder")
        self.pg_host = QLineEdit(preferences.pg_host)
        self.pg_port = QSpinBox()
        self.pg_port.setRange(1, 65535)
        self.pg_port.setValue(preferences.pg_port)
        self.pg_database = QLineEdit(preferences.pg_database)
        self.pg_sslmode = QComboBox()
        self.pg_sslmode.setObjectName("pgSslmode")
        self.pg_sslmode.addItems(list(SSL_MODES))
        self.pg_sslmode.setCurrentText(preferences.pg_sslmode if preferences.pg_sslmode in SSL_MODES else "prefer")
        self.pg_sslmode.setToolTip("verify-full checks the server's certificate and name: use it in production.")
        local_page = QWidget()
        QFormLayout(local_page).addRow("File", self.local_path)
        pg_page = QWidget()
        pg_form = QFormLayout(pg_page)
        for label, widget in (("Host", self.pg_host), ("Port", self.pg_port), ("Database", self.pg_database),
                              ("TLS (sslmode)", self.pg_sslmode)):
            pg_form.addRow(label, widget)
        pg_note = QLabel("You sign in with your own user name and password when the app starts.")
        pg_note.setWordWrap(True)
        pg_form.addRow(pg_note)
        self.db_pages = QStackedWidget()
        self.db_pages.addWidget(local_page)
        self.db_pages.addWidget(pg_page)
        self.db_kind.currentIndexChanged.connect(self._show_db_page)
        self.db_kind.setCurrentIndex(max(0, self.db_kind.findData(preferences.db_kind)))
        self._show_db_page(self.db_kind.currentIndex())
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        box = QGroupBox("Database")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.db_kind)
        box_layout.addWidget(self.db_pages)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        box_layout.addLayout(test_row)
        return box

    def _build_identity_box(self) -> QGroupBox:
        """Who is signed in, as the database reports it; there is nothing to choose."""
        self.identity_label = QLabel(self.spec.label())
        self.identity_label.setObjectName("identityLabel")
        if self.spec.is_shared:
            note = "Your role and counties come from the database: ask your administrator to change them."
        else:
            note = ("Nobody signs in to a local file: one office, every action allowed, recorded as "
                    "\"local, not signed in\".")
        identity_note = QLabel(note)
        identity_note.setWordWrap(True)
        box = QGroupBox("Signed in")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.identity_label)
        box_layout.addWidget(identity_note)
        return box

    def _build_shared_box(self, preferences: Preferences, shared: SharedSettings | None) -> QGroupBox:
        """Gate thresholds, statewide source, auto-check: the database's values, editable by an admin only."""
        if shared is not None:
            verified, within = str(shared.gate_verified), str(shared.gate_within)
            source = shared.statewide_source or ""
            # "off" on this computer shows as off for whoever may change it; others see the shared interval
            off_here = preferences.auto_check_minutes <= 0 and self.may_change_shared
            minutes = 0 if off_here else shared.auto_check_minutes
        else:  # the database could not be read: the last values this computer saw
            verified, within = preferences.gate_verified, preferences.gate_within
            source, minutes = preferences.statewide_source, preferences.auto_check_minutes
        self.shown = {"gate_verified": verified, "gate_within": within, "statewide_source": source,
                      "auto_check_minutes": minutes}
        self.statewide_source = QLineEdit(source)
        self.statewide_source.setPlaceholderText("folder or URL of the statewide files")
        self.gate_verified = QLineEdit(verified)
        self.gate_within = QLineEdit(within)
        self.auto_check = QSpinBox()
        self.auto_check.setObjectName("autoCheckMinutes")
        self.auto_check.setRange(0, 24 * 60)
        self.auto_check.setSuffix(" min")
        self.auto_check.setSpecialValueText("off")  # "off" stops this computer's timer; the shared value stays
        self.auto_check.setValue(minutes)
        self.shared_box = QGroupBox("Shared by every office (stored in the database)")
        self.shared_box.setObjectName("sharedSettingsBox")
        form = QFormLayout()
        form.addRow("Statewide source", self.statewide_source)
        form.addRow("Gate: verified at (%)", self.gate_verified)
        form.addRow("Gate: within 1% at (%)", self.gate_within)
        form.addRow("Auto-check every", self.auto_check)
        self.shared_note = QLabel()
        self.shared_note.setObjectName("sharedSettingsNote")
        self.shared_note.setWordWrap(True)
        box_layout = QVBoxLayout(self.shared_box)  # a wrapped label in a form row is cut short
        box_layout.addLayout(form)
        box_layout.addWidget(self.shared_note)
        if not self.may_change_shared:
            for widget in (self.statewide_source, self.gate_verified, self.gate_within, self.auto_check):
                widget.setEnabled(False)
            self.shared_note.setText(f"Read-only: only an administrator can change these (you are signed in as "
                                     f"{self.spec.role or 'nobody yet'}).")
        else:
            self.shared_note.hide()
        return self.shared_box

    # -- values -------------------------------------------------------------------------------
    def preferences(self) -> Preferences:
        """The preferences as currently edited (the shared values too: the last ones this computer saw)."""
        return dataclasses.replace(
            self.original, db_kind=str(self.db_kind.currentData()), local_path=self.local_path.text().strip(),
            pg_host=self.pg_host.text().strip(), pg_port=self.pg_port.value(),
            pg_database=self.pg_database.text().strip(), pg_sslmode=self.pg_sslmode.currentText(),
            statewide_source=self.statewide_source.text().strip(), gate_verified=self.gate_verified.text().strip(),
            gate_within=self.gate_within.text().strip(), auto_check_minutes=self.auto_check.value())

    def shared_changes(self) -> dict[str, Any]:
        """The shared settings the user changed, as ``shared_settings.update`` takes them (empty: none)."""
        if not self.may_change_shared:
            return {}
        edited = {"gate_verified": self.gate_verified.text().strip(), "gate_within": self.gate_within.text().strip(),
                  "statewide_source": self.statewide_source.text().strip(),
                  "auto_check_minutes": self.auto_check.value()}
        changes = {key: value for key, value in edited.items() if value != self.shown[key]}
        if not changes.get("statewide_source", "x"):
            changes.pop("statewide_source")  # clearing the field keeps the source the database has
        if changes.get("auto_check_minutes", 1) == 0:
            changes.pop("auto_check_minutes")  # "off" is this computer's choice, not a shared interval
        return changes

    def problem(self) -> str:
        """Why Save is disabled, or "" when everything is valid."""
        if not self.may_change_shared:
            return ""
        verified, within = self.gate_verified.text().strip(), self.gate_within.text().strip()
        if not (_valid_pct(verified) and _valid_pct(within)):
            return "Gate thresholds must be percentages between 0 and 100."
        if Decimal(within) > Decimal(verified):
            return "The within-1% threshold cannot be above the verified threshold."
        return ""

    # -- behaviour ----------------------------------------------------------------------------
    def _show_db_page(self, index: int) -> None:
        """Show one database page; hidden pages take no room (a stack is as tall as its tallest page)."""
        for position in range(self.db_pages.count()):
            policy = QSizePolicy.Policy.Preferred if position == index else QSizePolicy.Policy.Ignored
            self.db_pages.widget(position).setSizePolicy(policy, policy)
        self.db_pages.setCurrentIndex(index)
        self.db_pages.adjustSize()
        self.adjustSize()

    def _update_state(self) -> None:
        problem = self.problem()
        self.problem_label.setText(problem)
        self.save_button.setEnabled(not problem)

    def test_connection(self) -> None:
        """Reach the server (no sign-in: a server that asks for a password counts as reached)."""
        url = self.preferences().database_url()
        self.test_button.setEnabled(False)
        self.test_result.setText("Connecting…")
        self.runner.start(connection.test_connection, url, on_result=lambda text: self._tested(True, text),
                          on_error=lambda error, _trace: self._tested(False, str(error)),
                          title="Testing connection")

    def _tested(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(("OK: " if ok else "Failed: ") + text)
        emit(self.connection_tested, ok, text)

    def save(self) -> None:
        if self.problem():
            return
        preferences = self.preferences()
        if not self.may_change_shared:  # keep the last values this computer saw, not the read-only display
            preferences = dataclasses.replace(preferences, statewide_source=self.original.statewide_source,
                                              gate_verified=self.original.gate_verified,
                                              gate_within=self.original.gate_within)
        changes = self.shared_changes()
        save_preferences(preferences)
        if changes:
            emit(self.shared_changes_requested, changes)
        emit(self.saved, preferences)
        self.accept()
