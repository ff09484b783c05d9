"""organizations: counters of the changes that reach the listings' search documents

Revision ID: 5b0e8f3c2a71
Revises: 35a94e07e0e1
Create Date: 2026-11-23 10:00:00.000000

The counters start at 0, so every listing's document version (its own version plus the counters) stays what the
index already holds: no reindex is needed after the upgrade.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0e8f3c2a71'
down_revision = '35a94e07e0e1'
branch_labels = None
depends_on = None

COUNTERS = ('name_version', 'org_type_version', 'region_version')


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        for name in COUNTERS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        for name in reversed(COUNTERS):
            batch_op.drop_column(name)
