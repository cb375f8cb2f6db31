"""docs/reliability.md T9: no SQLite file on a network share; every SQLite connection runs WAL, foreign keys,
synchronous=FULL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from turnout_desktop.db.paths import _linux_mount_type, is_network_path, is_on_network_filesystem
from turnout_desktop.db.session import make_engine
from turnout_desktop.errors import DatabaseUnavailable
from turnout_desktop.services.context import open_context

PATHS = [
    (r"\\fileserver\elections\turnout.db", True),  # UNC
    (r"\\?\UNC\fileserver\elections\turnout.db", True),  # Win32 long-path UNC
    (r"\\.\UNC\fileserver\elections\turnout.db", True),  # device-namespace UNC
    ("//fileserver/elections/turnout.db", True),  # UNC with forward slashes / POSIX //host
    ("smb://fileserver/elections/turnout.db", True),
    ("nfs://fileserver/export/turnout.db", True),
    ("file://fileserver/elections/turnout.db", True),
    (r"Z:\elections\turnout.db", False),  # mapped drive: text alone cannot tell (OS check instead)
    (r"C:\Users\clerk\AppData\Local\TurnoutDesktop\turnout.db", False),
    (r"\\?\C:\very\long\path\turnout.db", False),  # long-path form of a local drive
    ("/home/clerk/.local/share/TurnoutDesktop/turnout.db", False),
    ("file:///home/clerk/turnout.db", False),
]


@pytest.mark.parametrize(("path", "network"), PATHS)
def test_path_classifier(path: str, network: bool) -> None:
    assert is_network_path(path) is network


def test_linux_mount_table_lookup(tmp_path: Path) -> None:
    share, nfs, local = tmp_path / "votes", tmp_path / "nfs", tmp_path / "votesX"
    for folder in (share / "x", nfs, local):
        folder.mkdir(parents=True)
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n//nas/votes {share} cifs rw 0 0\nnas:/export {nfs} nfs4 rw 0 0\n",
                      encoding="utf-8")
    assert _linux_mount_type(share / "x" / "turnout.db", str(mounts)) == "cifs"  # file not created yet
    assert _linux_mount_type(nfs, str(mounts)) == "nfs4"
    assert _linux_mount_type(local / "turnout.db", str(mounts)) == "ext4"  # same prefix, other folder
    assert is_on_network_filesystem(tmp_path / "turnout.db") is False


@pytest.mark.parametrize("url", [r"sqlite:///\\fileserver\elections\turnout.db",
                                 "sqlite://///fileserver/elections/turnout.db",
                                 r"sqlite:///\\?\UNC\fileserver\elections\turnout.db"])
def test_sqlite_on_a_share_is_refused(url: str, tmp_path: Path) -> None:
    before = set(Path("/").iterdir())
    with pytest.raises(DatabaseUnavailable, match="network share.*PostgreSQL"):
        make_engine(url)
    with pytest.raises(DatabaseUnavailable, match="network share"):
        open_context(url)
    assert set(Path("/").iterdir()) == before  # refused before any folder was created


def _pragmas(dbapi_connection: object) -> tuple[str, int, int]:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    values = tuple(cursor.execute(f"PRAGMA {name}").fetchone()[0]
                   for name in ("journal_mode", "foreign_keys", "synchronous"))
    cursor.close()
    return values  # type: ignore[return-value]


def test_every_sqlite_connection_has_the_safety_pragmas(sqlite_url: str) -> None:
    """Raw pool connections (no transaction, so none waits for another's write lock), from several threads."""
    engine = make_engine(sqlite_url)
    seen: list[tuple[str, int, int]] = []
    held = [engine.raw_connection() for _ in range(3)]  # three distinct, freshly opened connections
    seen.extend(_pragmas(connection) for connection in held)

    def from_thread() -> None:
        connection = engine.raw_connection()
        seen.append(_pragmas(connection))
        connection.close()

    threads = [threading.Thread(target=from_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for connection in held:
        connection.close()
    engine.dispose()
    context = open_context(sqlite_url)  # the application's start-up path
    with context.engine.connect() as connection:
        seen.append((connection.execute(text("PRAGMA journal_mode")).scalar_one(),
                     connection.execute(text("PRAGMA foreign_keys")).scalar_one(),
                     connection.execute(text("PRAGMA synchronous")).scalar_one()))
    context.engine.dispose()
    assert seen == [("wal", 1, 2)] * 7
