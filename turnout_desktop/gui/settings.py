"""User preferences, declared once with defaults; UI state lives apart in QSettings.

Preferences are a small JSON file in the user data folder (``TURNOUT_DATA_DIR`` in tests);
the PostgreSQL password is kept only in the system keyring ("remember me" at sign-in), never in
that file. Who acts is not a preference: on PostgreSQL the database reports the signed-in login's
role and counties, and on the local SQLite file nobody signs in (role ``local``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from PySide6.QtCore import QSettings

from turnout_desktop.services.connection import default_data_dir, default_sqlite_url
from turnout_desktop.services.sign_in import SSL_MODES, ServerAddress

log = logging.getLogger(__name__)

KEYRING_SERVICE = "TurnoutDesktop"
PREFERENCES_FILE = "preferences.json"
DB_LOCAL = "local"
DB_POSTGRESQL = "postgresql"


@dataclass(slots=True)
class Preferences:
    """Everything the Settings dialog edits on this computer.

    The gate thresholds, statewide source and auto-check interval are shared through the database
    (``services.shared_settings``); the copies here are the last values this computer saw. ``pg_user``
    only pre-fills the sign-in dialog: the login that signs in is who acts.
    """

    db_kind: str = DB_LOCAL
    local_path: str = ""  # empty: the default file in the user data folder
    pg_host: str = "localhost"
    pg_port: int = 5432
    pg_database: str = "turnout"
    pg_user: str = ""  # the last login that signed in here
    pg_sslmode: str = "prefer"  # libpq's sslmode; verify-full in production
    statewide_source: str = ""
    gate_verified: str = "99.9"
    gate_within: str = "99.0"
    auto_check_minutes: int = 60  # this computer's check timer; 0 = off
    start_choice: str = ""  # the first start's welcome dialog: "demo", "local" or "server" (gui/welcome_dialog.py)

    def server_address(self) -> ServerAddress:
        sslmode = self.pg_sslmode if self.pg_sslmode in SSL_MODES else "prefer"
        return ServerAddress(host=self.pg_host, database=self.pg_database, port=self.pg_port, sslmode=sslmode)

    def database_url(self) -> str:
        """SQLAlchemy URL of the configured database, never with a password (that comes at sign-in)."""
        if self.db_kind == DB_POSTGRESQL:
            address = self.server_address()
            if not self.pg_user:  # nobody signed in here yet: the sign-in dialog asks
                return f"postgresql://{address.host}:{address.port}/{address.database}?sslmode={address.sslmode}"
            return address.url(self.pg_user)
        return f"sqlite:///{self.local_path}" if self.local_path else default_sqlite_url()

    def database_fields(self) -> tuple[object, ...]:
        """What names the database (no keyring lookup: that may block the GUI thread)."""
        return (self.db_kind, self.local_path, self.pg_host, self.pg_port, self.pg_database, self.pg_sslmode)

    def keyring_account(self) -> str:
        return f"{self.pg_user}@{self.pg_host}:{self.pg_port}/{self.pg_database}"


def preferences_path() -> Path:
    return default_data_dir() / PREFERENCES_FILE


def is_first_run(path: Path | None = None) -> bool:
    """Nothing configured yet: no preferences saved and no local database. The welcome dialog then asks how to
    start, and saving its choice ends the first run (an office that used the local file before is not asked)."""
    local_database = Path(default_sqlite_url().removeprefix("sqlite:///"))
    return not (path or preferences_path()).exists() and not local_database.exists()


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


def forget_password(preferences: Preferences) -> None:
    """Remove a remembered password ("remember me" unticked); nothing stored is not an error."""
    try:
        import keyring

        keyring.delete_password(KEYRING_SERVICE, preferences.keyring_account())
    except Exception as exc:  # noqa: BLE001 - PasswordDeleteError when nothing was stored, or no backend
        log.debug("no remembered password removed: %s", type(exc).__name__)


def is_secure_keyring(backend: object) -> bool:
    """False for keyring's ``fail``/``null`` backends and plaintext file backends (docs/reliability.md T15).

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
