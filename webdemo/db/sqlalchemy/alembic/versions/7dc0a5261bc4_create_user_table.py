"""create user table

Revision ID: 7dc0a5261bc4
Revises:
Create Date: 2026-11-23 10:30:00
"""

from alembic import op
import sqlalchemy as sa

revision = '7dc0a5261bc4'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=False),
        sa.Column('name', sa.String(64), nullable=False),
        sa.Column('email', sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_user'),
        sa.UniqueConstraint('name', name='uq_user_name'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )


def downgrade():
    op.drop_table('user')
