"""county grants, audit anchors, and the database's own identity checks on the audit trail

- ``county_grant``: the counties a clerk login may see and change (``turnout admin grant-clerk``).
- ``login_role``: the Turnout role of a login in this database (group roles are cluster-wide, so the
  group alone would carry a grant made in one database into every other database of the cluster).
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
ACTOR_COLUMNS = (("submission", "submitted_by"), ("county_turnout_reference", "uploaded_by"),
                 ("source_file", "uploaded_by"), ("fix", "created_by"), ("fix", "undone_by"),
                 ("manual_override", "created_by"))
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
        'login_role',
        sa.Column('login', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.Column('granted_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('login'),
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


def _raw_ddl(sql: str) -> None:
    """DDL holding ":name" or "%" text (JSON, RAISE formats) that neither text() nor psycopg may parse."""
    op.get_bind().exec_driver_sql(sql.replace("%", "%%"))


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
  -- Group roles are cluster-wide; the role counts in this database only where login_role says so too.
  FOREACH grp IN ARRAY ARRAY['turnout_admin', 'turnout_service', 'turnout_auditor', 'turnout_clerk'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
      IF pg_has_role(session_user, grp, 'MEMBER') AND EXISTS (
          SELECT 1 FROM login_role WHERE login = session_user::text AND role = substr(grp, 9)) THEN
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
    # JSON text of a string exactly as Python's json.dumps writes it (ASCII escapes, surrogate pairs), so
    # that the database can check an audit row's hash itself.
    _raw_ddl(r"""
CREATE OR REPLACE FUNCTION turnout_json_string(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  result text := '';
  ch text;
  code int;
  i int;
BEGIN
  IF value IS NULL THEN
    RETURN 'null';
  END IF;
  IF value ~ '^[ -~]*$' THEN
    RETURN to_json(value)::text;
  END IF;
  FOR i IN 1 .. char_length(value) LOOP
    ch := substr(value, i, 1);
    code := ascii(ch);
    IF code = 34 THEN result := result || '\"';
    ELSIF code = 92 THEN result := result || '\\';
    ELSIF code = 8 THEN result := result || '\b';
    ELSIF code = 12 THEN result := result || '\f';
    ELSIF code = 10 THEN result := result || '\n';
    ELSIF code = 13 THEN result := result || '\r';
    ELSIF code = 9 THEN result := result || '\t';
    ELSIF code >= 65536 THEN
      code := code - 65536;
      result := result || '\u' || lpad(to_hex(55296 + (code >> 10)), 4, '0')
                       || '\u' || lpad(to_hex(56320 + (code & 1023)), 4, '0');
    ELSIF code < 32 OR code > 126 THEN result := result || '\u' || lpad(to_hex(code), 4, '0');
    ELSE result := result || ch;
    END IF;
  END LOOP;
  RETURN '"' || result || '"';
END $$""")
    # An application role's audit row: its seq from the sequence in this very insert (no squatting on
    # future numbers), its user and role the database's, a clerk's county one of its own, its prev_hash
    # the real head (read under the chain lock, so two writers cannot fork the chain) and its hash the
    # one db/audit.py::canonical_text gives (a row no verifier could accept is refused up front).
    _raw_ddl(f"""
CREATE OR REPLACE FUNCTION turnout_audit_guard_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE
  expected_seq bigint;
  canonical text;
BEGIN
  IF turnout_is_owner(session_user) THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock({AUDIT_CHAIN_LOCK_KEY});
  BEGIN
    expected_seq := currval(pg_get_serial_sequence('{schema}.audit_event', 'seq'));
  EXCEPTION WHEN object_not_in_prerequisite_state THEN
    expected_seq := NULL;
  END;
  IF NEW.seq IS DISTINCT FROM expected_seq THEN
    RAISE EXCEPTION 'not permitted: an audit event takes its seq from the sequence' USING ERRCODE = '42501';
  END IF;
  IF NEW.user_name IS DISTINCT FROM session_user::text THEN
    RAISE EXCEPTION 'not permitted: an audit event must name the signed-in login %', session_user
      USING ERRCODE = '42501';
  END IF;
  IF NEW.user_role IS DISTINCT FROM turnout_role() THEN
    RAISE EXCEPTION 'not permitted: an audit event must carry the role the database reports (%)', turnout_role()
      USING ERRCODE = '42501';
  END IF;
  IF turnout_role() = 'clerk' AND NEW.county IS NOT NULL AND NOT (NEW.county = ANY (turnout_my_counties())) THEN
    RAISE EXCEPTION 'not permitted: a clerk writes audit events of its own counties only' USING ERRCODE = '42501';
  END IF;
  IF NEW.prev_hash IS DISTINCT FROM turnout_audit_head() THEN
    RAISE EXCEPTION 'not permitted: an audit event must extend the current head of the chain'
      USING ERRCODE = '42501';
  END IF;
  canonical := '{{"county":' || turnout_json_string(NEW.county)
    || ',"details":' || coalesce(NEW.details::text, 'null')
    || ',"disposition":' || turnout_json_string(NEW.disposition)
    || ',"election_date":' || CASE WHEN NEW.election_date IS NULL THEN 'null'
                                   ELSE '"' || to_char(NEW.election_date, 'YYYY-MM-DD') || '"' END
    || ',"event_type":' || turnout_json_string(NEW.event_type)
    || ',"message":' || turnout_json_string(NEW.message)
    || ',"occurred_at":"' || to_char(NEW.occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '"'
    || ',"user_name":' || turnout_json_string(NEW.user_name)
    || ',"user_role":' || turnout_json_string(NEW.user_role) || '}}';
  IF NEW.hash IS DISTINCT FROM encode(sha256(convert_to(canonical || NEW.prev_hash, 'UTF8')), 'hex') THEN
    RAISE EXCEPTION 'not permitted: an audit event''s hash must cover its fields' USING ERRCODE = '42501';
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
    # "Who did it" columns name the signed-in login, never a typed name (the owner is exempt).
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_stamp_actor() RETURNS trigger LANGUAGE plpgsql {path} AS $$
DECLARE
  actor text := to_jsonb(NEW) ->> TG_ARGV[0];
BEGIN
  IF turnout_is_owner(session_user) OR actor IS NULL THEN
    RETURN NEW;
  END IF;
  IF (TG_OP = 'INSERT' OR actor IS DISTINCT FROM to_jsonb(OLD) ->> TG_ARGV[0]) AND actor <> session_user::text THEN
    RAISE EXCEPTION 'not permitted: %.% must name the signed-in login %', TG_TABLE_NAME, TG_ARGV[0], session_user
      USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$""")
    for table, column in ACTOR_COLUMNS:
        op.execute(f"CREATE TRIGGER {table}_{column}_is_login BEFORE INSERT OR UPDATE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION turnout_stamp_actor('{column}')")
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
        for table, column in ACTOR_COLUMNS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{column}_is_login ON {table}")
        for function in ("turnout_stamp_actor()", "turnout_json_string(text)", "turnout_audit_guard_insert()", "turnout_audit_anchor()",
                         "turnout_audit_head()",
                         "turnout_statewide_as_of(date)",
                         "turnout_my_counties()", "turnout_sees_all()", "turnout_role()", "turnout_is_owner(name)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")  # with the policies using it
    op.drop_table('audit_anchor')
    op.drop_table('login_role')
    op.drop_table('county_grant')
