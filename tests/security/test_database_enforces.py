"""PostgreSQL itself refuses what a role may not do, through plain SQL too (docs/reliability.md T13, T14).

Each statement runs on its own connection as the login, in a transaction that is rolled back; the owner
then checks that nothing changed.
"""

from __future__ import annotations

import pytest
from security_server import refused
from sqlalchemy import create_engine, text

from turnout_desktop.db.pg_security import scoped_tables

pytestmark = pytest.mark.pg

# Statements a clerk of LOVING may not run; each must raise (privilege, policy or trigger). A tuple runs in one
# transaction and must raise by its last statement.
CLERK_REFUSED: list[str | tuple[str, ...]] = [
    "INSERT INTO manual_override (county, election_date, party, status, reason, created_by, created_at) "
    "VALUES ('LOVING', '2026-03-03', 'DEM', 'RESOLVED', 'x', 't_clerk_loving', now())",
    "UPDATE app_setting SET value = '0' WHERE key = 'statewide_source'",
    "INSERT INTO app_setting (key, value) VALUES ('gate_verified_threshold', '0')",
    "UPDATE reconciliation_log SET review_state = 'accepted' WHERE county = 'LOVING'",
    "UPDATE fix SET undone_at = now() WHERE county = 'LOVING'",
    "UPDATE turnout_record SET party = 'REP' WHERE county = 'LOVING'",
    "UPDATE turnout_record SET verification = 'verified' WHERE county = 'LOVING'",
    "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, source, verification, "
    "county_fallback, created_at) VALUES ('2026-03-03', '1999999999', 'LOVING', 'DEM', 'early-voting', "
    "'statewide', 'verified', false, now())",
    "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, source, verification, "
    "county_fallback, created_at) VALUES ('2026-03-03', '1999999998', 'KING', 'DEM', 'early-voting', "
    "'county', 'pending', false, now())",
    "INSERT INTO source_file (kind, name, sha256, size_bytes, uploaded_at, rows, status, uploaded_by) "
    "VALUES ('statewide', 'forged.csv', repeat('a', 64), 1, now(), 0, 'complete', 't_clerk_loving')",
    "INSERT INTO precinct_district (county, precinct, district) VALUES ('LOVING', '999', 'X')",
    "INSERT INTO county_grant (login, county, granted_at) VALUES ('t_clerk_loving', 'KING', now())",
    "DELETE FROM turnout_record WHERE county = 'LOVING'",
    (  # a county record of its own (statewide ones it may not change at all) moved to another county
        "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, source, verification, "
        "county_fallback, created_at) VALUES ('2026-03-03', '1999999997', 'LOVING', 'DEM', 'early-voting', "
        "'county', 'pending', false, now())",
        "UPDATE turnout_record SET county = 'KING' WHERE county = 'LOVING'",
    ),
    "UPDATE reconcile_input SET version = version - 1 WHERE county = 'LOVING'",  # a stale run would look current
]
AUDIT_REFUSED = [
    "UPDATE audit_event SET message = 'rewritten'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER USER",
    "UPDATE audit_anchor SET hash = repeat('0', 64)",
    "DELETE FROM audit_anchor",
    "INSERT INTO audit_anchor (seq, hash, recorded_at) VALUES (999999, repeat('0', 64), now())",
    "INSERT INTO audit_event (occurred_at, event_type, disposition, user_name, user_role, message, prev_hash, hash) "
    "VALUES (now(), 'forged', 'success', 'someone_else', 'admin', 'forged', turnout_audit_head(), repeat('0', 64))",
]
AUDITOR_REFUSED = [
    "INSERT INTO submission (uuid, county, election_date, kind, submitted_by, submitted_at) "
    "VALUES ('u-auditor', 'LOVING', '2026-03-03', 'roster', 't_auditor', now())",
    "UPDATE county_turnout_reference SET official_count = 1",
    "UPDATE turnout_record SET removed_at = now()",
    "INSERT INTO manual_override (county, election_date, party, status, reason, created_by, created_at) "
    "VALUES ('LOVING', '2026-03-03', 'DEM', 'RESOLVED', 'x', 't_auditor', now())",
]
SERVICE_REFUSED = [
    "INSERT INTO manual_override (county, election_date, party, status, reason, created_by, created_at) "
    "VALUES ('LOVING', '2026-03-03', 'DEM', 'RESOLVED', 'x', 't_service', now())",
    "UPDATE app_setting SET value = '0'",
    "UPDATE reconciliation_log SET review_state = 'accepted'",
    "UPDATE fix SET undone_at = now()",
    "INSERT INTO county_grant (login, county, granted_at) VALUES ('t_service', 'KING', now())",
    "UPDATE reconcile_input SET version = 0",
]


