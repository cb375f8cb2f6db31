"""Roles, privileges and row-level security of a shared PostgreSQL database (``turnout admin setup``).

The owner login that runs ``admin setup`` owns every table and is used for nothing else. People sign in
with their own logins, each a member of one group role:

- ``turnout_clerk``: reads and writes only the counties granted in ``county_grant`` (row-level
  security, ENABLEd and FORCEd); uploads and runs its counties' reconciliations; may not import or
  change statewide records, override, review, undo or change shared settings (no privilege, or a
  column or policy that refuses it).
- ``turnout_admin``: everything the application does, every county.
- ``turnout_auditor``: reads everything, changes nothing (it may append audit events, as everyone).
- ``turnout_service``: the scheduled check: imports statewide data, reconciles; no overrides,
  reviews, undo, settings or grants.

``audit_event`` is INSERT-only for all of them (plus the triggers of migrations 0001 and 0003). Applying
this twice yields the same catalog: privileges are revoked and granted again, policies dropped and made
again, all in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, Engine, text

from turnout_desktop.db.pg_roster_overlap import create_roster_overlap_function

GROUPS = ("turnout_clerk", "turnout_admin", "turnout_auditor", "turnout_service")
SETUP_LOCK_KEY = int.from_bytes(hashlib.sha256(b"turnout|admin setup").digest()[:8], "big", signed=True)
DEFINER_FUNCTIONS = ("turnout_audit_head()", "turnout_statewide_as_of(date)")
IDLE_SESSION_TIMEOUT = "60s"  # idle client sessions close, so only working offices hold connections
IDLE_IN_TRANSACTION_TIMEOUT = "10min"  # longer than any one reconciliation run holds its run lock

ALL_TABLES = (
    "alembic_version", "app_setting", "audit_anchor", "audit_event", "certification", "county_grant",
    "county_roster_row", "login_role", "official_count_change", "reconcile_input",
    "county_turnout_reference", "fix", "fix_action", "manual_override", "outbox_item", "precinct_district",
    "reconciliation_attempt", "reconciliation_log", "roster_overlap_probe", "source_file",
    "statewide_count_cache", "submission", "submission_file", "turnout_record", "upload_count",
)
# Tables a clerk writes while it uploads and reconciles its own counties.
CLERK_INSERT = ("source_file", "submission", "submission_file", "county_roster_row", "upload_count",
                "county_turnout_reference", "turnout_record", "reconciliation_log", "reconciliation_attempt",
                "fix", "fix_action", "audit_event", "reconcile_input")
# Column lists: UPDATE rights that leave out what only an admin may change.
RECORD_CLERK_COLUMNS = "county, district, county_fallback, removed_at, removed_by_fix"
LOG_WITHOUT_REVIEW = ("county, election_date, party, trigger_type, expected_total, actual_total, discrepancy, "
                      "discrepancy_pct, diagnosis, diagnosis_details, strategies_tried, strategy_succeeded, "
                      "attempts_count, status, current_strategy, resolution_time_seconds, final_accuracy_pct, "
                      "created_at, updated_at, resolved_at, notes, input_version")
FIX_WITHOUT_UNDO = "strategy, county, election_date, party, log_id, created_at, created_by, summary"
CLERK_UPDATE = {
    "source_file": "layout, status, parser, encoding",
    "county_roster_row": "party, voting_method, vuid, vuid_raw, precinct, vote_date, problem_code",
    "submission": "superseded_at, superseded_by_id",
    "upload_count": "official_count",
    "county_turnout_reference": ("official_count, source, uploaded_at, uploaded_by, verified, database_count, "
                                 "last_verified_at, submission_id"),
    "turnout_record": RECORD_CLERK_COLUMNS,
    "reconciliation_log": LOG_WITHOUT_REVIEW,
    "reconciliation_attempt": "outcome, after_actual, after_accuracy_pct, after_counts, fix_id, message, finished_at",
    "fix": FIX_WITHOUT_UNDO,
    "reconcile_input": "version, changed_at, reason",
}
SERVICE_EXTRA_INSERT = ("statewide_count_cache",)
# The scheduled check imports and reconciles; it never submits, so it adds no submission and changes no
# one's upload beyond what strategy E re-reads.
SERVICE_INSERT = tuple(t for t in CLERK_INSERT if t not in ("submission", "submission_file", "upload_count"))
SERVICE_UPDATE = {**{t: c for t, c in CLERK_UPDATE.items() if t not in ("submission", "upload_count")},
                  "source_file": "layout, status, parser, encoding, rows, as_of",
                  "county_turnout_reference": "official_count, verified, database_count, last_verified_at",
                  "turnout_record": RECORD_CLERK_COLUMNS + ", created_by_fix",
                  "certification": "last_drift_check_at"}  # the daily drift check of certified scopes
ADMIN_WRITE = ("app_setting", "manual_override", "precinct_district", "statewide_count_cache")

# Row-level security. ``sees_all`` is wrapped in a sub-select so PostgreSQL evaluates it once per query.
SEES_ALL = "(SELECT turnout_sees_all())"
MINE = "county IN (SELECT unnest(turnout_my_counties()))"
COUNTY_TABLES = ("county_roster_row", "county_turnout_reference", "turnout_record", "precinct_district",
                 "reconciliation_log", "fix", "manual_override", "statewide_count_cache", "submission",
                "reconcile_input", "official_count_change")
CHILD_TABLES = {  # tables without a county column: a row is visible when its parent row is
    "upload_count": "EXISTS (SELECT 1 FROM submission s WHERE s.id = submission_id)",
    "submission_file": "EXISTS (SELECT 1 FROM submission s WHERE s.id = submission_id)",
    "reconciliation_attempt": "EXISTS (SELECT 1 FROM reconciliation_log l WHERE l.id = log_id)",
    "fix_action": "EXISTS (SELECT 1 FROM fix f WHERE f.id = fix_id)",
}
SOURCE_FILE_MINE = ("kind IN ('county_roster', 'county_summary') AND (uploaded_by = session_user::text OR EXISTS ("
                    "SELECT 1 FROM submission_file sf JOIN submission s ON s.id = sf.submission_id "
                    "WHERE sf.source_file_id = source_file.id))")


def ensure_groups(connection: Connection) -> None:
    """Create the four NOLOGIN group roles when missing (roles are cluster-wide, shared by databases)."""
    for group in GROUPS:
        found = connection.execute(text(
            "SELECT rolcanlogin OR rolbypassrls OR rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles "
            "WHERE rolname = :name"), {"name": group}).first()
        # Roles are cluster-wide: touch them only when needed, so setups of two databases do not collide.
        if found is None:
            connection.execute(text(f'CREATE ROLE "{group}" NOLOGIN'))
        elif found[0]:
            connection.execute(text(f'ALTER ROLE "{group}" NOLOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE'))


def apply_privileges(connection: Connection) -> None:
    """Grants, row-level security policies and function rights; run inside one transaction."""
    schema = connection.execute(text("SELECT quote_ident(current_schema())")).scalar_one()
    database = connection.execute(text("SELECT quote_ident(current_database())")).scalar_one()
    groups = ", ".join(GROUPS)

    def run(statement: str) -> None:
        connection.execute(text(statement))

    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {groups}")
    run(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {groups}")
    run(f"REVOKE ALL ON SCHEMA {schema} FROM {groups}")
    # The schema's names resolve for anyone who may connect (only the groups may, see below); the tables
    # and the SECURITY DEFINER functions stay with the groups.
    run(f"GRANT USAGE ON SCHEMA {schema} TO PUBLIC")
    for function in DEFINER_FUNCTIONS:
        run(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        run(f"GRANT EXECUTE ON FUNCTION {function} TO {groups}")
    # Only members of a Turnout group may connect: a login without a role cannot even hold a lock here
    # (PostgreSQL's server log records its refused connection; the client says "no Turnout role").
    run(f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC")
    run(f"GRANT CONNECT ON DATABASE {database} TO {groups}")
    run(f"GRANT SELECT ON {', '.join(ALL_TABLES)} TO {groups}")
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {groups}")
    run(f"GRANT INSERT ON audit_event TO {groups}")
    for group, inserts, updates in (("turnout_clerk", CLERK_INSERT, CLERK_UPDATE),
                                    ("turnout_service", SERVICE_INSERT, SERVICE_UPDATE)):
        run(f"GRANT INSERT ON {', '.join(inserts)} TO {group}")
        for table, columns in updates.items():
            run(f"GRANT UPDATE ({columns}) ON {table} TO {group}")
    run(f"GRANT INSERT, DELETE ON {', '.join(SERVICE_EXTRA_INSERT)} TO turnout_service")
    admin_tables = [t for t in ALL_TABLES if t not in ("alembic_version", "audit_event", "audit_anchor",
                                                       "county_grant", "official_count_change", "outbox_item")]
    run(f"GRANT INSERT, UPDATE ON {', '.join(admin_tables)} TO turnout_admin")
    run(f"GRANT DELETE ON {', '.join(t for t in ADMIN_WRITE if t != 'manual_override')} TO turnout_admin")
    run(f"""CREATE OR REPLACE FUNCTION turnout_may_link_file(file_id integer) RETURNS boolean LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = {schema}, pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM source_file f WHERE f.id = file_id AND (turnout_role() IN ('admin', 'service')
    OR (f.kind IN ('county_roster', 'county_summary') AND (f.uploaded_by = session_user::text OR EXISTS (
      SELECT 1 FROM submission_file sf JOIN submission s ON s.id = sf.submission_id
      WHERE sf.source_file_id = f.id AND s.county IN (SELECT unnest(turnout_my_counties())))))))
