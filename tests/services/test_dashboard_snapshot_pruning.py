"""services/dashboard_snapshot.py: a save keeps one snapshot per database and deletes old ones."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from turnout_desktop.services.dashboard import Dashboard
from turnout_desktop.services.dashboard_snapshot import (
    SNAPSHOT_MAX_AGE,
    STALE_TEMPORARY_AGE,
    load_snapshot,
    prune_snapshots,
    save_snapshot,
    snapshot_path,
)

LOADED_AT = dt.datetime(2026, 11, 3, 21, 5, tzinfo=dt.UTC)
URL = "postgresql://clerk:s3cret@db.example.org:5432/turnout"
RECENT_URL = "postgresql://clerk@db.example.org:5432/opened-last-week"
OLD_URL = "postgresql://clerk@db.example.org:5432/last-year"


def _dashboard(statewide_source: str) -> Dashboard:
    return Dashboard(elections=(LOADED_AT.date(),), election=LOADED_AT.date(), overview=(), log=(),
                     statewide_source=statewide_source)


def _written(path: Path, text: str, age: dt.timedelta) -> Path:
    path.write_text(text, encoding="utf-8")
    return _age(path, age)


def _age(path: Path, age: dt.timedelta) -> Path:
    then = time.time() - age.total_seconds()
    os.utime(path, (then, then))
    return path


def test_a_save_deletes_snapshots_older_than_the_limit_and_keeps_the_others() -> None:
    save_snapshot(RECENT_URL, _dashboard("recent"), LOADED_AT)
    save_snapshot(OLD_URL, _dashboard("old"), LOADED_AT)
    recent = _age(snapshot_path(RECENT_URL), SNAPSHOT_MAX_AGE - dt.timedelta(days=1))
    old = _age(snapshot_path(OLD_URL), SNAPSHOT_MAX_AGE + dt.timedelta(days=1))
    folder = old.parent
    unrelated = _written(folder / "notes.json", "{}", SNAPSHOT_MAX_AGE * 3)
    save_snapshot(URL, _dashboard("new"), LOADED_AT)
    assert not old.exists() and load_snapshot(OLD_URL) is None
    assert recent.exists() and load_snapshot(RECENT_URL) is not None
    assert unrelated.exists()  # not a file this module names: left alone
    assert sorted(item.name for item in folder.iterdir()) == sorted(
        [snapshot_path(URL).name, recent.name, "notes.json"])


def test_a_database_keeps_only_its_latest_snapshot_and_no_crashed_temporary_file() -> None:
    save_snapshot(URL, _dashboard("first"), LOADED_AT)
    path = snapshot_path(URL)
    crashed = _written(path.parent / f".{path.stem}-x1y2.tmp", "{", STALE_TEMPORARY_AGE * 2)
    in_flight = _written(path.parent / f".{path.stem}-a1b2.tmp", "{", dt.timedelta())  # another window saving now
    save_snapshot(URL, _dashboard("second"), LOADED_AT + dt.timedelta(minutes=5))
    assert not crashed.exists()
    assert in_flight.exists()
    snapshot = load_snapshot(URL)
    assert snapshot is not None and snapshot.dashboard.statewide_source == "second"
    assert [item for item in path.parent.iterdir() if item.suffix == ".json"] == [path]


def test_the_snapshot_just_written_is_kept_even_with_an_old_clock() -> None:
    save_snapshot(URL, _dashboard("first"), LOADED_AT)
    path = _age(snapshot_path(URL), SNAPSHOT_MAX_AGE * 2)
    assert prune_snapshots(path.parent, keep=path) == ()
    assert path.exists()
    assert prune_snapshots(path.parent, keep=path.parent / "other.json") == (path,)
    assert not path.exists()


def test_the_snapshot_key_keeps_no_password_from_the_url_query() -> None:
    from turnout_desktop.services.dashboard_snapshot import database_key

    key = database_key("postgresql://clerk:pw-secret@db.example.org/turnout?sslmode=require&password=q-secret")
    assert key == "postgresql://clerk@db.example.org/turnout?sslmode=require"
