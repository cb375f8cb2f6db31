"""indexes for set-based diagnosis across counties (healing a whole election at scale)

The engine diagnoses every county of an election in a handful of queries (``engine/evidence.py``)
instead of a dozen per (county, party). Those queries join records and roster rows by VUID across
counties, so the VUID indexes carry the county too and answer them without reading table rows:

- ``ix_turnout_record_vuid``: (election_date, vuid, removed_at) -> (..., county);
- ``ix_roster_row_election_vuid``: (election_date, vuid) -> (..., county, submission_id);
- ``ix_turnout_record_fallback``: partial, records whose county was guessed (few or none);
- ``ix_roster_row_problem``: partial, roster rows whose VUID was refused or repaired (few or none).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_turnout_record_vuid', table_name='turnout_record')
    op.create_index('ix_turnout_record_vuid', 'turnout_record', ['election_date', 'vuid', 'removed_at', 'county'])
    op.drop_index('ix_roster_row_election_vuid', table_name='county_roster_row')
    op.create_index('ix_roster_row_election_vuid', 'county_roster_row',
                    ['election_date', 'vuid', 'county', 'submission_id'])
    op.create_index('ix_turnout_record_fallback', 'turnout_record', ['election_date', 'county'],
                    sqlite_where=sa.text('county_fallback'), postgresql_where=sa.text('county_fallback'))
    op.create_index('ix_roster_row_problem', 'county_roster_row', ['submission_id'],
                    sqlite_where=sa.text('problem_code IS NOT NULL'),
                    postgresql_where=sa.text('problem_code IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_roster_row_problem', table_name='county_roster_row')
    op.drop_index('ix_turnout_record_fallback', table_name='turnout_record')
    op.drop_index('ix_roster_row_election_vuid', table_name='county_roster_row')
    op.create_index('ix_roster_row_election_vuid', 'county_roster_row', ['election_date', 'vuid'])
    op.drop_index('ix_turnout_record_vuid', table_name='turnout_record')
    op.create_index('ix_turnout_record_vuid', 'turnout_record', ['election_date', 'vuid', 'removed_at'])
