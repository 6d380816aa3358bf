"""The kinds of migration lock the backends share (lock.py's protocol).

A lock here dies with its holder: a server session's lock (PostgreSQL's
advisory lock, MySQL's named lock) is released by the server when the
session ends, a file lock (SQLite) by the kernel when the process does.
Galera's lease (lease.py) is the one lock that outlives its holder.

Every lock offers: ``with lock:`` (open what it needs), try_acquire(),
holder() and record() (the card saying who holds it), release(),
took_over_from, still_free(), awaiting_lapse(), peek() and guard().
"""

import contextlib
import dataclasses
import logging

import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db import errors
from webdemo.db.locking.holder import Holder

LOG = logging.getLogger(__name__)

NAME = 'webdemo_migration'


def release_quietly(lock, clear_card):
    """Release lock; a failure is logged, never raised.

    A failure here must not hide the error being raised. A server lock
    dies with its session anyway, when the with closes it; a lease
    lapses after a lease.
    """
    try:
        lock.release(clear_card)
    except (*errors.DATABASE_ERRORS, OSError) as error:
        LOG.warning('could not release the migration lock cleanly: %s',
                    error)


class PeekAndGuard:
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
                release_quietly(self, clear_card=False)

    def guard(self, engine):
        # Held until this process dies: nothing to watch.
        return contextlib.nullcontext()


class ServerLock(PeekAndGuard):
    """A lock held by a session of the database server.

    Subclasses say how to take it (try_acquire) and give it up (_unlock).
    """

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
