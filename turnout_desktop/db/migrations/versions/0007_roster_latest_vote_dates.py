"""a roster upload's latest vote date per party, kept on its submission row

The timing evidence compares each county's latest roster vote date with the statewide data's. Read from the
voter rows it cost a pass over every roster row of the election (0.7 s at 1M rows, engine/evidence.py); a
roster's rows never change after its upload, so the dates are computed once when they are stored
(store/roster_store.py). Rows stored before this migration have NULL here and are still read from the
voter rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission') as batch:
        batch.add_column(sa.Column('latest_vote_dates', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submission') as batch:
        batch.drop_column('latest_vote_dates')
