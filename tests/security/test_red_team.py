"""Attacks a low-privilege login tried on the shared server (a red-team review), each refused now."""

from __future__ import annotations

import json

import pytest
from security_server import refused
from sqlalchemy import create_engine, text

from turnout_desktop.cli.main import main

pytestmark = pytest.mark.pg


def _one(url: str, statement: str, params: dict[str, object] | None = None) -> object:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params or {})
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def test_linking_another_countys_file_does_not_make_it_readable(server) -> None:  # noqa: ANN001
    king_file = _one(server.owner_url, "SELECT f.id FROM source_file f JOIN submission_file sf ON "
                     "sf.source_file_id = f.id JOIN submission s ON s.id = sf.submission_id WHERE s.county = 'KING'")
    own = _one(server.owner_url, "SELECT id FROM submission WHERE county = 'LOVING'")
    assert refused(server.clerk_own, f"INSERT INTO submission_file (submission_id, source_file_id) "  # noqa: S608
                                      f"VALUES ({own}, {king_file})")
    assert _one(server.clerk_own, f"SELECT count(*) FROM source_file WHERE id = {king_file}") == 0  # noqa: S608


def test_an_admins_undo_does_not_apply_a_clerks_forged_fix_to_another_county(server, capsys) -> None:  # noqa: ANN001
    king_record = _one(server.owner_url, "SELECT min(id) FROM turnout_record WHERE county = 'KING'")
    king_total = _one(server.owner_url, "SELECT id FROM county_turnout_reference WHERE county = 'KING' "
                                        "AND voting_method = 'TOTAL' ORDER BY id LIMIT 1")
    before = _one(server.owner_url, "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM ("
                                    "SELECT id, county, official_count FROM county_turnout_reference UNION ALL "
                                    "SELECT id, county, 0 FROM turnout_record) t")
    fix_id = _one(server.clerk_own, "INSERT INTO fix (strategy, county, election_date, party, created_at, created_by, "
                                    "summary) VALUES ('remove_duplicates', 'LOVING', '2026-03-03', 'DEM', now(), "
                                    "session_user, 'Removed 1 duplicate') RETURNING id")
    for statement in (f"INSERT INTO fix_action (fix_id, action, table_name, record_id, before) VALUES ({fix_id}, "  # noqa: S608
                      f"'update', 'turnout_record', {king_record}, '{{\"county\": \"LOVING\"}}')",
                      f"INSERT INTO fix_action (fix_id, action, table_name, record_id, before) VALUES ({fix_id}, "  # noqa: S608
                      f"'update', 'county_turnout_reference', {king_total}, '{{\"official_count\": 5}}')"):
        _one(server.clerk_own, statement)
    code = main(["--db", server.admin, "undo", str(fix_id), "--reason", "red team"])
    assert code == 2 and "cannot be undone" in capsys.readouterr().err
    after = _one(server.owner_url, "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM ("
                                   "SELECT id, county, official_count FROM county_turnout_reference UNION ALL "
                                   "SELECT id, county, 0 FROM turnout_record) t")
    assert after == before


