"""services/dashboard_snapshot.py: the last dashboard saved for an offline start, per database, never its password."""

from __future__ import annotations

import datetime as dt
import json
import logging
import stat
from pathlib import Path

import pytest
from reconciliation_rows import ELECTION, MAIL, add_reference
from sqlalchemy import Engine

from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.dashboard import Dashboard, load_dashboard
from turnout_desktop.services.dashboard_snapshot import database_key, load_snapshot, save_snapshot, snapshot_path
from turnout_desktop.services.fixes import override

SHARED_URL = "postgresql://clerk:s3cret@db.example.org:5432/turnout"
LOADED_AT = dt.datetime(2026, 11, 3, 21, 5, tzinfo=dt.timezone(dt.timedelta(hours=-6)))


def _loaded_dashboard(engine: Engine) -> Dashboard:
    """Two escalations, one overridden: overview rows, log entries with an override, one election."""
    add_reference(engine, "LOVING", "DEM", {MAIL: 50}, total=100)
    add_reference(engine, "KENT", "DEM", {MAIL: 5})
    ctx = AppContext(engine, user="ada", role="admin")
    reconciliation.reconcile(ctx, Scope(ELECTION), strategies=[])
    override(ctx, Scope(ELECTION, "LOVING", "DEM"), reason="County confirmed late mail ballots by phone")
    return load_dashboard(ctx)


def test_the_frozen_dashboard_comes_back_equal(db_engine: Engine) -> None:
    dashboard = _loaded_dashboard(db_engine)
    assert dashboard.overview and dashboard.log and dashboard.election == ELECTION
    assert any(entry.override is not None for entry in dashboard.log)
    save_snapshot(SHARED_URL, dashboard, LOADED_AT)
    snapshot = load_snapshot(SHARED_URL)
    assert snapshot is not None
    assert snapshot.loaded_at == LOADED_AT and snapshot.loaded_at.utcoffset() == dt.timedelta(hours=-6)
    restored = snapshot.dashboard
    assert restored.election == dashboard.election and isinstance(restored.election, dt.date)
    assert restored.elections == dashboard.elections and restored.certified == dashboard.certified
    assert restored.overview == dashboard.overview
    assert restored.log == dashboard.log
    assert restored.statewide_source == dashboard.statewide_source
    assert restored.shared is None and restored.audit is None  # re-read online, never kept
    # Equality holds for text too: the records must hold the enums again, as the live dashboard's do.
    assert {type(row.status) for row in restored.overview} == {Status}
    assert {(type(entry.status), type(entry.trigger_type)) for entry in restored.log} == {(Status, Trigger)}
    assert {type(attempt.outcome) for entry in restored.log for attempt in entry.attempts} <= {AttemptOutcome}
    assert {type(entry.override.status) for entry in restored.log if entry.override} == {Status}


def test_a_snapshot_with_a_status_the_app_does_not_know_is_ignored(db_engine: Engine,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    save_snapshot(SHARED_URL, _loaded_dashboard(db_engine), LOADED_AT)
    path = snapshot_path(SHARED_URL)
    text = path.read_text(encoding="utf-8")
    assert '"ESCALATED"' in text
    path.write_text(text.replace('"ESCALATED"', '"NOT_A_STATUS"'), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="turnout_desktop.services.dashboard_snapshot"):
        assert load_snapshot(SHARED_URL) is None
    assert "NOT_A_STATUS" in caplog.text


def test_the_file_is_the_users_only_and_holds_no_password(db_engine: Engine) -> None:
    save_snapshot(SHARED_URL, _loaded_dashboard(db_engine), LOADED_AT)
    path = snapshot_path(SHARED_URL)
    assert path == snapshot_path("postgresql://clerk@db.example.org:5432/turnout")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "s3cret" not in text
    assert json.loads(text)["database"] == "postgresql://clerk@db.example.org:5432/turnout"
    assert [item.name for item in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_the_password_does_not_change_which_database_it_is() -> None:
    assert database_key(SHARED_URL) == database_key("postgresql://clerk@db.example.org:5432/turnout")
    assert database_key(SHARED_URL) != database_key("postgresql://clerk:s3cret@db.example.org:5432/other")


def test_another_databases_snapshot_is_never_returned(db_engine: Engine) -> None:
    save_snapshot(SHARED_URL, _loaded_dashboard(db_engine), LOADED_AT)
    other = "postgresql://clerk:s3cret@db.example.org:5432/other"
    assert load_snapshot(other, snapshot_path(SHARED_URL)) is None  # a file of another database, whatever its name
    assert load_snapshot("postgresql://clerk:s3cret@db.example.org:5432/other") is None
    assert load_snapshot("postgresql://ada@db.example.org:5432/turnout") is None
    assert load_snapshot("postgresql://clerk:changed@db.example.org:5432/turnout") is not None


@pytest.mark.parametrize("content", ["{not json", '{"format": 1, "database": "%s"}',
                                     '{"format": 1, "database": "%s", "loaded_at": "2026-11-03T21:05:00",'
                                     ' "dashboard": {"elections": ["not a date"], "election": null, "overview": [],'
                                     ' "log": [], "statewide_source": null, "certified": []}}',
                                     '{"format": 1, "database": "%s", "loaded_at": "2026-11-03T21:05:00",'
                                     ' "dashboard": {"elections": [], "election": null, "overview": [{"county": 5}],'
                                     ' "log": [], "statewide_source": null, "certified": []}}'])
def test_a_corrupt_snapshot_is_ignored_with_a_log_line(tmp_path: Path, content: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(content.replace("%s", database_key(SHARED_URL)), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="turnout_desktop.services.dashboard_snapshot"):
        assert load_snapshot(SHARED_URL, path) is None
    assert "dashboard snapshot" in caplog.text


def test_no_snapshot_yet_is_no_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert load_snapshot(SHARED_URL, tmp_path / "absent.json") is None
    assert not caplog.text
