"""Sign-in to the shared PostgreSQL server: user, password, "remember me", and why a try failed.

Shown before the main window when the configured database is PostgreSQL. The sign-in itself runs on
the task runner (it connects to the server); the dialog only collects what was typed and says, in
plain words, why a try failed (wrong password, server unreachable, no Turnout role, schema too old or
too new) while staying open for the next one. The password goes to the worker in memory and, when
"remember me" is ticked, to the system keyring after a successful sign-in; never to a file.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from turnout_desktop.errors import SchemaMismatch, SignInFailed, TurnoutError
from turnout_desktop.gui import sign_in_jobs
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.settings import Preferences, save_preferences
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.services.worker_context import ContextSpec

log = logging.getLogger(__name__)
ERROR_STYLE = "color: #a40e26;"


def without_credentials(url: URL) -> URL:
    """``url`` without user and password (``URL.set`` ignores None, so build it afresh)."""
    return URL.create(url.drivername, host=url.host, port=url.port, database=url.database, query=url.query)


def server_text(url: URL) -> str:
    """``db.example.org:5432/turnout (sslmode verify-full)``: where the user is signing in."""
    sslmode = url.query.get("sslmode") or "prefer"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''} (sslmode {sslmode})"


def failure_text(error: BaseException, user: str, where: str) -> str:
    """Why a sign-in failed, in words a county clerk can act on."""
    if isinstance(error, SignInFailed):
        if error.reason == "password":
            return f"Wrong password for {user} (or no such user on this server). Check both and try again."
        if error.reason == "unreachable":
            return (f"The server {where} cannot be reached. Check the network and the server address in "
                    "Settings and try again, or work offline: uploads wait on this computer until it is back.")
        if error.reason == "no_role":
            return (f"{user} signed in, but has no Turnout role on this server. Ask your administrator to grant "
                    "you one (clerk, admin or auditor).")
    if isinstance(error, SchemaMismatch):
        return str(error)  # already says whom to ask: the administrator (admin setup) or IT (update the app)
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, TurnoutError | SQLAlchemyError | OSError):
        return f"Sign-in failed: {first_line}"
    return f"Sign-in failed unexpectedly ({type(error).__name__}: {first_line}). Please tell the state data team."


class SignInDialog(QDialog):
    """Collects user and password for ``spec``'s server; emits ``signed_in`` (a ``SignedIn``) on success.

    Args:
        spec: the server (its URL may name a user, and for ``--db`` even a password, which pre-fill the form).
        runner: where the sign-in and the keyring lookup run.
        preferences: the keyring entry's name comes from them; with ``remember_user`` the user name
            that signed in is saved in them (never the password) to pre-fill the next sign-in.
    """

    signed_in = Signal(object)  # sign_in_jobs.SignedIn
    offline_chosen = Signal(object)  # ContextSpec whose identity the server has not confirmed
    failed = Signal(str)  # the message shown

    def __init__(self, spec: ContextSpec, runner: TaskRunner, parent: QWidget | None = None, *,
                 preferences: Preferences | None = None, remember_user: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in - Turnout Desktop")
        self.setMinimumWidth(420)
        self.runner = runner
        self.preferences = preferences or Preferences()
        self.remember_user = remember_user
        typed = make_url(spec.resolved_url)
        self.server_url = without_credentials(typed)
        self.base_spec = dataclasses.replace(spec, db_url=self.server_url.render_as_string(), password=None)
        self.server_label = QLabel(f"Server: {server_text(self.server_url)}")
        self.server_label.setObjectName("signInServer")
        self.user_edit = QLineEdit(typed.username or self.preferences.pg_user)
        self.user_edit.setObjectName("signInUser")
        self.password_edit = QLineEdit(typed.password or spec.password or "")
        self.password_edit.setObjectName("signInPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember me (the password is kept in this computer's keyring)")
        self.remember.setObjectName("rememberMe")
        self.message = QLabel("Sign in with your own user name and password.")
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.offline_button = QPushButton("Work offline")
        self.offline_button.setObjectName("workOfflineButton")
        self.offline_button.hide()  # offered only when the server cannot be reached
        self.buttons.addButton(self.offline_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        self.offline_button.clicked.connect(self.work_offline)
        self.user_edit.textChanged.connect(self._update_state)
        form = QFormLayout()
        form.addRow("User", self.user_edit)
        form.addRow("Password", self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.server_label)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.busy = False
        self.closed = False  # cancelled: a sign-in that finishes later must not open the app
        self.found_remembered = False  # a password from the keyring was filled in
        self._update_state()
        (self.password_edit if self.user_edit.text() else self.user_edit).setFocus()
        if self.user_edit.text() and not self.password_edit.text():
            self.runner.start(sign_in_jobs.remembered_password, self.account(), on_result=self._fill_remembered,
                              on_error=lambda error, _trace: log.info("no remembered password: %s", error),
                              title="Reading the keyring")

    # -- what was typed -----------------------------------------------------------------------
    def user(self) -> str:
        return self.user_edit.text().strip()

    def account(self) -> Preferences:
        """The preferences naming this server and user (the keyring entry's name comes from them)."""
        url = self.server_url
        return dataclasses.replace(self.preferences, pg_host=url.host or "localhost", pg_port=url.port or 5432,
                                   pg_database=url.database or "", pg_user=self.user())

    def attempt_spec(self) -> ContextSpec:
        """The spec for the typed user; the role stays empty until the database reports it."""
        url = self.server_url.set(username=self.user()).render_as_string(hide_password=False)
        return dataclasses.replace(self.base_spec, db_url=url, password=self.password_edit.text(), user=self.user(),
                                   role="", county=None, counties=None)

    # -- actions ------------------------------------------------------------------------------
    def try_sign_in(self) -> None:
        if self.busy or not self.user():
            return
        self._set_busy(True)
        self._say(f"Signing in as {self.user()}…")
        # Touch the keyring only when there is something to store or to forget (it may prompt the user).
        remember = True if self.remember.isChecked() else (False if self.found_remembered else None)
        self.runner.start(sign_in_jobs.sign_in, self.attempt_spec(), self.account(), remember,
                          on_result=self._succeeded, on_error=self._failed, title="Signing in")

    def work_offline(self) -> None:
        """Open the app without the server: uploads queue locally and are pushed (as this login) later."""
        emit(self.offline_chosen, self.attempt_spec())
        self.accept()

    def reject(self) -> None:
        self.closed = True
        super().reject()

    def _succeeded(self, result: sign_in_jobs.SignedIn) -> None:
        self._set_busy(False)
        if self.closed:
            return
        if self.remember_user and self.preferences.pg_user != result.spec.user:
            self.preferences = dataclasses.replace(self.preferences, pg_user=result.spec.user)
            save_preferences(self.preferences)  # the user name only: the password never goes to this file
        emit(self.signed_in, result)
        self.accept()

    def _failed(self, error: BaseException, trace: str) -> None:
        self._set_busy(False)
        text = failure_text(error, self.user(), server_text(self.server_url))
        if not isinstance(error, TurnoutError | SQLAlchemyError | OSError):
            log.error("sign-in failed unexpectedly:\n%s", trace)
        self._say(text, error=True)
        self.offline_button.setVisible(isinstance(error, SignInFailed) and error.reason == "unreachable")
        self.adjustSize()  # a message of several lines (and the offline button) get the room they need
        if isinstance(error, SignInFailed) and error.reason == "password":
            self.password_edit.selectAll()
            self.password_edit.setFocus()
        emit(self.failed, text)

    def _fill_remembered(self, password: str | None) -> None:
        if password and not self.password_edit.text() and not self.busy:
            self.password_edit.setText(password)
            self.remember.setChecked(True)
            self.found_remembered = True

    # -- state --------------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.user_edit, self.password_edit, self.remember, self.offline_button):
            widget.setEnabled(not busy)
        self._update_state()

    def _update_state(self) -> None:
        self.sign_in_button.setEnabled(not self.busy and bool(self.user()))
