"""What a database error means: read in one place, for every caller.

oslo.db's engines already translate driver errors into its own classes
(DBConnectionError, DBNonExistentDatabase, DBDeadlock, ...); this module
relies on those first and adds, in one table, only what oslo.db does not
tell apart: refused credentials, missing rights, and the MySQL errors
that say a DDL statement's effect is already there. Connecting, running
a revision and replaying one all ask kind_of().
"""

import enum
import re

from oslo_db import exception as db_exc
from sqlalchemy import exc as sa_exc

from webdemo.db import sql_text
from webdemo import exception


class Kind(enum.Enum):
    """What went wrong, as far as webdemo acts on it."""
    CONNECTION_LOST = 'connection lost'
    NO_DATABASE = 'no such database'
    AUTHENTICATION = 'credentials refused'
    PERMISSION_DENIED = 'permission denied'
    ALREADY_APPLIED = 'already applied'
    NO_TABLE = 'no such table'
    NO_COLUMN = 'no such column'
    LOCK_WAIT = 'gave up waiting for a lock'
    NODE_NOT_READY = 'Galera node not ready'
    TABLE_COPY = 'only a table copy could make the change'
    OTHER = 'other'


# Driver codes oslo.db leaves as plain DBError: MySQL/MariaDB error
# numbers (ints), PostgreSQL SQLSTATEs, SQLite error names.
_BY_CODE = {
    1045: Kind.AUTHENTICATION,      # access denied (user or password)
    1044: Kind.PERMISSION_DENIED,   # access denied to the database
    1142: Kind.PERMISSION_DENIED,   # command denied on a table
    1143: Kind.PERMISSION_DENIED,   # command denied on a column
    1227: Kind.PERMISSION_DENIED,   # needs a privilege (e.g. SUPER)
    1022: Kind.ALREADY_APPLIED,     # duplicate key
    1050: Kind.ALREADY_APPLIED,     # table exists
    1051: Kind.ALREADY_APPLIED,     # unknown table (dropped already)
    1060: Kind.ALREADY_APPLIED,     # duplicate column
    1061: Kind.ALREADY_APPLIED,     # duplicate key name
    1091: Kind.ALREADY_APPLIED,     # can't drop: does not exist
    1826: Kind.ALREADY_APPLIED,     # duplicate foreign key
    1047: Kind.NODE_NOT_READY,      # Galera: "WSREP has not yet prepared
                                    # node for application use"
    # ALGORITHM=INPLACE or LOCK=NONE refused: only a copy of the table,
    # or a lock stopping its writes, could make the change
    # (backends/mysql.py).
    1845: Kind.TABLE_COPY,
    1846: Kind.TABLE_COPY,
    1205: Kind.LOCK_WAIT,           # lock wait timeout (metadata or row)
    1146: Kind.NO_TABLE,            # table doesn't exist
    1054: Kind.NO_COLUMN,           # unknown column
    2006: Kind.CONNECTION_LOST,     # server has gone away
    2013: Kind.CONNECTION_LOST,     # lost connection during query
    '42501': Kind.PERMISSION_DENIED,    # insufficient_privilege
    '28000': Kind.AUTHENTICATION,       # invalid_authorization_spec
    '28P01': Kind.AUTHENTICATION,       # invalid_password
    '55P03': Kind.LOCK_WAIT,            # lock_not_available (lock_timeout)
    '42P01': Kind.NO_TABLE,             # undefined_table
    '42703': Kind.NO_COLUMN,            # undefined_column
    '42701': Kind.ALREADY_APPLIED,      # duplicate_column
    'SQLITE_READONLY': Kind.PERMISSION_DENIED,
    'SQLITE_READONLY_DBMOVED': Kind.PERMISSION_DENIED,
}

# libpq refuses a login before any SQLSTATE exists: only its words tell.
_BY_WORDS = (
    (re.compile(r'password authentication failed|no password supplied|'
                r'role "[^"]*" does not exist'), Kind.AUTHENTICATION),
    # SQLite names no code finer than SQLITE_ERROR.
    (re.compile(r'^no such table: '), Kind.NO_TABLE),
    (re.compile(r'^no such column: |has no column named '), Kind.NO_COLUMN),
    (re.compile(r'^duplicate column name: '), Kind.ALREADY_APPLIED),
)


