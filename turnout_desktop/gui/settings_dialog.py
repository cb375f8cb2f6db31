"""Settings: database, statewide source, user and role, gate thresholds, auto-check interval."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

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

from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.limits import MAX_USER_NAME
from turnout_desktop.gui import jobs
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.settings import DB_LOCAL, DB_POSTGRESQL, Preferences, save_preferences, store_password
from turnout_desktop.gui.task_runner import TaskRunner


def _valid_pct(text: str) -> bool:
    try:
        return Decimal(0) < Decimal(text) <= Decimal(100)
    except InvalidOperation:
        return False


class SettingsDialog(QDialog):
    """Edits a copy of the preferences; ``saved`` carries the new ones after they are written."""

    saved = Signal(object)  # Preferences
    connection_tested = Signal(bool, str)

    def __init__(self, preferences: Preferences, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(480)
        self.runner = runner
        self.original = preferences

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
        self.pg_user = QLineEdit(preferences.pg_user)
        self.pg_password = QLineEdit()
        self.pg_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.pg_password.setPlaceholderText("stored in the system keyring")
        local_page = QWidget()
        QFormLayout(local_page).addRow("File", self.local_path)
        pg_page = QWidget()
        pg_form = QFormLayout(pg_page)
        for label, widget in (("Host", self.pg_host), ("Port", self.pg_port), ("Database", self.pg_database),
                              ("User", self.pg_user), ("Password", self.pg_password)):
            pg_form.addRow(label, widget)
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
        db_box = QGroupBox("Database")
        db_layout = QVBoxLayout(db_box)
        db_layout.addWidget(self.db_kind)
        db_layout.addWidget(self.db_pages)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        db_layout.addLayout(test_row)

        self.statewide_source = QLineEdit(preferences.statewide_source)
        self.statewide_source.setPlaceholderText("folder or URL of the statewide files")
        self.user_name = QLineEdit(preferences.user_name)
        self.user_name.setMaxLength(MAX_USER_NAME)
        self.role = QComboBox()
        self.role.setObjectName("roleCombo")
        self.role.addItem("County clerk", "clerk")
        self.role.addItem("State data admin", "admin")
        self.role.setCurrentIndex(max(0, self.role.findData(preferences.role)))
        self.county = QComboBox()
        self.county.setObjectName("countyCombo")
        self.county.addItems([c.sos_name for c in all_counties()])
        if preferences.county:
            self.county.setCurrentText(preferences.county)
        self.role.currentIndexChanged.connect(self._update_state)
        self.gate_verified = QLineEdit(preferences.gate_verified)
        self.gate_within = QLineEdit(preferences.gate_within)
        self.auto_check = QSpinBox()
        self.auto_check.setObjectName("autoCheckMinutes")
        self.auto_check.setRange(0, 24 * 60)
        self.auto_check.setSuffix(" min")
        self.auto_check.setSpecialValueText("off")
        self.auto_check.setValue(preferences.auto_check_minutes)
        general = QFormLayout()
        general.addRow("Statewide source", self.statewide_source)
        general.addRow("User name", self.user_name)
        general.addRow("Role", self.role)
        general.addRow("County", self.county)
        general.addRow("Gate: verified at (%)", self.gate_verified)
        general.addRow("Gate: within 1% at (%)", self.gate_within)
        general.addRow("Auto-check every", self.auto_check)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("settingsProblem")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.gate_verified, self.gate_within, self.user_name):
            edit.textChanged.connect(self._update_state)
        layout = QVBoxLayout(self)
        layout.addWidget(db_box)
        layout.addLayout(general)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self._update_state()

    def preferences(self) -> Preferences:
        """The preferences as currently edited."""
        return dataclasses.replace(
            self.original, db_kind=str(self.db_kind.currentData()), local_path=self.local_path.text().strip(),
            pg_host=self.pg_host.text().strip(), pg_port=self.pg_port.value(),
            pg_database=self.pg_database.text().strip(), pg_user=self.pg_user.text().strip(),
            statewide_source=self.statewide_source.text().strip(), user_name=self.user_name.text().strip(),
            role=str(self.role.currentData()),
            county=self.county.currentText() if self.role.currentData() == "clerk" else "",
            gate_verified=self.gate_verified.text().strip(), gate_within=self.gate_within.text().strip(),
            auto_check_minutes=self.auto_check.value())

    def problem(self) -> str:
        """Why Save is disabled, or "" when everything is valid."""
        if not self.user_name.text().strip():
            return "Enter a user name."
        verified, within = self.gate_verified.text().strip(), self.gate_within.text().strip()
        if not (_valid_pct(verified) and _valid_pct(within)):
            return "Gate thresholds must be percentages between 0 and 100."
        if Decimal(within) > Decimal(verified):
            return "The within-1% threshold cannot be above the verified threshold."
        return ""

    def _show_db_page(self, index: int) -> None:
        """Show one database page; hidden pages take no room (a stack is as tall as its tallest page)."""
        for position in range(self.db_pages.count()):
            policy = QSizePolicy.Policy.Preferred if position == index else QSizePolicy.Policy.Ignored
            self.db_pages.widget(position).setSizePolicy(policy, policy)
        self.db_pages.setCurrentIndex(index)
        self.db_pages.adjustSize()
        self.adjustSize()

    def _update_state(self) -> None:
        self.county.setEnabled(self.role.currentData() == "clerk")
        problem = self.problem()
        self.problem_label.setText(problem)
        self.save_button.setEnabled(not problem)

    def test_connection(self) -> None:
        url = self.preferences().database_url(self.pg_password.text() or None)
        self.test_button.setEnabled(False)
        self.test_result.setText("Connecting…")
        self.runner.start(jobs.test_connection, url, on_result=lambda text: self._tested(True, text),
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
        if preferences.db_kind == DB_POSTGRESQL and self.pg_password.text():
            if not store_password(preferences, self.pg_password.text()):
                self.problem_label.setText("No secure keyring on this computer: the password was not saved.")
        save_preferences(preferences)
        emit(self.saved, preferences)
        self.accept()
