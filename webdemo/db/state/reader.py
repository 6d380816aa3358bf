"""Read what a database's state is judged from (state.Observation), and
what the pre-flight checks judge (preflight.ServerSettings).

Commands that hold the migration lock call observe() directly. Reading
commands call observe_unlocked(), which takes the lock only if it is
free and never waits: while it holds the lock, a journal row still
'running' is certainly dead and no run can finish meanwhile.
"""

import dataclasses

import sqlalchemy

from webdemo.db import backends
from webdemo.db import bookkeeping
from webdemo.db import errors
from webdemo.db.execution import journal
from webdemo.db.locking import lock
from webdemo.db.state import judge as state
from webdemo.db.state import legacy
from webdemo.db.state import preflight


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


def current(engine):
    """The revisions in engine's version table, read without the lock."""
    with engine.connect() as connection:
        return _current(connection)


_VERSIONS = sqlalchemy.text(
    f'SELECT version_num FROM {bookkeeping.VERSION_TABLE}')


def _current(connection):
    """The revisions in the version table, sorted; () without one.

    Without importing Alembic (db version must not), and in one read
    where Alembic's get_current_heads asks for the table first: a table
    dropped in between would fail db version.
    """
    rows = errors.read_unless_no_table(
        connection, lambda c: c.execute(_VERSIONS).all())
    return tuple(sorted(row[0] for row in rows or ()))


def observe_unlocked(engine, probing=lock.probe):
    """observe(), for a command that does not hold the migration lock.

    :param probing: how to look at the lock (lock.probe, or
        lock.probe_when_free for a command that waits for it)
    """
    with probing(engine) as probe:
        seen = observe(engine, lock_free=probe.free)
        # On Galera the probe only read the lease: a run that took it
        # since then would make its first 'running' row look dead.
        if probe.free and not probe.free_throughout():
            seen = dataclasses.replace(seen, lock_free=False)
        return seen


_VARIABLES = ('wsrep_mode', 'pxc_strict_mode', 'wsrep_osu_method',
              'binlog_format')
_STATUS = ('wsrep_local_state_comment', 'wsrep_cluster_status')
# Each base table of the current database: its engine, and whether it
# has a primary key.
_TABLES = sqlalchemy.text("""
    SELECT t.table_name, t.engine, EXISTS (
        SELECT 1 FROM information_schema.table_constraints c
        WHERE c.table_schema = t.table_schema
          AND c.table_name = t.table_name
          AND c.constraint_type = 'PRIMARY KEY')
    FROM information_schema.tables t
    WHERE t.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'
    ORDER BY t.table_name""")


def server_settings(connection, with_tables=True):
    """Read a preflight.ServerSettings; None where there is nothing to read.

    Only MySQL/MariaDB have settings the pre-flight checks judge.

    :param connection: a connection to the node to judge
    :param with_tables: read every table's engine and primary key too;
        without, only what SHOW answers
    """
    backend = backends.for_connection(connection)
    if not backend.checks_server_settings:
        return None
    tables = (tuple(tuple(row) for row in connection.execute(_TABLES))
              if with_tables else ())
    settings = preflight.ServerSettings(
        galera=backend.cluster,
        variables=_named(connection, 'VARIABLES', _VARIABLES),
        status=_named(connection, 'GLOBAL STATUS', _STATUS),
        tables=tables)
    # End the transaction the reads began: the migration's connection
    # must be idle when Alembic takes it.
    connection.rollback()
    return settings


def _named(connection, what, names):
    """{name: value} of SHOW <what> for names, lower-cased; those present.

    The names are this module's constants, never input.
    """
    listed = ', '.join(f"'{name}'" for name in names)
    rows = connection.exec_driver_sql(
        f'SHOW {what} WHERE Variable_name IN ({listed})')
    return {name.lower(): str(value) for name, value in rows}
