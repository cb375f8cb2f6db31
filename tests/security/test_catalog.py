"""The catalog after ``turnout admin setup``: who owns what, row-level security on, and setup idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from turnout_desktop.cli.main import main
from turnout_desktop.db.pg_security import ALL_TABLES, GROUPS, scoped_tables

pytestmark = pytest.mark.pg

CATALOG_QUERIES = {
    "policies": "SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies "
                "WHERE schemaname = current_schema() ORDER BY 1, 2",
    "table_grants": "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants "
                    "WHERE table_schema = current_schema() AND grantee LIKE 'turnout_%' ORDER BY 1, 2, 3",
    "column_grants": "SELECT grantee, table_name, column_name, privilege_type FROM "
                     "information_schema.column_privileges WHERE table_schema = current_schema() AND grantee "
                     "LIKE 'turnout_%' ORDER BY 1, 2, 3, 4",
    "rls": "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relnamespace = "
           "current_schema()::regnamespace AND relkind = 'r' ORDER BY 1",
    "triggers": "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal "
                "ORDER BY 1, 2",
    "functions": "SELECT proname, prosecdef, md5(prosrc), proacl::text FROM pg_proc WHERE pronamespace = "
                 "current_schema()::regnamespace ORDER BY 1",
    "groups": "SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname "
              "LIKE 'turnout_%' ORDER BY 1",
}


def _catalog(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        catalog = {name: [tuple(row) for row in connection.execute(text(query))]
                   for name, query in CATALOG_QUERIES.items()}
    engine.dispose()
    return catalog


def test_groups_own_nothing_bypass_nothing_and_every_scoped_table_forces_rls(fresh_server: str) -> None:
    catalog = _catalog(fresh_server)
    assert [row[0] for row in catalog["groups"]] == sorted(GROUPS)
    assert all(row[1:] == (False, False, False, False) for row in catalog["groups"])
    engine = create_engine(fresh_server)
    with engine.connect() as connection:
        owners = set(connection.execute(text(
            "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()")).scalars())
        tables = set(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    engine.dispose()
    assert not owners & set(GROUPS)
    assert tables == set(ALL_TABLES)  # a new table must be classified in pg_security
    rls = {name: (on, forced) for name, on, forced in catalog["rls"]}
    assert {table: rls[table] for table in scoped_tables()} == {table: (True, True) for table in scoped_tables()}


def test_admin_setup_twice_leaves_the_same_catalog(fresh_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = _catalog(fresh_server)
    assert main(["--db", fresh_server, "admin", "setup"]) == 0
    assert main(["--db", fresh_server, "admin", "setup"]) == 0
    assert "shared database ready at schema revision" in capsys.readouterr().out
    assert _catalog(fresh_server) == before


def test_an_older_schema_is_refused_with_the_setup_message(fresh_server: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    engine = create_engine(fresh_server)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    engine.dispose()
    assert main(["--db", fresh_server, "status", "--election", "2026-03-03", "--json"]) == 2
    assert "ask your administrator to run turnout admin setup" in capsys.readouterr().err
    engine = create_engine(fresh_server)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert main(["--db", fresh_server, "status", "--election", "2026-03-03", "--json"]) == 2
    assert "update Turnout Desktop" in capsys.readouterr().err


def test_grants_are_listed_and_revoked_with_audit_events(server, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    import json

    assert main(["--db", server.owner_url, "admin", "grant-clerk", "t_clerk_king", "--county", "King",
                 "--county", "Kent"]) == 0
    assert main(["--db", server.owner_url, "admin", "list", "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", server.owner_url, "admin", "list", "--json"]) == 0
    listed = {row["login"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["t_clerk_king"] == {"login": "t_clerk_king", "role": "clerk", "counties": ["KENT", "KING"]}
    assert listed["t_auditor"]["role"] == "auditor"
    assert main(["--db", server.owner_url, "admin", "revoke", "t_clerk_king"]) == 0
    assert main(["--db", server.clerk_other, "whoami", "--json"]) == 4
    assert main(["--db", server.owner_url, "admin", "grant-clerk", "no_such_login_x", "--county", "King"]) == 2
    engine = create_engine(server.owner_url)
    with engine.connect() as connection:
        events = connection.execute(text("SELECT event_type, details->>'login' FROM audit_event WHERE event_type "
                                         "IN ('role_grant', 'role_revoke') ORDER BY seq")).all()
    engine.dispose()
    assert ("role_grant", "t_clerk_king") in events and events[-1] == ("role_revoke", "t_clerk_king")
