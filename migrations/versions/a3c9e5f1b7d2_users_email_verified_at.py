"""users.email_verified_at: e-mail address verification at sign-up; existing accounts count as verified

Revision ID: a3c9e5f1b7d2
Revises: b977426a77f4
Create Date: 2026-12-06 06:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a3c9e5f1b7d2'
down_revision = 'b977426a77f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(), nullable=True))
    # accounts older than verification (demo users, operators' and invited users) keep working as verified
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_verified_at")
