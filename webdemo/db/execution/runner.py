"""Running a plan of revisions: one connection, one Alembic environment,
one journalled RevisionRun per revision.

The caller holds the migration lock and has created the bookkeeping
tables. The whole plan runs on one connection through one run of
env.py, so that nothing per revision (loading the environment, checking
for the version table, opening a connection) grows the cost of a sync
beyond the revisions' own statements. env.py configures Alembic; the
runner then runs the revisions itself (_PlanRun.run_span): each
revision's function, its alembic_version rows (version_rows.py), its
journal row finished and the next one's started, in one transaction,
so that the journal never disagrees with alembic_version. Outside
groups each revision runs in the transaction Alembic's own loop would
give it, so that autocommit_block works as in Alembic; in a group
(backends/run_strategies.py says which backend groups, and how) the
revisions and their rows share the group's.

A RevisionRun owns everything about one revision: its journal row, the
statement counts it carries over from an unfinished earlier run, its
statement tracking (MySQL, backends/run_strategies.py) and how it ended:

- succeeded: the row says so, with its duration;
- failed: the database refused a statement, which did not take effect;
  a MigrationError names the revision;
- abandoned: the run stopped without knowing the fate of its last
  statement (connection lost, Ctrl-C); the next run completes it. A run
  killed outright leaves its row 'running', which the next run, under
  the lock, marks abandoned.
"""

import contextlib
import logging
import time

from webdemo.db import backends
from webdemo.db.backends import run_strategies
from webdemo.db import errors
from webdemo.db.execution import faults
from webdemo.db.execution import journal as journal_module
from webdemo.db.execution.journal import Direction
from webdemo.db.execution.journal import Outcome
from webdemo.db.execution import library_internals
from webdemo.db.execution import lock_wait
from webdemo.db.execution import version_rows
from webdemo.db.history import revisions
from webdemo.db.history import scripts as scripts_module
from webdemo.db.state import preflight
from webdemo.db.state import reader
from webdemo import exception

LOG = logging.getLogger(__name__)


class RevisionRun:
    """One revision, applied or reverted.

    :param script: the revision's script (script_index.IndexedScript)
    :param direction: a journal.Direction
    :param previous: the revision's unfinished journal.Entry, or None
    :param strategy: the backend's run strategy (run_strategies.py)
    """

    def __init__(self, script, direction, previous, strategy):
        self.script = script
        self.direction = direction
        if previous is not None and previous.direction != direction:
            previous = None
        self.carried = journal_module.carried_counts(previous)
        self._failed_before = journal_module.failure(previous)
        self.entry = None
        self.duration = None
        self.tracker = strategy.tracker_for(self)
        self._began = None
        self._started_at = None
        self._finished_at = None

    @property
    def counts(self):
        return self.tracker.counts if self.tracker else self.carried

    def journal_run(self):
        """What this run's journal row says of it from the start."""
        return journal_module.Run(
            self.script.revision, self.direction, self.script.checksum,
            self.tracker.declared if self.tracker else self.carried)

    def start(self, journal):
        """Write this run's journal row (in the open transaction)."""
        self.entry = journal.start(self.journal_run())

    def begin(self):
        self._began = time.monotonic()
        self._started_at = journal_module.now()

    def end(self):
        """The revision ran; its row is written with its commit's."""
        self.duration = self.elapsed()
        self._finished_at = journal_module.now()

    def succeeded(self):
        """The journal.Succeeded of a run that end() ended."""
        return journal_module.Succeeded(
            self.journal_run(), self._started_at, self._finished_at,
            self.duration, self.counts)

    def elapsed(self):
        return None if self._began is None else time.monotonic() - self._began

    def fail(self, journal, error):
        """Finish the journal row as failed by error."""
        journal.finish(self.entry, self.outcome_of(error), self.elapsed(),
                       self.counts, str(error))

    def fails_as_before(self, error):
        """Did the database refuse the last run with this same error?"""
        return (self._failed_before is not None and errors.fate_known(error)
                and journal_module.error_line(error) == self._failed_before)

    def outcome_of(self, error):
        """failed or abandoned, for the error that stopped this run."""
        return (Outcome.FAILED if errors.fate_known(error)
                else Outcome.ABANDONED)

    def report_line(self):
        verb = 'Applied' if self.direction == Direction.UPGRADE else (
            'Reverted')
        return (f'{verb} {self.script.revision} '
                f'({revisions.title(self.script)}) in {self.duration:.3f}s')


