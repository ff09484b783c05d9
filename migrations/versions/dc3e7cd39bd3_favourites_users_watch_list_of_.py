"""favourites: users' watch-list of published listings

One row per (user, listing kind, listing id); no foreign key to the listing (four kinds share the table), so a
listing that is unpublished or deleted stays in the list and is shown as 已下架.

Revision ID: dc3e7cd39bd3
Revises: c4e8a2f6d0b3
Create Date: 2026-12-06 06:08:32.113800

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dc3e7cd39bd3'
down_revision = 'c4e8a2f6d0b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('favourites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_favourites_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_favourites')),
    sa.UniqueConstraint('user_id', 'kind', 'record_id', name='uq_favourites_once')
    )
    with op.batch_alter_table('favourites', schema=None) as batch_op:
        batch_op.create_index('ix_favourites_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('favourites', schema=None) as batch_op:
        batch_op.drop_index('ix_favourites_user_created')

    op.drop_table('favourites')
