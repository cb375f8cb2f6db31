"""Signing in to the shared PostgreSQL server, the role the database reports, shared settings, the audit alarm.

Every test runs on the PostgreSQL test server (TURNOUT_TEST_PG_URL): the logins are real PostgreSQL
login roles with a password, granted a Turnout role with ``turnout admin`` (tests/pg_logins.py).
"""

from __future__ import annotations

import json
import socket
from decimal import Decimal

import pytest
from gui_keyring import install_memory_keyring
from pg_logins import PASSWORD, signed_in_url
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMessageBox, QWidget
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from turnout_desktop.db.models import AuditEvent
from turnout_desktop.db.session import default_data_dir, normalize_url
from turnout_desktop.domain.permissions import Role
from turnout_desktop.gui import jobs
from turnout_desktop.gui.app import Launcher
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import KEYRING_SERVICE, Preferences, load_preferences, preferences_path
from turnout_desktop.gui.sign_in_dialog import SignInDialog, without_credentials
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.services import shared_settings
from turnout_desktop.services.context import open_context

# Only the PostgreSQL variant of the db_url fixture: the owner URL of a freshly set-up database.
pytestmark = pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)


def server_address(url: str) -> str:
    """host:port/database of the test server, as the dialog and the keyring account name it."""
    parsed = make_url(normalize_url(url))
    return f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"


def server_spec(owner_url: str) -> jobs.ContextSpec:
    """The server as the app knows it before anybody signed in: no user, no password."""
    return jobs.ContextSpec(without_credentials(make_url(owner_url)).render_as_string())


def open_sign_in(qtbot, spec: jobs.ContextSpec, **options) -> SignInDialog:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = SignInDialog(spec, TaskRunner(parent), parent, **options)
    dialog.keep_parent = parent  # the parent (and the runner it owns) lives as long as the dialog
    dialog.open()
    return dialog


def sign_in(qtbot, dialog: SignInDialog, user: str, password: str = PASSWORD):
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)
    with qtbot.waitSignal(dialog.signed_in, timeout=20_000) as blocker:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def failed_sign_in(qtbot, dialog: SignInDialog, user: str, password: str = PASSWORD) -> str:
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as blocker:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.sign_in_button.isEnabled()  # open for another try
    assert dialog.message.text() == blocker.args[0]
    return blocker.args[0]


def login_spec(qtbot, owner_url: str, login: str, role: Role, counties: list[str] | None = None) -> jobs.ContextSpec:
    """Grant ``role`` to ``login`` and sign it in through the dialog; the spec the app then works with."""
    signed_in_url(owner_url, login, role, counties)
    return sign_in(qtbot, open_sign_in(qtbot, server_spec(owner_url)), login).spec


