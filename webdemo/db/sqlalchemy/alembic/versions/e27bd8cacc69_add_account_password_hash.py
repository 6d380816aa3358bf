"""add account password hash

The column holds a salted hash (webdemo.password); a password itself is
never stored.

Revision ID: e27bd8cacc69
Revises: fac0847f78ff
Create Date: 2026-11-23 10:33:00
"""

from alembic import op
import sqlalchemy as sa

revision = 'e27bd8cacc69'
down_revision = 'fac0847f78ff'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('account', sa.Column('password_hash', sa.String(255),
                                       nullable=True))


def downgrade():
    with op.batch_alter_table('account') as batch_op:
        batch_op.drop_column('password_hash')
