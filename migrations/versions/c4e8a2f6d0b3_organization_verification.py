"""organizations.status (平台认证: pending, verified, rejected, suspended, merged), its reason, verified_at and
merged_into_id; existing organisations count as verified

Revision ID: c4e8a2f6d0b3
Revises: a3c9e5f1b7d2
Create Date: 2026-12-06 06:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e8a2f6d0b3'
down_revision = 'a3c9e5f1b7d2'
branch_labels = None
depends_on = None

STATUSES = ('pending', 'verified', 'rejected', 'suspended', 'merged')


def upgrade():
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("status", sa.Enum(*STATUSES, name="org_status", native_enum=False,
                                                     create_constraint=True, length=16),
                                   nullable=False, server_default="verified"))
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_organizations_merged_into_id_organizations"), "organizations",
                                 ["merged_into_id"], ["id"])
        batch.create_index("ix_organizations_status_name", ["status", "name"], unique=False)
    # every organisation registered before verification existed (demo data, imports, sign-ups) stays public
    op.execute("UPDATE organizations SET verified_at = created_at")


def downgrade():
    with op.batch_alter_table("organizations") as batch:
        batch.drop_index("ix_organizations_status_name")
        batch.drop_constraint(batch.f("fk_organizations_merged_into_id_organizations"), type_="foreignkey")
        batch.drop_constraint(batch.f("ck_organizations_org_status"), type_="check")
        batch.drop_column("merged_into_id")
        batch.drop_column("verified_at")
        batch.drop_column("status_reason")
        batch.drop_column("status")
