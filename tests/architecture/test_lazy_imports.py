"""`turnout --help`, `status` and `gate` start without the heavy libraries (the command line must start fast).

pandas, pyarrow, numpy, openpyxl, fastexcel, calamine and Qt cost most of a second to import; only the
commands that read or write files need them. Alembic is only needed when the schema is not at the head
revision. Each command runs in a fresh interpreter on a small SQLite database that holds a reconciled
county, and the test reads which top-level packages were in ``sys.modules`` when it ended. No timings:
``benchmarks/startup.py`` measures those.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from csv_files import write_csv

import turnout_desktop
from turnout_desktop.db.migrate import _head_from_version_files, head_revision
from turnout_desktop.services.context import open_context
from turnout_desktop.services.submission import import_statewide, submit_files

REPO = Path(turnout_desktop.__file__).resolve().parent.parent
HEAVY = ("pandas", "pyarrow", "numpy", "openpyxl", "fastexcel", "python_calamine", "PySide6", "shiboken6", "alembic")
ELECTION = dt.date(2026, 3, 3)
# Runs ``turnout ARGS...`` in this interpreter, then prints every module name it loaded.
PROBE = (
    "import json, runpy, sys\n"
    "sys.argv = ['turnout', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('turnout_desktop.cli.main', run_name='__main__')\n"
    "except SystemExit as exit_:\n"
    "    code = exit_.code\n"
    "else:\n"
    "    code = 0\n"
    "print('LOADED=' + json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@pytest.fixture
def small_database(tmp_path: Path) -> str:
    """A SQLite file with a statewide roster and one reconciled county upload (Loving, DEM early votes)."""
    url = f"sqlite:///{tmp_path / 'small.db'}"
    vuids = [f"{1_100_000_000 + n}" for n in range(3)]
    statewide = write_csv(tmp_path / "statewide.csv", ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT",
                                                        "VOTE_DATE"],
                           [[v, "LOVING", "DEM", "early-voting", "0001", "2026-02-20"] for v in vuids])
    roster = write_csv(tmp_path / "loving.csv", ["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"],
                        [[v, "DEM", "early-voting", "0001", "2026-02-20"] for v in vuids])
    ctx = open_context(url)
    try:
        import_statewide(ctx, [statewide], election=ELECTION)
        submit_files(ctx, [roster], election=ELECTION, county="LOVING")
    finally:
        ctx.engine.dispose()
    return url


def modules_loaded(*args: str) -> tuple[set[str], str]:
    """Run ``turnout ARGS`` from the repository's own source; every module it loaded, and its stdout."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    marker = [line for line in result.stderr.splitlines() if line.startswith("LOADED=")]
    assert marker, result.stderr[-2000:]
    return set(json.loads(marker[-1].removeprefix("LOADED="))), result.stdout


def _heavy_modules_loaded(*args: str) -> tuple[list[str], str]:
    """The heavy top-level packages ``turnout ARGS`` loaded, and its stdout."""
    loaded, stdout = modules_loaded(*args)
    return sorted({name.split(".")[0] for name in loaded} & set(HEAVY)), stdout


def test_help_loads_no_heavy_library() -> None:
    loaded, stdout = _heavy_modules_loaded("--help")
    assert "status" in stdout and "gate" in stdout  # every sub-command was registered
    assert loaded == []


def test_status_loads_no_heavy_library(small_database: str) -> None:
    loaded, stdout = _heavy_modules_loaded("--db", small_database, "status", "--election", ELECTION.isoformat(),
                                           "--json")
    assert {row["county"] for row in json.loads(stdout)["counties"]} == {"LOVING"}  # the command did its work
    assert loaded == []


def test_gate_loads_no_heavy_library(small_database: str) -> None:
    loaded, stdout = _heavy_modules_loaded("--db", small_database, "gate", "--election", ELECTION.isoformat(),
                                           "--county", "Loving", "--party", "DEM", "--json")
    assert json.loads(stdout)["allowed"] is True
    assert loaded == []


def test_the_report_command_offers_the_formats_the_service_writes() -> None:
    from turnout_desktop.cli import cmd_report
    from turnout_desktop.services import reporting

    assert cmd_report.FORMATS == reporting.FORMATS


def test_the_schema_check_without_alembic_agrees_with_alembic() -> None:
    """The start-up shortcut reads the head revision from the migration files; Alembic stays the authority."""
    assert _head_from_version_files() == head_revision()
