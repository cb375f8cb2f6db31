"""A start while the shared server is away shows the last-known figures of that database,
marked "offline, figures as of <date time zone>", saved after the last good load (services/dashboard_snapshot.py)."""

from __future__ import annotations

import datetime as dt
import stat

from desktop_jobs import closed_port_url
from reconciliation_rows import ELECTION, MAIL, add_reference

from turnout_desktop.db.session import make_engine
from turnout_desktop.gui import jobs
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.services.context import open_context
from turnout_desktop.services.county_overview import overview_lines
from turnout_desktop.services.dashboard import Dashboard, load_dashboard
from turnout_desktop.services.dashboard_snapshot import load_snapshot, save_snapshot, snapshot_path

LOADED_AT = dt.datetime(2026, 11, 3, 21, 5, tzinfo=dt.UTC)


def _demo_dashboard(demo_url: str) -> Dashboard:
    ctx = open_context(demo_url, user="ada", role="admin")
    try:
        return load_dashboard(ctx)
    finally:
        ctx.engine.dispose()


def _start_offline(qtbot, url: str) -> MainWindow:
    window = MainWindow(jobs.ContextSpec(url, user="ada", role="admin"), Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.show()
    window.dashboard_view.refresh()
    qtbot.waitUntil(lambda: window.labels.online_label.text().startswith("Offline"), timeout=20_000)
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
    return window


def test_an_offline_start_shows_the_saved_figures_with_their_date_and_zone(qtbot, demo_url) -> None:
    saved = _demo_dashboard(demo_url)
    assert saved.overview and saved.log and saved.election is not None
    url = closed_port_url()
    save_snapshot(url, saved, LOADED_AT)
    window = _start_offline(qtbot, url)
    view = window.dashboard_view
    assert view.offline_mark.isVisible()
    assert view.offline_mark.text() == f"offline, figures as of {LOADED_AT.astimezone():%Y-%m-%d %H:%M %Z}"
    shown = {(record.county, record.party): record.actual_total
             for record in window.overview.model.records()}
    assert window.overview.model.rowCount() == len(overview_lines(saved.overview))
    for row in saved.overview:  # the snapshot's figures, not "No upload yet" rows
        assert shown[(row.county, row.party)] == row.actual_total
    assert window.activity.model.rowCount() > 0
    assert window.session.election == saved.election
    assert view.election_combo.currentText() == saved.election.isoformat()
    assert window.session.last_dialog is None  # a state, not an error dialog
    window.close()


def test_another_databases_snapshot_is_not_shown(qtbot, demo_url) -> None:
    save_snapshot(closed_port_url(), _demo_dashboard(demo_url), LOADED_AT)
    window = _start_offline(qtbot, closed_port_url())  # another port: another database
    assert not any(record.get("actual_total") for record in window.overview.model.records())
    assert window.activity.model.rowCount() == 0
    assert window.session.dashboard is None and window.dashboard_view.offline_mark.isHidden()
    assert window.session.last_dialog is None
    window.close()


def test_a_good_load_of_a_shared_database_saves_what_the_tables_show(qtbot, db_url) -> None:
    """A shared database's figures are saved for an offline start; a local file's never (it is always there)."""
    engine = make_engine(db_url)
    add_reference(engine, "LOVING", "DEM", {MAIL: 50}, total=100)
    engine.dispose()
    spec = jobs.ContextSpec(db_url, user="postgres", role="admin")
    window = MainWindow(spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.dashboard_view.refresh()
    qtbot.waitUntil(window.runner.is_idle, timeout=20_000)
    writer = window.dashboard_view.snapshot_writer
    if db_url.startswith("sqlite"):
        assert writer is None and not snapshot_path(spec.resolved_url).exists()
        window.close()
        return
    assert writer is not None
    writer.join(timeout=20)  # saved off the GUI thread
    path = snapshot_path(spec.resolved_url)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    snapshot = load_snapshot(spec.resolved_url)
    assert snapshot is not None and snapshot.loaded_at == window.dashboard_view.loaded_at
    assert snapshot.dashboard.election == ELECTION
    assert snapshot.dashboard.overview == window.session.dashboard.overview
    window.close()
