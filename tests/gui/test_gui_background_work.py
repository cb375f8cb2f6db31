"""Background work you can see: what an auto-check changed is told (tray, else status
bar), the dashboard keeps its last figures offline with a mark, progress tells the time left, and SIGTERM
closes the window cleanly (saving its state)."""

from __future__ import annotations

import dataclasses
import signal

from turnout_desktop.gui import window_state
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.tray_notifier import TrayNotifier, notification_text
from turnout_desktop.services.check_changes import CheckChanges


def test_notification_words_both_kinds_of_change() -> None:
    text = notification_text(CheckChanges(escalated=("KING", "MOTLEY"), healed=("KENT",)))
    assert text == "Escalated, needs a person: KING, MOTLEY\nNo longer escalated: KENT"
    assert notification_text(CheckChanges(healed=("KENT",))) == "No longer escalated: KENT"


def test_without_a_tray_the_notification_goes_to_the_status_bar(qtbot, admin_spec) -> None:
    window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.dashboard_view.refresh()
    assert window.auto_check.notifier.tray is None  # offscreen: no system tray
    with qtbot.waitSignal(window.dashboard_loaded, timeout=30_000):
        window.auto_check.run()
    assert window.auto_check.notifier.last_text == ""  # nothing changed since the dashboard: silent
    results = window.auto_check.last_results
    calm = next(r.county for r in results if r.county != "*" and r.status not in ("ESCALATED", "FAILED")
                and all(o.status not in ("ESCALATED", "FAILED") for o in results if o.county == r.county))
    # The previous check had that county escalated: this check heals it.
    window.auto_check.last_results = [dataclasses.replace(r, status="ESCALATED") if r.county == calm else r
                                      for r in results]
    with qtbot.waitSignal(window.dashboard_loaded, timeout=30_000):
        window.auto_check.run()
    assert window.auto_check.notifier.last_text == f"No longer escalated: {calm}"
    assert f"No longer escalated: {calm}" in window.statusBar().currentMessage()
    window.close()


def test_a_tray_icon_shows_when_the_desktop_has_a_tray(qtbot, admin_spec) -> None:
    from turnout_desktop.gui.window_session import WindowSession

    session = WindowSession(admin_spec, Preferences())
    messages: list[str] = []
    session.message_requested.connect(lambda text, _ms: messages.append(text))
    notifier = TrayNotifier(session, session, tray_available=True)
    assert notifier.tray is not None and notifier.tray.toolTip() == "Turnout Desktop"
    notifier.notify(CheckChanges(escalated=("KING",)))
    assert notifier.last_text == "Escalated, needs a person: KING"
    notifier.hide()
    assert not notifier.tray.isVisible()


def test_sigterm_closes_the_window_through_the_event_loop_and_saves_its_state(qtbot, admin_spec) -> None:
    from turnout_desktop.gui.shutdown import TerminationWatch

    window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.dashboard_view.refresh()
    window.resize(640, 480)
    assert not window_state.has_saved_geometry()
    watch = TerminationWatch(window.close, tick_ms=10)
    previous = signal.getsignal(signal.SIGTERM)
    watch.install()
    try:
        assert signal.getsignal(signal.SIGTERM) == watch.handle_signal  # so raising it below cannot end pytest
        watch.tick()
        assert window.isVisible()  # no signal, no closing
        signal.raise_signal(signal.SIGTERM)
        assert watch.requested and window.isVisible()  # the handler only raises the flag ...
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)  # ... the tick closes the window
    finally:
        watch.uninstall()
    assert signal.getsignal(signal.SIGTERM) == previous and not watch.timer.isActive()
    assert window_state.has_saved_geometry()  # closeEvent saved the layout
    assert window.runner.is_idle() and not window.auto_check.timer.isActive()


