"""The migration journal: one row per revision run.

A row is committed before its revision starts and finished in the
revision's own transaction (runner.py), so that a run that died leaves a
row saying where. On MySQL, whose DDL commits statement by statement,
the row also counts the revision's DDL statements started and finished
(statements.py), which is what lets the next run complete a half-applied
revision. The table itself is defined in bookkeeping.py.
"""

import dataclasses
import datetime
import enum
import functools
import importlib.metadata
import os
import socket

import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db import errors

JOURNAL = bookkeeping.JOURNAL


class Direction(str, enum.Enum):
    UPGRADE = 'upgrade'
    DOWNGRADE = 'downgrade'


class Outcome(str, enum.Enum):
    """How a revision run ended, as its journal row records it."""
    RUNNING = 'running'
    SUCCEEDED = 'succeeded'
    # The database refused a statement: it did not take effect.
    FAILED = 'failed'
    # The run stopped without knowing the fate of its last statement:
    # killed, its connection lost, cancelled with Ctrl-C.
    ABANDONED = 'abandoned'


# The first release wrote 'interrupted' for what is now ABANDONED.
_STORED_OUTCOMES = {'interrupted': Outcome.ABANDONED}


@dataclasses.dataclass(frozen=True)
class Counts:
    """A revision's DDL statements started and finished (MySQL)."""
    started: int = 0
    done: int = 0


@dataclasses.dataclass(frozen=True)
class Entry:
    """One journal row, as the state and the runner judge it."""
    id: int
    revision: str
    direction: Direction
    outcome: Outcome
    started_at: datetime.datetime
    duration: float = None
    checksum: str = None
    counts: Counts = Counts()
    # What stopped the run, as it was recorded (str of the error).
    error: str = None

    @property
    def unfinished(self):
        """The run died or failed before its revision was done."""
        return self.outcome != Outcome.SUCCEEDED


def failure(entry):
    """The first line of the error the database refused entry's run with.

    None unless the run failed (an abandoned run's fate is unknown).
    """
    if entry is None or entry.outcome != Outcome.FAILED:
        return None
    return error_line(entry.error or 'no error recorded')


def error_line(error):
    """The first line of an error as recorded: the database's own words.

    (The lines after it name the statement and SQLAlchemy's help page.)
    """
    return str(error).strip().split('\n')[0]


def carried_counts(previous):
    """The Counts a replay of the unfinished run previous starts from.

    A statement of a run that was abandoned may or may not have taken
    effect; one of a run that failed did not (the database said so), so
    it counts as not started.

    :param previous: an unfinished Entry of the same revision and
        direction, or None
    """
    if previous is None:
        return Counts()
    if previous.outcome == Outcome.FAILED:
        return Counts(previous.counts.done, previous.counts.done)
    return previous.counts


_LATEST = sqlalchemy.select(
    JOURNAL.c.id, JOURNAL.c.revision, JOURNAL.c.direction,
    JOURNAL.c.outcome, JOURNAL.c.started_at, JOURNAL.c.duration,
    JOURNAL.c.checksum, JOURNAL.c.statements_started,
    JOURNAL.c.statements_done, JOURNAL.c.error).order_by(JOURNAL.c.id)


def latest_entries(connection):
    """The newest journal row of each revision, or {} with no journal."""
    rows = errors.read_unless_no_table(
        connection, lambda c: c.execute(_LATEST).all())
    return {row.revision: _entry(row) for row in rows or ()}


def _entry(row):
    outcome = _STORED_OUTCOMES.get(row.outcome) or Outcome(row.outcome)
    return Entry(row.id, row.revision, Direction(row.direction), outcome,
                 row.started_at, row.duration, row.checksum,
                 Counts(row.statements_started, row.statements_done),
                 row.error)


@functools.cache
def webdemo_version():
    # Read once: each look-up scans the installed distributions.
    try:
        return importlib.metadata.version('webdemo')
    except importlib.metadata.PackageNotFoundError:
        return 'unknown'


# Built once: a sync writes two rows a revision, and building a
# statement costs more than running it on SQLite (performance.rst).
_START = JOURNAL.insert()
_FINISH = JOURNAL.update().where(
    JOURNAL.c.id == sqlalchemy.bindparam('entry_id'))

# What finishing a row writes; the rest is written when it starts.
_FINISHED = ('outcome', 'finished_at', 'duration', 'statements_started',
             'statements_done', 'error')


def driver_call(compiled, parameters):
    """(SQL, parameters) for the driver, in its own paramstyle.

    PyMySQL and psycopg2 take names; mysqlclient takes positions, in
    the order the statement's placeholders appear.
    """
    if compiled.positional:
        return compiled.string, tuple(
            parameters[name] for name in compiled.positiontup)
    return compiled.string, parameters


