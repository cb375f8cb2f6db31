"""Details, escalation and settings dialogs driven by clicks and keys; startup and screenshot."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget
from service_records import record

from turnout_desktop.db.identity import LOCAL_LABEL
from turnout_desktop.gui import jobs
from turnout_desktop.gui.app import Startup, build_parser, context_spec
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.escalation_dialog import EscalationDialog, recommended_next_step
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences, load_preferences, preferences_path
from turnout_desktop.gui.settings_dialog import SettingsDialog
from turnout_desktop.gui.sign_in_dialog import SignInDialog
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.services.demo import remove_temporary_folder
from turnout_desktop.services.reconciliation_results import (
    EvidenceRow,
    FailingVuid,
    FixActionRow,
    FixDetail,
    GateResult,
    LogAttempt,
    LogDetail,
    LogEntry,
)
from turnout_desktop.services.reconciliation_views import evidence_rows

FAILING = (record(FailingVuid, vuid="1000000001", row_no=5, file="terrell.csv", precinct="3"),)
DETAIL = record(
    LogDetail, id=11, county="TERRELL", party="DEM", election_date=dt.date(2026, 3, 3), expected_total=18,
    actual_total=24, discrepancy=6, discrepancy_pct=33.33, status="ESCALATED", attempts_count=3,
    diagnosis=("duplicates",), strategies_tried=("D_remove_duplicates",),
    by_method={"early-voting": {"expected": 10, "actual": 14}, "mail-in": {"expected": 8, "actual": 10}},
    failing_vuids=FAILING, evidence=evidence_rows(FAILING, {}),
    attempts=(record(LogAttempt, attempt_no=1, strategy="D_remove_duplicates", outcome="improved",
                     before_actual=26, after_actual=24),),
    fixes=(record(FixDetail, id=4, strategy="D_remove_duplicates", summary="removed 2 duplicates", undone_at=None,
                  actions=(record(FixActionRow, id=1), record(FixActionRow, id=2))),
           record(FixDetail, id=5, strategy="B", summary="undone already", undone_at="2026-03-04T10:00:00")),
    gate=GateResult(allowed=False, accuracy_pct=66.67, message="Blocked: accuracy 66.67% is below 99.0%",
                    level="escalated"),
)


def test_details_dialog_tables_and_undo(qtbot):
    dialog = DetailsDialog(DETAIL, is_admin=True)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.methods.rowCount() == 2
    assert [dialog.methods.index(0, c).data() for c in range(4)] == ["Early voting", "10", "14", "+4"]
    assert [dialog.evidence.index(0, c).data() for c in (0, 2, 3, 4)] == ["1000000001", "5", "terrell.csv", "3"]
    assert dialog.attempts.index(0, 4).data() == "24"
    assert dialog.gate_label.text() == "Public gate: held back - Blocked: accuracy 66.67% is below 99.0%"
    assert not dialog.undo_button.isEnabled()
    dialog.fix_table.selectRow(1)  # already undone: cannot undo again
    assert not dialog.undo_button.isEnabled()
    dialog.fix_table.selectRow(0)
    assert not dialog.undo_button.isEnabled()  # no written reason yet
    dialog.undo_reason.setText("   ")
    assert not dialog.undo_button.isEnabled()
    dialog.undo_reason.setText("county sent a corrected roster")
    assert dialog.undo_button.isEnabled()
    with qtbot.waitSignal(dialog.undo_requested) as blocker:
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [4, "county sent a corrected roster"]
    clerk_view = DetailsDialog(DETAIL, is_admin=False)
    qtbot.addWidget(clerk_view)
    assert not clerk_view.undo_button.isVisibleTo(clerk_view)


def test_escalation_dialog_review_override_export(qtbot):
    dialog = EscalationDialog(DETAIL)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.next_step_label.text().startswith("Recommended next step: The database holds more votes")
    assert [dialog.review_state.itemText(i) for i in range(dialog.review_state.count())] == [
        "Investigating", "Resolved", "Won't fix"]
    dialog.review_state.setCurrentIndex(dialog.review_state.findData("wont-fix"))
    assert not dialog.review_button.isEnabled()  # every review state needs a reason
    qtbot.keyClicks(dialog.review_reason, "County confirmed")
    with qtbot.waitSignal(dialog.review_requested) as review:
        qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    assert review.args == [11, "wont-fix", "County confirmed"]
    assert not dialog.override_button.isEnabled()
    qtbot.keyClicks(dialog.override_reason, "  ")
    assert not dialog.override_button.isEnabled()  # blank reasons do not count
    qtbot.keyClicks(dialog.override_reason, "Late mail ballots")
    with qtbot.waitSignal(dialog.override_requested) as override:
        qtbot.mouseClick(dialog.override_button, Qt.MouseButton.LeftButton)
    assert override.args[1] == "Late mail ballots"
    with qtbot.waitSignal(dialog.export_requested) as export:
        qtbot.mouseClick(dialog.csv_button, Qt.MouseButton.LeftButton)
    assert export.args[1] == "csv"
    assert evidence_rows((), {"evidence": [{"vuid": "1"}]}) == (
        EvidenceRow(vuid="1", kind=None, reason=None, row_no=None, source_file=None, precinct=None),)
    assert recommended_next_step(record(LogEntry, diagnosis=("wrong_district",))).startswith("Import the current")


def test_escalation_dialog_shows_the_review_state_old_databases_stored(qtbot):
    unreviewed = EscalationDialog(DETAIL)
    qtbot.addWidget(unreviewed)
    assert unreviewed.findChild(QWidget, "reviewBox").title() == "Review (now: Open, not reviewed yet)"
    for stored, shown, label in (("contacted_county", "investigating", "Investigating"),
                                 ("accepted", "resolved", "Resolved"), ("wont-fix", "wont-fix", "Won't fix")):
        dialog = EscalationDialog(dataclasses.replace(DETAIL, review_state=stored, review_reason="earlier"))
        qtbot.addWidget(dialog)
        assert dialog.review_state.currentData() == shown, stored
        assert dialog.findChild(QWidget, "reviewBox").title() == f"Review (now: {label})"


def test_settings_dialog_validates_saves_and_tests_connection(qtbot, empty_url):
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent)
    dialog = SettingsDialog(Preferences(), runner, parent)
    dialog.open()
    dialog.gate_within.setText("99.95")
    assert not dialog.save_button.isEnabled()
    assert dialog.problem_label.text() == "The within-1% threshold cannot be above the verified threshold."
    dialog.gate_within.setText("99.0")
    assert dialog.save_button.isEnabled()
    # nobody chooses a role or a county: the local file is "local, not signed in"
    assert dialog.findChild(QComboBox, "roleCombo") is None and dialog.findChild(QComboBox, "countyCombo") is None
    assert dialog.identity_label.text() == LOCAL_LABEL
    dialog.gate_verified.setText("NaN")
    assert not dialog.save_button.isEnabled()  # a NaN threshold never reaches the database
    dialog.gate_verified.setText("99.9")
    dialog.auto_check.setValue(15)
    dialog.local_path.setText(empty_url.removeprefix("sqlite:///"))
    with qtbot.waitSignal(dialog.connection_tested, timeout=10_000) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[0] is True and dialog.test_result.text().startswith("OK: Connected to sqlite")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    stored = load_preferences()
    assert saved.args[0] == stored
    assert stored.auto_check_minutes == 15 and stored.gate_within == "99.0"
    written = json.loads(preferences_path().read_text())
    assert not {"password", "role", "user_name", "county"} & set(written)
    runner.shutdown()


def test_settings_test_connection_failure_is_reported(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent)
    dialog = SettingsDialog(Preferences(db_kind="postgresql", pg_host="127.0.0.1", pg_port=1), runner, parent)
    with qtbot.waitSignal(dialog.connection_tested, timeout=20_000) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[0] is False and dialog.test_result.text().startswith("Failed: Cannot connect")
    assert dialog.findChild(QLineEdit, "pgPassword") is None  # the password is typed at sign-in only
    runner.shutdown()


def test_startup_seeds_empty_database_and_takes_screenshot(qtbot, tmp_path):
    args = argparse.Namespace(demo=False, db=f"sqlite:///{tmp_path / 'fresh.db'}")
    spec, seed, _folder = context_spec(args, Preferences())
    assert seed is False and spec.db_url == args.db
    window = MainWindow(jobs.ContextSpec(args.db), Preferences())
    qtbot.addWidget(window)
    window.show()
    shot = tmp_path / "shots" / "main.png"
    startup = Startup(window, seed_if_empty=True, demo_folder=tmp_path / "demo", screenshot=shot)
    with qtbot.waitSignal(startup.screenshot_saved, timeout=60_000):
        startup.start()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert window.activity.model.rowCount() == 14  # the demo was seeded and reconciled
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_command_line_choices(tmp_path):
    parser = build_parser()
    demo = parser.parse_args(["--demo", "--screenshot", str(tmp_path / "x.png"), "--view", "escalation"])
    spec, seed, folder = context_spec(demo, Preferences())
    remove_temporary_folder(folder)  # what main() does when it returns: no turnout-demo-* folder is left
    assert seed is True and folder is not None and spec.db_url == f"sqlite:///{folder / 'demo.db'}"
    assert folder.name.startswith("turnout-demo-") and not folder.exists()
    assert (spec.user, spec.role) == ("local", "local")  # the demo file: every view, nobody signed in
    default_spec, default_seed, _ = context_spec(parser.parse_args([]), Preferences())
    assert default_seed is False and default_spec.db_url is None and default_spec.label() == LOCAL_LABEL
    # an old preferences file naming a role and a user decides nothing any more
    preferences_path().parent.mkdir(parents=True, exist_ok=True)
    preferences_path().write_text(json.dumps({"role": "admin", "user_name": "Secretary of State", "county": "KENT",
                                              "db_kind": "postgresql", "pg_host": "db.example.org",
                                              "pg_user": "clerk_kent", "pg_sslmode": "verify-full"}))
    shared_spec, shared_seed, _ = context_spec(parser.parse_args([]), load_preferences())
    assert shared_seed is False and shared_spec.is_shared and shared_spec.role == "local"
    assert shared_spec.db_url == "postgresql://clerk_kent@db.example.org:5432/turnout?sslmode=verify-full"


def test_sign_in_dialog_takes_a_db_url_apart_and_keeps_the_password_out_of_urls(qtbot):
    """``--db postgresql://user:pw@...`` pre-fills the form; the password then lives in the spec's memory only."""
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent)
    spec = jobs.ContextSpec("postgresql://alice:S3cr3t-canary@db.example.org:6432/turnout?sslmode=verify-full")
    dialog = SignInDialog(spec, runner, parent)
    assert dialog.server_label.text() == "Server: db.example.org:6432/turnout (sslmode verify-full)"
    assert (dialog.user_edit.text(), dialog.password_edit.text()) == ("alice", "S3cr3t-canary")
    dialog.user_edit.setText("")
    assert not dialog.sign_in_button.isEnabled()  # a user name is needed
    dialog.user_edit.setText("bob")
    attempt = dialog.attempt_spec()
    assert attempt.resolved_url == "postgresql://bob@db.example.org:6432/turnout?sslmode=verify-full"
    assert "S3cr3t-canary" not in repr(attempt) and "S3cr3t-canary" not in attempt.resolved_url
    assert attempt.connect_url == "postgresql://bob:S3cr3t-canary@db.example.org:6432/turnout?sslmode=verify-full"
    assert (attempt.user, attempt.role, attempt.is_shared) == ("bob", "", True)
    assert dialog.account().keyring_account() == "bob@db.example.org:6432/turnout"
    runner.shutdown()
