"""subscriptions: the search kind a saved search watches (achievement | challenge)

Existing subscriptions (saved achievement searches, followed demands) watch achievements.

Revision ID: d7e3a9c1f5b2
Revises: e5a1d7c3b9f4
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e3a9c1f5b2'
down_revision = 'e5a1d7c3b9f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_kind', sa.String(length=20), server_default='achievement',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('search_kind')
