"""The first start: the welcome dialog's three choices, a demo database of its own marked DEMO
in the title bar and on every report, File > Remove demo data…, and no demo data ever in the real database."""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from turnout_desktop.cli.main import main as cli_main
from turnout_desktop.db.models import Submission
from turnout_desktop.gui.app import Launcher, build_parser, context_spec, wants_welcome
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import is_first_run, load_preferences, preferences_path
from turnout_desktop.gui.welcome_dialog import CHOICE_DEMO, CHOICE_LOCAL, CHOICE_SERVER, WelcomeDialog
from turnout_desktop.services.connection import default_sqlite_url
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import DEMO_ELECTION, demo_database_path

PLAIN_START = build_parser().parse_args([])


def submissions_in(url: str) -> int:
    ctx = open_context(url)
    try:
        with ctx.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Submission)).scalar_one())
    finally:
        ctx.engine.dispose()


def choose(qtbot, choice: str) -> WelcomeDialog:
    dialog = WelcomeDialog(load_preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.buttons[choice].click()
    return dialog


def launch(qtbot, args: argparse.Namespace = PLAIN_START) -> tuple[Launcher, MainWindow]:
    preferences = load_preferences()
    spec, seed, folder = context_spec(args, preferences)
    launcher = Launcher(preferences, seed_if_empty=seed, demo_folder=folder, screenshot=None, view="main")
    with qtbot.waitSignal(launcher.launch(spec).dashboard_loaded, timeout=120_000):
        pass
    assert launcher.window is not None
    qtbot.addWidget(launcher.window)
    return launcher, launcher.window


def test_local_choice_opens_the_real_database_empty_and_never_seeded(qtbot) -> None:
    assert is_first_run() and wants_welcome(PLAIN_START)
    dialog = choose(qtbot, CHOICE_LOCAL)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.choice == CHOICE_LOCAL
    assert json.loads(preferences_path().read_text())["start_choice"] == "local"
    assert not is_first_run() and not wants_welcome(PLAIN_START)  # the choice is saved: no dialog next time
    spec, seed, folder = context_spec(PLAIN_START, load_preferences())
    assert (spec.db_url, seed, folder) == (None, False, None)
    _launcher, window = launch(qtbot)
    assert window.windowTitle() == "Turnout Desktop" and not window.demo.remove_action.isVisible()
    assert submissions_in(default_sqlite_url()) == 0  # migrated, and not a single demo submission
    assert not demo_database_path().exists()
    window.close()


def test_server_choice_saves_the_address_and_leads_to_the_sign_in(qtbot) -> None:
    dialog = WelcomeDialog(load_preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.server_box.isVisible()
    dialog.buttons[CHOICE_SERVER].click()
    assert dialog.server_box.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    dialog.host_edit.setText("")
    assert not dialog.connect_button.isEnabled()  # no server named: nothing to connect to
    dialog.host_edit.setText("db.example.org")
    dialog.port_spin.setValue(6432)
    dialog.sslmode_combo.setCurrentText("verify-full")
    dialog.connect_button.click()
    assert dialog.choice == CHOICE_SERVER and not is_first_run()
    spec, seed, _folder = context_spec(PLAIN_START, load_preferences())
    assert spec.is_shared and seed is False  # main() opens the sign-in dialog for a shared spec
    assert spec.db_url == "postgresql://db.example.org:6432/turnout?sslmode=verify-full"


def test_closing_the_welcome_dialog_saves_nothing(qtbot) -> None:
    dialog = WelcomeDialog(load_preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()
    assert dialog.choice is None and not preferences_path().exists() and is_first_run()


def test_an_office_with_a_local_database_is_not_asked() -> None:
    open_context(default_sqlite_url()).engine.dispose()  # used before preferences existed
    assert not is_first_run()


def test_demo_choice_is_a_separate_database_marked_demo_and_removable(qtbot) -> None:
    choose(qtbot, CHOICE_DEMO)
    spec, seed, folder = context_spec(PLAIN_START, load_preferences())
    assert spec.db_url == f"sqlite:///{demo_database_path()}" and seed is True
    assert folder == demo_database_path().parent
    launcher, window = launch(qtbot)
    qtbot.waitUntil(lambda: window.windowTitle() == "DEMO - Turnout Desktop", timeout=120_000)
    assert window.demo.remove_action.isVisible()
    assert window.demo.remove_action in window.menuBar().actions()[0].menu().actions()
    assert submissions_in(spec.db_url) == 7
    assert not Path(default_sqlite_url().removeprefix("sqlite:///")).exists()  # the real database: untouched

    box = window.demo.ask_removal()
    assert box.isVisible()
    box.reject()  # Cancel keeps everything
    assert demo_database_path().exists() and window.isVisible()

    box = window.demo.ask_removal()
    remove_button = next(b for b in box.buttons() if b.text() == "Remove demo data")
    remove_button.click()
    qtbot.waitUntil(lambda: launcher.window is not window, timeout=30_000)
    local = launcher.window
    assert local is not None
    qtbot.addWidget(local)
    assert not window.isVisible() and local.isVisible()
    assert not demo_database_path().parent.exists()  # the file, its CSVs and the folder are gone
    preferences = load_preferences()
    assert (preferences.local_path, preferences.start_choice) == ("", "local")
    with qtbot.waitSignal(local.dashboard_loaded, timeout=60_000):
        pass
    assert local.windowTitle() == "Turnout Desktop" and not local.demo.remove_action.isVisible()
    assert submissions_in(default_sqlite_url()) == 0
    local.close()


def test_reports_of_a_demo_database_say_demo_and_its_public_csv_is_refused(demo_url: str, tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    election = DEMO_ELECTION.isoformat()
    pdf, table = tmp_path / "report.pdf", tmp_path / "report.csv"
    assert cli_main(["--db", demo_url, "report", "--election", election, "--format", "pdf", "--out", str(pdf)]) == 0
    assert cli_main(["--db", demo_url, "report", "--election", election, "--format", "csv", "--out", str(table)]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "DEMO - Turnout reconciliation report" in text  # the heading
    assert text.count("DEMO - Turnout reconciliation report - election") >= 2  # every page's header
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert ["title", "DEMO - Turnout reconciliation report"] in rows[:3]
    capsys.readouterr()
    public = tmp_path / "public.csv"
    code = cli_main(["--db", demo_url, "export-public", "--election", election, "--out", str(public)])
    assert code == 2 and "demo database" in capsys.readouterr().err and not public.exists()


def test_a_report_of_a_real_database_has_no_demo_mark(empty_url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    assert cli_main(["--db", empty_url, "report", "--election", DEMO_ELECTION.isoformat(), "--format", "csv",
                     "--out", str(out)]) == 0
    assert "DEMO" not in out.read_text(encoding="utf-8-sig")


def run_desktop(*args: str, temporary: Path) -> subprocess.Popen[str]:
    temporary.mkdir(exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(temporary)}
    return subprocess.Popen([sys.executable, "-m", "turnout_desktop.gui.app", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_the_temporary_demo_folder_is_removed_when_main_returns(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    app = run_desktop("--demo", "--screenshot", str(tmp_path / "main.png"), temporary=temporary)
    _out, err = app.communicate(timeout=180)
    assert app.returncode == 0, err
    assert (tmp_path / "main.png").exists()
    assert not list(temporary.glob("turnout-demo-*"))
    assert not Path(default_sqlite_url().removeprefix("sqlite:///")).exists()  # --demo never touches it


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_the_temporary_demo_folder_is_removed_after_sigterm(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    app = run_desktop("--demo", temporary=temporary)
    try:
        deadline = time.monotonic() + 120
        while not list(temporary.glob("turnout-demo-*/*_roster.csv")):  # seeding has begun
            assert app.poll() is None, app.communicate()[1]
            assert time.monotonic() < deadline, "the demo was never seeded"
            time.sleep(0.2)
        app.send_signal(signal.SIGTERM)
        _out, err = app.communicate(timeout=120)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    assert not list(temporary.glob("turnout-demo-*"))
