"""add project_id to user and account

Revision ID: dba815cb5924
Revises: 828dea7d5e92
Create Date: 2026-12-05 01:53:14

The first half of giving users and accounts an owning project. The
columns are nullable: the previous release, still running, writes rows
without one. This release writes them, and reads a row without one as
[api] default_project_id's; the online data migration project_ids
(webdemo/db/rolling/data_migrations.py) gives those rows that project;
contract revision 1fd0aa0adf0f makes the columns NOT NULL.
"""

from alembic import op
import sqlalchemy as sa

from webdemo.db.sqlalchemy import online_ddl

revision = 'dba815cb5924'
down_revision = '828dea7d5e92'
branch_labels = None
depends_on = None
# webdemo/tests/ddl_rules.py: the one drop is of this revision's own
# half-built index (online_ddl.create_indexes), never of anything the
# previous release uses.
ddl_rule_exceptions = {
    'drop': 'only an invalid ix_user_project_id or ix_account_project_id, '
            'left by a CONCURRENTLY build of this revision that failed',
}

TABLES = ('user', 'account')


def upgrade():
    for table in TABLES:
        online_ddl.add_column(table, sa.Column('project_id', sa.String(255),
                                               nullable=True))
    online_ddl.create_indexes(*((f'ix_{table}_project_id', table,
                                 ['project_id']) for table in TABLES))


def offline_additions(table):
    """What upgrade() adds to table, for a later revision's table copy.

    A contract revision written before this one copies the table as it
    knew it when it writes SQL for SQLite (--sql); live_names adds these.
    """
    if table not in TABLES:
        return (), ()
    return ([sa.Column('project_id', sa.String(255), nullable=True)],
            [(f'ix_{table}_project_id', ['project_id'])])


def downgrade():
    for table in TABLES:
        op.drop_index(f'ix_{table}_project_id', table_name=table)
        op.drop_column(table, 'project_id')
