"""drop user.name, now user.username

Revision ID: 3fd795719d99
Revises: 948ccd040506
Create Date: 2026-11-24 09:20:00

The second half of renaming user.name to user.username. It runs once no
service of the previous release is left and the online data migration
user_username has nothing left to move (db sync --contract checks
both). username becomes NOT NULL first, so that a row the backfill
missed stops the revision before anything is dropped (and its data
check refuses the whole phase before that).

The unique constraint over name is found by what it covers: a database
adopted from sqlalchemy-migrate has it under the name its backend chose
(live_names.py).
"""

from alembic import op
import sqlalchemy as sa

from webdemo.db.sqlalchemy import data_checks as checks
from webdemo.db.sqlalchemy import live_names
from webdemo.db.sqlalchemy import online_ddl

revision = '3fd795719d99'
down_revision = '948ccd040506'
branch_labels = ('contract',)
depends_on = ('828dea7d5e92',)
# Releases below level 2 (webdemo/release.py) read user.name: db sync
# refuses this revision while one of their services is registered live.
release_level_needed = 2
# This file as released before it found the constraint by what it
# covers, before its downgrade copied the live table on SQLite, and
# before it declared its data checks and set NOT NULL through a
# validated check on PostgreSQL: databases where those versions ran are
# not "tampered" (they leave a database the history built in the same
# state).
replaces_checksums = (
    'aa31bc5a9e26fb98c46447e3aa4baf25c56ef0734f81b8ab3e34ace57dae8301',
    '3d4a692793e861da005ad3186be36141569a9de1a76d92f4347b99ba7bdf7ca2',
    '2e3539b098ad3f85fa0aeba045c8508efd1a38b56da69527cf2cec2b064dd3e1',
)
# username becomes NOT NULL, and with name gone it is the only unique
# name a user has: refused, before anything is dropped, while a row
# has none or two rows share one (data_checks.py).
data_checks = (
    checks.no_nulls('user', 'username'),
    checks.no_duplicates('user', ['username']),
)
# webdemo/tests/ddl_rules.py: the one addition is a temporary check.
ddl_rule_exceptions = {
    'create': 'a CHECK (username IS NOT NULL) NOT VALID on PostgreSQL, '
              'which proves NOT NULL without a scan under an exclusive '
              'lock and is dropped by this revision (online_ddl)',
}
# tests/functional/test_squawk.py: what squawk warns of is this
# revision's purpose, once no service that reads name is left.
squawk_exceptions = {
    'ban-drop-column': 'user.name is read by releases below level 2 '
                       'only; db sync refuses this revision while one of '
                       'their services is live (release_level_needed)',
    'ban-drop-constraint': "the unique constraint over name goes with "
                           "name; the other is this revision's own "
                           'temporary NOT VALID check, whose guarantee '
                           'NOT NULL holds from then on',
}

_USER = sa.table('user', sa.column('name', sa.String(64)),
                 sa.column('username', sa.String(64)))


def _user(*columns_and_indexes):
    # SQLite's batch mode copies the table; given it, it need not
    # reflect it, which --sql could not.
    return sa.Table(
        'user', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=False),
        sa.Column('email', sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_user'),
        *columns_and_indexes)


def _before():
    return _user(sa.Column('name', sa.String(64), nullable=False),
                 sa.Column('username', sa.String(64), nullable=True),
                 sa.UniqueConstraint('name', name='uq_user_name'),
                 sa.Index('ix_user_username', 'username', unique=True))


def _after():
    return _user(sa.Column('username', sa.String(64), nullable=False),
                 sa.Index('ix_user_username', 'username', unique=True))


def _between():
    return _user(sa.Column('name', sa.String(64), nullable=False),
                 sa.Column('username', sa.String(64), nullable=False),
                 sa.UniqueConstraint('name', name='uq_user_name'),
                 sa.Index('ix_user_username', 'username', unique=True))


def upgrade():
    # On PostgreSQL without a scan of user under an exclusive lock: the
    # service writes meanwhile (online_ddl.py). Elsewhere the same
    # statements as before, in the same order.
    online_ddl.set_not_null(('user', 'username', sa.String(64), _before))
    with live_names.batch_alter_table('user', _between) as batch:
        live_names.drop_unique(batch, 'user', ['name'])
        batch.drop_column('name')


def downgrade():
    # The previous release reads name: bring it back, filled. SQLite
    # copies the live table: a later expand revision's columns (the
    # projects' project_id) must survive the copy.
    with live_names.batch_alter_table('user', _after) as batch:
        batch.add_column(sa.Column('name', sa.String(64), nullable=True))
    op.execute(_USER.update().values(name=_USER.c.username))
    with live_names.batch_alter_table('user', _before) as batch:
        batch.alter_column('name', existing_type=sa.String(64),
                           nullable=False)
        batch.create_unique_constraint('uq_user_name', ['name'])
        batch.alter_column('username', existing_type=sa.String(64),
                           nullable=True)