def now():
    """The time as the journal keeps it: UTC, without a zone."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _ended(outcome, duration, counts, error, finished_at=None):
    """The _FINISHED columns of a row whose run ended so (now, by default)."""
    return dict(outcome=outcome.value, finished_at=finished_at or now(),
                duration=duration, statements_started=counts.started,
                statements_done=counts.done, error=error)


@dataclasses.dataclass(frozen=True)
class Succeeded:
    """A run that succeeded, its row still to be written (a group's)."""
    run: 'Run'
    started_at: datetime.datetime
    finished_at: datetime.datetime
    duration: float
    counts: Counts


@dataclasses.dataclass(frozen=True)
class Run:
    """What a journal row says of its run from the start."""
    revision: str
    direction: Direction
    checksum: str
    # The Counts it starts from (carried_counts).
    counts: Counts
    # The checkpoint that built the revision instead of its script.
    checkpoint: str = None

    def row(self, outcome=Outcome.RUNNING, started_at=None):
        return dict(
            revision=self.revision, direction=self.direction.value,
            outcome=outcome.value, started_at=started_at or now(),
            host=socket.gethostname(), pid=os.getpid(),
            webdemo_version=webdemo_version(), checksum=self.checksum,
            statements_started=self.counts.started,
            statements_done=self.counts.done, checkpoint=self.checkpoint)


class Journal:
    """Writes journal rows on a connection it is given, committing nothing.

    The runner hands it the migration's own connection, so that a
    revision's row is finished, and the next revision's row started, in
    the revision's own transaction: the journal and alembic_version can
    never disagree, and a revision costs one commit.
    """

    def __init__(self, connection, backend=None):
        self._connection = connection
        # Its upsert finishes a row and starts the next in one statement
        # (MySQL, PostgreSQL: a round trip saved per revision); None or
        # SQLite (no round trip to save): two statements.
        self._backend = backend

    def mark_dead_runs(self):
        """Mark rows still 'running' abandoned: their runs are dead.

        The caller holds the migration lock, so no live run owns one.
        """
        self._connection.execute(JOURNAL.update().where(
            JOURNAL.c.outcome == Outcome.RUNNING.value).values(
                outcome=Outcome.ABANDONED.value))

    def start(self, run):
        """Write the row of a run about to start (a Run); returns its id."""
        result = self._connection.execute(_START, run.row())
        return result.inserted_primary_key[0]

    def finish(self, entry_id, outcome, duration, counts, error=None,
               finished_at=None):
        self._connection.execute(_FINISH, dict(
            _ended(outcome, duration, counts, error, finished_at),
            entry_id=entry_id))

    def record_group(self, entry_id, runs, following=None):
        """Write the rows of revisions that shared one commit, at its end.

        In two statements, however many revisions: on PostgreSQL each
        statement is a round trip, and a group of small revisions costs
        less than one revision writing its own rows (performance.rst).

        :param entry_id: the row of the group's first run, written when
            it started
        :param runs: a Succeeded for each revision of the group, in order
        :param following: the Run about to start after the group, or None
        :returns: following's new row id, or None
        """
        first, rest = runs[0], runs[1:]
        if rest:
            # One statement: SQLAlchemy makes one insert of many rows of
            # an executemany (its insertmanyvalues).
            self._connection.execute(_START, [
                dict(done.run.row(Outcome.SUCCEEDED, done.started_at),
                     **_ended(Outcome.SUCCEEDED, done.duration, done.counts,
                              None, done.finished_at))
                for done in rest])
        return self.succeed_and_start(entry_id, first.run, first.duration,
                                      first.counts, following,
                                      first.finished_at)

    def succeed_and_start(self, entry_id, finished, duration, counts,
                          following, finished_at=None):
        """Finish a row as succeeded and start the next, if any.

        In one statement on MySQL and PostgreSQL, where each statement
        is a round trip to the server.

        :param finished: the Run of the row entry_id, which is there
        :param duration: and counts: how it ended
        :param following: the Run about to start, or None
        :returns: the new row's id, or None
        """
        compiled = (self._backend.finish_and_start(JOURNAL, _FINISHED)
                    if self._backend and following else None)
        if compiled is None:
            self.finish(entry_id, Outcome.SUCCEEDED, duration, counts,
                        finished_at=finished_at)
            return None if following is None else self.start(following)
        starting = following.row()
        # Only the finished columns of the first row are written; the
        # rest must merely be valid, and are the new row's.
        done = dict(starting, revision=finished.revision,
                    direction=finished.direction.value,
                    checksum=finished.checksum, id=entry_id,
                    **_ended(Outcome.SUCCEEDED, duration, counts, None,
                             finished_at))
        starting.update(finished_at=None, duration=None, error=None)
        parameters = {f'f_{name}': value for name, value in done.items()}
        parameters.update(
            (f's_{name}', value) for name, value in starting.items())
        result = self._connection.exec_driver_sql(*driver_call(
            compiled, parameters))
        return self._backend.started_id(result, entry_id)
