"""The migration lock: one db sync, stamp or downgrade per database.

- PostgreSQL: a session-level advisory lock.
- MySQL/MariaDB: a named lock (GET_LOCK), named after the database.
- SQLite: an flock() on a file beside the database file.

Each belongs to a connection or a file descriptor of the holding process,
so the server or the kernel releases it when that process dies: a crashed
holder never leaves a stale lock. Who holds it (host, pid, command,
since when) is written beside it for waiters to show: in the
webdemo_migration_lock table once it exists (bookkeeping.py), or in the
lock file for SQLite.

oslo.concurrency's external lock is not used for SQLite: it takes POSIX
record locks, which a process loses as soon as it closes any descriptor
of the file (reading the holder card would do that); flock() belongs to
the one descriptor.

- A Galera cluster: a lease row that every node replicates (lease.py);
  GET_LOCK is local to one node.

The lease is the one lock a dead holder keeps for a while (until its
lease lapses), and the one a live holder can lose (if it stalls past its
lease): its guard stops the holder before its next statement then.
"""

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import time

import sqlalchemy

from webdemo.conf import database as database_conf
from webdemo.db import bookkeeping
from webdemo.db import errors
from webdemo.db import galera
from webdemo.db.holder import Holder
from webdemo.db import lease as lease_module
from webdemo import exception

LOG = logging.getLogger(__name__)

NAME = 'webdemo_migration'
# pg_advisory_lock takes a number: a fixed one, "webdemo" in ASCII.
_POSTGRES_KEY = 0x776562646d6f
POLL_SECONDS = 0.25


@dataclasses.dataclass(frozen=True)
class Settings:
    """How long to wait for the lock, and (Galera) how long a lease is."""
    timeout: int = database_conf.DEFAULT_MIGRATION_LOCK_TIMEOUT
    lease: int = database_conf.DEFAULT_MIGRATION_LOCK_LEASE

    @classmethod
    def from_conf(cls, conf):
        return cls(conf.database.migration_lock_timeout,
                   conf.database.migration_lock_lease)


class Hold:
    """This process's hold on the lock, for the body of migration_lock."""

    def __init__(self, lock, holder):
        self._lock = lock
        self._holder = holder

    def announce(self):
        """Write who holds the lock where waiters look.

        Called when the lock is taken and again once the bookkeeping
        tables exist, so that waiters see the holder from the very first
        sync on.
        """
        self._lock.record(self._holder)


@contextlib.contextmanager
def migration_lock(engine, command, settings, report):
    """Hold the database's migration lock for the body of the with.

    :param engine: the database's engine
    :param command: what this process runs, shown to waiters
    :param settings: a Settings
    :param report: called with a line when this process has to wait
    :returns: (as the with's target) a Hold
    :raises webdemo.exception.MigrationLockTimeout: still held by another
        after settings.timeout seconds
    :raises webdemo.exception.MigrationLockLost: (in the body) the lease
        lapsed while held
    """
    with lock_for(engine, settings.lease) as lock:
        wait_for(lock, settings.timeout, report)
        if lock.took_over_from:
            report(f'Took over the migration lock from '
                   f'{lock.took_over_from}: it stopped renewing its '
                   f'{settings.lease}s lease.')
        hold = Hold(lock, Holder.this_process(command))
        try:
            hold.announce()
            with lock.guard(engine):
                yield hold
        finally:
            _release(lock, clear_card=True)


def wait_for(lock, timeout, report, clock=time.monotonic, sleep=time.sleep):
    """Take lock, polling until timeout seconds have passed.

    A plain poll: the lock must never be queued for on the server, where
    a dead waiter's request could outlive it. Each new holder seen is
    reported once. On Galera a waiter gives up only once it has seen the
    holder renew its lease (alive); a silent holder's lease it waits out
    and takes over, or every waiter would give up before a dead holder's
    lease lapsed.

    :raises webdemo.exception.MigrationLockTimeout: not taken in time
    """
    deadline = clock() + timeout
    shown = None
    while not lock.try_acquire():
        holder = lock.holder()
        if holder != shown:
            report(f'Waiting up to {timeout}s for the migration lock, held '
                   f'by {holder or "another process"}.')
            shown = holder
        # A lease whose holder was never seen renewing may be a dead
        # one's: only waiting it out frees it (lease.py).
        if clock() >= deadline and not lock.awaiting_lapse():
            raise exception.MigrationLockTimeout(timeout, holder)
        sleep(POLL_SECONDS)


@contextlib.contextmanager
def probe(engine):
    """Whether the lock is free, for the body of the with; never waits.

    A server or file lock is taken for the body when free, so no run can
    start meanwhile. A Galera lease is only read (taking it would write):
    a run may start during the body, which Probe.free_throughout() then
    tells. Writes nothing in any case, so it suits read-only users and
    read-only commands.

    :returns: (as the with's target) a Probe
    """
    with lock_for(engine) as lock, lock.peek() as free:
        yield Probe(lock, free)


@dataclasses.dataclass(frozen=True)
class Probe:
    """What probe() found: whether the lock was free when it looked."""
    lock: object
    free: bool

    def free_throughout(self):
        """Whether it was free from the look until now.

        Certain for a lock the probe holds; read again for a lease.
        """
        return self.free and self.lock.still_free()


