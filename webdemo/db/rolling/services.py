"""The registry of running API services, for the contract's guard.

Each API process registers a row in ``webdemo_services`` (bookkeeping.py)
with its release and level (webdemo/release.py) and a heartbeat that a
thread of its own renews every few seconds, whether or not requests
come. ``db sync --contract`` refuses while a live service's level is
below what a contract revision it would run needs
(``release_level_needed`` in the revision; phases.check_contract_ready):
the older release's services must be stopped first, not hoped stopped.

Heartbeats are written and aged by the database's clock, in UTC, so no
time zone or daylight-saving change moves them. On Galera two nodes'
clocks are compared (the row may be written through one and read
through another): NTP keeps them within far less than the staleness
window. A row is stale once its own stale_after seconds pass without a
beat: a service that died without leaving stops blocking by itself.
"""

import atexit
import dataclasses
import logging
import os
import socket
import threading
import uuid

import sqlalchemy as sa

from webdemo.db import backends
from webdemo.db import bookkeeping
from webdemo.db import errors

LOG = logging.getLogger(__name__)
_SERVICES = bookkeeping.SERVICES


@dataclasses.dataclass(frozen=True)
class Service:
    """One registered service, as the contract's guard sees it.

    :ivar age: seconds since its last heartbeat, by the database's clock
    """
    id: str
    host: str
    pid: int
    release: str
    level: int
    stale_after: int
    age: float

    @property
    def live(self):
        return self.age <= self.stale_after

    def describe(self):
        return (f'release {self.release} (level {self.level}) on '
                f'{self.host} pid {self.pid} (last heartbeat '
                f'{self.age:.0f}s ago)')


def blocking(services, level_needed):
    """The live services below level_needed (None: nothing needed)."""
    if level_needed is None:
        return []
    return [service for service in services
            if service.live and service.level < level_needed]


def too_old_for(engine, contract_scripts):
    """The live services too old to run after contract_scripts."""
    with engine.connect() as connection:
        return blocking(read(connection), level_needed(contract_scripts))


def level_needed(contract_scripts):
    """The highest release level the contract revisions need, or None."""
    needs = [getattr(script.module, 'release_level_needed', None)
             for script in contract_scripts]
    needs = [need for need in needs if need is not None]
    return max(needs) if needs else None


def utc_now(connection):
    """The database's clock in UTC, as a zone-less timestamp."""
    return backends.for_connection(connection).utc_now()


def read(connection):
    """Every registered service; none if the table does not exist yet."""
    now = connection.execute(sa.select(sa.type_coerce(
        utc_now(connection), sa.DateTime))).scalar()
    rows = errors.read_unless_no_table(
        connection, lambda c: c.execute(sa.select(_SERVICES)).all())
    return [Service(row.id, row.host, row.pid, row.release, row.level,
                    row.stale_after,
                    (now - row.heartbeat_at).total_seconds())
            for row in rows or ()]


class Registration:
    """One process's row: register(), beat() now and then, leave()."""

    def __init__(self, engine, release, level, stale_after):
        self._engine = engine
        self._values = {'host': socket.gethostname(), 'release': release,
                        'level': level, 'stale_after': stale_after}
        self._renew_identity()

    def _renew_identity(self):
        self._values.update(id=uuid.uuid4().hex, pid=os.getpid())

    @property
    def id(self):
        return self._values['id']

    def register(self):
        try:
            with self._engine.begin() as connection:
                bookkeeping.ensure_tables(connection)
        except errors.DATABASE_ERRORS:
            # Another process created them meanwhile.
            pass
        with self._engine.begin() as connection:
            now = utc_now(connection)
            connection.execute(_SERVICES.insert().values(
                started_at=now, heartbeat_at=now, **self._values))

    def beat(self):
        """Renew the heartbeat; register again if the row was removed."""
        with self._engine.begin() as connection:
            found = connection.execute(_SERVICES.update().where(
                _SERVICES.c.id == self.id).values(
                    heartbeat_at=utc_now(connection))).rowcount
        if not found:
            self.register()

    def leave(self):
        """Remove the row, if this process wrote it."""
        if self._values['pid'] != os.getpid():
            return
        with self._engine.begin() as connection:
            connection.execute(_SERVICES.delete().where(
                _SERVICES.c.id == self.id))


class Heartbeat:
    """Keep a Registration alive from a thread of its own.

    Registering and beating are best effort: a database that is away
    or locked delays the row, never a request, and a failure is logged
    and tried again at the next beat. A forked child (a WSGI server's
    worker after --preload) registers a row of its own; the parent's
    row is left to the parent.
    """

    def __init__(self, registration, interval):
        self._registration = registration
        self._interval = interval
        self._stop = threading.Event()

    def start(self):
        atexit.register(self.stop)
        os.register_at_fork(after_in_child=self._in_child)
        self._beat_from_a_thread()

    def _in_child(self):
        # The parent's thread did not come along: start this one's own.
        self._registration._renew_identity()
        self._stop = threading.Event()
        self._beat_from_a_thread()

    def _beat_from_a_thread(self):
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='webdemo-heartbeat')
        self._thread.start()

    def _run(self):
        failing = None
        while True:
            why = _failure(self._registration.beat)
            # Said outside the except: oslo.log would add the exception.
            self._say(why, failing)
            failing = why
            if self._stop.wait(self._interval):
                return

    def _say(self, why, failing):
        """One line when a failure starts, changes or ends; not each beat.

        An API started before db sync meets no table at each beat: a
        traceback every few seconds per worker said nothing new.
        """
        if why == failing:
            return
        if why is None:
            LOG.info('This service\'s registration is renewed again.')
        else:
            LOG.warning('Could not renew this service\'s registration (%s); '
                        'trying again every %ss, and saying so again only '
                        'if the reason changes.', why, self._interval)

    def stop(self):
        self._stop.set()
        # A beat under way would register the row again once it is gone:
        # let it end first (a database that hangs leaves a stale row).
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=self._interval)
        why = _failure(self._registration.leave)
        if why is not None:
            LOG.warning('Could not remove this service\'s registration '
                        '(%s); it goes stale by itself.', why)


def _failure(action):
    """Run action; None, or why it failed, on one line."""
    try:
        action()
    except Exception as error:
        # Whatever a beat raises must not end the thread.
        return errors.one_line(error)
    return None
