"""generic attachments: owner kind and id instead of one foreign key per listing table

An attachment names its owner by kind (a name from marketplace.kinds: "achievement", "demand", ...) and id, so
any kind of record can carry files. Existing rows keep their owner: achievement_id becomes ("achievement", id),
demand_id becomes ("demand", id). Rows with neither (unreachable before: every page answered 404) are removed.

There is no foreign key on owner_id; the owner's ORM relationship deletes its attachment rows with it.

Downgrade maps achievement and demand attachments back. Attachments of other kinds (patents, ...) have no column
in the old schema, and those of records that no longer exist could not satisfy the foreign keys: their rows are
removed (the stored files stay in the upload folder).

Revision ID: b1a7c3e5d9f2
Revises: 88b61864436e
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1a7c3e5d9f2'
down_revision = '88b61864436e'
branch_labels = None
depends_on = None

OLD_OWNERS = (("achievement", "achievement_id", "achievements"), ("demand", "demand_id", "demands"))


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_kind', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))

    for kind, column, _table in OLD_OWNERS:
        op.execute(f"UPDATE attachments SET owner_kind = '{kind}', owner_id = {column} "
                   f"WHERE {column} IS NOT NULL AND owner_kind IS NULL")
    op.execute("DELETE FROM attachments WHERE owner_kind IS NULL")

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('owner_kind', existing_type=sa.String(length=30), nullable=False)
        batch_op.alter_column('owner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_attachments_owner', ['owner_kind', 'owner_id'], unique=False)
        for _kind, column, table in OLD_OWNERS:
            batch_op.drop_index(f'ix_attachments_{column}')
            batch_op.drop_constraint(f'fk_attachments_{column}_{table}', type_='foreignkey')
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        for _kind, column, _table in OLD_OWNERS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))

    for kind, column, table in OLD_OWNERS:  # only owners that still exist, or the foreign keys below would fail
        op.execute(f"UPDATE attachments SET {column} = owner_id WHERE owner_kind = '{kind}' "
                   f"AND owner_id IN (SELECT id FROM {table})")
    op.execute("DELETE FROM attachments WHERE " + " AND ".join(f"{column} IS NULL" for _k, column, _t in OLD_OWNERS))

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        for _kind, column, table in OLD_OWNERS:
            batch_op.create_foreign_key(f'fk_attachments_{column}_{table}', table, [column], ['id'],
                                        ondelete='CASCADE')
            batch_op.create_index(f'ix_attachments_{column}', [column], unique=False)
        batch_op.drop_index('ix_attachments_owner')
        batch_op.drop_column('owner_id')
        batch_op.drop_column('owner_kind')
