"""Eight offices at once whose uploads make strategy A import the same new statewide file (docs/reliability.md T8).

Statewide imports of one election take a transaction-level advisory lock, and a file already stored is
"already imported": no UniqueViolation traceback, no false escalation, and the same final statuses as
the same uploads made one after another.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pg_logins import reset_schema, signed_in_url
from security_server import owner_url

from turnout_desktop.cli.main import main
from turnout_desktop.db.pg_security import setup_database
from turnout_desktop.db.session import make_engine
from turnout_desktop.domain.permissions import Role
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files

pytestmark = pytest.mark.pg
ELECTION = DEMO_ELECTION.isoformat()
UPLOADS = ["KENEDY", "KING", "BORDEN", "MCMULLEN", "TERRELL", "KENT", "KENEDY", "KING"]


def _prepared(owner_url: str, files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> str:
    reset_schema(owner_url)
    engine = make_engine(owner_url)
    setup_database(engine)
    engine.dispose()
    admin = signed_in_url(owner_url, "t_admin", Role.ADMIN)
    assert main(["--db", admin, "import-statewide", str(files["statewide"]), "--election", ELECTION, "--json"]) == 0
    assert main(["--db", admin, "source", "set", str(files["newer"].parent)]) == 0
    capsys.readouterr()
    return admin


def _submit(url: str, path: Path, county: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "turnout_desktop.cli.main", "--db", url, "submit", str(path),
                             "--county", county, "--election", ELECTION, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _final_statuses(url: str, capsys: pytest.CaptureFixture[str]) -> list[tuple[object, ...]]:
    assert main(["--db", url, "status", "--election", ELECTION, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["counties"]
    return sorted((r["county"], r["party"], r["voting_method"], r["status"], r["official_count"],
                   r["database_count"], r["public"]) for r in rows)


def _statewide_files(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM source_file WHERE kind = 'statewide'")).scalar_one()
    engine.dispose()
    return count


def test_eight_offices_at_once_end_like_one_after_another(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    owner = owner_url()
    files = write_demo_files(tmp_path / "demo")

    admin = _prepared(owner, files, capsys)
    for county in UPLOADS:
        serial = _submit(admin, files[county], county)
        out, err = serial.communicate(timeout=300)
        assert serial.returncode == 0, err
    expected = _final_statuses(admin, capsys)
    assert _statewide_files(owner) == 2  # the snapshot and the newer file, once each

    admin = _prepared(owner, files, capsys)
    offices = [_submit(admin, files[county], county) for county in UPLOADS]
    for office in offices:
        out, err = office.communicate(timeout=300)
        assert office.returncode == 0, err
        assert "Traceback" not in err and "UniqueViolation" not in err, err
    assert _final_statuses(admin, capsys) == expected
    assert _statewide_files(owner) == 2
    escalated_yet_equal = {(county, party) for county, party, *_ in expected} - {
        (county, party) for county, party, _method, status, official, actual, _public in expected
        if status != "ESCALATED" or official != actual}
    assert escalated_yet_equal == set(), "false escalation: every count matches"