def open_window(qtbot, spec: jobs.ContextSpec) -> MainWindow:
    window = MainWindow(spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.dashboard_view.refresh()
    return window


def audit_rows(owner_url: str, event_type: str) -> list[tuple[str, str, str]]:
    engine = create_engine(normalize_url(owner_url))
    with engine.connect() as connection:
        rows = connection.execute(select(AuditEvent.user_name, AuditEvent.user_role, AuditEvent.message)
                                  .where(AuditEvent.event_type == event_type).order_by(AuditEvent.seq)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_sign_in_shows_the_user_and_role_the_database_reports(qtbot, caplog, db_url: str) -> None:
    signed_in_url(db_url, "clerk_loving", Role.CLERK, ["LOVING"])
    dialog = open_sign_in(qtbot, server_spec(db_url))
    assert dialog.server_label.text() == f"Server: {server_address(db_url)} (sslmode prefer)"
    result = sign_in(qtbot, dialog, "clerk_loving")
    assert (result.spec.user, result.spec.role, result.spec.counties) == ("clerk_loving", "clerk", ("LOVING",))
    assert result.password_remembered is None and PASSWORD not in repr(result.spec)
    assert not dialog.isVisible()
    assert audit_rows(db_url, "sign_in") == [("clerk_loving", "clerk", "clerk_loving signed in as clerk (desktop)")]
    window = open_window(qtbot, result.spec)
    assert window.labels.user_label.text() == "clerk_loving - clerk (LOVING)"
    assert window.labels.db_label.text() == "shared server"
    assert not window.activity.override_button.isVisibleTo(window) and not window.reconcile_action.isVisible()
    assert window.session.dashboard.audit is None and window.audit_banner.isHidden()  # a clerk cannot verify the chain
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)
    window.close()  # writes the UI state too
    # docs/reliability.md T15: the password is in no file of the app's data folder and in no log line
    for path in default_data_dir().rglob("*"):
        assert not path.is_file() or PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in caplog.text


def test_the_database_not_the_window_decides_the_role(qtbot, db_url: str) -> None:
    url = signed_in_url(db_url, "clerk_loving", Role.CLERK, ["LOVING"])
    claimed = jobs.ContextSpec(make_url(url)._replace(password=None).render_as_string(), user="Secretary of State",
                               role="admin", password=PASSWORD)
    window = open_window(qtbot, claimed)
    assert window.labels.user_label.text() == "clerk_loving - clerk (LOVING)"
    assert window.session.spec.role == "clerk" and not window.activity.override_button.isVisibleTo(window)
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_a_wrong_password_says_so_and_stays_open(qtbot, db_url: str) -> None:
    signed_in_url(db_url, "clerk_loving", Role.CLERK, ["LOVING"])
    dialog = open_sign_in(qtbot, server_spec(db_url))
    message = failed_sign_in(qtbot, dialog, "clerk_loving", "not-the-password")
    assert message.startswith("Wrong password for clerk_loving")
    assert dialog.offline_button.isHidden()
    assert sign_in(qtbot, dialog, "clerk_loving").spec.role == "clerk"  # the next try works


def test_a_login_without_a_turnout_role_is_told_to_ask_for_one(qtbot, db_url: str) -> None:
    signed_in_url(db_url, "no_role_login", None)
    dialog = open_sign_in(qtbot, server_spec(db_url))
    message = failed_sign_in(qtbot, dialog, "no_role_login")
    assert message.startswith("no_role_login signed in, but has no Turnout role on this server. Ask your administrator")


def test_an_unreachable_server_offers_to_work_offline(qtbot, db_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = open_sign_in(qtbot, jobs.ContextSpec(f"postgresql://127.0.0.1:{port}/turnout"))
    message = failed_sign_in(qtbot, dialog, "clerk_loving")
    assert message.startswith(f"The server 127.0.0.1:{port}/turnout (sslmode prefer) cannot be reached.")
    assert dialog.offline_button.isVisible()
    label = dialog.message  # the whole message shows: the dialog grew to fit its wrapped lines
    assert label.height() >= label.heightForWidth(label.width())
    with qtbot.waitSignal(dialog.offline_chosen) as offline:
        qtbot.mouseClick(dialog.offline_button, Qt.MouseButton.LeftButton)
    spec = offline.args[0]
    assert (spec.user, spec.role) == ("clerk_loving", "")  # nobody confirmed who this is yet
    assert spec.label() == "clerk_loving - not signed in (server unreachable)"


def test_an_older_schema_names_the_command_that_fixes_it(qtbot, db_url: str) -> None:
    signed_in_url(db_url, "clerk_loving", Role.CLERK, ["LOVING"])
    owner = create_engine(normalize_url(db_url))
    with owner.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'not-a-revision'"))
    owner.dispose()
    message = failed_sign_in(qtbot, open_sign_in(qtbot, server_spec(db_url)), "clerk_loving")
    assert "update Turnout Desktop" in message or "turnout admin setup" in message


def test_remember_me_keeps_the_password_in_the_keyring_only(qtbot, monkeypatch, db_url: str) -> None:
    backend = install_memory_keyring(monkeypatch)
    signed_in_url(db_url, "clerk_loving", Role.CLERK, ["LOVING"])
    dialog = open_sign_in(qtbot, server_spec(db_url), remember_user=True)
    dialog.remember.setChecked(True)
    result = sign_in(qtbot, dialog, "clerk_loving")
    account = f"clerk_loving@{server_address(db_url)}"
    assert result.password_remembered is True and backend.secrets == {(KEYRING_SERVICE, account): PASSWORD}
    written = preferences_path().read_text(encoding="utf-8")
    assert PASSWORD not in written and json.loads(written)["pg_user"] == "clerk_loving"

    # The next start: the remembered password is read (in the worker) and filled in.
    again = open_sign_in(qtbot, server_spec(db_url), preferences=load_preferences(), remember_user=True)
    assert again.user_edit.text() == "clerk_loving"
    qtbot.waitUntil(lambda: again.password_edit.text() == PASSWORD, timeout=10_000)
    assert again.remember.isChecked()
    again.remember.setChecked(False)  # unticked: the stored password is forgotten after the sign-in
    with qtbot.waitSignal(again.signed_in, timeout=20_000):
        qtbot.mouseClick(again.sign_in_button, Qt.MouseButton.LeftButton)
    assert backend.secrets == {}
    assert PASSWORD not in preferences_path().read_text(encoding="utf-8")


def test_a_clerks_settings_choose_no_role_and_show_shared_settings_read_only(qtbot, db_url: str) -> None:
    window = open_window(qtbot, login_spec(qtbot, db_url, "clerk_loving", Role.CLERK, ["LOVING"]))
    dialog = window.settings_actions.open()
    assert dialog.findChild(QComboBox, "roleCombo") is None and dialog.findChild(QComboBox, "countyCombo") is None
    assert dialog.identity_label.text() == "clerk_loving - clerk (LOVING)"
    for widget in (dialog.gate_verified, dialog.gate_within, dialog.statewide_source, dialog.auto_check):
        assert not widget.isEnabled()
    assert dialog.shared_note.text() == ("Read-only: only an administrator can change these (you are signed in as "
                                         "clerk).")
    assert dialog.gate_verified.text() == str(window.session.dashboard.shared.gate_verified)  # the database's value
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_an_admin_saves_thresholds_through_the_service_and_it_is_audited(qtbot, db_url: str) -> None:
    window = open_window(qtbot, login_spec(qtbot, db_url, "state_admin", Role.ADMIN))
    assert window.labels.user_label.text() == "state_admin - admin"
    dialog = window.settings_actions.open()
    assert dialog.gate_verified.isEnabled() and dialog.shared_note.isHidden()
    dialog.gate_verified.setText("99.5")
    dialog.gate_within.setText("98.5")
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):  # saved in the worker, then reloaded
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    ctx = open_context(db_url)
    stored = shared_settings.read(ctx)
    ctx.engine.dispose()
    assert (stored.gate_verified, stored.gate_within) == (Decimal("99.5"), Decimal("98.5"))
    changes = audit_rows(db_url, "settings_change")
    assert len(changes) == 1 and changes[0][:2] == ("state_admin", "admin")
    assert "gate_verified" in changes[0][2] and "-> 99.5" in changes[0][2]

    # A value the service refuses is shown in a dialog, and nothing is written.
    dialog = window.settings_actions.open()
    dialog.statewide_source.setText("/no/such/statewide/folder")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, QMessageBox), timeout=20_000)
    assert "does not exist" in window.session.last_dialog.text()
    assert len(audit_rows(db_url, "settings_change")) == 1
    window.session.last_dialog.close()
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_the_admin_window_raises_a_red_alarm_when_the_audit_trail_was_edited(qtbot, db_url: str) -> None:
    window = open_window(qtbot, login_spec(qtbot, db_url, "state_admin", Role.ADMIN))
    assert window.session.dashboard.audit is not None and window.session.dashboard.audit.intact
    assert window.audit_banner.isHidden()
    owner = create_engine(normalize_url(db_url))
    with owner.begin() as connection:  # the owner can switch the trigger off; the anchors still remember
        seq = connection.execute(text("SELECT min(seq) FROM audit_event")).scalar_one()
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        connection.execute(text("UPDATE audit_event SET message = 'nothing happened here' WHERE seq = :seq"),
                           {"seq": seq})
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    owner.dispose()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.refresh_action.trigger()  # Refresh always verifies
    assert window.session.dashboard.audit.broken_seq == seq
    assert window.audit_banner.isVisibleTo(window)
    assert window.audit_banner.text().startswith(f"AUDIT TRAIL BROKEN at seq {seq}")
    failures = [row for row in audit_rows(db_url, "audit_verify") if "BROKEN" in row[2]]
    assert failures and failures[-1][0] == "state_admin"  # the alarm is in the trail as well
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_an_auditor_verifies_the_trail_and_changes_nothing(qtbot, db_url: str) -> None:
    window = open_window(qtbot, login_spec(qtbot, db_url, "state_auditor", Role.AUDITOR))
    assert window.labels.user_label.text() == "state_auditor - auditor"
    audit = window.session.dashboard.audit
    assert audit is not None and audit.intact and window.audit_banner.isHidden()
    assert not window.activity.override_button.isVisibleTo(window) and not window.reconcile_action.isVisible()
    dialog = window.settings_actions.open()
    assert not dialog.gate_verified.isEnabled() and dialog.shared_changes() == {}
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_heavy_jobs_sign_in_again_in_the_child_process(qtbot, db_url: str, tmp_path) -> None:
    """Reconciling runs in the spawned child: the in-memory password travels with the spec, nothing else."""
    from turnout_desktop.services.demo import seed_demo

    ctx = open_context(db_url)
    seed_demo(ctx, tmp_path / "demo")
    ctx.engine.dispose()
    window = open_window(qtbot, login_spec(qtbot, db_url, "state_admin", Role.ADMIN))
    before = window.activity.model.rowCount()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=60_000):
        window.dashboard_view.reconcile_all()
    assert window.session.last_dialog is None, window.session.last_dialog
    assert window.activity.model.rowCount() >= before > 0
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_the_app_opens_after_sign_in_and_says_when_no_keyring_could_keep_the_password(qtbot, monkeypatch,
                                                                                      db_url: str) -> None:
    """What ``main`` wires: the sign-in dialog's result opens the main window (app.Launcher)."""
    import keyring

    class PlaintextKeyring:  # keyrings.alt's plaintext file backend has this name: refused (docs/reliability.md T15)
        stored: list[str] = []

        def set_password(self, service: str, account: str, password: str) -> None:
            self.stored.append(password)

    backend = PlaintextKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    monkeypatch.setattr(keyring, "set_password", backend.set_password)
    signed_in_url(db_url, "clerk_loving", Role.CLERK, ["LOVING"])
    dialog = open_sign_in(qtbot, server_spec(db_url))
    dialog.remember.setChecked(True)
    result = sign_in(qtbot, dialog, "clerk_loving")
    assert result.password_remembered is False and backend.stored == []
    launcher = Launcher(Preferences(), seed_if_empty=False, demo_folder=None, screenshot=None, view="main")
    window = launcher.signed_in(result)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.session.dashboard is not None, timeout=20_000)  # Startup: prepare, then load
    assert window.labels.user_label.text() == "clerk_loving - clerk (LOVING)"
    assert window.statusBar().currentMessage() == "No secure keyring on this computer: the password was not remembered."
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)

