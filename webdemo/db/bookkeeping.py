"""The tables webdemo keeps about its migrations, outside the models.

- ``alembic_version``: Alembic's record of the applied revisions.
- ``migrate_version``: sqlalchemy-migrate's, in legacy databases.
- ``webdemo_migration_journal``: one row per revision run (journal.py).
- ``webdemo_migration_lock``: who holds the migration lock (lock.py).
- ``webdemo_migration_lease``: the migration lock itself, on a Galera
  cluster (lease.py).
- ``webdemo_services``: the running API services and their heartbeats
  (services.py), which db sync --contract reads.

webdemo creates and upgrades its own two tables itself, outside the
Alembic history (like alembic_version), so that they exist before the
first revision runs. None of these tables is part of the models: the
state, ``db check`` and autogenerate leave them out.
"""

import sqlalchemy
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text

from webdemo.db import errors


VERSION_TABLE = 'alembic_version'
# sqlalchemy-migrate's version table, in legacy databases (state/legacy.py).
LEGACY_VERSION_TABLE = 'migrate_version'

METADATA = sqlalchemy.MetaData()

JOURNAL = sqlalchemy.Table(
    'webdemo_migration_journal', METADATA,
    Column('id', Integer, primary_key=True, autoincrement=True),
    Column('revision', String(64), nullable=False),
    Column('direction', String(16), nullable=False),
    Column('outcome', String(16), nullable=False),
    Column('started_at', DateTime, nullable=False),
    Column('finished_at', DateTime),
    Column('duration', Float),
    Column('error', Text),
    Column('host', String(255)),
    Column('pid', Integer),
    Column('webdemo_version', String(64)),
    Column('checksum', String(64)),
    Column('statements_started', Integer, nullable=False, default=0),
    Column('statements_done', Integer, nullable=False, default=0),
    # The checkpoint (its journal row's revision) that built the
    # revision's schema, instead of its script: NULL when its script ran.
    Column('checkpoint', String(64)),
    mysql_engine='InnoDB', mysql_charset='utf8mb4')

# Columns added to webdemo's own tables after their first release, each
# added by ensure_tables() where missing: (table, column).
ADDED_COLUMNS = ((JOURNAL, JOURNAL.c.checkpoint),)

LOCK_HOLDER = sqlalchemy.Table(
    'webdemo_migration_lock', METADATA,
    Column('name', String(64), primary_key=True),
    Column('host', String(255)),
    Column('pid', Integer),
    Column('command', String(255)),
    Column('since', String(64)),
    mysql_engine='InnoDB', mysql_charset='utf8mb4')

# On Galera the lock is this row: token names the holder (NULL: free);
# the holder adds one to beats every few seconds, and a waiter that sees
# beats stand still for a whole lease takes the row over.
LEASE = sqlalchemy.Table(
    'webdemo_migration_lease', METADATA,
    Column('name', String(64), primary_key=True),
    Column('token', String(32)),
    Column('beats', Integer, nullable=False, default=0),
    Column('host', String(255)),
    Column('pid', Integer),
    Column('command', String(255)),
    Column('since', String(64)),
    mysql_engine='InnoDB', mysql_charset='utf8mb4')

# One row per running API process; heartbeat_at is the database's own
# clock, in UTC, and the row is stale once stale_after seconds pass
# without a beat. level: its release's place in the upgrade order
# (webdemo/release.py), which a contract revision compares with the
# lowest level that can run after it.
SERVICES = sqlalchemy.Table(
    'webdemo_services', METADATA,
    Column('id', String(64), primary_key=True),
    Column('host', String(255)),
    Column('pid', Integer),
    Column('release', String(64)),
    Column('level', Integer, nullable=False),
    Column('stale_after', Integer, nullable=False),
    Column('started_at', DateTime),
    Column('heartbeat_at', DateTime),
    mysql_engine='InnoDB', mysql_charset='utf8mb4')

# Every table in a webdemo database that the models do not describe.
NOT_MODELLED = frozenset({VERSION_TABLE, LEGACY_VERSION_TABLE,
                          *METADATA.tables})


def ensure_tables(connection):
    """Create webdemo's own tables, and their later columns, if missing.

    A column is added as the table's last, nullable: on every backend an
    instant change that no running release's statements notice.
    """
    METADATA.create_all(connection, checkfirst=True)
    inspector = sqlalchemy.inspect(connection)
    for table, column in ADDED_COLUMNS:
        present = {found['name'] for found in inspector.get_columns(
            table.name)}
        if column.name not in present:
            _add(connection, table, column)


def _add(connection, table, column):
    """Add column to table, unless another process just did.

    An API service registering itself (services.py) makes these tables
    too, without the migration lock.
    """
    # Imported here: the backends' run strategies need this module.
    from webdemo.db import backends

    try:
        with backends.for_connection(connection).statement_may_fail(
                connection):
            connection.execute(sqlalchemy.text(
                _add_column(connection.dialect, table, column)))
    except errors.DATABASE_ERRORS as error:
        if errors.kind_of(error) != errors.Kind.ALREADY_APPLIED:
            raise


def _add_column(dialect, table, column):
    preparer = dialect.identifier_preparer
    kind = column.type.compile(dialect=dialect)
    return (f'ALTER TABLE {preparer.format_table(table)} ADD COLUMN '
            f'{preparer.format_column(column)} {kind}')


def has_table(connection, table):
    """Whether the database behind connection has table (a Table)."""
    return sqlalchemy.inspect(connection).has_table(table.name)


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic filter: leave the tables above out of comparisons."""
    return not (type_ == 'table' and name in NOT_MODELLED)