class _PlanRun:
    """The runs of a plan, in order, on one connection.

    With the strategy's group_seconds, revisions that follow each other
    within that time share one commit (run_strategies.py says where; 0
    makes each revision a group of its own, as on MySQL, whose commit the
    next DDL statement makes), and their version rows and journal rows are
    written once, when the group commits (strategy.commit_group). With
    a table_scope.Scope (PostgreSQL) a group also commits right after a
    revision that touched a table the group did not create. When a
    revision fails, the group is rolled back, the revisions before it
    run again, one commit each, and the failure is recorded: the
    database ends as if each had committed alone. A run that dies loses
    the group's uncommitted revisions whole; the journal row of the
    group's first revision, committed before it, says 'running', so the
    next run completes the upgrade from there.
    """

    def __init__(self, runs, report, strategy=None, clock=time.monotonic,
                 database=None):
        self._strategy = strategy or run_strategies.Transactional()
        # The backend, whose upsert the journal may use (journal.py).
        self._database = database
        self._runs = runs
        self._position = 0
        self._report = report
        self._journal = None
        self._connection = None
        self._scope = None
        self._group_seconds = self._strategy.group_seconds
        self._clock = clock
        self._versions = None
        self._pending = []
        self._group_began = None

    @property
    def current(self):
        return self._runs[self._position]

    @property
    def position(self):
        """How many revisions of the plan have finished."""
        return self._position

    @property
    def grouping(self):
        return self._group_seconds is not None

    def spans(self):
        """The plan cut where the commits are made: (grouped, start, stop).

        Without grouping, one span, a commit per revision. With it, a
        revision that uses autocommit_block gets a span of its own with
        a commit per revision: the block commits Alembic's own
        transaction, and cannot inside one of ours.
        """
        return _spans([run.script.outside_transaction for run in self._runs],
                      self.grouping)

    def enter_span(self, start):
        """A span begins: its first revision is the current one.

        Set before env.py runs for the span, so that an error there is
        recorded against the revision that has not run, not against the
        one the span before committed.
        """
        self._position = start

    def run_span(self, scripts, context, heads, grouped, start, stop):
        """Run the revisions of one span, writing the version rows.

        Called by Alembic from inside env.py, with its MigrationContext
        (the op proxy is set up, on the migration's connection) and the
        version rows it read; returns no step for Alembic to run.

        Each revision is in the transaction Alembic's own loop would give
        it (begin_transaction per migration): one commit per revision,
        and autocommit_block works in any revision, as in Alembic. In a
        group the runner's transaction is open, Alembic opens none, and
        the commits are the group's; a revision there cannot use the
        block, so one the script index finds using it runs outside any
        group (spans()), and one it misses (the block reached through
        another module) fails, recorded failed, leaving the revisions
        before it applied.
        """
        self._versions = version_rows.Writer(self._connection, heads)
        for self._position in range(start, stop):
            run = self.current
            step = scripts.step(run.script, run.direction)
            with library_internals.begin_step_transaction(context):
                run.begin()
                if grouped:
                    self._run_in_group(run, step)
                else:
                    library_internals.run_step(step)
                    self._versions.write(step)
                    self.finished()
            self._done(run, grouped)
        return ()

    def _run_in_group(self, run, step):
        if not self._pending:
            # From the group's first revision's start: how long the
            # group's locks are held.
            self._group_began = self._clock()
        if self._scope is None:
            library_internals.run_step(step)
        else:
            with self._scope.watching():
                library_internals.run_step(step)
        self._versions.note(step)
        run.end()

    def _done(self, run, grouped):
        if not grouped:
            self._report(run.report_line())
            return
        self._pending.append(run)
        if (self._clock() - self._group_began >= self._group_seconds
                or self._scope is not None and self._scope.touched):
            self.commit()

    def commit(self):
        """Write the group's rows, commit, report its revisions."""
        if not self._pending:
            return
        self._versions.flush()
        self._record(self._pending)
        self._strategy.commit_group(self._connection)
        for run in self._pending:
            self._report(run.report_line())
        self._end_group()

    def end_span(self):
        """The span's revisions have run: commit what is left of it."""
        self.commit()
        self._strategy.end_span(self._connection)

    def _end_group(self):
        self._pending = []
        if self._scope is not None:
            self._scope.new_group()

    def roll_back_group(self, error):
        """After error in a group's current run: undo the group.

        Only after a failure (the database refused a statement, or the
        revision has a bug) of a revision with others before it in the
        group: after a lost connection or an interrupt nothing more can
        be written, and the group is lost whole.

        :returns: (start, stop), the revisions before the failed one,
            rolled back, to run again one commit each; or None
        """
        if (not self._pending or self.current.duration is not None
                or not errors.leaves_connection_usable(error)):
            return None
        start = self._runs.index(self._pending[0])
        self._connection.rollback()
        self._end_group()
        return start, self._position

    def _following(self):
        following = self._position + 1
        return self._runs[following] if following < len(self._runs) else None

    def finished(self):
        """The current revision is done, inside its transaction.

        Its journal row is finished, and the next revision's written.
        """
        self.current.end()
        self._record([self.current])

    def _record(self, runs):
        """Write the rows of runs, which end() ended, and the next one's.

        :param runs: the RevisionRuns of one commit, in order; the first
            one's row is there already
        """
        following = self._following()
        entry = self._journal.record_group(
            runs[0].entry, [run.succeeded() for run in runs],
            following and following.journal_run())
        if following is not None:
            following.entry = entry

    def open(self, connection, scope=None):
        """Mark dead runs and start the first row; committed at once.

        :param scope: the table_scope.Scope the strategy keeps of the
            connection's statements, if its groups need one
        """
        self._connection = connection
        self._scope = scope
        self._journal = journal_module.Journal(connection, self._database)
        self._journal.mark_dead_runs()
        self.current.start(self._journal)
        connection.commit()


