"""listing states as checked enums; pending revisions of published listings

Revision ID: c4d8e2f6a1b3
Revises: b1a7c3e5d9f2
Create Date: 2026-12-06 02:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4d8e2f6a1b3'
down_revision = 'b1a7c3e5d9f2'
branch_labels = None
depends_on = None

LISTING_STATES = ("draft", "submitted", "published", "rejected", "archived", "closed")
REVISION_STATES = ("pending", "published", "rejected", "discarded")


def _in(column: str, states) -> str:
    return f"{column} IN ({', '.join(repr(state) for state in states)})"


def upgrade():
    for table in ("achievements", "patents", "demands"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("status", existing_type=sa.String(length=16), nullable=False)
            batch.create_check_constraint(op.f(f"ck_{table}_listing_status"), _in("status", LISTING_STATES))
    op.create_table(
        "listing_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(_in("status", REVISION_STATES), name=op.f("ck_listing_revisions_revision_status")),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"],
                                name=op.f("fk_listing_revisions_org_id_organizations")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_listing_revisions_author_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_listing_revisions_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_revisions")),
    )
    op.create_index("ix_listing_revisions_record", "listing_revisions", ["kind", "record_id", "status"])
    op.create_index("ix_listing_revisions_queue", "listing_revisions", ["status", "submitted_at"])
    op.create_index("uq_listing_revisions_pending", "listing_revisions", ["kind", "record_id"], unique=True,
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    op.drop_index("uq_listing_revisions_pending", table_name="listing_revisions")
    op.drop_index("ix_listing_revisions_queue", table_name="listing_revisions")
    op.drop_index("ix_listing_revisions_record", table_name="listing_revisions")
    op.drop_table("listing_revisions")
    for table in ("achievements", "patents", "demands"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_listing_status"), type_="check")
            batch.alter_column("status", existing_type=sa.String(length=16), nullable=True)
