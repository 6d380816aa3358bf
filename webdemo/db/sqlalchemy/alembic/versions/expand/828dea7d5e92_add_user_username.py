"""add user.username, the new name of user.name

Revision ID: 828dea7d5e92
Revises: 948ccd040506
Create Date: 2026-11-24 09:10:00

The first half of renaming user.name to user.username across a rolling
upgrade. The new column is nullable: the previous release, still
running, knows nothing of it. This release writes both columns; the
online data migration user_username (webdemo/db/rolling/data_migrations.py)
fills in the rows the previous release wrote; contract revision
3fd795719d99 makes username NOT NULL and drops name.
"""

from alembic import op
import sqlalchemy as sa

revision = '828dea7d5e92'
down_revision = '948ccd040506'
branch_labels = ('expand',)
depends_on = None
# webdemo/tests/ddl_rules.py: the one drop is of this revision's own
# half-built index, never of anything the previous release uses.
ddl_rule_exceptions = {
    'drop': 'only an invalid ix_user_username, left by a CONCURRENTLY '
            'build of this revision that failed or was cancelled',
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        op.add_column('user', sa.Column('username', sa.String(64),
                                        nullable=True))
        op.create_index('ix_user_username', 'user', ['username'],
                        unique=True)
        return
    # IF NOT EXISTS: the block below commits the column first, so a run
    # that dies building the index finds the column there next time.
    op.add_column('user', sa.Column('username', sa.String(64),
                                    nullable=True), if_not_exists=True)
    # A plain CREATE INDEX would block every write to user until built;
    # CONCURRENTLY does not, but cannot run inside a transaction, and a
    # build that fails or is cancelled leaves an invalid index behind,
    # which IF NOT EXISTS would take for done.
    with op.get_context().autocommit_block():
        # (--sql reads nothing: it writes for a database that has none.)
        if (not op.get_context().as_sql and
                _invalid_index(op.get_bind(), 'ix_user_username')):
            op.execute('DROP INDEX CONCURRENTLY ix_user_username')
        op.create_index('ix_user_username', 'user', ['username'],
                        unique=True, postgresql_concurrently=True,
                        if_not_exists=True)


def _invalid_index(connection, name):
    return bool(connection.execute(sa.text(
        'SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c '
        'ON c.oid = i.indexrelid WHERE c.relname = :name'),
        {'name': name}).scalar())


def downgrade():
    op.drop_index('ix_user_username', table_name='user')
    op.drop_column('user', 'username')
