"""User preferences, declared once with defaults; UI state lives apart in QSettings.

Preferences are a small JSON file in the user data folder (``TURNOUT_DATA_DIR`` in tests);
the PostgreSQL password is kept only in the system keyring, never in that file.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import quote

from PySide6.QtCore import QSettings

from turnout_desktop.db.session import default_data_dir, default_sqlite_url

log = logging.getLogger(__name__)

KEYRING_SERVICE = "TurnoutDesktop"
PREFERENCES_FILE = "preferences.json"
DB_LOCAL = "local"
DB_POSTGRESQL = "postgresql"


@dataclass(slots=True)
class Preferences:
    """Everything the Settings dialog edits (gate thresholds are also stored in the database)."""

    db_kind: str = DB_LOCAL
    local_path: str = ""  # empty: the default file in the user data folder
    pg_host: str = "localhost"
    pg_port: int = 5432
    pg_database: str = "turnout"
    pg_user: str = "turnout"
    statewide_source: str = ""
    user_name: str = "admin"
    role: str = "admin"  # admin | clerk
    county: str = ""  # a clerk's county
    gate_verified: str = "99.9"
    gate_within: str = "99.0"
    auto_check_minutes: int = 60

    def database_url(self, password: str | None = None) -> str:
        """SQLAlchemy URL of the configured database (password from the keyring when not given)."""
        if self.db_kind == DB_POSTGRESQL:
            secret = password if password is not None else load_password(self)
            auth = quote(self.pg_user, safe="") + (f":{quote(secret, safe='')}" if secret else "")
            return f"postgresql://{auth}@{self.pg_host}:{self.pg_port}/{self.pg_database}"
        return f"sqlite:///{self.local_path}" if self.local_path else default_sqlite_url()

    def database_fields(self) -> tuple[object, ...]:
        """What names the database (no keyring lookup: that may block the GUI thread)."""
        return self.db_kind, self.local_path, self.pg_host, self.pg_port, self.pg_database, self.pg_user

    def keyring_account(self) -> str:
        return f"{self.pg_user}@{self.pg_host}:{self.pg_port}/{self.pg_database}"


def preferences_path() -> Path:
    return default_data_dir() / PREFERENCES_FILE


def load_preferences(path: Path | None = None) -> Preferences:
    """Read preferences, ignoring unknown keys and falling back to defaults on a damaged file."""
    path = path or preferences_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Preferences()
    except (OSError, ValueError) as exc:
        log.warning("preferences file %s unreadable (%s); using defaults", path, exc)
        return Preferences()
    known = {f.name: f for f in fields(Preferences)}
    values = {}
    for key, value in raw.items():
        if key in known:
            values[key] = int(value) if known[key].type in ("int", int) else value
    return Preferences(**values)


def save_preferences(preferences: Preferences, path: Path | None = None) -> None:
    path = path or preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(preferences), indent=2), encoding="utf-8")
    temporary.replace(path)  # atomic: a crash never leaves half a file


def load_password(preferences: Preferences) -> str | None:
    """The PostgreSQL password from the keyring, or None (no keyring backend is not an error)."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, preferences.keyring_account())
    except Exception as exc:  # noqa: BLE001 - keyring backends raise many kinds
        log.warning("keyring unavailable: %s", exc)
        return None


def is_secure_keyring(backend: object) -> bool:
    """False for keyring's ``fail``/``null`` backends and plaintext file backends (RELIABILITY.md T15).

    A chainer backend is as secure as the best backend it chains.
    """
    chained = getattr(backend, "backends", None)
    if isinstance(chained, list | tuple):
        return any(is_secure_keyring(inner) for inner in chained)
    module, name = type(backend).__module__, type(backend).__name__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    return "plaintext" not in name.lower() and "plaintext" not in module.lower()


def store_password(preferences: Preferences, password: str) -> bool:
    """Store the password in the keyring; False when no secure backend exists (nothing is stored then)."""
    try:
        import keyring

        backend = keyring.get_keyring()
        if not is_secure_keyring(backend):
            log.warning("refusing to store the password: keyring backend %s is not secure", type(backend).__name__)
            return False
        keyring.set_password(KEYRING_SERVICE, preferences.keyring_account(), password)
        return True
    except Exception as exc:  # noqa: BLE001
        log.warning("cannot store the password in the keyring: %s", exc)
        return False


def ui_state() -> QSettings:
    """QSettings for window geometry and table layouts only (an ini file next to the preferences)."""
    return QSettings(str(default_data_dir() / "ui-state.ini"), QSettings.Format.IniFormat)
