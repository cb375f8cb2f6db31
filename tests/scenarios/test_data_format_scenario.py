"""Strategy E end to end through the `turnout` CLI, SQLite and PostgreSQL.

`turnout import-statewide`, `turnout submit` (a cp1252 roster, resolved at once), then the stored
upload is cut down to what a lossy UTF-8 first parse would have stored (the lines holding ``Peña``,
``Muñoz``... skipped; docs/data-formats.md section 4), and `turnout reconcile --json` must find the
data_format cause, re-parse the kept bytes with cp1252 and resolve with strategy E.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pg_logins import local_user
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import CountyRosterRow, CountyTurnoutReference, SourceFile
from turnout_desktop.db.session import make_engine

ELECTION = "2026-03-03"
METHODS = ("early-voting", "election-day", "mail-in")
NAMES = ("Garcia", "Peña", "Smith", "Muñoz", "Lee", "Ibáñez")  # 3 of every 6 rows are not UTF-8 in cp1252


def _files(folder: Path, voters: int = 24) -> tuple[Path, Path]:
    roster, statewide = io.StringIO(), io.StringIO()
    roster_writer = csv.writer(roster, lineterminator="\r\n")
    statewide_writer = csv.writer(statewide)
    roster_writer.writerow(["VUID", "VOTER_NAME", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
    statewide_writer.writerow(["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
    for index in range(voters):
        vuid, method = f"{1_300_000_001 + index:010d}", METHODS[index % 3]
        roster_writer.writerow([vuid, f"{NAMES[index % len(NAMES)]}, Voter {index}", "DEM", method, "0101",
                                "2026-02-20"])
        statewide_writer.writerow([vuid, "CAMERON", "DEM", method, "0101", "2026-02-20"])
    folder.mkdir(parents=True, exist_ok=True)
    roster_path, statewide_path = folder / "cameron_roster.csv", folder / "statewide.csv"
    roster_path.write_bytes(roster.getvalue().encode("cp1252"))
    statewide_path.write_text(statewide.getvalue(), encoding="utf-8")
    return roster_path, statewide_path


def _lossy_utf8_first_parse(db_url: str) -> int:
    """Drop the roster rows on non-UTF-8 lines, lower the counts to match, mark the file utf-8."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            source = session.execute(select(SourceFile).where(SourceFile.kind == "county_roster")).scalar_one()
            lines = (source.content or b"").split(b"\n")
            bad = {number for number, line in enumerate(lines, start=1) if not _is_utf8(line)}
            rows = session.execute(select(CountyRosterRow).where(CountyRosterRow.row_no.in_(bad))).scalars().all()
            lost = {method: sum(1 for row in rows if row.voting_method == method) for method in METHODS}
            session.execute(delete(CountyRosterRow).where(CountyRosterRow.id.in_([row.id for row in rows])))
            for reference in session.execute(select(CountyTurnoutReference)).scalars():
                reference.official_count -= lost.get(reference.voting_method, sum(lost.values()))
            source.encoding = "utf-8"
        return len(rows)
    finally:
        engine.dispose()


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _cli(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    code = main(["--db", db_url, *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_cli_reconcile_resolves_a_wrong_first_parse_with_data_format(db_url, tmp_path, capsys):
    roster, statewide = _files(tmp_path / "files")
    assert _cli(db_url, capsys, "import-statewide", str(statewide), "--election", ELECTION, "--json")["inserted"] == 24
    submitted = _cli(db_url, capsys, "submit", str(roster), "--county", "Cameron", "--election", ELECTION,
                     *local_user(db_url, "clerk"), "--json")
    assert [(r["status"], r["strategy_succeeded"]) for r in submitted["reconcile"]] == [("RESOLVED", None)]

    assert _lossy_utf8_first_parse(db_url) == 12
    (entry,) = _cli(db_url, capsys, "reconcile", "--election", ELECTION, "--county", "CAMERON", "--json")["results"]
    assert "data_format" in entry["diagnosis"]
    assert (entry["status"], entry["strategy_succeeded"], entry["strategies_tried"]) == (
        "RESOLVED", "data_format", ["data_format"])
    assert (entry["expected_total"], entry["actual_total"], entry["discrepancy"]) == (24, 24, 0)

    status = _cli(db_url, capsys, "status", "--election", ELECTION, "--json")["counties"]
    official = {r["voting_method"]: (r["official_count"], r["database_count"]) for r in status}
    assert official == {"early-voting": (8, 8), "election-day": (8, 8), "mail-in": (8, 8), "TOTAL": (24, 24)}
