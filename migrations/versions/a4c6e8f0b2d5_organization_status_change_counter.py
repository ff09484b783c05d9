"""organizations: a counter of suspensions begun and ended, part of their listings' search document versions

Revision ID: a4c6e8f0b2d5
Revises: 7b2d4f6a9c13
Create Date: 2026-12-06 21:00:00.000000

A suspended organisation's published listings are withheld from the public, the index included. The organisations
suspended already get the counter at 1, which raises their listings' document versions above what the index holds,
and one ``holder:<kind>`` outbox row per listing kind: the indexer then deletes those listings from the index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c6e8f0b2d5'
down_revision = '7b2d4f6a9c13'
branch_labels = None
depends_on = None

LISTING_KINDS = ('achievement', 'patent', 'demand', 'challenge')


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_version', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE organizations SET status_version = 1 WHERE status = 'suspended'")
    for kind in LISTING_KINDS:  # constants: no parameter whose type PostgreSQL would have to guess
        op.execute(f"INSERT INTO search_outbox (kind, record_id, version, deleted, created_at, attempts) "
                   f"SELECT 'holder:{kind}', id, 1, CAST(0 AS BOOLEAN), CURRENT_TIMESTAMP, 0 "
                   f"FROM organizations WHERE status = 'suspended'")


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('status_version')
