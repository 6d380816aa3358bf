"""The migration lock: one db sync, stamp or downgrade per database.

- PostgreSQL: a session-level advisory lock.
- MySQL/MariaDB: a named lock (GET_LOCK), named after the database.
- SQLite: an flock() on a file beside the database file.

Each backend class makes its own (backends/, migration_lock()); the
kinds they share are in backends/locks.py.

Each belongs to a connection or a file descriptor of the holding process,
so the server or the kernel releases it when that process dies: a crashed
holder never leaves a stale lock. Who holds it (host, pid, command,
since when) is written beside it for waiters to show: in the
webdemo_migration_lock table once it exists (bookkeeping.py), or in the
lock file for SQLite.

- A Galera cluster: a lease row that every node replicates (lease.py);
  GET_LOCK is local to one node.

The lease is the one lock a dead holder keeps for a while (until its
lease lapses), and the one a live holder can lose (if it stalls past its
lease): its guard stops the holder before its next statement then.
"""

import contextlib
import dataclasses
import time

from webdemo.conf import database as database_conf
from webdemo.db import backends
from webdemo.db.backends import locks
from webdemo.db.locking.holder import Holder
from webdemo import exception

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
    """This process's hold on the lock, for the body of migration_lock.

    :ivar backend: the backends.Backend whose lock it is: the one the
        command runs everything on
    """

    def __init__(self, lock, holder, backend):
        self._lock = lock
        self._holder = holder
        self.backend = backend

    def announce(self):
        """Write who holds the lock where waiters look.

        Called when the lock is taken and again once the bookkeeping
        tables exist, so that waiters see the holder from the very first
        sync on.
        """
        self._lock.record(self._holder)


@contextlib.contextmanager
def migration_lock(engine, command, settings, report, lock_engine=None):
    """Hold the database's migration lock for the body of the with.

    :param engine: the database's engine
    :param command: what this process runs, shown to waiters
    :param settings: a Settings
    :param report: called with a line when this process has to wait
    :param lock_engine: another engine of the same database to take the
        lock on, such as the reading engine a command has already
        connected (the lock keeps a connection until released); None:
        engine. The Hold's backend is engine's either way.
    :returns: (as the with's target) a Hold
    :raises webdemo.exception.MigrationLockTimeout: still held by another
        after settings.timeout seconds
    :raises webdemo.exception.MigrationLockLost: (in the body) the lease
        lapsed while held
    """
    backend = backends.for_engine(engine)
    locking = (backend if lock_engine is None
               else backends.for_engine(lock_engine))
    with locking.migration_lock(settings.lease) as lock:
        wait_for(lock, settings.timeout, report)
        if lock.took_over_from:
            report(f'Took over the migration lock from '
                   f'{lock.took_over_from}: it stopped renewing its '
                   f'{settings.lease}s lease.')
        hold = Hold(lock, Holder.this_process(command), backend)
        try:
            hold.announce()
            with lock.guard(engine):
                yield hold
        finally:
            locks.release_quietly(lock, clear_card=True)


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
            report(_waiting(timeout, holder))
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


def _waiting(timeout, holder):
    return (f'Waiting up to {timeout}s for the migration lock, held by '
            f'{holder or "another process"}.')


@contextlib.contextmanager
def probe_when_free(engine, settings, report, clock=time.monotonic,
                    sleep=time.sleep):
    """probe(), looking again until the lock is free, for the with's body.

    For a command that only reads, but must read a database no run is
    changing (db sync --sql): it waits as a migration does, up to
    settings.timeout, reporting each holder once, and takes nothing a
    waiter would write. A reader's own probe holds a server or file
    lock for a moment only. On Galera the body must still ask
    Probe.free_throughout(): a run may take the lease meanwhile.

    :returns: (as the with's target) a Probe that found the lock free
    :raises webdemo.exception.MigrationLockTimeout: still held after
        settings.timeout seconds
    """
    deadline = clock() + settings.timeout
    shown = None
    while True:
        with probe(engine) as found:
            if found.free:
                yield found
                return
            holder = found.lock.holder()
        if holder != shown:
            report(_waiting(settings.timeout, holder))
            shown = holder
        if clock() >= deadline:
            raise exception.MigrationLockTimeout(settings.timeout, holder)
        sleep(POLL_SECONDS)


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


def lock_for(engine, lease=database_conf.DEFAULT_MIGRATION_LOCK_LEASE):
    """The lock of engine's database, as its backend has it."""
    return backends.for_engine(engine).migration_lock(lease)
