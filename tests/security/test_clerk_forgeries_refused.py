"""Forgeries a clerk's login could attempt on the shared server by plain SQL, each refused or harmless.

- A county "twin" of a statewide record (same VUID, method, county, party) is the same voter: it may not
  count a second time among the statewide-confirmed records the public gate trusts.
- An admin's undo of a fix a clerk's login wrote by hand may not change a statewide record or a
  statewide file (a clerk's login can change neither itself).
- A clerk's login may not write a review state (an admin's decision) into a reconciliation log row.
- An id beyond PostgreSQL's integer range is bad input (exit 2), not a traceback.
"""

from __future__ import annotations

import json

import pytest
from security_server import refused
from sqlalchemy import create_engine, text

from turnout_desktop.cli.main import main

pytestmark = pytest.mark.pg

ELECTION = "2026-03-03"


def _one(url: str, statement: str, params: dict[str, object] | None = None) -> object:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params or {})
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def _gate(url: str, county: str, party: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["--db", url, "gate", "--election", ELECTION, "--county", county, "--party", party, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _forged_fix(clerk_url: str, strategy: str) -> int:
    fix_id = _one(clerk_url, "INSERT INTO fix (strategy, county, election_date, party, created_at, created_by, "
                             "summary) VALUES (:strategy, 'LOVING', :election, 'DEM', now(), session_user, "
                             "'looks routine') RETURNING id", {"strategy": strategy, "election": ELECTION})
    assert isinstance(fix_id, int)
    return fix_id


def test_a_county_twin_of_a_statewide_record_is_not_confirmed_twice(server, capsys) -> None:  # noqa: ANN001
    """KING's DEM figure: 24 of its 25 voters are in the statewide data. The clerk of KING retires the one
    county-only record and adds a county copy of a statewide record of the same method: the per-method
    counts stay as the last run recorded them, yet the statewide data still confirms only 24 voters."""
    assert _gate(server.admin, "KING", "DEM", capsys)["level"] == "unconfirmed"
    county_only = _one(server.owner_url, "SELECT id FROM turnout_record WHERE county = 'KING' AND party = 'DEM' "
                                         "AND source = 'county' AND removed_at IS NULL")
    method = _one(server.owner_url, f"SELECT voting_method FROM turnout_record WHERE id = {county_only}")  # noqa: S608
    twin_of = _one(server.owner_url, "SELECT min(vuid) FROM turnout_record WHERE county = 'KING' AND party = 'DEM' "
                                     "AND source = 'statewide' AND removed_at IS NULL AND voting_method = :m",
                   {"m": method})
    _one(server.clerk_other, f"UPDATE turnout_record SET removed_at = now() WHERE id = {county_only}")  # noqa: S608
    _one(server.clerk_other, "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, "
                             "source, verification, county_fallback, created_at) VALUES (:e, :v, 'KING', 'DEM', :m, "
                             "'county', 'pending', false, now())", {"e": ELECTION, "v": twin_of, "m": method})
    decision = _gate(server.admin, "KING", "DEM", capsys)
    assert decision["allowed"] is False and decision["accuracy_pct"] == 96.0


def test_an_admins_undo_of_a_clerks_forged_fix_moves_no_statewide_record(server, capsys) -> None:  # noqa: ANN001
    king_record = _one(server.owner_url, "SELECT min(id) FROM turnout_record WHERE county = 'KING' "
                                         "AND source = 'statewide' AND removed_at IS NULL")
    fix_id = _forged_fix(server.clerk_own, "fix_districts")
    _one(server.clerk_own, "INSERT INTO fix_action (fix_id, action, table_name, record_id, before) VALUES "
                           f"({fix_id}, 'update', 'turnout_record', {king_record}, "  # noqa: S608
                           "'{\"county\": \"LOVING\"}')")
    assert main(["--db", server.admin, "undo", str(fix_id), "--reason", "red team"]) == 2
    assert "cannot be undone" in capsys.readouterr().err
    assert _one(server.owner_url, f"SELECT county FROM turnout_record WHERE id = {king_record}") == "KING"  # noqa: S608


def test_an_admins_undo_of_a_clerks_forged_fix_leaves_the_statewide_file_alone(server, capsys) -> None:  # noqa: ANN001
    statewide_file = _one(server.owner_url, "SELECT min(id) FROM source_file WHERE kind = 'statewide'")
    fix_id = _forged_fix(server.clerk_own, "data_format")
    _one(server.clerk_own, "INSERT INTO fix_action (fix_id, action, table_name, record_id) VALUES "
                           f"({fix_id}, 'insert', 'source_file', {statewide_file})")  # noqa: S608
    assert main(["--db", server.admin, "undo", str(fix_id), "--reason", "red team"]) == 2
    assert "cannot be undone" in capsys.readouterr().err
    assert _one(server.owner_url, f"SELECT status FROM source_file WHERE id = {statewide_file}") == "complete"  # noqa: S608


def test_a_clerk_writes_no_review_state(server) -> None:  # noqa: ANN001
    forged = ("INSERT INTO reconciliation_log (county, election_date, party, trigger_type, status, attempts_count, "
              "created_at, review_state, review_reason) VALUES ('LOVING', '2026-03-03', 'DEM', 'MANUAL', "
              "'ESCALATED', 0, now(), 'resolved', 'checked by the Secretary of State')")
    assert refused(server.clerk_own, forged)
    assert refused(server.service, forged.replace("'LOVING'", "'KING'"))
    assert not refused(server.admin, forged)


def test_an_id_out_of_range_is_bad_input_not_a_traceback(server, capsys) -> None:  # noqa: ANN001
    assert main(["--db", server.admin, "undo", "99999999999", "--reason", "red team"]) == 2
    assert "out of range" in capsys.readouterr().err
