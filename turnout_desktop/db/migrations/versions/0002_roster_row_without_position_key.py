"""county_roster_row without the unique row-position key

Roster rows are written in VUID order, so both VUID indexes grow at their end; the unique key on the
row position (submission, file, sheet, row number) was the one B-tree filled in random order. On a
shuffled 1M-row roster it cost more than a third of the insert. Positions are unique by construction
(one row per spreadsheet row, and strategy E inserts only positions not stored yet).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:00:00
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('county_roster_row', schema=None) as batch_op:
        batch_op.drop_constraint('uq_roster_row_position', type_='unique')


def downgrade() -> None:
    with op.batch_alter_table('county_roster_row', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_roster_row_position',
                                          ['submission_id', 'source_file_id', 'sheet', 'row_no'])