def _spans(outside_transaction, grouping):
    """(grouped, start, stop) spans over revisions, in order.

    :param outside_transaction: for each revision, whether it must start
        outside any transaction
    """
    if not grouping:
        return [(False, 0, len(outside_transaction))]
    spans = []
    start = 0
    for index, alone in enumerate(outside_transaction):
        if alone:
            if start < index:
                spans.append((True, start, index))
            spans.append((False, index, index + 1))
            start = index + 1
    if start < len(outside_transaction):
        spans.append((True, start, len(outside_transaction)))
    return spans


def run_plan(engine, scripts, plan, direction, entries, report,
             guard=lock_wait.Settings(), sleep=time.sleep):
    """Run each revision of plan in turn, each journalled.

    A revision whose statement gives up waiting for a table lock
    (guard.timeout) is recorded failed and tried again, with the rest of
    the plan, after a backoff, up to guard.retries times.

    :param plan: scripts in the order they run
    :param direction: a journal.Direction
    :param entries: the journal's newest entry of each revision, read
        under the lock the caller holds
    :param report: called with a line for each revision done
    :param guard: a lock_wait.Settings
    :raises webdemo.exception.MigrationError: the database refused a
        revision (or lost the connection)
    :raises webdemo.exception.DDLLockTimeout: still waiting for a table
        lock after the retries
    """
    attempt = 0
    while plan:
        done, waited = _run_once(engine, scripts, plan, direction, entries,
                                 report, guard.timeout)
        if waited is None:
            return
        # Each revision has its own retries: count again after progress.
        attempt = attempt + 1 if done == 0 else 1
        revision, blocker = waited
        if attempt > guard.retries:
            raise exception.DDLLockTimeout(revision, guard.timeout,
                                           attempt, blocker)
        pause = guard.backoff(attempt - 1)
        report(f'Revision {revision} waited {guard.timeout}s for a table '
               f'lock held by {blocker or "another session"}; trying again '
               f'in {pause}s.')
        sleep(pause)
        plan = plan[done:]
        entries = _latest_entries(engine)


