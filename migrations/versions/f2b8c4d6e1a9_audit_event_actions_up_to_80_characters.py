"""audit event actions up to 80 characters ("challenge_application.close_with_challenge" is 43)

Revision ID: f2b8c4d6e1a9
Revises: d7e3a9c1f5b2
Create Date: 2026-12-06 02:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f2b8c4d6e1a9'
down_revision = 'd7e3a9c1f5b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("action", existing_type=sa.String(length=40), type_=sa.String(length=80),
                           existing_nullable=False)


def downgrade():
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("action", existing_type=sa.String(length=80), type_=sa.String(length=40),
                           existing_nullable=False)
