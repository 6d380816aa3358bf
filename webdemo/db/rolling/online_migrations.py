"""Running online data migrations: batches, a budget, and what is left.

An online data migration moves data while the service runs (between
the expand and contract phases of a rolling upgrade): small batches,
each one short transaction, so that no batch holds its locks for long.
The migrations themselves are listed in data_migrations.py; this module
runs them.

Each migration is a function ``(context, max_count) -> (found, done)``:
it looks for at most max_count rows that still need migrating, migrates
them in one transaction (``with context.begin() as connection``), and
returns how many it found and how many it migrated. It must be
idempotent and resumable: a row it migrated is never found again, and a
run stopped anywhere is simply run again. Called with max_count 0 it
only counts: (rows left, 0). A migration may keep where it got to in
``context.positions`` (a dict for this run), so that each batch starts
where the last one ended instead of reading past every row done.
"""

import dataclasses
import time

from webdemo.db import errors

# Rows per batch: one short transaction each. tools/odm_benchmark.py
# measures the choice (doc/source/performance.rst): far fewer rows per
# batch and the round trips dominate; far more and a batch holds its
# row locks for longer than the 100 ms the service can wait.
DEFAULT_BATCH_SIZE = 1000


@dataclasses.dataclass(frozen=True)
class Registered:
    """A migration as data_migrations.py lists it.

    :ivar function: the migration, (context, max_count) -> (found, done)
    :ivar before: the contract revision that needs it finished; once
        that has run, the migration has nothing left to find
    """
    function: object
    before: str

    @property
    def name(self):
        return _name(self.function)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The deployment's choices the migrations need.

    :ivar default_project_id: [api] default_project_id, the project that
        owns rows written before projects existed
    """
    default_project_id: str = None


class Context:
    """What a migration gets: the database, one transaction at a time.

    :ivar positions: for each migration that wants it, where its last
        batch ended in this run
    :ivar settings: the deployment's choices the migrations need
        (a Settings; None when counting only)
    """

    def __init__(self, engine, settings=None):
        self.engine = engine
        self.settings = settings
        self.positions = {}

    def begin(self):
        """A connection in a new transaction, committed at the with's end."""
        return self.engine.begin()


@dataclasses.dataclass
class Result:
    """One migration's run; the field names are part of the JSON output.

    :ivar at_start: rows needing migration when the run began
    :ivar total_needed: rows it found needing migration during this run
    :ivar completed: rows it migrated during this run
    :ivar left: rows still to migrate after the run, also for one that
        failed; None when they could not be counted
    :ivar error: why it stopped, if it raised (one line), else None
    :ivar seconds: from the run's start to this migration's last batch
    """
    name: str
    at_start: int = 0
    total_needed: int = 0
    completed: int = 0
    left: int = 0
    error: str = None
    seconds: float = 0.0

    def summary(self):
        """One line: rows moved, in how long, how fast; or the failure."""
        rate = (f', {self.completed / self.seconds:,.0f} rows/s'
                if self.completed and self.seconds else '')
        line = (f'Online data migration {self.name}: moved '
                f'{self.completed:,} rows in {self.seconds:.1f} s{rate}')
        return f'{line}; failed: {self.error}' if self.error else f'{line}.'


class NoProgress:
    """What run() shows while it runs: nothing (the default).

    A command that shows progress passes an object with the same two
    methods (webdemo/cmd/render.py's DataProgress).
    """

    def batch(self, result, rows):
        """After a batch of result's migration moved rows."""

    def done(self):
        """The run is over: put away what batch() showed."""


def run(context, migrations, max_count=None,
        batch_size=DEFAULT_BATCH_SIZE, progress=NoProgress(),
        clock=time.monotonic):
    """Run migrations in rounds of one batch each until none has work.

    A migration that raises is left out of the later rounds; the others
    go on. max_count bounds the rows migrated in all, across migrations.

    :param migrations: the functions, in the order they run
    :param max_count: at most this many rows in all; None for no bound
    :param progress: told of each batch that migrated rows, and when
        the batches are over (NoProgress)
    :returns: a Result per migration, in order
    """
    # Imported here, as in left(): db version never runs a migration.
    from webdemo.db import retries

    # A batch the database aborted for another's sake (a deadlock; on
    # Galera, a write of the service's certified first) runs again: a
    # migration is idempotent, and the service writes meanwhile.
    migrations = [retries.on_deadlock(migration) for migration in migrations]
    results = [Result(_name(migration)) for migration in migrations]
    started = clock()
    for migration, result in zip(migrations, results):
        result.at_start = _count(migration, context, result) or 0
    budget = max_count
    while budget is None or budget > 0:
        moved = 0
        for migration, result in zip(migrations, results):
            if result.error is not None or budget == 0:
                continue
            size = batch_size if budget is None else min(batch_size, budget)
            done = _batch(migration, context, size, result)
            if done:
                moved += done
                budget = None if budget is None else budget - done
                result.seconds = clock() - started
                progress.batch(result, done)
        if not moved:
            break
    progress.done()
    for migration, result in zip(migrations, results):
        result.left = _count(migration, context, result)
    return results


def rows_left(results):
    """Rows left by migration name, as a run last counted them.

    A count that failed is 'unknown': not zero, so that no contract
    runs on a guess.
    """
    return {result.name: 'unknown' if result.left is None else result.left
            for result in results}


def left(context, migrations):
    """Rows each migration still has to move, by name (counts only).

    :raises: whatever a count raises, but a deadlock: a guard that
        cannot count must not guess
    """
    if not migrations:
        return {}
    # Imported here: db version at head counts nothing, and oslo_db.api's
    # imports are a tenth of its budget (doc/source/performance.rst).
    from oslo_db import api as oslo_db_api

    # On Galera a schema change on another node aborts a count reading
    # the same table (a deadlock, 1213): db version, which monitors run
    # during a sync, counts again rather than failing.
    count = oslo_db_api.wrap_db_retry(
        max_retries=3, retry_interval=0.2, inc_retry_interval=False,
        retry_on_deadlock=True)(_rows_left)
    return {_name(migration): count(migration, context)
            for migration in migrations}


def _rows_left(migration, context):
    return migration(context, 0)[0]


def _batch(migration, context, size, result):
    try:
        found, done = migration(context, size)
    except Exception as error:
        # Whatever a migration raises stops that migration only.
        result.error = errors.one_line(error)
        return 0
    result.total_needed += found
    result.completed += done
    return done


def _count(migration, context, result):
    """Rows migration has left; None if it cannot count them.

    A failure is kept as result's error, unless it has one already.
    """
    try:
        return migration(context, 0)[0]
    except Exception as error:
        result.error = result.error or errors.one_line(error)
        return None


def _name(migration):
    return getattr(migration, '__name__', repr(migration))


def exit_status(results):
    """'failed', 'more' or 'done': what the exit code says of a run."""
    if any(result.error is not None for result in results):
        return 'failed'
    if any(result.left for result in results):
        return 'more'
    return 'done'
