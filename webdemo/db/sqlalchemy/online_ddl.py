"""Schema changes that let the service go on writing, for revisions.

An expand revision runs while the previous release serves, and a
contract while this one does: neither may stop the service's writes for
longer than a moment. Most backends manage that by themselves; on
PostgreSQL:

- an index is built without blocking writes only CONCURRENTLY, which
  cannot run inside a transaction and, when it fails or is cancelled,
  leaves an invalid index behind that IF NOT EXISTS would take for done
  (828dea7d5e92 wrote that dance out by hand; create_indexes does it for
  every revision);
- SET NOT NULL scans the whole table under its strongest lock, unless a
  validated CHECK already proves the column has no NULL: set_not_null
  adds the check NOT VALID (a moment's lock), validates it (reads the
  table while writes go on), then sets NOT NULL without a scan and drops
  the check, as pgroll does.
"""

from alembic import op
import sqlalchemy as sa

from webdemo.db import backends
from webdemo.db.sqlalchemy import live_names


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


def set_not_null(*columns):
    """Make columns NOT NULL, with no long lock on PostgreSQL.

    :param columns: (table, column, existing type, offline copy) each;
        the offline copy is the table as the history left it, for
        SQLite's batch mode under --sql (live_names.batch_alter_table)
    """
    if not _concurrently():
        for table, column, existing_type, offline_copy in columns:
            with live_names.batch_alter_table(table, offline_copy) as batch:
                batch.alter_column(column, existing_type=existing_type,
                                   nullable=False)
        return
    # Each statement commits at once: a lock taken in a transaction is
    # held to its end, and the validation must not run under the first.
    with op.get_context().autocommit_block():
        for table, column, existing_type, _ in columns:
            _set_not_null(table, column, existing_type)


def _set_not_null(table, column, existing_type):
    check = f'ck_{table}_{column}_not_null'
    # A run that died after adding it finds it there.
    if op.get_context().as_sql or not _constraint_exists(check):
        # op.f: the name as written, not run through the naming
        # convention again.
        op.create_check_constraint(op.f(check), table,
                                   sa.column(column).isnot(None),
                                   postgresql_not_valid=True)
    quoted = op.get_context().dialect.identifier_preparer.quote(table)
    op.execute(f'ALTER TABLE {quoted} VALIDATE CONSTRAINT {check}')
    op.alter_column(table, column, existing_type=existing_type,
                    nullable=False)
    op.execute(f'ALTER TABLE {quoted} DROP CONSTRAINT IF EXISTS {check}')


def _constraint_exists(name):
    return bool(op.get_bind().execute(sa.text(
        'SELECT 1 FROM pg_constraint WHERE conname = :name'),
        {'name': name}).scalar())
