"""Read what a database's state is judged from (state.Observation).

Commands that hold the migration lock call observe() directly. Reading
commands call observe_unlocked(), which takes the lock only if it is
free and never waits: while it holds the lock, a journal row still
'running' is certainly dead and no run can finish meanwhile.
"""

from alembic import migration as alembic_migration
import sqlalchemy

from webdemo.db import journal
from webdemo.db import legacy
from webdemo.db import lock
from webdemo.db import state


def observe(engine, lock_free=True):
    """Read an Observation of engine's database.

    :param lock_free: no other process can be migrating now (the caller
        holds the migration lock)
    """
    with engine.connect() as connection:
        current = _current(connection)
        tables = frozenset()
        if not current:
            # Only a database without a revision is judged by its tables
            # (empty or unversioned): listing a thousand of them costs more
            # than the rest. Read the version again after the tables, in a
            # fresh transaction (MySQL would repeat its first read), so that
            # a revision committing meanwhile looks pending, never like
            # tables without a version.
            tables = frozenset(
                sqlalchemy.inspect(connection).get_table_names())
            connection.rollback()
            current = _current(connection)
        legacy_version = (None if current
                          else legacy.read_version(connection))
        entries = journal.latest_entries(connection)
    return state.Observation(tables, current, legacy_version, entries,
                             lock_free)


def _current(connection):
    return tuple(sorted(alembic_migration.MigrationContext.configure(
        connection).get_current_heads()))


def observe_unlocked(engine):
    """observe(), for a command that does not hold the migration lock."""
    with lock.probe(engine) as free:
        return observe(engine, lock_free=free)
