"""indexes for the dashboard's confirmed counts over millions of records (the desktop must start fast)

The status and overview read, per (county, party, method), the active records and the statewide ones
(``engine/repository.py`` ``confirmed_counts``), and the few records taken from a county file. Without
``source`` in the group index the statewide count read every table row (1.2 s at 300k records, measured
by benchmarks/dashboard.py), and the county records were found by reading every record of the election:

- ``ix_turnout_record_group``: (election_date, county, party, voting_method, removed_at) -> (..., source,
  vote_date), so both GROUP BYs are index-only, and so is the diagnosis's latest statewide vote date per
  county (``engine/evidence.py``: 0.45 s at 1M records through the table, an index walk with it);
- ``ix_turnout_record_not_statewide``: partial, the records whose source is not the statewide file (few or
  none; a statewide import does not grow it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

NOT_STATEWIDE = "source <> 'statewide'"


def upgrade() -> None:
    op.drop_index('ix_turnout_record_group', table_name='turnout_record')
    op.create_index('ix_turnout_record_group', 'turnout_record',
                    ['election_date', 'county', 'party', 'voting_method', 'removed_at', 'source', 'vote_date'])
    op.create_index('ix_turnout_record_not_statewide', 'turnout_record', ['election_date', 'county', 'party'],
                    sqlite_where=sa.text(NOT_STATEWIDE), postgresql_where=sa.text(NOT_STATEWIDE))


def downgrade() -> None:
    op.drop_index('ix_turnout_record_not_statewide', table_name='turnout_record')
    op.drop_index('ix_turnout_record_group', table_name='turnout_record')
    op.create_index('ix_turnout_record_group', 'turnout_record',
                    ['election_date', 'county', 'party', 'voting_method', 'removed_at'])
