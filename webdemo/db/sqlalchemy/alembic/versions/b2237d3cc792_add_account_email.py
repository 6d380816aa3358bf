"""add account email

Revision ID: b2237d3cc792
Revises: fac0847f78ff
Create Date: 2026-11-23 10:32:00
"""

from alembic import op
import sqlalchemy as sa

revision = 'b2237d3cc792'
down_revision = 'fac0847f78ff'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('account', sa.Column('email', sa.String(255),
                                       nullable=True))


def downgrade():
    with op.batch_alter_table('account') as batch_op:
        batch_op.drop_column('email')
