"""merge account email and password hash

Revision ID: 948ccd040506
Revises: b2237d3cc792, e27bd8cacc69
Create Date: 2026-11-23 10:34:00
"""

revision = '948ccd040506'
down_revision = ('b2237d3cc792', 'e27bd8cacc69')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
