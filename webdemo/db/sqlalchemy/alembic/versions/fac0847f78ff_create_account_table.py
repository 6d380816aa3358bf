"""create account table

Revision ID: fac0847f78ff
Revises: 7dc0a5261bc4
Create Date: 2026-11-23 10:31:00
"""

from alembic import op
import sqlalchemy as sa

revision = 'fac0847f78ff'
down_revision = '7dc0a5261bc4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(50), nullable=False),
        sa.Column('description', sa.Unicode(200), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_account'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )


def downgrade():
    op.drop_table('account')
