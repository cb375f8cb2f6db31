"""county grants, audit anchors, and the database's own identity checks on the audit trail

- ``county_grant``: the counties a clerk login may see and change (``turnout admin grant-clerk``).
- ``audit_anchor``: the (seq, hash) of every audit row as appended, written by a trigger; application
  roles only read it, so ``audit verify`` catches an edited, re-hashed, deleted or truncated row.
  Existing rows are anchored as they are now.
- PostgreSQL: helper functions the row-level security policies use (``turnout_role`` from group
  membership, ``turnout_my_counties`` from county_grant), a BEFORE INSERT guard that makes an audit
  row's user the connection's login, its role the database's and its prev_hash the real head, and
  TRUNCATE refused on the audit tables. Roles, grants and policies are applied by ``turnout admin setup``
  (``turnout_desktop/db/pg_security.py``), not here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 12:40:00
"""

# ruff: noqa: S608 - DDL text built from constants and quote_ident(current_schema()), never from user input
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
AUDIT_CHAIN_LOCK_KEY = -925198448149337860  # db/audit.py's key: sha256("turnout|audit_event|head")[:8]


def upgrade() -> None:
    op.create_table(
        'county_grant',
        sa.Column('login', sa.String(length=100), nullable=False),
        sa.Column('county', sa.String(length=100), nullable=False),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.Column('granted_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('login', 'county'),
    )
    op.create_table(
        'audit_anchor',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('seq'),
    )
    op.execute("INSERT INTO audit_anchor (seq, hash, recorded_at) SELECT seq, hash, occurred_at FROM audit_event")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgres_functions()


def _sqlite_triggers() -> None:
    op.execute("CREATE TRIGGER audit_event_anchor AFTER INSERT ON audit_event BEGIN "
               "INSERT INTO audit_anchor (seq, hash, recorded_at) VALUES (NEW.seq, NEW.hash, CURRENT_TIMESTAMP); END")
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_anchor_no_{verb.lower()} BEFORE {verb} ON audit_anchor "
                   "BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only'); END")


def _postgres_functions() -> None:
    schema = op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    path = f"SET search_path = {schema}, pg_catalog, pg_temp"
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_is_owner(who name) RETURNS boolean LANGUAGE sql STABLE {path} AS $$
  SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who AND rolsuper)
      OR who = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = '{schema}.audit_event'::regclass)
$$""")
    # The person's Turnout role from group membership (highest first); NULL when none. The owner (or a
    # superuser), who can do everything anyway, counts as an admin.
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_role() RETURNS text LANGUAGE plpgsql STABLE {path} AS $$
DECLARE grp text;
BEGIN
  IF turnout_is_owner(session_user) THEN
    RETURN 'admin';
  END IF;
  FOREACH grp IN ARRAY ARRAY['turnout_admin', 'turnout_service', 'turnout_auditor', 'turnout_clerk'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
      IF pg_has_role(session_user, grp, 'MEMBER') THEN
        RETURN substr(grp, 9);
      END IF;
    END IF;
  END LOOP;
  RETURN NULL;
END $$""")
    # Row-level security: the owner (current_user inside its SECURITY DEFINER functions too), admins,
    # auditors and the service see every county; a clerk only the counties granted to its login.
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_sees_all() RETURNS boolean LANGUAGE sql STABLE {path} AS $$
  SELECT turnout_is_owner(current_user) OR coalesce(turnout_role() IN ('admin', 'service', 'auditor'), false)
