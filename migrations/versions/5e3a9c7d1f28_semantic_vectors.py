"""semantic_vectors: the sentence encoder's vector of each public achievement, patent and demand (matching's
semantic rerank, MATCH_SEMANTIC)

Revision ID: 5e3a9c7d1f28
Revises: dc3e7cd39bd3
Create Date: 2026-12-06 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e3a9c7d1f28'
down_revision = 'dc3e7cd39bd3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('semantic_vectors',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=40), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'record_id', name=op.f('pk_semantic_vectors'))
    )


def downgrade():
    op.drop_table('semantic_vectors')
