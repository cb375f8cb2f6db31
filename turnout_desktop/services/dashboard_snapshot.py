"""The last dashboard loaded, kept on disk so an offline start still shows last-known figures.

After every good load the desktop app saves what its tables show (:class:`DashboardSnapshot`) to a small
JSON file per database in the per-user data folder (``db.session.default_data_dir``), written atomically and readable
by the user only. Each save also deletes the folder's snapshots older than ``SNAPSHOT_MAX_AGE`` (databases no longer
opened) and temporary files a crashed save left behind, so the folder holds only the latest file per database.
The file holds the database URL without its password and is checked on load: a snapshot of another database is
never returned, and a corrupt file is ignored with a log line. Nothing here knows Qt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import logging
import os
import re
import tempfile
import time
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import ArgumentError

from turnout_desktop.db.session import default_data_dir, url_without_secrets
from turnout_desktop.services.dashboard import Dashboard

SNAPSHOT_FOLDER = "dashboard-snapshots"
SNAPSHOT_FORMAT = 1
SNAPSHOT_MAX_AGE = dt.timedelta(days=30)  # a database not opened for this long shows no figures that old offline
STALE_TEMPORARY_AGE = dt.timedelta(minutes=10)  # far longer than any save takes: its writer crashed
_SNAPSHOT_NAME = re.compile(r"[0-9a-f]{20}\.json")
_TEMPORARY_NAME = re.compile(r"\.[0-9a-f]{20}-.*\.tmp")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DashboardSnapshot:
    """What the tables showed, when (an aware local time) and from which database (URL without password)."""

    database: str
    loaded_at: dt.datetime
    dashboard: Dashboard  # ``shared`` and ``audit`` are not kept: they are re-read online


def snapshot_path(db_url: str) -> Path:
    """One file per database (named by a hash of the URL without password), so switching keeps both."""
    digest = hashlib.sha256(database_key(db_url).encode("utf-8")).hexdigest()[:20]
    return default_data_dir() / SNAPSHOT_FOLDER / f"{digest}.json"


def database_key(url: str) -> str:
    """``url`` without its password, the form a snapshot is saved under."""
    try:
        return url_without_secrets(url)[0]
    except ArgumentError:  # not a URL SQLAlchemy reads: keep only what precedes a password
        scheme, separator, rest = url.partition("://")
        credentials, at, location = rest.rpartition("@")
        return f"{scheme}{separator}{credentials.split(':', 1)[0]}{at}{location}" if at else url


def save_snapshot(db_url: str, dashboard: Dashboard, loaded_at: dt.datetime, path: Path | None = None) -> None:
    """Write the snapshot atomically (a crash never leaves half a file), mode 0600."""
    path = path or snapshot_path(db_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {field: getattr(dashboard, field) for field in _KEPT_FIELDS}
    document = {"format": SNAPSHOT_FORMAT, "database": database_key(db_url),
                "loaded_at": loaded_at.isoformat(), "dashboard": _plain(kept)}
    # mkstemp creates the file 0600 under a unique name, so two saves in flight never share a temporary file.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    prune_snapshots(path.parent, keep=path)


def prune_snapshots(folder: Path, keep: Path, now: float | None = None) -> tuple[Path, ...]:
    """Delete the snapshots in ``folder`` older than ``SNAPSHOT_MAX_AGE`` and stale temporary files.

    Only files named as this module names them are touched, never ``keep`` (the snapshot just written); a
    file that cannot be deleted is logged and left. Returns the files deleted.
    """
    now = time.time() if now is None else now
    deleted = []
    for candidate in folder.iterdir():
        if _SNAPSHOT_NAME.fullmatch(candidate.name):
            oldest = SNAPSHOT_MAX_AGE
        elif _TEMPORARY_NAME.fullmatch(candidate.name):
            oldest = STALE_TEMPORARY_AGE
        else:
            continue
        try:
            if candidate == keep or now - candidate.stat().st_mtime <= oldest.total_seconds():
                continue
            candidate.unlink()
        except FileNotFoundError:  # another window's save pruned it first
            continue
        except OSError as exc:
            log.warning("Could not delete the old dashboard snapshot %s: %s", candidate, exc)
            continue
        deleted.append(candidate)
    return tuple(deleted)


def load_snapshot(db_url: str, path: Path | None = None) -> DashboardSnapshot | None:
    """The snapshot saved for ``db_url``; None when absent, of another database, or unreadable."""
    path = path or snapshot_path(db_url)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("Ignoring the unreadable dashboard snapshot %s: %s", path, exc)
        return None
    try:
        if document["format"] != SNAPSHOT_FORMAT or document["database"] != database_key(db_url):
            return None
        loaded_at = dt.datetime.fromisoformat(document["loaded_at"])
        kept = document["dashboard"]
        dashboard = Dashboard(**{field: _decode(_DASHBOARD_TYPES[field], kept[field]) for field in _KEPT_FIELDS},
                              shared=None, audit=None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("Ignoring the corrupt dashboard snapshot %s: %s: %s", path, type(exc).__name__, exc)
        return None
    return DashboardSnapshot(database=document["database"], loaded_at=loaded_at, dashboard=dashboard)


_KEPT_FIELDS = ("elections", "election", "overview", "log", "statewide_source", "certified")
_DASHBOARD_TYPES = typing.get_type_hints(Dashboard)


def _plain(value: Any) -> Any:
    """JSON-ready: dataclasses as objects, tuples as lists, dates as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(hint: Any, value: Any) -> Any:
    """``value`` read back as ``hint`` says (the types of the dashboard's frozen records); wrong shapes raise."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            if type(None) not in typing.get_args(hint):
                raise TypeError("null where a value is required")
            return None
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _decode(inner, value)
    if origin is tuple:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        return tuple(_decode(typing.get_args(hint)[0], item) for item in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {hint.__name__}")
        hints = _record_types(hint)
        return hint(**{name: _decode(hints[name], value[name]) for name in hints if name in value})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):  # Status, Trigger, ...: an unknown value raises
        return hint(value)
    if hint is dt.datetime:  # a log entry's times; before they were typed, the same ISO text was kept
        return dt.datetime.fromisoformat(value)
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    if hint in (int, str, bool) and not isinstance(value, hint):
        raise TypeError(f"expected {hint.__name__}, got {type(value).__name__}")
    if hint is float and not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return value  # Mapping[...] and Any stay as JSON gave them


def _record_types(record: type) -> dict[str, Any]:
    """The field types of ``record`` (e.g. ``CountyOverviewRow``, ``LogEntry`` and what it nests)."""
    return {name: hint for name, hint in typing.get_type_hints(record).items()
            if name in {item.name for item in dataclasses.fields(record)}}