def test_offline_the_last_figures_stay_with_a_mark_of_their_age(qtbot, admin_spec, tmp_path) -> None:
    from desktop_jobs import closed_port_url

    window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.dashboard_view.refresh()
    mark = window.dashboard_view.offline_mark
    assert mark.isHidden()  # online: no mark
    shown_rows = window.overview.model.rowCount()
    shown_election = window.session.election
    loaded_at = window.dashboard_view.loaded_at
    assert shown_rows > 0 and shown_election is not None and loaded_at is not None
    # The shared server goes away (a PostgreSQL port nobody listens on) and the user picks another election.
    window.session.spec = dataclasses.replace(window.session.spec, db_url=closed_port_url(),
                                              outbox_url=f"sqlite:///{tmp_path / 'outbox.db'}")
    window.session.election = None
    window.dashboard_view.refresh()
    qtbot.waitUntil(lambda: mark.isVisible(), timeout=20_000)
    assert mark.text() == f"offline, figures as of {loaded_at:%H:%M}"
    assert window.overview.model.rowCount() == shown_rows  # the last figures, not empty tables
    assert window.session.election == shown_election
    assert window.dashboard_view.election_combo.currentText() == shown_election.isoformat()
    assert window.session.last_dialog is None  # a state, not an error dialog
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
    # Back online: a fresh dashboard removes the mark.
    window.session.spec = admin_spec
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.dashboard_view.refresh()
    assert mark.isHidden()
    window.close()


def test_time_left_is_told_once_the_rate_is_known() -> None:
    from turnout_desktop.gui.task_runner import progress_label, time_left_text

    assert time_left_text(0.5, 0.01) == "about 50 s left"
    assert time_left_text(0.1, 0.001) == "about 15 min left"
    assert time_left_text(0.99, 0.5) == "about 5 s left" and time_left_text(1.0, 0.5) == ""
    assert progress_label("Submitting", "Storing 300,000 rows from kent.csv", 0.4, None, 10.0) == \
        "Submitting\nStoring 300,000 rows from kent.csv"
    assert progress_label("Submitting", "", 0.4, (9.5, 0.05), 10.0) == "Submitting"  # too early to guess
    assert progress_label("Submitting", "Storing", 0.4, (0.0, 0.05), 7.0) == \
        "Submitting\nStoring\nabout 10 s left"  # 0.35 in 7 s: the other 0.6 take 12 s, told to 5 s


def slow_rows(rows: int, *, progress, cancelled) -> int:
    import time

    for done in range(rows + 1):
        progress(done / rows, f"{done} of {rows} rows")
        time.sleep(0.04)
    return rows


def test_the_progress_dialog_tells_rows_and_time_left(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    from turnout_desktop.gui.task_runner import TaskRunner

    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent, dialog_parent=parent, dialog_delay_ms=50)
    done: list[int] = []
    runner.start(slow_rows, 100, on_result=done.append, title="Storing kent.csv")
    qtbot.waitUntil(lambda: runner.progress_dialog is not None
                    and "s left" in runner.progress_dialog.labelText(), timeout=10_000)
    title, rows, left = runner.progress_dialog.labelText().split("\n")
    assert title == "Storing kent.csv" and rows.endswith(" of 100 rows") and left.startswith("about ")
    qtbot.waitUntil(lambda: done == [100], timeout=10_000)
    runner.shutdown()


def test_submit_reports_its_files_and_rows(tmp_path, empty_url) -> None:
    import csv
    import datetime as dt

    from turnout_desktop.services.context import open_context
    from turnout_desktop.services.submission import submit_files

    roster = tmp_path / "loving_roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        writer.writerows([f"115100000{n}", "DEM", "early-voting", "0001", "2026-02-20"] for n in range(1, 6))
    steps: list[str] = []
    ctx = open_context(empty_url)
    try:
        submit_files(ctx, [roster], election=dt.date(2026, 3, 3), county="LOVING", reconcile=False,
                     progress=lambda _fraction, text: steps.append(text))
    finally:
        ctx.engine.dispose()
    assert steps[:2] == ["Reading loving_roster.csv", "Storing 5 rows from loving_roster.csv"]