def driver_error(error):
    """The database driver's own exception inside error.

    Unwraps oslo.db's DBError (inner_exception) and SQLAlchemy's
    DBAPIError (orig); an error raised by the driver itself is returned
    as it is.
    """
    inner = getattr(error, 'inner_exception', None) or error
    return getattr(inner, 'orig', None) or inner


def statement_of(error):
    """The SQL statement that failed, or None."""
    inner = getattr(error, 'inner_exception', None) or error
    return getattr(inner, 'statement', None)


def message(error):
    """The database driver's own words, folded onto one line."""
    return ' '.join(str(driver_error(error)).split())


def one_line(error):
    """Any error on one line: a database's in its driver's words."""
    if isinstance(error, DATABASE_ERRORS):
        return message(error)
    return ' '.join(f'{type(error).__name__}: {error}'.split())


def code(error):
    """The driver's error code, or None when it has none.

    A MySQL error number, a PostgreSQL SQLSTATE or a SQLite error name.
    """
    raw = driver_error(error)
    for attribute in ('pgcode', 'sqlite_errorname'):
        value = getattr(raw, attribute, None)
        if value:
            return value
    args = getattr(raw, 'args', ())
    return args[0] if args and isinstance(args[0], int) else None


def kind_of(error):
    """Say what a database error means (a Kind)."""
    if isinstance(error, db_exc.DBNonExistentDatabase):
        return Kind.NO_DATABASE
    if code(error) == 1047:
        # oslo.db calls it a lost connection; it is a node to avoid.
        return Kind.NODE_NOT_READY
    if isinstance(error, db_exc.DBConnectionError) or getattr(
            getattr(error, 'inner_exception', None) or error,
            'connection_invalidated', False):
        return Kind.CONNECTION_LOST
    found = _BY_CODE.get(code(error))
    if found is not None:
        return found
    words = message(error)
    for pattern, kind in _BY_WORDS:
        if pattern.search(words):
            return kind
    return Kind.OTHER


# What a database round trip may raise: SQLAlchemy's errors, and
# oslo.db's translations of them.
DATABASE_ERRORS = (sa_exc.SQLAlchemyError, db_exc.DBError)


def read_unless_no_table(connection, read):
    """read(connection), or None when the table it reads does not exist.

    Reading and telling a missing table from the error takes one round
    trip where asking first takes two, and it has no race: a table
    dropped between the question and the read (a downgrade to base, a
    test's teardown) would otherwise fail the read. For connections that
    only read: the error rolls the transaction back (PostgreSQL aborts
    it anyway).
    """
    try:
        return read(connection)
    except DATABASE_ERRORS as error:
        if kind_of(error) != Kind.NO_TABLE:
            raise
        connection.rollback()
        return None


def raised_inside(error):
    """The webdemo error inside a database error, or None.

    oslo.db wraps whatever a statement raises in a DBError, also what
    webdemo's own listeners raise before a statement is sent (the
    lease's fence, lease.py).
    """
    inner = getattr(error, 'inner_exception', None)
    return inner if isinstance(inner, exception.WebdemoError) else None


def fate_known(error):
    """Whether the run error stopped knows its last statement's fate.

    Yes when the database refused a statement or a revision has a bug
    (the run failed); not after a lost connection or an interrupt
    (Ctrl-C, a signal: the run was abandoned).
    """
    if not isinstance(error, Exception):
        return False
    return not (isinstance(error, DATABASE_ERRORS)
                and kind_of(error) == Kind.CONNECTION_LOST)


def leaves_connection_usable(error):
    """Whether a connection may still write after error stopped a run.

    When the run's last statement's fate is known (fate_known), unless
    the migration lock was lost: then nothing more may be written.
    """
    return fate_known(error) and not isinstance(
        raised_inside(error) or error, exception.MigrationLockLost)


def as_migration_error(what, error, again=False):
    """The one-line error for a database error while `what` ran.

    A MigrationError, unless webdemo itself stopped the statement: then
    its own error.

    :param what: 'revision <id>', or the command whose bookkeeping (the
        lock, the journal) failed
    :param again: the same error stopped the revision's last run
    """
    inner = raised_inside(error)
    if inner is not None:
        return inner
    if kind_of(error) == Kind.TABLE_COPY:
        return exception.TableCopyRefused(
            what, message(error), sql_text.target_table(statement_of(error)))
    return exception.MigrationError(
        what, message(error), kind_of(error) == Kind.PERMISSION_DENIED,
        again)