def is_held(engine):
    """Whether another process holds the lock now."""
    with probe(engine) as found:
        return not found.free


def _release(lock, clear_card):
    # A failure here must not hide the error being raised. A server lock
    # dies with its session anyway, when the with closes it; a lease
    # lapses after a lease.
    try:
        lock.release(clear_card)
    except (*errors.DATABASE_ERRORS, OSError) as error:
        LOG.warning('could not release the migration lock cleanly: %s',
                    error)


def lock_for(engine, lease=database_conf.DEFAULT_MIGRATION_LOCK_LEASE):
    """The lock of engine's database, chosen by its backend."""
    if engine.dialect.name == 'postgresql':
        return _PostgresLock(engine)
    if engine.dialect.name == 'mysql':
        with engine.connect() as connection:
            if galera.is_galera(connection):
                return lease_module.LeaseLock(engine, NAME, lease)
        return _MySQLLock(engine)
    return _FileLock(engine.url.database)


class _PeekAndGuard:
    """What a lock that dies with its holder does to peek and guard."""

    took_over_from = None

    def still_free(self):
        # Called only while peek() holds the lock: no one else can.
        return True

    def awaiting_lapse(self):
        # A dead holder's lock is freed by the server or the kernel.
        return False

    @contextlib.contextmanager
    def peek(self):
        """Take the lock if free, for the body of the with; yield if so."""
        free = self.try_acquire()
        try:
            yield free
        finally:
            if free:
                _release(self, clear_card=False)

    def guard(self, engine):
        # Held until this process dies: nothing to watch.
        return contextlib.nullcontext()


class _ServerLock(_PeekAndGuard):
    """A lock held by a session of the database server."""

    _CARD = bookkeeping.LOCK_HOLDER

    def __init__(self, engine):
        self._engine = engine

    def __enter__(self):
        self._connection = self._engine.connect().execution_options(
            isolation_level='AUTOCOMMIT')
        return self

    def __exit__(self, *exc_info):
        self._connection.close()

    def _scalar(self, sql):
        return self._connection.exec_driver_sql(sql).scalar()

    def _has_card_table(self):
        # Taking the lock never changes the schema: until the first run
        # that migrates creates the table, there is no card to keep.
        return bookkeeping.has_table(self._connection, self._CARD)

    def holder(self):
        if not self._has_card_table():
            return None
        card = self._CARD
        row = self._connection.execute(sqlalchemy.select(
            card.c.host, card.c.pid, card.c.command, card.c.since).where(
                card.c.name == NAME)).first()
        return Holder(*row) if row else None

    def record(self, holder):
        if self._has_card_table():
            self._clear_card()
            self._connection.execute(self._CARD.insert().values(
                name=NAME, **dataclasses.asdict(holder)))

    def _clear_card(self):
        self._connection.execute(self._CARD.delete().where(
            self._CARD.c.name == NAME))

    def release(self, clear_card):
        if clear_card and self._has_card_table():
            self._clear_card()
        self._unlock()


class _PostgresLock(_ServerLock):
    """Advisory locks are scoped to the current database already."""

    def try_acquire(self):
        return self._scalar(f'SELECT pg_try_advisory_lock({_POSTGRES_KEY})')

    def _unlock(self):
        self._scalar(f'SELECT pg_advisory_unlock({_POSTGRES_KEY})')


class _MySQLLock(_ServerLock):
    """A named lock whose name carries the database's.

    GET_LOCK names are server-wide; two databases on one server must not
    share a lock.
    """

    def __enter__(self):
        super().__enter__()
        database = self._scalar('SELECT DATABASE()')
        # At most 64 characters, and no quoting trouble: a digest.
        digest = hashlib.sha256(database.encode()).hexdigest()[:40]
        self._name = f'{NAME}_{digest}'
        return self

    def try_acquire(self):
        return self._scalar(f"SELECT GET_LOCK('{self._name}', 0)") == 1

    def _unlock(self):
        self._scalar(f"SELECT RELEASE_LOCK('{self._name}')")


class _FileLock(_PeekAndGuard):
    """flock() on '<database file>.migration-lock'; the card inside."""

    def __init__(self, database_path):
        # An in-memory database lives in one process: nothing to share.
        self._path = (f'{database_path}.migration-lock'
                      if database_path and database_path != ':memory:'
                      else None)

    def __enter__(self):
        self._fd = None
        if self._path:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            except PermissionError:
                # A reader without write access beside the database: it
                # cannot lock, and cannot migrate either.
                LOG.debug('cannot open %s', self._path, exc_info=True)
        return self

    def __exit__(self, *exc_info):
        if self._fd is not None:
            os.close(self._fd)

    def try_acquire(self):
        if self._fd is None:
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def holder(self):
        try:
            with open(self._path) as card:
                return Holder(**json.load(card))
        except (OSError, ValueError, TypeError):
            return None

    def record(self, holder):
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(dataclasses.asdict(holder)).encode(),
                  0)

    def release(self, clear_card):
        if self._fd is not None:
            if clear_card:
                os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
