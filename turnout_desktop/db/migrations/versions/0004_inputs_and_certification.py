"""reconciliation inputs, certification, fetched statewide sources

- ``reconcile_input``: one row per (county, election) whose ``version`` goes up whenever what a
  reconciliation of that county reads changes (an upload, statewide records, the precinct map, an undo,
  another county's fix landing here). A log row stores the version its run started from
  (``reconciliation_log.input_version``): the gate publishes nothing whose newest finished run is older
  than the county's inputs, and ``check`` re-reconciles exactly those.
- ``manual_override.submission_id``: the county's upload an override was given for; a later upload ends it.
- ``certification``: an admin's lock on an election (``county`` NULL) or one county of it, with the
  counts as certified (``snapshot``) for the daily drift check; revoked by ``uncertify``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 14:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reconcile_input',
        sa.Column('county', sa.String(length=100), nullable=False),
        sa.Column('election_date', sa.Date(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('county', 'election_date'),
    )
    with op.batch_alter_table('reconciliation_log') as batch:
        batch.add_column(sa.Column('input_version', sa.Integer(), nullable=True))
    with op.batch_alter_table('manual_override') as batch:
        batch.add_column(sa.Column('submission_id', sa.Integer(), nullable=True))
    op.create_table(
        'certification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('election_date', sa.Date(), nullable=False),
        sa.Column('county', sa.String(length=100), nullable=True),
        sa.Column('certified_at', sa.DateTime(), nullable=False),
        sa.Column('certified_by', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=True),
        sa.Column('last_drift_check_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by', sa.String(length=100), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_certification_election', 'certification', ['election_date', 'county'])


def downgrade() -> None:
    op.drop_index('ix_certification_election', table_name='certification')
    op.drop_table('certification')
    with op.batch_alter_table('manual_override') as batch:
        batch.drop_column('submission_id')
    with op.batch_alter_table('reconciliation_log') as batch:
        batch.drop_column('input_version')
    op.drop_table('reconcile_input')
