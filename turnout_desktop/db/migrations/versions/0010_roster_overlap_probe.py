"""every roster-overlap probe, written by the database itself

``turnout_roster_overlap`` (db/pg_roster_overlap.py) tells a clerk whether an upload's VUIDs mostly belong
to another county although row-level security hides that county's records. Each call is one bit about
records the clerk may not read, so each call is written down here (login, election, how many distinct
VUIDs, their SHA-256, the verdict) and the function counts a login's calls of the last hour to refuse more
than it allows. Only that SECURITY DEFINER function writes the table; admins and auditors read it
(db/pg_security.py). On SQLite the table stays empty: there is no row-level security to work around.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        'roster_overlap_probe',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('login', sa.Text(), nullable=False,
                  server_default=sa.text("session_user") if postgresql else None),
        sa.Column('election_date', sa.Date(), nullable=False),
        sa.Column('distinct_vuids', sa.Integer(), nullable=False),
        sa.Column('vuids_sha256', sa.String(length=64), nullable=False),
        sa.Column('verdict', sa.String(length=100), nullable=True),
        sa.Column('probed_at', sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()") if postgresql else sa.text("CURRENT_TIMESTAMP")),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_roster_overlap_probe_login_time', 'roster_overlap_probe', ['login', 'probed_at'])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for function in ("turnout_roster_overlap(date, text[])", "turnout_roster_overlap_verdict(integer)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")  # they read and write the table
    op.drop_index('ix_roster_overlap_probe_login_time', table_name='roster_overlap_probe')
    op.drop_table('roster_overlap_probe')
