"""Schema changes that let the service go on writing, for expand revisions.

An expand revision runs while the previous release serves, so what it
adds must not stop that release's writes for longer than a moment. Most
backends manage that by themselves; PostgreSQL builds an index without
blocking writes only CONCURRENTLY, which cannot run inside a
transaction and, when it fails or is cancelled, leaves an invalid index
behind that IF NOT EXISTS would take for done. This module does that
dance once for every revision (828dea7d5e92 wrote it out by hand).
"""

from alembic import op
import sqlalchemy as sa

from webdemo.db import backends


def _concurrently():
    return backends.kind_of_dialect(
        op.get_context().dialect).index_built_concurrently


def add_column(table, column):
    """Add a nullable column, also when a failed run added it already.

    On PostgreSQL the index builds after it commit the column first, so
    a run that died building one finds the column there next time.
    """
    if _concurrently():
        op.add_column(table, column, if_not_exists=True)
    else:
        op.add_column(table, column)


def create_indexes(*indexes):
    """Create indexes without blocking writes to their tables meanwhile.

    :param indexes: (name, table, columns) each, built in that order
    """
    if not _concurrently():
        for name, table, columns in indexes:
            op.create_index(name, table, columns)
        return
    # One block for all: Alembic opens its transaction again after it.
    with op.get_context().autocommit_block():
        for name, table, columns in indexes:
            # (--sql reads nothing: it writes for a database that has
            # none.)
            if not op.get_context().as_sql and _invalid_index(name):
                op.execute(f'DROP INDEX CONCURRENTLY {name}')
            op.create_index(name, table, columns,
                            postgresql_concurrently=True, if_not_exists=True)


def _invalid_index(name):
    return bool(op.get_bind().execute(sa.text(
        'SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c '
        'ON c.oid = i.indexrelid WHERE c.relname = :name'),
        {'name': name}).scalar())