def _run_once(engine, scripts, plan, direction, entries, report, timeout):
    """One attempt at plan.

    :returns: (how many revisions it finished, None), or, when a statement
        gave up waiting for a table lock, (..., (revision, blocker))
    """
    database = backends.for_engine(engine)
    strategy = database.run_strategy()
    runs = [RevisionRun(script, direction, _unfinished(entries, script),
                        strategy) for script in plan]
    plan_run = _PlanRun(runs, report, strategy, database=database)
    try:
        _run_on_one_connection(engine, scripts, plan_run, strategy, timeout)
    except exception.MigrationLockLost:
        # The fence stopped a commit: write nothing more (as below).
        raise
    except errors.DATABASE_ERRORS as error:
        inside = errors.raised_inside(error)
        if isinstance(inside, exception.MigrationLockLost):
            # Another run may own the journal now: write nothing more.
            raise inside from None
        waited = lock_wait.timed_out(error)
        # Read while the holder still holds it.
        blocker = lock_wait.blocker(engine, error) if waited else None
        _record_end(engine, plan_run, error)
        if waited:
            return plan_run.position, (plan_run.current.script.revision,
                                       blocker)
        raise errors.as_migration_error(
            f'revision {plan_run.current.script.revision}', error,
            plan_run.current.fails_as_before(error)) from error
    except BaseException as error:
        _record_end(engine, plan_run, error)
        raise
    return len(runs), None


def _latest_entries(engine):
    with engine.connect() as connection:
        return journal_module.latest_entries(connection)


def _unfinished(entries, script):
    entry = entries.get(script.revision)
    return entry if entry is not None and entry.unfinished else None


def _run_on_one_connection(engine, scripts, plan_run, strategy, timeout):
    with engine.connect() as connection:
        # Behind a load balancer this connection may reach another node
        # than the pre-flight checks did: check the one that migrates.
        preflight.check(reader.server_settings(connection,
                                               with_tables=False))
        with lock_wait.limited(connection, timeout), \
                strategy.commits(connection):
            _run_steps(engine, connection, scripts, plan_run, strategy)


def _run_steps(engine, connection, scripts, plan_run, strategy):
    session = strategy.prepare(connection, lambda: plan_run.current.tracker)
    faults.attach_if_requested(connection)
    plan_run.open(connection, strategy.scope_for(connection))
    try:
        _run_spans(plan_run, lambda grouped, start, stop: _run_span(
            connection, scripts, plan_run, grouped, start, stop))
    except KeyboardInterrupt:
        strategy.cancel(engine, session)
        raise


def _run_spans(plan_run, run_span):
    """Run each span of the plan with run_span(grouped, start, stop).

    After a failure in a group, the revisions before the failed one run
    again, one commit each.
    """
    try:
        for grouped, start, stop in plan_run.spans():
            run_span(grouped, start, stop)
    except Exception as error:
        again = plan_run.roll_back_group(error)
        if again is not None:
            # The failed revision stays current, for _record_end.
            failed = plan_run.position
            run_span(False, *again)
            plan_run.enter_span(failed)
        raise


def _run_span(connection, scripts, plan_run, grouped, start, stop):
    """Run revisions start to stop through one run of env.py."""
    plan_run.enter_span(start)
    if grouped and not connection.in_transaction():
        # Alembic leaves the commits to whoever opened one.
        connection.begin()
    scripts.run_env(
        scripts_module.alembic_config(connection),
        lambda heads, context: plan_run.run_span(scripts, context, heads,
                                                 grouped, start, stop))
    plan_run.end_span()


def _record_end(engine, plan_run, error):
    """Record how the current run ended, on a connection of its own.

    Best effort: with the database gone the row stays 'running', and the
    next run, under the lock, counts it as abandoned.
    """
    run = plan_run.current
    # A run that succeeded was committed, or was rolled back with its
    # transaction, leaving its row as a dead run's: either way there is
    # nothing true to add (an interrupt while reporting, a failed commit).
    # One in a group that was lost has no row of its own yet.
    if run.entry is None or run.duration is not None:
        return
    with contextlib.suppress(*errors.DATABASE_ERRORS):
        with engine.begin() as connection:
            run.fail(journal_module.Journal(connection), error)
