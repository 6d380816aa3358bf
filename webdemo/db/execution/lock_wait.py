"""DDL lock-wait guards: how long a revision's statement may wait for a
table lock, and who it waited for.

A DDL statement that waits for a table lock makes every query on that
table queue behind it: on PostgreSQL an ALTER TABLE waiting behind one
long transaction freezes the application, and MySQL's default
lock_wait_timeout is a year. So the migration's connection bounds the
wait (``[database] ddl_lock_timeout``); runner.py retries the revision
after a backoff (``[database] ddl_lock_retries`` times), and then gives
up naming the session that held the lock (read here).

SQLite has one writer and its own busy timeout; nothing to do there.
"""

import contextlib
import dataclasses

from webdemo.conf import database as database_conf
from webdemo.db import backends
from webdemo.db import errors
from webdemo.db import sql_text

_MAX_BACKOFF = 30


@dataclasses.dataclass(frozen=True)
class Settings:
    """The guard of a plan's DDL.

    :ivar timeout: seconds a statement may wait for a table lock
    :ivar retries: how many retries after the first wait
    :ivar table_copy: the operator allowed statements that copy a table,
        stopping its writes meanwhile (MySQL: backends/mysql.py)
    """
    timeout: int = database_conf.DEFAULT_DDL_LOCK_TIMEOUT
    retries: int = database_conf.DEFAULT_DDL_LOCK_RETRIES
    table_copy: bool = False

    @classmethod
    def from_conf(cls, conf, table_copy=False):
        return cls(conf.database.ddl_lock_timeout,
                   conf.database.ddl_lock_retries, table_copy)

    def backoff(self, attempt):
        """Seconds to wait before retry number attempt (0 is the first)."""
        return min(2 ** attempt, _MAX_BACKOFF)


@dataclasses.dataclass(frozen=True)
class Blocker:
    """The session that held the lock a DDL statement waited for.

    :ivar certain: read from the lock tables (it holds a lock on the
        table); otherwise the oldest open transaction, the likely holder
    :ivar open_seconds: how long its transaction (PostgreSQL, and the
        oldest transaction on MySQL) or its current state (MySQL's
        performance_schema) has lasted
    """
    session: int
    user: str
    host: str
    state: str
    open_seconds: int
    certain: bool

    def __str__(self):
        guess = '' if self.certain else 'probably: the oldest transaction; '
        return (f'session {self.session} ({guess}user {self.user} from '
                f'{self.host or "local socket"}, {self.state or "idle"} '
                f'for {self.open_seconds}s)')


@contextlib.contextmanager
def limited(connection, timeout):
    """Bound lock waits on connection to timeout seconds, for the with.

    Set at session level: PostgreSQL's lock_timeout, MySQL's
    lock_wait_timeout (metadata locks, which DDL waits for) and
    innodb_lock_wait_timeout (row locks); committed, so that PostgreSQL
    does not roll the SET back with a first transaction; reset after, so
    that the pooled connection does not carry the bound to other users.
    """
    statements = backends.for_connection(connection).lock_wait_limits
    if statements is None:
        yield
        return
    connection.exec_driver_sql(statements[0].format(seconds=int(timeout)))
    connection.commit()
    try:
        yield
    finally:
        try:
            connection.rollback()
            connection.exec_driver_sql(statements[1])
            connection.commit()
        except errors.DATABASE_ERRORS:
            # A broken connection must not go back to the pool at all.
            connection.invalidate()


def timed_out(error):
    """Whether a database error is a lock wait that hit the limit."""
    return errors.kind_of(error) == errors.Kind.LOCK_WAIT


def blocker(database, error):
    """Who holds the lock the statement in error waited for, or None.

    :param database: the database's backend (backends.for_engine)

    Read at once, on a connection of its own: the holder still holds it.
    Best effort: a server that hides its sessions yields None.
    """
    table = sql_text.target_table(errors.statement_of(error))
    readers = [_reader(*query) for query in
               database.blocker_queries]
    try:
        with database.engine.connect() as connection:
            for read in readers:
                found = read(connection, table)
                if found is not None:
                    return found
    except errors.DATABASE_ERRORS:
        return None
    return None


def _reader(query, certain, needs_table):
    def read(connection, table):
        if needs_table and table is None:
            return None
        try:
            row = connection.execute(query, {'table': table}).first()
        except errors.DATABASE_ERRORS:
            # performance_schema off or not granted: try the next way.
            connection.rollback()
            return None
        return Blocker(*row, certain=certain) if row else None
    return read
