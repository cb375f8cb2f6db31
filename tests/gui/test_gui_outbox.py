"""The offline outbox in the desktop app: queue while the shared server is away, push when it is back.

"Away" is a PostgreSQL URL on a loopback port nobody listens on; the reachable server is the ``db_url``
fixture (a SQLite file, then the PostgreSQL test server). The local outbox is a real SQLite file.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

from desktop_jobs import closed_port_url
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from turnout_desktop.db.models import OutboxItem, Submission
from turnout_desktop.db.session import default_sqlite_url, make_engine
from turnout_desktop.gui import jobs
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.upload_wizard import UploadWizard
from turnout_desktop.services.outbox_sync import PushSummary

ELECTION = dt.date(2026, 3, 3)


def write_roster(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        writer.writerows([f"115100000{n}", "DEM" if n % 2 else "REP", "early-voting", "0001", "2026-02-20"]
                         for n in range(1, 6))
    return path


def outbox_rows(url: str) -> list[tuple[str, bool]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [(r.uuid, r.pushed_at is not None) for r in connection.execute(select(OutboxItem))]
    finally:
        engine.dispose()


def submit_through_wizard(qtbot, window: MainWindow, path: Path) -> object:
    window.session.election = ELECTION
    wizard = window.uploads.open_wizard([path])
    assert isinstance(wizard, UploadWizard)
    with qtbot.waitSignal(wizard.checked, timeout=20_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    submit = wizard.button(QWizard.WizardButton.FinishButton)
    assert submit.isEnabled(), wizard.counts_page.reason_label.text()
    with qtbot.waitSignal(wizard.submitted, timeout=30_000) as blocker:
        qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_wizard_queues_offline_then_push_stores_exactly_once(qtbot, db_url, tmp_path):
    window = MainWindow(jobs.ContextSpec(closed_port_url(), user="lou", role="clerk", county="LOVING"),
                        Preferences())
    qtbot.addWidget(window)
    assert window.session.spec.uses_outbox and window.session.spec.outbox_url == default_sqlite_url()
    assert window.labels.db_label.text() == "shared server" and window.outbox.timer.isActive()
    assert window.outbox.timer.interval() == 60_000 and window.outbox.send_action.isEnabled()

    # the dashboard cannot load: an inline banner and the offline status, no error dialog
    window.dashboard_view.refresh()
    qtbot.waitUntil(lambda: window.labels.online_label.text() == "Offline - 0 queued", timeout=20_000)
    assert window.banner.text().startswith("The shared server cannot be reached (")
    assert window.session.last_dialog is None and window.outbox.status.online is False

    result = submit_through_wizard(qtbot, window, write_roster(tmp_path / "loving_roster.csv"))
    assert result.queued is True and result.outbox_item.counties == ("LOVING",)
    wizard = window.session.last_dialog  # the wizard stays open on its result page
    assert isinstance(wizard, UploadWizard) and wizard.currentPage() is wizard.result_page
    assert wizard.result_page.outcome == "queued" and wizard.result_page.headline.text().startswith("Queued offline")
    assert wizard.result_page.next_step.text().startswith("Next step: Keep Turnout Desktop running")
    assert window.banner.text().startswith("Queued offline: will be sent when the server is reachable.")
    qtbot.waitUntil(lambda: window.labels.online_label.text() == "Offline - 1 queued", timeout=20_000)
    qtbot.waitUntil(window.runner.is_idle, timeout=10_000)
    assert outbox_rows(window.session.spec.outbox_url) == [(result.outbox_item.uuid, False)]

    # The server is reachable again: the next check sees offline -> online and pushes by itself.
    window.session.spec = dataclasses.replace(window.session.spec, db_url=db_url)
    with qtbot.waitSignal(window.outbox.pushed, timeout=60_000) as pushed:
        window.outbox.check()
    summary = pushed.args[0]
    assert isinstance(summary, PushSummary)
    assert (summary.pushed, summary.failed, summary.pending, summary.online) == (1, 0, 0, True)
    assert summary.text() == "Queued uploads: 1 pushed, 0 failed."
    assert window.statusBar().currentMessage() == "Queued uploads: 1 pushed, 0 failed."
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)  # the dashboard refresh after the push
    assert window.labels.online_label.text() == "Online"
    assert outbox_rows(window.session.spec.outbox_url) == [(result.outbox_item.uuid, True)]
    engine = make_engine(db_url)
    with engine.connect() as connection:
        stored = connection.execute(select(Submission.uuid, Submission.county, Submission.submitted_by)).all()
    engine.dispose()
    # On a shared server the login that pushes is who submits (the queued item keeps "lou").
    submitter = "lou" if db_url.startswith("sqlite") else make_url(db_url).username
    assert [tuple(row) for row in stored] == [(result.outbox_item.uuid, "LOVING", submitter)]

    # File > Send queued uploads with nothing left: nothing new reaches the server.
    with qtbot.waitSignal(window.outbox.pushed, timeout=30_000) as again:
        window.outbox.send_action.trigger()
    assert again.args[0].text() == "Queued uploads: 0 pushed, 0 failed."
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Submission)).scalar_one() == 1
    engine.dispose()


def test_local_database_does_not_use_the_outbox(qtbot, empty_url):
    window = MainWindow(jobs.ContextSpec(empty_url, user="ada", role="admin"), Preferences())
    qtbot.addWidget(window)
    assert not window.session.spec.uses_outbox and window.session.spec.outbox_url is None
    assert window.labels.db_label.text() == "local database"
    assert not window.outbox.timer.isActive() and not window.outbox.send_action.isEnabled()
    window.outbox.check()
    window.outbox.push()
    assert window.runner.is_idle() and window.outbox.status is None


def test_server_back_with_nothing_queued_reloads_the_dashboard(qtbot, empty_url):
    window = MainWindow(jobs.ContextSpec(closed_port_url(), user="ada", role="admin"), Preferences())
    qtbot.addWidget(window)
    window.dashboard_view.refresh()
    qtbot.waitUntil(lambda: window.labels.online_label.text() == "Offline - 0 queued", timeout=20_000)
    qtbot.waitUntil(window.runner.is_idle, timeout=10_000)
    window.session.spec = dataclasses.replace(window.session.spec, db_url=empty_url)
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.outbox.check()
    qtbot.waitUntil(window.runner.is_idle, timeout=10_000)
    assert window.labels.online_label.text() == "Online" and window.outbox.last_summary is None
    assert window.session.dashboard is not None and window.session.dashboard.outbox_pending == 0
