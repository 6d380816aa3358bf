"""make project_id not null

Revision ID: 1fd0aa0adf0f
Revises: 3fd795719d99
Create Date: 2026-12-05 01:53:15

The second half of giving users and accounts an owning project
(expand dba815cb5924). It runs once no service of the previous release
is left, since that release writes rows without a project, and once the
online data migration project_ids has given every row one (db sync
--contract checks both).
"""

import sqlalchemy as sa

from webdemo.db.sqlalchemy import data_checks as checks
from webdemo.db.sqlalchemy import live_names
from webdemo.db.sqlalchemy import online_ddl

revision = '1fd0aa0adf0f'
down_revision = '3fd795719d99'
branch_labels = None
depends_on = ('dba815cb5924',)
# Releases below level 3 (webdemo/release.py) insert rows without a
# project_id, which this revision refuses: db sync refuses to run it
# while one of their services is registered live.
release_level_needed = 3
# webdemo/tests/ddl_rules.py: the one addition is a temporary check.
ddl_rule_exceptions = {
    'create': 'a CHECK (project_id IS NOT NULL) NOT VALID on PostgreSQL, '
              'which proves NOT NULL without a scan under an exclusive '
              'lock and is dropped by this revision (online_ddl)',
}


def _user():
    # SQLite's batch mode copies the table; with --sql it cannot reflect
    # it, and takes it as the history left it.
    return sa.Table(
        'user', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=False),
        sa.Column('email', sa.String(255), nullable=True),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_user'),
        sa.Index('ix_user_username', 'username', unique=True),
        sa.Index('ix_user_project_id', 'project_id'))


def _account():
    return sa.Table(
        'account', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(50), nullable=False),
        sa.Column('description', sa.Unicode(200), nullable=True),
        sa.Column('email', sa.String(255), nullable=True),
        sa.Column('password_hash', sa.String(255), nullable=True),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_account'),
        sa.Index('ix_account_project_id', 'project_id'))


TABLES = {'user': _user, 'account': _account}
# tests/functional/test_squawk.py.
squawk_exceptions = {
    'ban-drop-constraint': "this revision's own temporary NOT VALID "
                           'checks, whose guarantee NOT NULL holds from '
                           'then on',
}
# Refused, before any statement, while a row has no project: the online
# data migration project_ids gives them one (data_checks.py).
data_checks = tuple(checks.no_nulls(table, 'project_id') for table in TABLES)


def upgrade():
    # Without a full-table scan under an exclusive lock on PostgreSQL:
    # the service writes meanwhile (online_ddl.py).
    online_ddl.set_not_null(*((table, 'project_id', sa.String(255),
                               offline_copy)
                              for table, offline_copy in TABLES.items()))


def downgrade():
    for table, offline_copy in TABLES.items():
        with live_names.batch_alter_table(table, offline_copy) as batch:
            batch.alter_column('project_id', existing_type=sa.String(255),
                               nullable=True)
