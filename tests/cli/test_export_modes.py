"""Exports are for the office to share: reports (PDF, CSV, XLSX) and the public CSV are written 0644 under the
usual umask (022), not mkstemp's 0600; a user whose umask keeps files private (077) gets private exports
(reports/safe_io.py EXPORT_FILE_MODE). The local database is created 0600 whatever the umask (db/session.py)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runs import ELECTION, loving_database

from turnout_desktop.cli.main import main as turnout_main
from turnout_desktop.reports.safe_io import atomic_write_bytes, write_csv_atomic

STATEWIDE = [("1100000001", "Loving", "DEM", "early-voting"), ("1100000002", "Loving", "REP", "mail-in")]
ROSTER = [("1100000001", "DEM", "early-voting"), ("1100000002", "REP", "mail-in")]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The usual umask (022): a plainly created file is 0644, and so must an export be (mkstemp makes 0600)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def private_umask() -> Iterator[None]:
    """A hardened office's umask (077): nothing it writes is readable by others, exports included."""
    previous = os.umask(0o077)
    yield
    os.umask(previous)


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx"])
def test_reports_are_readable_by_the_group(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str,
                                           usual_umask: None) -> None:
    db = loving_database(tmp_path, capsys, STATEWIDE, ROSTER)
    target = tmp_path / f"report.{fmt}"
    assert turnout_main([*db, "report", "--election", ELECTION, "--format", fmt, "--out", str(target)]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.exists() and written.stat().st_size > 0
    assert _mode(written) == 0o644


def test_the_public_csv_is_readable_by_the_group(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 usual_umask: None) -> None:
    db = loving_database(tmp_path, capsys, STATEWIDE, ROSTER)
    target = tmp_path / "public.csv"
    assert turnout_main([*db, "export-public", "--election", ELECTION, "--out", str(target)]) == 0
    assert _mode(target) == 0o644


def test_the_atomic_writers_replace_an_old_private_file_with_a_shared_one(tmp_path: Path, usual_umask: None) -> None:
    for write in (lambda path: atomic_write_bytes(path, b"data"),
                  lambda path: write_csv_atomic(path, ["a"], [["1"]])):
        target = tmp_path / "export.bin"
        target.write_bytes(b"old")
        target.chmod(0o600)
        write(target)
        assert _mode(target) == 0o644
        assert [p.name for p in tmp_path.iterdir()] == ["export.bin"]  # no temporary file left


def test_a_private_umask_keeps_exports_private(tmp_path: Path, private_umask: None) -> None:
    """Reports can list failing VUIDs with precinct and row: a 077 umask must not be overridden to 0644."""
    atomic_write_bytes(tmp_path / "report.pdf", b"%PDF-1.4")
    write_csv_atomic(tmp_path / "public.csv", ["VUID"], [["1135000025"]])
    assert _mode(tmp_path / "report.pdf") == 0o600
    assert _mode(tmp_path / "public.csv") == 0o600


def test_the_local_database_is_readable_by_its_owner_only(tmp_path: Path, usual_umask: None) -> None:
    from turnout_desktop.services.context import open_context

    ctx = open_context(f"sqlite:///{tmp_path / 'data' / 'turnout.db'}")
    ctx.engine.dispose()
    database = tmp_path / "data" / "turnout.db"
    assert _mode(database) == 0o600, "other local users could read the voters' records"
    assert all(_mode(side) & 0o077 == 0 for side in database.parent.glob("turnout.db-*"))
