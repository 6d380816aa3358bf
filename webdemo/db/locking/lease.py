"""The migration lock on a Galera cluster: a lease row, renewed by a beat.

GET_LOCK is local to one Galera node, so on a cluster the lock is the
row ``webdemo_migration_lease`` (bookkeeping.LEASE), which every node
replicates:

- Free: token is NULL. Taking it is one committed UPDATE that sets this
  process's token where the token is still what the taker read. Two
  takers on two nodes conflict at Galera's certification: one commits,
  the other gets a deadlock error (or, retried by Galera, matches no
  row) and keeps waiting.
- Held: a thread of the holder adds one to ``beats`` every sixth of the
  lease. A waiter that sees (token, beats) unchanged for a whole lease,
  by its own clock, takes the row over with the same compare-and-set,
  so a renewal that lands first wins. No clock is compared across
  machines.
- Fencing: before each statement of the holder (any connection its
  engine opens while the lock is held), if the last renewal that
  reached the database is more than half a lease old, the holder renews
  at once; if its token is gone or the database cannot confirm it,
  MigrationLockLost is raised and no further statement is sent.
"""

import contextlib
import logging
import threading
import time
import uuid

from oslo_db import exception as db_exc
import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db import errors
from webdemo.db.locking.holder import Holder
from webdemo import exception

LOG = logging.getLogger(__name__)

TABLE = bookkeeping.LEASE
# Marks the lease's own connection, which the fence must let through.
_OWN = 'webdemo_lease'


