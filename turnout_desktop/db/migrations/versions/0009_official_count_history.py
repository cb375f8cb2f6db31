"""every change of an official count, written by the database itself

A clerk's login may update its counties' official counts (uploads and strategy E's re-parse do), so plain
SQL could change one with no upload and no audit event. A trigger now records every insert and change of
``county_turnout_reference.official_count`` in ``official_count_change`` (old, new, the submission the row
points to, the login and the time); on PostgreSQL the trigger is a SECURITY DEFINER function of the owner
and application roles may only read the table (db/pg_security.py), so the trail cannot be rewritten.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COLUMNS = "county, election_date, party, voting_method, old_count, new_count, submission_id, changed_by, changed_at"


def upgrade() -> None:
    op.create_table(
        'official_count_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county', sa.String(length=100), nullable=False),
        sa.Column('election_date', sa.Date(), nullable=False),
        sa.Column('party', sa.String(length=50), nullable=False),
        sa.Column('voting_method', sa.String(length=50), nullable=False),
        sa.Column('old_count', sa.Integer(), nullable=True),
        sa.Column('new_count', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=True),
        sa.Column('changed_by', sa.String(length=100), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_official_count_change_scope', 'official_count_change', ['county', 'election_date'])
    if op.get_bind().dialect.name == "sqlite":
        for event, old, when in (("INSERT", "NULL", ""),
                                 ("UPDATE OF official_count", "OLD.official_count",
                                  "WHEN NEW.official_count IS NOT OLD.official_count ")):
            name = "insert" if event == "INSERT" else "update"
            op.execute(
                f"CREATE TRIGGER official_count_{name} AFTER {event} ON county_turnout_reference {when}BEGIN "  # noqa: S608
                f"INSERT INTO official_count_change ({COLUMNS}) VALUES (NEW.county, NEW.election_date, NEW.party, "
                f"NEW.voting_method, {old}, NEW.official_count, NEW.submission_id, NULL, CURRENT_TIMESTAMP); END")
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER official_count_change_no_{verb.lower()} BEFORE {verb} ON official_count_change "
                       "BEGIN SELECT RAISE(ABORT, 'official_count_change is append-only'); END")
        return
    schema = op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    op.execute(f"""
CREATE OR REPLACE FUNCTION turnout_official_count_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.official_count IS DISTINCT FROM OLD.official_count THEN
    INSERT INTO official_count_change ({COLUMNS}) VALUES (NEW.county, NEW.election_date, NEW.party,
      NEW.voting_method, CASE WHEN TG_OP = 'UPDATE' THEN OLD.official_count END, NEW.official_count,
      NEW.submission_id, session_user::text, now() AT TIME ZONE 'UTC');
  END IF;
  RETURN NEW;
END $$""")  # noqa: S608 - DDL from constants and quote_ident
    op.execute("REVOKE ALL ON FUNCTION turnout_official_count_change() FROM PUBLIC")
    op.execute("CREATE TRIGGER official_count_change AFTER INSERT OR UPDATE ON county_turnout_reference "
               "FOR EACH ROW EXECUTE FUNCTION turnout_official_count_change()")
    op.execute("CREATE TRIGGER official_count_change_append_only BEFORE UPDATE OR DELETE ON official_count_change "
               "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
    op.execute("CREATE TRIGGER official_count_change_no_truncate BEFORE TRUNCATE ON official_count_change "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("official_count_insert", "official_count_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS official_count_change ON county_turnout_reference")
        op.execute("DROP FUNCTION IF EXISTS turnout_official_count_change()")
    op.drop_index('ix_official_count_change_scope', table_name='official_count_change')
    op.drop_table('official_count_change')
