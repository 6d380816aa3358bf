"""The registry of running API services, for the contract's guard.

Each API process registers a row in ``webdemo_services`` (bookkeeping.py)
with its release, the contract revisions that release cannot run after,
and a heartbeat it renews every few seconds. ``db sync --contract``
refuses while a live service's release cannot survive a contract
revision it would run (phases.check_contract_ready): the previous
release's services must be stopped first, not just hoped stopped.

Heartbeats use the database's own clock, written and compared by the
same server, so no machine's clock is compared with another's. A row is
stale once its own stale_after seconds pass without a beat: a service
that died without deregistering stops blocking by itself.
"""

import dataclasses
import os
import socket
import uuid

import sqlalchemy as sa

from webdemo.db import bookkeeping
from webdemo.db import errors

_SERVICES = bookkeeping.SERVICES
_NOW = sa.func.current_timestamp()


@dataclasses.dataclass(frozen=True)
class Service:
    """One registered service, as the contract's guard sees it.

    :ivar age: seconds since its last heartbeat, by the database's clock
    """
    id: str
    host: str
    pid: int
    release: str
    cannot_survive: tuple
    stale_after: int
    age: float

    @property
    def live(self):
        return self.age <= self.stale_after

    def describe(self):
        return (f'release {self.release} on {self.host} pid {self.pid} '
                f'(last heartbeat {self.age:.0f}s ago)')


def blocking(services, contract_revisions):
    """The live services whose release cannot survive these revisions."""
    planned = set(contract_revisions)
    return [service for service in services
            if service.live and planned & set(service.cannot_survive)]


def read(connection):
    """Every registered service; none if the table does not exist yet."""
    if not bookkeeping.has_table(connection, _SERVICES):
        return []
    now = connection.execute(sa.select(
        sa.type_coerce(_NOW, sa.DateTime))).scalar()
    rows = connection.execute(sa.select(_SERVICES)).all()
    return [_service(row, _naive(now)) for row in rows]


def _service(row, now):
    beat = _naive(row.heartbeat_at)
    return Service(row.id, row.host, row.pid, row.release,
                   tuple(filter(None, (row.cannot_survive or '').split(','))),
                   row.stale_after, (now - beat).total_seconds())


def _naive(moment):
    # PostgreSQL's CURRENT_TIMESTAMP carries its zone; the column keeps
    # the same local time without it.
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


class Registration:
    """This process's row: register(), beat() now and then, leave()."""

    def __init__(self, engine, release, cannot_survive, stale_after):
        self._engine = engine
        self._values = {
            'id': uuid.uuid4().hex, 'host': socket.gethostname(),
            'pid': os.getpid(), 'release': release,
            'cannot_survive': ','.join(cannot_survive),
            'stale_after': stale_after}

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
            connection.execute(_SERVICES.insert().values(
                started_at=_NOW, heartbeat_at=_NOW, **self._values))

    def beat(self):
        """Renew the heartbeat; register again if the row was removed."""
        with self._engine.begin() as connection:
            found = connection.execute(_SERVICES.update().where(
                _SERVICES.c.id == self.id).values(heartbeat_at=_NOW)).rowcount
        if not found:
            self.register()

    def leave(self):
        with self._engine.begin() as connection:
            connection.execute(_SERVICES.delete().where(
                _SERVICES.c.id == self.id))