@pytest.mark.parametrize("login", ["clerk_own", "auditor"])
def test_audit_rows_the_verifier_could_not_accept_arerefused(server, login: str,  # noqa: ANN001
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = getattr(server, login)
    role = "clerk" if login == "clerk_own" else "auditor"
    columns = "occurred_at, event_type, disposition, user_name, user_role, message, prev_hash, hash"
    wrong_hash = (f"INSERT INTO audit_event ({columns}) VALUES (now(), 'note', 'success', session_user, '{role}', "  # noqa: S608
                  "'x', turnout_audit_head(), repeat('0', 64))")
    squat = (f"INSERT INTO audit_event (seq, {columns}) VALUES ((SELECT last_value + 3 FROM audit_event_seq_seq), "  # noqa: S608
             f"now(), 'note', 'success', session_user, '{role}', 'x', turnout_audit_head(), repeat('0', 64))")
    other_county = (f"INSERT INTO audit_event (county, {columns}) VALUES ('KING', now(), 'override', 'success', "  # noqa: S608
                    f"session_user, '{role}', 'KING overridden', turnout_audit_head(), repeat('0', 64))")
    assert refused(url, wrong_hash)
    assert refused(url, squat)
    assert refused(url, other_county)
    assert main(["--db", server.auditor, "audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intact"] is True


def test_a_clerks_own_audited_work_still_passes_the_database_hash_check(server, capsys) -> None:  # noqa: ANN001
    """Non-ASCII and control-escaped text hashed by the database exactly as by Python."""
    from turnout_desktop.db.audit import record_event
    from turnout_desktop.db.session import make_engine, transaction

    engine = make_engine(server.clerk_own)
    try:
        with transaction(engine) as session:
            record_event(session, "note", "PEÑA \u2013 line\nnext \U0001f5f3 \"quoted\" \\ back", user="t_clerk_loving",
                         role="clerk", county="LOVING", details={"ñ": "\u00e9\u4e2d", "list": [1.5, None, True]})
    finally:
        engine.dispose()
    assert main(["--db", server.auditor, "audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intact"] is True


@pytest.mark.parametrize(("login", "statement"), [
    ("clerk_own", "UPDATE submission SET submitted_by = 'Secretary of State' WHERE county = 'LOVING'"),
    ("clerk_own", "UPDATE county_turnout_reference SET uploaded_by = 'Secretary of State' WHERE county = 'LOVING'"),
    ("clerk_own", "INSERT INTO fix (strategy, county, election_date, created_at, created_by) "
                  "VALUES ('fill_gaps', 'LOVING', '2026-03-03', now(), 't_admin')"),
    ("service", "INSERT INTO submission (uuid, county, election_date, kind, submitted_by, submitted_at) "
                "VALUES ('u-svc', 'KING', '2026-03-03', 'roster', session_user, now())"),
    ("service", "UPDATE county_turnout_reference SET uploaded_by = session_user, source = 'x' WHERE county = 'LOVING'"),
])
def test_who_did_it_is_the_login_and_the_service_does_not_submit(server, login: str, statement: str) -> None:  # noqa: ANN001
    assert refused(getattr(server, login), statement)


def test_a_group_granted_in_another_database_is_no_role_here(server, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    """Group roles are cluster-wide: membership made for another database (no login_role row here) counts
    for nothing in this one, not even to change the shared settings."""
    from pg_logins import create_login, login_url

    create_login(server.owner_url, "t_admin_elsewhere")
    _one(server.owner_url, "GRANT turnout_admin TO t_admin_elsewhere")
    url = login_url(server.owner_url, "t_admin_elsewhere")
    try:
        assert main(["--db", url, "whoami", "--json"]) == 4
        assert "has no Turnout role" in capsys.readouterr().err
        assert refused(url, "INSERT INTO app_setting (key, value) VALUES ('gate_verified_threshold', '0.01')")
        assert _one(url, "SELECT count(*) FROM turnout_record") == 0
    finally:
        _one(server.owner_url, "REVOKE turnout_admin FROM t_admin_elsewhere")


def test_a_clerks_refused_upload_for_another_county_is_still_recorded(server, tmp_path) -> None:  # noqa: ANN001
    garbage = tmp_path / "king_roster.xlsx"
    garbage.write_bytes(b"not a spreadsheet at all " * 40)
    assert main(["--db", server.clerk_own, "submit", str(garbage), "--county", "King", "--election",
                 "2026-03-03"]) == 2
    engine = create_engine(server.owner_url)
    with engine.connect() as connection:
        event = connection.execute(text(
            "SELECT user_name, county, disposition, details->>'county', details->>'sha256' FROM audit_event "
            "WHERE details->>'file' = 'king_roster.xlsx'")).one()
    engine.dispose()
    assert tuple(event[:4]) == ("t_clerk_loving", "LOVING", "failure", "KING") and len(event[4]) == 64