class LeaseLock:
    """One process's handle on the lease row named name."""

    def __init__(self, engine, name, lease, clock=time.monotonic):
        self._engine = engine
        self._name = name
        self.lease = lease
        self._clock = clock
        self._token = uuid.uuid4().hex
        self._mutex = threading.RLock()
        self._renewed_at = None
        self._lost = False
        # (token, beats) as last read, and when first read so.
        self._sighting = None
        self._stop = threading.Event()
        self._beat = None
        self._connection = None
        self._prepared = False
        self.took_over_from = None

    def __enter__(self):
        self._connect()
        return self

    def __exit__(self, *exc_info):
        self._stop_beating()
        self._connection.close()

    def _connect(self):
        self._connection = self._engine.connect().execution_options(
            isolation_level='AUTOCOMMIT', **{_OWN: True})

    def _row(self):
        return self._connection.execute(sqlalchemy.select(
            TABLE.c.token, TABLE.c.beats, TABLE.c.host, TABLE.c.pid,
            TABLE.c.command, TABLE.c.since).where(
                TABLE.c.name == self._name)).first()

    # --- waiting for it -------------------------------------------------

    def try_acquire(self):
        with self._mutex:
            return self._reconnecting(self._try_acquire)

    def _try_acquire(self):
        self._prepare()
        row = self._row()
        if row.token is not None and not self._lapsed(row):
            return False
        unchanged = (TABLE.c.token.is_(None) if row.token is None else
                     (TABLE.c.token == row.token) &
                     (TABLE.c.beats == row.beats))
        sent_at = self._clock()
        try:
            taken = self._update(unchanged, token=self._token, beats=0)
        except db_exc.DBDeadlock:
            # Another node's taker certified first.
            return False
        if taken:
            self.took_over_from = (_holder(row) if row.token is not None
                                   else None)
            self._renewed_at = sent_at
            self._start_beating()
        return taken

    def awaiting_lapse(self):
        """Whether the holder has not been seen to renew since first seen.

        A waiter keeps waiting past its timeout then: a holder that never
        renews may be dead, and only a waiter that sees its lease out can
        take the lock over. One renewal seen proves a live holder.
        """
        return (self._sighting is not None and
                self._sighting[0][0] is not None and
                not has_lapsed(self._sighting, self._clock(), self.lease))

    def _reconnecting(self, action):
        """Run action; once more on a new connection if the first fails.

        The node behind the connection may be gone; a new connection
        (through a load balancer) may reach another one.
        """
        try:
            return action()
        except errors.DATABASE_ERRORS:
            LOG.debug('lease connection failed; reconnecting', exc_info=True)
            self._connection.invalidate()
            self._connect()
            return action()

    def _lapsed(self, row):
        now = self._clock()
        self._sighting = sighting_after(self._sighting, (row.token, row.beats),
                                        now)
        return has_lapsed(self._sighting, now, self.lease)

    def _prepare(self):
        """Create the table and its row the first time; both idempotent.

        On Galera DDL runs in total order on every node, so concurrent
        first runs each find the table there or create it once. Once per
        process: a DDL statement per poll would queue behind the holder's.
        """
        if self._prepared:
            return
        self._connection.execute(
            sqlalchemy.schema.CreateTable(TABLE, if_not_exists=True))
        if self._row() is None:
            with contextlib.suppress(db_exc.DBDuplicateEntry,
                                     db_exc.DBDeadlock):
                self._connection.execute(TABLE.insert().values(
                    name=self._name, beats=0))
        self._prepared = True

    def _update(self, condition, **values):
        result = self._connection.execute(TABLE.update().where(
            (TABLE.c.name == self._name) & condition).values(**values))
        return result.rowcount == 1

    def holder(self):
        row = self._row_if_any()
        return _holder(row) if row and row.token else None

    def is_free(self):
        row = self._row_if_any()
        return row is None or row.token is None

    def _row_if_any(self):
        """The row, or None before the first run created table or row.

        Reading commands must not create them.
        """
        with self._mutex:
            return errors.read_unless_no_table(
                self._connection, lambda _: self._row())

    def peek(self):
        """Whether no one holds the lease now; reads only."""
        return contextlib.nullcontext(self.is_free())

    def still_free(self):
        """Read again: a run may have taken the lease since peek()."""
        return self.is_free()

    # --- holding it -----------------------------------------------------

    def record(self, holder):
        with self._mutex:
            self._update(TABLE.c.token == self._token, host=holder.host,
                         pid=holder.pid, command=holder.command,
                         since=holder.since)

    def renew(self):
        """Add a beat; raise MigrationLockLost if the row is not ours."""
        with self._mutex:
            if self._lost:
                raise exception.MigrationLockLost(self.lease)
            sent_at = self._clock()
            if not self._reconnecting(self._beat_once):
                self._lost = True
                raise exception.MigrationLockLost(self.lease)
            self._renewed_at = sent_at

    def _beat_once(self):
        return self._update(TABLE.c.token == self._token,
                            beats=TABLE.c.beats + 1)

    def check(self):
        """The fence: raise unless this process surely still holds it."""
        if self._lost:
            raise exception.MigrationLockLost(self.lease)
        if not needs_confirming(self._renewed_at, self._clock(), self.lease):
            return
        # The beat may hang on a node that vanished without a word: do
        # not wait behind it for longer than a renewal interval.
        if not self._mutex.acquire(timeout=self.lease / 6):
            self._lost = True
            raise exception.MigrationLockLost(self.lease)
        try:
            self.renew()
        except errors.DATABASE_ERRORS as error:
            LOG.debug('cannot confirm the lease', exc_info=True)
            self._lost = True
            raise exception.MigrationLockLost(self.lease) from error
        finally:
            self._mutex.release()

    @contextlib.contextmanager
    def guard(self, engine):
        """Check the lease before every statement and commit of engine.

        A commit too: a holder that stalled after its last statement
        must not commit a revision's version and journal rows.

        The fence listens on each connection engine makes while guarded,
        as the connection is made, not on the engine: SQLAlchemy calls a
        connection's own listeners before the engine's, and the runner's
        statement tracking, listening on the migration's connection, runs
        some statements itself from inside its listener (a statement of
        unknown fate replayed, backends.StatementReplay). Listeners added
        to the connection later run after the fence.
        """
        def fence(conn, *_):
            if not conn.get_execution_options().get(_OWN):
                self.check()

        def fence_connection(conn):
            for event in ('before_cursor_execute', 'commit'):
                sqlalchemy.event.listen(conn, event, fence)

        sqlalchemy.event.listen(engine, 'engine_connect', fence_connection)
        try:
            yield
        finally:
            # Under the mutex: the beat reconnects holding it, and a
            # connection being made while its engine's listeners change
            # fails.
            with self._mutex:
                sqlalchemy.event.remove(engine, 'engine_connect',
                                        fence_connection)

    def release(self, clear_card):
        """Free the row if it is still ours (the card is the row itself)."""
        self._stop_beating()
        with self._mutex:
            if self._lost or self._renewed_at is None:
                return
            self._reconnecting(lambda: self._update(
                TABLE.c.token == self._token, token=None, beats=0, host=None,
                pid=None, command=None, since=None))

    # --- the beat -------------------------------------------------------

    def _start_beating(self):
        self._beat = threading.Thread(target=self._beat_loop, daemon=True,
                                      name='webdemo-lease')
        self._beat.start()

    def _stop_beating(self):
        if self._beat is not None:
            self._stop.set()
            # A beat hung on a vanished node is a daemon: leave it.
            self._beat.join(timeout=self.lease / 6)
            self._beat = None

    def _beat_loop(self):
        while not self._stop.wait(self.lease / 6):
            try:
                self.renew()
            except exception.MigrationLockLost:
                return
            except errors.DATABASE_ERRORS as error:
                # The fence decides: it renews itself once the last beat
                # is half a lease old, and stops the run if it cannot.
                LOG.warning('could not renew the migration lease: %s',
                            errors.message(error))
                LOG.debug('renewal failure', exc_info=True)


def sighting_after(sighting, seen, now):
    """A waiter's (seen, since) once it has read seen at now.

    since is when it first read that same (token, beats): a beat or a new
    holder starts the count again.
    """
    if sighting is not None and sighting[0] == seen:
        return sighting
    return (seen, now)


def has_lapsed(sighting, now, lease):
    """Whether the row has stood still for a whole lease by now."""
    return now - sighting[1] >= lease


def needs_confirming(renewed_at, now, lease):
    """Whether the holder must renew before its next statement.

    Half a lease: a waiter counts a whole lease from after the last beat
    landed, so a holder inside half of it cannot have been taken over,
    even with a renewal in flight.
    """
    return now - renewed_at >= lease / 2


def _holder(row):
    # Taken but not yet announced: the holder is not known by name yet.
    if row.host is None:
        return None
    return Holder(row.host, row.pid, row.command, row.since)
