"""A plan's runs in order on one connection: its groups, spans and commits.

The runner (runner.py) drives a PlanRun from inside Alembic's step
callback; the PlanRun decides which revisions share a commit, writes
their version rows and journal rows when the group commits, and after
a failure inside a group runs the revisions before it again, one
commit each. It reads only what it is handed (the runs, the strategy,
a clock), so its decisions are unit-tested with fakes (test_runner).
"""

import time

from webdemo.db.backends import run_strategies
from webdemo.db import errors
from webdemo.db.execution import journal as journal_module
from webdemo.db.execution import version_rows
from webdemo.db import library_internals


class PlanRun:
    """The runs of a plan, in order, on one connection.

    With the strategy's group_seconds, revisions that follow each other
    within that time share one commit (run_strategies.py says where; 0
    makes each revision a group of its own, as on MySQL, whose commit the
    next DDL statement makes), and their version rows and journal rows are
    written once, when the group commits (strategy.commit_group). With
    a table_scope.Scope (PostgreSQL) a group also commits right after a
    revision that touched a table the run did not create. When a
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
        return spans_of([run.script.outside_transaction
                         for run in self._runs], self.grouping)

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
            steps = scripts.steps(run.script, run.direction)
            with library_internals.begin_step_transaction(context):
                run.begin()
                if grouped:
                    self._run_in_group(run, steps)
                else:
                    for step in steps:
                        self._run_step(step)
                        self._versions.write(step)
                    self.finished()
            self._done(run, grouped)
        return ()

    def _run_in_group(self, run, steps):
        if not self._pending:
            # From the group's first revision's start: how long the
            # group's locks are held.
            self._group_began = self._clock()
        for step in steps:
            self._run_step(step)
            self._versions.note(step)
        run.end()

    def _run_step(self, step):
        if self._scope is None:
            library_internals.run_step(step)
            return
        # Watched in and out of groups: a revision that commits alone
        # may still link a table of the run to another (table_scope.py).
        with self._scope.watching():
            library_internals.run_step(step)

    def _done(self, run, grouped):
        if not grouped:
            self._report(run.report_line())
            self._end_group()
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
        if self._scope is not None:
            self._scope.rolled_back()
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
            runs[0].entry, [row for run in runs for row in run.succeeded()],
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


def spans_of(outside_transaction, grouping):
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