$$""")  # noqa: S608 - DDL from constants and quote_ident
    run("REVOKE ALL ON FUNCTION turnout_may_link_file(integer) FROM PUBLIC")
    run(f"GRANT EXECUTE ON FUNCTION turnout_may_link_file(integer) TO {groups}")
    # The upload wizard's "another county's roster" check for a clerk: a logged, rate-limited verdict, no
    # record; it also narrows roster_overlap_probe (granted above with every table) to admins and auditors.
    create_roster_overlap_function(run, schema)
    _policies(run)
    run(f"ALTER DATABASE {database} SET idle_session_timeout = '{IDLE_SESSION_TIMEOUT}'")
    # A transaction left open (a crashed client, or one holding an advisory lock to stall others) ends.
    run(f"ALTER DATABASE {database} SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'")


def _policies(run: Callable[[str], None]) -> None:
    scoped = {table: MINE for table in COUNTY_TABLES} | CHILD_TABLES
    scoped["source_file"] = SOURCE_FILE_MINE
    scoped["county_grant"] = "login = session_user::text"
    for table, mine in scoped.items():
        _reset_policies(run, table)
        run(f"CREATE POLICY turnout_read ON {table} FOR SELECT USING ({SEES_ALL} OR {mine})")
        insert_check = mine
        if table == "turnout_record":  # a clerk adds county-sourced records only, never statewide ones
            insert_check = f"{mine} AND source = 'county' AND verification = 'pending'"
        if table == "submission_file":  # only a file the login may see already: linking another county's
            # file to one's own submission must not make it readable (a function: a sub-select on
            # source_file here would recurse through source_file's own policy)
            insert_check = f"{mine} AND turnout_may_link_file(source_file_id)"
        insert_policy = f"({SEES_ALL} OR {insert_check})"
        if table == "reconciliation_log":  # a review state is an admin's decision: a run's new row has none
            insert_policy += (" AND ((review_state IS NULL AND review_reason IS NULL) OR "
                              "turnout_is_owner(current_user) OR turnout_role() = 'admin')")
        run(f"CREATE POLICY turnout_insert ON {table} FOR INSERT WITH CHECK ({insert_policy})")
        changeable = mine
        if table == "turnout_record":  # statewide records are the independent source a county's counts are
            # checked against: a clerk's login neither removes, revives nor reassigns them (the service's
            # check does, see strategies C and D)
            changeable = f"{mine} AND source = 'county'"
        run(f"CREATE POLICY turnout_update ON {table} FOR UPDATE USING ({SEES_ALL} OR {changeable}) "
            f"WITH CHECK ({SEES_ALL} OR {changeable})")
        run(f"CREATE POLICY turnout_delete ON {table} FOR DELETE USING ({SEES_ALL} OR {mine})")
    # A login reads its own role row (no turnout_role() here: that function reads this table).
    _reset_policies(run, "login_role")
    run("CREATE POLICY turnout_read ON login_role FOR SELECT USING (login = session_user::text OR "
        "turnout_is_owner(current_user))")
    # Shared settings: everyone reads; only an admin of this database writes (the group alone, granted in
    # another database of the cluster, is not enough).
    _reset_policies(run, "app_setting")
    run("CREATE POLICY turnout_read ON app_setting FOR SELECT USING (true)")
    for command, clause in (("INSERT", "WITH CHECK"), ("UPDATE", "USING"), ("DELETE", "USING")):
        run(f"CREATE POLICY turnout_{command.lower()} ON app_setting FOR {command} {clause} "
            "(turnout_is_owner(current_user) OR turnout_role() = 'admin')")
    # Audit events: everyone appends (the insert trigger checks who); a clerk reads its counties' events
    # and its own (a refused upload for another county included).
    _reset_policies(run, "audit_event")
    run(f"CREATE POLICY turnout_read ON audit_event FOR SELECT USING ({SEES_ALL} OR {MINE} OR "
        "user_name = session_user::text)")
    run("CREATE POLICY turnout_insert ON audit_event FOR INSERT WITH CHECK (true)")


def _reset_policies(run: Callable[[str], None], table: str) -> None:
    for name in ("turnout_read", "turnout_insert", "turnout_update", "turnout_delete"):
        run(f"DROP POLICY IF EXISTS {name} ON {table}")
    run(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    run(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def scoped_tables() -> Iterable[str]:
    """Every table with row-level security (tests check the catalog against this)."""
    return (*COUNTY_TABLES, *CHILD_TABLES, "source_file", "county_grant", "audit_event", "login_role",
            "app_setting", "roster_overlap_probe")  # the last: rights and policies in db/pg_roster_overlap.py


def setup_database(engine: Engine) -> None:
    """Groups, schema migrations and privileges under one advisory lock (two setups never interleave)."""
    from turnout_desktop.db.migrate import upgrade_to_head

    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})
        ensure_groups(connection)
        upgrade_to_head(engine, connection=connection)
        apply_privileges(connection)