$$""")
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_my_counties() RETURNS text[] LANGUAGE sql STABLE {path} AS $$
  SELECT coalesce(array_agg(county::text), '{{}}') FROM county_grant WHERE login = session_user
$$""")
    # The newest audit row, whatever the caller may read (clerks read only their counties' rows).
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_audit_head() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT coalesce((SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1), '{GENESIS}')
$$""")
    # The snapshot time of the loaded statewide data feeds the timing diagnosis of every run, a clerk's too,
    # while the statewide files themselves (every county's voters) stay out of a clerk's reach.
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_statewide_as_of(election date) RETURNS timestamp LANGUAGE sql STABLE
SECURITY DEFINER {path} AS $$
  SELECT max(as_of) FROM source_file WHERE kind = 'statewide' AND election_date = election AND status = 'complete'
$$""")
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_audit_guard_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
BEGIN
  IF turnout_is_owner(session_user) THEN
    RETURN NEW;
  END IF;
  IF NEW.user_name IS DISTINCT FROM session_user::text THEN
    RAISE EXCEPTION 'not permitted: an audit event must name the signed-in login %', session_user
      USING ERRCODE = '42501';
  END IF;
  IF NEW.user_role IS DISTINCT FROM turnout_role() THEN
    RAISE EXCEPTION 'not permitted: an audit event must carry the role the database reports (%)', turnout_role()
      USING ERRCODE = '42501';
  END IF;
  IF NEW.prev_hash IS DISTINCT FROM turnout_audit_head() THEN
    RAISE EXCEPTION 'not permitted: an audit event must extend the current head of the chain'
      USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$""")
    op.execute("CREATE TRIGGER audit_event_guard_insert BEFORE INSERT ON audit_event "
               "FOR EACH ROW EXECUTE FUNCTION turnout_audit_guard_insert()")
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_audit_anchor() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
BEGIN
  INSERT INTO audit_anchor (seq, hash, recorded_at) VALUES (NEW.seq, NEW.hash, now() AT TIME ZONE 'UTC');
  RETURN NEW;
END $$""")
    op.execute("CREATE TRIGGER audit_event_anchor AFTER INSERT ON audit_event "
               "FOR EACH ROW EXECUTE FUNCTION turnout_audit_anchor()")
    op.execute("CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON audit_anchor "
               "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
    for table in ("audit_event", "audit_anchor"):
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")
    # A login with no Turnout role may append exactly one kind of event: its own refused sign-in (at most
    # one a minute), hashed here in SQL exactly as db/audit.py::canonical_text would (ASCII names only; a
    # name JSON would escape differently is left to the server log).
    # exec_driver_sql: the JSON text holds ":null", which text() would take for a bind parameter.
    op.get_bind().exec_driver_sql(f"""
CREATE OR REPLACE FUNCTION turnout_note_refused_sign_in() RETURNS void LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE
  who text := session_user::text;
  at timestamp := date_trunc('microseconds', clock_timestamp() AT TIME ZONE 'UTC');
  message text := 'sign-in refused: no Turnout role granted';
  head text;
  canonical text;
BEGIN
  IF turnout_role() IS NOT NULL OR who !~ '^[ -~]*$' THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock({AUDIT_CHAIN_LOCK_KEY});
  IF EXISTS (SELECT 1 FROM audit_event WHERE event_type = 'sign_in' AND disposition = 'failure'
             AND user_name = who AND occurred_at > at - interval '1 minute') THEN
    RETURN;
  END IF;
  head := turnout_audit_head();
  canonical := '{{"county":null,"details":null,"disposition":"failure","election_date":null,'
    || '"event_type":"sign_in","message":' || to_json(message)::text
    || ',"occurred_at":"' || to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '"'
    || ',"user_name":' || to_json(who)::text || ',"user_role":null}}';
  INSERT INTO audit_event (occurred_at, event_type, disposition, user_name, user_role, county, election_date,
                           message, details, prev_hash, hash)
  VALUES (at, 'sign_in', 'failure', who, NULL, NULL, NULL, message, NULL, head,
          encode(sha256(convert_to(canonical || head, 'UTF8')), 'hex'));
END $$""")
    # Only the definer functions run these; nobody else needs to call them.
    for function in ("turnout_audit_guard_insert()", "turnout_audit_anchor()"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("audit_event_anchor", "audit_anchor_no_update", "audit_anchor_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        for trigger, table in (("audit_event_guard_insert", "audit_event"), ("audit_event_anchor", "audit_event"),
                               ("audit_event_no_truncate", "audit_event")):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in ("turnout_note_refused_sign_in()", "turnout_audit_guard_insert()", "turnout_audit_anchor()",
                         "turnout_audit_head()",
                         "turnout_statewide_as_of(date)",
                         "turnout_my_counties()", "turnout_sees_all()", "turnout_role()", "turnout_is_owner(name)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")  # with the policies using it
    op.drop_table('audit_anchor')
    op.drop_table('county_grant')
