"""semantic_vectors: index (kind, updated_at), for dense retrieval's reads of the vectors written since its last look

Revision ID: 7b2d4f6a9c13
Revises: 5e3a9c7d1f28
Create Date: 2026-12-06 15:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7b2d4f6a9c13'
down_revision = '5e3a9c7d1f28'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_semantic_vectors_kind_updated_at', 'semantic_vectors', ['kind', 'updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_semantic_vectors_kind_updated_at', table_name='semantic_vectors')
