"""Statewide records are the independent source: a clerk's login may not remove, revive or reassign them.

A clerk could otherwise hide statewide records of its county (the gate would confirm fewer) or revive ones
an admin's undo removed (the gate would confirm more). Strategies C and D, run under a clerk's login,
leave such changes to the service's scheduled check, which makes them.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from turnout_desktop.cli.main import main
from turnout_desktop.engine.types import STATEWIDE_RECORDS_LEFT_TO_CHECK

pytestmark = pytest.mark.pg
ELECTION = "2026-03-03"
STATEWIDE_OF_LOVING = "FROM turnout_record WHERE county = 'LOVING' AND source = 'statewide'"


def _owner_rows(owner_url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(owner_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def _run_as(url: str, statement: str) -> int:
    """Run one statement as the login and commit it; the number of rows it changed."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            return connection.execute(text(statement)).rowcount
    finally:
        engine.dispose()


def test_a_clerk_changes_no_statewide_record_of_its_own_county(server) -> None:  # noqa: ANN001
    snapshot = (f"SELECT id, county, district, county_fallback, removed_at, removed_by_fix "  # noqa: S608
                f"{STATEWIDE_OF_LOVING} ORDER BY id")
    before = _owner_rows(server.owner_url, snapshot)
    assert before, "the seeded election holds statewide records of LOVING"
    _run_as(server.owner_url, f"UPDATE turnout_record SET removed_at = now() WHERE id = {before[0][0]}")  # noqa: S608
    before = _owner_rows(server.owner_url, snapshot)
    for statement in ("UPDATE turnout_record SET removed_at = now() WHERE county = 'LOVING' AND source = 'statewide'",
                      "UPDATE turnout_record SET removed_at = NULL WHERE county = 'LOVING'",  # revive the removed one
                      "UPDATE turnout_record SET district = 'X', county_fallback = true WHERE county = 'LOVING'"):
        assert _run_as(server.clerk_own, statement) == 0, statement
    assert _owner_rows(server.owner_url, snapshot) == before
    # Its own county-sourced records stay its to change (strategies B and D of its runs do).
    _run_as(server.clerk_own,
            "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, source, verification, "
            "county_fallback, created_at) VALUES ('2026-03-03', '1999999997', 'LOVING', 'DEM', 'early-voting', "
            "'county', 'pending', false, now())")
    assert _run_as(server.clerk_own, "UPDATE turnout_record SET removed_at = now() WHERE vuid = '1999999997'") == 1


def test_a_clerks_run_leaves_statewide_duplicates_to_the_service_check(server, capsys) -> None:  # noqa: ANN001
    """A second statewide record of one LOVING voter: D under the clerk keeps it, the service's check removes it."""
    [(record_id, party)] = _owner_rows(server.owner_url, f"SELECT id, party {STATEWIDE_OF_LOVING} "  # noqa: S608
                                       "AND voting_method <> 'mail-in' ORDER BY id LIMIT 1")
    _run_as(server.owner_url,
            "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, precinct, source, "
            "verification, county_fallback, source_file_id, created_at) "
            "SELECT election_date, vuid, county, party, 'mail-in', precinct, source, verification, county_fallback, "
            f"source_file_id, created_at FROM turnout_record WHERE id = {record_id}")  # noqa: S608
    active = f"SELECT count(*) {STATEWIDE_OF_LOVING} AND removed_at IS NULL"
    duplicated = _owner_rows(server.owner_url, active)[0][0]

    assert main(["--db", server.clerk_own, "reconcile", "--election", ELECTION, "--county", "LOVING", "--json"]) == 0
    capsys.readouterr()
    assert _owner_rows(server.owner_url, active)[0][0] == duplicated  # nothing statewide removed by the clerk
    assert main(["--db", server.clerk_own, "log", "--county", "LOVING", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    messages = [a.get("message") or "" for a in entries[0].get("attempts", [])]
    assert any(m.startswith(STATEWIDE_RECORDS_LEFT_TO_CHECK) for m in messages), messages

    assert main(["--db", server.service, "check", "--election", ELECTION, "--json"]) == 0
    loving = [r for r in json.loads(capsys.readouterr().out)["results"]
              if r["county"] == "LOVING" and r["party"] == party]
    assert loving and {r["check"] for r in loving} == {"reconciled"}
    assert {r["status"] for r in loving} == {"RESOLVED"}
    assert _owner_rows(server.owner_url, active)[0][0] == duplicated - 1