def _snapshot(owner_url: str) -> dict[str, object]:
    engine = create_engine(owner_url)
    with engine.connect() as connection:
        snapshot = {table: connection.execute(text(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) "  # noqa: S608
                                                   f"FROM {table} t")).scalar() for table in scoped_tables()}
        snapshot["app_setting"] = connection.execute(text("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) "
                                                          "FROM app_setting t")).scalar()
    engine.dispose()
    return snapshot


@pytest.mark.parametrize(("login", "statements"), [("clerk_own", CLERK_REFUSED), ("auditor", AUDITOR_REFUSED),
                                                   ("service", SERVICE_REFUSED)])
def test_changes_a_role_may_not_make_are_refused_by_the_database(server, login: str,  # noqa: ANN001
                                                                 statements: list[str | tuple[str, ...]]) -> None:
    before = _snapshot(server.owner_url)
    accepted = [s for s in statements if not refused(getattr(server, login), *((s,) if isinstance(s, str) else s))]
    assert accepted == []
    assert _snapshot(server.owner_url) == before


@pytest.mark.parametrize("login", ["clerk_own", "clerk_other", "admin", "auditor", "service"])
def test_audit_tables_are_append_only_for_every_application_role(server, login: str) -> None:  # noqa: ANN001
    accepted = [s for s in AUDIT_REFUSED if not refused(getattr(server, login), s)]
    assert accepted == []


def test_a_clerk_reads_no_row_of_another_county(server) -> None:  # noqa: ANN001
    """Every county-scoped table: the owner sees KING rows; the clerk of LOVING sees none, and its own."""
    engine_owner = create_engine(server.owner_url)
    engine_clerk = create_engine(server.clerk_own)
    rows_of = {
        "submission": "county", "county_roster_row": "county", "county_turnout_reference": "county",
        "turnout_record": "county", "reconciliation_log": "county", "fix": "county",
        "statewide_count_cache": "county",
        "upload_count": "(SELECT county FROM submission s WHERE s.id = t.submission_id)",
        "submission_file": "(SELECT county FROM submission s WHERE s.id = t.submission_id)",
        "reconciliation_attempt": "(SELECT county FROM reconciliation_log l WHERE l.id = t.log_id)",
        "fix_action": "(SELECT county FROM fix f WHERE f.id = t.fix_id)",
        "audit_event": "county",
    }
    try:
        for table, county in rows_of.items():
            query = text(f"SELECT count(*) FILTER (WHERE {county} = 'KING'), "  # noqa: S608
                         f"count(*) FILTER (WHERE {county} = 'LOVING') FROM {table} t")
            with engine_owner.connect() as owner:
                owner_king, _ = owner.execute(query).one()
            with engine_clerk.connect() as clerk:
                clerk_king, clerk_loving = clerk.execute(query).one()
            assert owner_king > 0, f"{table}: the seeded election should hold KING rows"
            assert clerk_king == 0, table
            if table not in ("fix", "fix_action", "reconciliation_attempt"):  # LOVING is clean: no attempt
                assert clerk_loving > 0, table
        with engine_clerk.connect() as clerk:  # statewide files (every county's voters) stay out of reach
            assert clerk.execute(text("SELECT count(*) FROM source_file WHERE kind = 'statewide'")).scalar() == 0
            assert clerk.execute(text("SELECT count(*) FROM county_grant WHERE login <> session_user")).scalar() == 0
    finally:
        engine_owner.dispose()
        engine_clerk.dispose()
