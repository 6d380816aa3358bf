"""compare usernames exactly on MySQL

Revision ID: a392e388916b
Revises: 1fd0aa0adf0f
Create Date: 2026-12-05 02:35:36

A username is the same on every backend only when its characters are:
SQLite and PostgreSQL compare text by code point, MySQL and MariaDB by
their default collation (utf8mb4_general_ci), which takes 'Emoji🙂' for
'emoji🙂 '. This gives user.username the backend's exact collation
(backends: exact_collation; utf8mb4_bin on MySQL); the API keeps
usernames in Unicode NFC without surrounding spaces, so that equal
names are equal code points everywhere. Elsewhere it changes nothing.

A contract revision: it rebuilds the user table on MySQL, and the
previous release needs none of it. Every set of usernames unique under
the folding collation is unique under the exact one; not the other way
round, so the downgrade fails while two names differ only by case or
trailing spaces.
"""

from alembic import op
import sqlalchemy as sa

from webdemo.db import backends

revision = 'a392e388916b'
down_revision = '1fd0aa0adf0f'
branch_labels = None
depends_on = ('dba815cb5924',)


def _exact():
    return backends.kind_of_dialect(op.get_context().dialect).exact_collation


def upgrade():
    collation = _exact()
    if collation:
        op.alter_column('user', 'username',
                        type_=sa.String(64, collation=collation),
                        existing_type=sa.String(64), existing_nullable=False)


def downgrade():
    if _exact():
        # Back to the table's default collation, which folds.
        op.alter_column('user', 'username', type_=sa.String(64),
                        existing_type=sa.String(64), existing_nullable=False)
