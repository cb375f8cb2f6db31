"""Main-window actions on the demo database: the overview double-click, Ctrl+O and drag and drop, Reconcile all,
the wizard's statewide column, the settings (server named, no password, gate thresholds stored) and the
timers stopped on close."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

from gui_keyring import install_memory_keyring
from gui_timers import active_timers
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QWizard
from sqlalchemy import select
from test_gui_main_window import open_window

from turnout_desktop.db.models import StatewideCountCache
from turnout_desktop.db.session import transaction
from turnout_desktop.db.settings_store import GATE_VERIFIED, GATE_WITHIN, get_setting
from turnout_desktop.domain.labels import method_label
from turnout_desktop.gui import jobs
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences, preferences_path, ui_state
from turnout_desktop.gui.settings_dialog import SettingsDialog
from turnout_desktop.gui.upload_wizard import UploadWizard
from turnout_desktop.services.context import open_context

ELECTION = dt.date(2026, 3, 3)


def overview_index(window: MainWindow, county: str):
    proxy = window.overview.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(Qt.ItemDataRole.UserRole + 2).county == county:
            return proxy.index(row, 0)
    raise AssertionError(f"{county} not in the overview")


def double_click_overview(qtbot, window: MainWindow, county: str) -> None:
    index = overview_index(window, county)
    window.overview.table.scrollTo(index)
    viewport = window.overview.table.viewport()
    where = window.overview.table.visualRect(index).center()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)  # a real double-click follows a click
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)


def test_overview_double_click_opens_details_or_says_no_reconciliation(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    double_click_overview(qtbot, window, "LOVING")
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    assert window.session.last_dialog.detail.county == "LOVING"
    window.session.last_dialog.close()
    double_click_overview(qtbot, window, "ANDERSON")
    assert window.banner.isVisibleTo(window)
    assert window.banner.text() == "ANDERSON: no reconciliation yet (no upload, or not checked)."


def test_ctrl_o_opens_the_file_dialog_and_a_dropped_file_opens_the_wizard(qtbot, admin_spec, demo_template):
    window = open_window(qtbot, admin_spec)
    assert window.open_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(QFileDialog)), timeout=5_000)
    chooser = next(d for d in window.findChildren(QFileDialog) if d.isVisible())
    assert chooser.windowTitle() == "Open county file"
    chooser.reject()

    roster = demo_template.parent / "files" / "king_roster.csv"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(roster))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    assert drop.isAccepted()
    wizard = window.session.last_dialog
    assert isinstance(wizard, UploadWizard) and wizard.isVisible()
    assert wizard.files_page.paths() == [roster]
    assert ui_state().value("recent_files")[0] == str(roster)
    wizard.reject()


def test_reconcile_all_refreshes_the_dashboard(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    before = window.activity.model.rowCount()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=60_000):
        window.reconcile_action.trigger()
    assert window.runner.is_idle()
    assert window.activity.model.rowCount() >= before
    statuses = {(r.county, r.party): r.category for r in window.overview.model.records() if r.party}
    assert len(statuses) == 14 and statuses[("LOVING", "DEM")] == "verified"


def test_wizard_counts_page_shows_statewide_counts_and_difference(qtbot, admin_spec, demo_template):
    window = open_window(qtbot, admin_spec)
    roster = demo_template.parent / "files" / "king_roster.csv"
    with roster.open(newline="", encoding="utf-8") as handle:
        county_counts = Counter((r["PARTY"], r["VOTING_METHOD"]) for r in csv.DictReader(handle))
    ctx = open_context(admin_spec.db_url)
    with transaction(ctx.engine) as session:
        statewide = {(r.party, r.voting_method): r.count for r in session.execute(
            select(StatewideCountCache).where(StatewideCountCache.election_date == ELECTION,
                                              StatewideCountCache.county == "KING")).scalars()}
    ctx.engine.dispose()
    assert statewide, "the demo caches statewide counts for KING"
    wizard = window.uploads.open_wizard([roster])
    wizard.files_page.county.setCurrentText("KING")
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    model = wizard.counts_page.counts
    headers = model.headers()
    shown = {}
    for row in range(model.rowCount()):
        cells = {h: model.index(row, c).data() for c, h in enumerate(headers)}
        shown[(cells["Party"], cells["Method"])] = cells
    methods = [key for key in county_counts]
    assert methods and all((party, method_label(method)) in shown for party, method in methods)  # words, not codes
    assert any(county_counts[key] != statewide[key] for key in methods)  # a real difference is shown
    for key in methods:
        cells = shown[(key[0], method_label(key[1]))]
        assert cells["County"] == "KING"
        assert cells["County count"] == f"{county_counts[key]:,}"
        assert cells["Statewide"] == f"{statewide[key]:,}"
        difference = county_counts[key] - statewide[key]
        assert cells["Difference"] == f"{difference:+,}"
    wizard.reject()


def test_settings_name_the_server_and_never_hold_a_password(qtbot, monkeypatch, empty_url):
    """The password is typed at sign-in (test_gui_sign_in.py); Settings keep host, database and sslmode only."""
    backend = install_memory_keyring(monkeypatch)
    window = open_window(qtbot, jobs.ContextSpec(empty_url))
    ui_state().setValue("probe", "written")  # make sure the QSettings file exists to be searched
    ui_state().sync()
    dialog = window.settings_actions.open()
    assert isinstance(dialog, SettingsDialog)
    assert not hasattr(dialog, "pg_password") and not hasattr(dialog, "pg_user")
    dialog.db_kind.setCurrentIndex(dialog.db_kind.findData("postgresql"))
    dialog.pg_host.setText("db.example.org")
    dialog.pg_sslmode.setCurrentText("verify-full")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert backend.secrets == {}
    assert saved.args[0].database_url() == "postgresql://db.example.org:5432/turnout?sslmode=verify-full"
    stored = json.loads(preferences_path().read_text(encoding="utf-8"))
    assert stored["db_kind"] == "postgresql" and stored["pg_host"] == "db.example.org"
    assert stored["pg_sslmode"] == "verify-full" and not [key for key in stored if "password" in key]
    assert Path(ui_state().fileName()).exists()
    assert window.statusBar().currentMessage() == "The new database is used from the next start of the app."
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def test_main_window_saves_gate_thresholds_to_the_database(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    ctx = open_context(admin_spec.db_url)
    with transaction(ctx.engine) as session:
        before = (get_setting(session, GATE_VERIFIED), get_setting(session, GATE_WITHIN))
    assert before != ("99.5", "98.5")
    dialog = window.settings_actions.open()
    dialog.gate_verified.setText("99.5")
    dialog.gate_within.setText("98.5")
    with qtbot.waitSignal(window.settings_changed) as changed:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert changed.args[0].gate_verified == "99.5"
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)
    with transaction(ctx.engine) as session:
        after = (get_setting(session, GATE_VERIFIED), get_setting(session, GATE_WITHIN))
    ctx.engine.dispose()
    assert after == ("99.5", "98.5")
    assert Preferences().gate_verified == "99.9"  # the defaults are untouched


def test_closing_the_window_stops_clock_outbox_and_message_timers(qtbot, tmp_path):
    spec = jobs.ContextSpec("postgresql://nobody@127.0.0.1:1/absent", outbox_url=f"sqlite:///{tmp_path / 'o.db'}")
    window = MainWindow(spec, Preferences(auto_check_minutes=60))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.statusBar().showMessage("shown for a minute", 60_000)
    running = set(active_timers(window))
    assert {"MainWindow/autoCheckTimer", "MainWindow/outboxTimer", "MainWindow/statusClock"} <= running
    assert len(running) == 4  # the status bar's message timer as well
    window.close()
    assert active_timers(window) == []
    assert not window.outbox.timer.isActive() and not window.status_panel.clock.isActive()


def test_leak_check_sees_any_active_timer_below_a_widget(qtbot):
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    qtbot.addWidget(widget)
    owner = QObject(widget)  # a timer owned by a helper object of the widget counts too
    timer = QTimer(owner)
    timer.setObjectName("helperTimer")
    timer.start(60_000)
    assert active_timers(widget) == ["QWidget/helperTimer"]
    timer.stop()
    assert active_timers(widget) == []
