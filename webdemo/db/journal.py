"""The migration journal and the lock holder's card.

Both are tables webdemo creates and upgrades itself, outside the Alembic
history (like alembic_version), so they exist before the first revision
runs. The journal has one row per revision run: written before the
revision starts, finished after it, so that a run that died leaves a row
saying where. On MySQL, whose DDL commits statement by statement, the row
also counts the revision's DDL statements started and finished, which is
what lets the next run complete a half-applied revision.
"""

import dataclasses
import datetime
import hashlib
import importlib.metadata
import os
import socket

import sqlalchemy
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text

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
    mysql_engine='InnoDB', mysql_charset='utf8mb4')

LOCK_HOLDER = sqlalchemy.Table(
    'webdemo_migration_lock', METADATA,
    Column('name', String(64), primary_key=True),
    Column('host', String(255)),
    Column('pid', Integer),
    Column('command', String(255)),
    Column('since', String(64)),
    mysql_engine='InnoDB', mysql_charset='utf8mb4')

TABLE_NAMES = frozenset(METADATA.tables)

RUNNING = 'running'
SUCCEEDED = 'succeeded'
FAILED = 'failed'
INTERRUPTED = 'interrupted'


def ensure_tables(connection):
    """Create the journal and lock tables where they are missing."""
    METADATA.create_all(connection, checkfirst=True)


def has_journal(connection):
    return sqlalchemy.inspect(connection).has_table(JOURNAL.name)


def checksum(path):
    """The sha256 of a revision script, as the journal records it."""
    with open(path, 'rb') as script:
        return hashlib.sha256(script.read()).hexdigest()


def webdemo_version():
    try:
        return importlib.metadata.version('webdemo')
    except importlib.metadata.PackageNotFoundError:
        return 'unknown'


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


@dataclasses.dataclass
class Entry:
    """One journal row, as the runner and the reports see it."""
    id: int
    revision: str
    direction: str
    outcome: str
    started_at: datetime.datetime
    duration: float = None
    checksum: str = None
    statements_started: int = 0
    statements_done: int = 0


def latest_entries(connection):
    """The newest journal row of each revision, or {} with no journal."""
    if not has_journal(connection):
        return {}
    rows = connection.execute(sqlalchemy.select(
        JOURNAL.c.id, JOURNAL.c.revision, JOURNAL.c.direction,
        JOURNAL.c.outcome, JOURNAL.c.started_at, JOURNAL.c.duration,
        JOURNAL.c.checksum, JOURNAL.c.statements_started,
        JOURNAL.c.statements_done).order_by(JOURNAL.c.id))
    return {row.revision: Entry(*row) for row in rows}


def unfinished(entries):
    """Entries of runs that did not succeed: died, or failed half-way."""
    return {revision: entry for revision, entry in entries.items()
            if entry.outcome in (RUNNING, FAILED, INTERRUPTED)}


def carried_counts(previous):
    """(started, done) statement counts a replay of previous starts from.

    A statement of a run that died may or may not have taken effect; one
    of a run that failed did not (the database said so), so it counts as
    not started.
    """
    if previous is None:
        return 0, 0
    if previous.outcome == FAILED:
        return previous.statements_done, previous.statements_done
    return previous.statements_started, previous.statements_done


class Journal:
    """Writes journal rows on a connection of its own.

    Each write commits at once, so it survives whatever the migration
    does.
    """

    def __init__(self, engine):
        self._connection = engine.connect()
        ensure_tables(self._connection)
        self._connection.commit()

    def close(self):
        self._connection.close()

    def _write(self, statement):
        # Commit at once: an open transaction here would also block the
        # migration's own writes on SQLite.
        result = self._connection.execute(statement)
        self._connection.commit()
        return result

    def mark_dead_runs(self):
        """Runs still 'running' died (the caller holds the lock)."""
        self._write(JOURNAL.update().where(
            JOURNAL.c.outcome == RUNNING).values(outcome=INTERRUPTED))

    def start(self, script, direction, previous=None):
        """Write the row of a run about to start; returns its id.

        :param previous: the Entry of an unfinished earlier run of the
            same revision and direction: its statement counts carry over,
            so that a replay that dies early loses no ground
        """
        started, done = carried_counts(previous)
        result = self._write(JOURNAL.insert().values(
            revision=script.revision, direction=direction, outcome=RUNNING,
            started_at=_now(), host=socket.gethostname(), pid=os.getpid(),
            webdemo_version=webdemo_version(),
            checksum=checksum(script.path), statements_started=started,
            statements_done=done))
        return result.inserted_primary_key[0]

    def count_statement(self, entry_id, column, number):
        self._write(JOURNAL.update().where(
            JOURNAL.c.id == entry_id).values({column: number}))

    def finish(self, entry_id, outcome, duration, error=None):
        self._write(JOURNAL.update().where(JOURNAL.c.id == entry_id).values(
            outcome=outcome, finished_at=_now(), duration=duration,
            error=error))
