"""How a plan's revision runs are sequenced, journalled and ended, with a
fake journal and fake scripts; no database."""

import contextlib
import dataclasses
import datetime

import fixtures
from oslo_db import exception as db_exc
from oslotest import base
import pymysql
import sqlalchemy
from sqlalchemy import exc as sa_exc

from webdemo.db.backends import run_strategies
from webdemo.db.execution.journal import Counts
from webdemo.db.execution.journal import Direction
from webdemo.db.execution.journal import Entry
from webdemo.db.execution.journal import Outcome
from webdemo.db.execution import lock_wait
from webdemo.db.execution import plan_run
from webdemo.db.execution import revision_run
from webdemo.db.execution import runner
from webdemo.db.execution import table_scope
from webdemo import exception

UP, DOWN = Direction.UPGRADE, Direction.DOWNGRADE


class FakeJournal:
    """Records every write in order."""

    def __init__(self):
        self.writes = []

    def start(self, run):
        self.writes.append(('start', run.revision, run.counts))
        return f'row-{run.revision}'

    def finish(self, entry_id, outcome, duration, counts, error=None):
        self.writes.append(('finish', entry_id, outcome, counts))

    def succeed_and_start(self, entry_id, finished, duration, counts,
                          following, finished_at=None):
        self.finish(entry_id, Outcome.SUCCEEDED, duration, counts)
        return None if following is None else self.start(following)

    def record_group(self, entry_id, runs, following=None):
        for done in runs[1:]:
            self.writes.append(('insert', done.run.revision, done.counts))
        return self.succeed_and_start(entry_id, runs[0].run,
                                      runs[0].duration, runs[0].counts,
                                      following)


class FakeScript:

    def __init__(self, revision, outside_transaction=False):
        self.revision = revision
        self.checksum = f'sum-{revision}'
        self.doc = f'make {revision}'
        self.outside_transaction = outside_transaction


class FakeStep:
    """A revision's Alembic step in a linear history.

    Running it logs, takes 30 ms of the fake clock, and raises error if
    it is the step to fail.
    """

    def __init__(self, revision, log, clock, error):
        self.revision = revision
        self.insert_version_num = revision
        self._log, self._clock, self._error = log, clock, error

    def migration_fn(self):
        self._log.append(('ran', self.revision))
        self._clock.now += 0.03
        if self._error is not None:
            raise self._error

    def should_delete_branch(self, heads):
        return False

    def should_create_branch(self, heads):
        return not heads

    def should_merge_branches(self, heads):
        return False

    def should_unmerge_branches(self, heads):
        return False

    def update_version_num(self, heads):
        (old,) = heads
        return old, self.revision


class FakeScripts:
    """Hands out FakeSteps; the one of revision fail_at raises error."""

    def __init__(self, log=None, clock=None, fail_at=None, error=None):
        self.log = [] if log is None else log
        self.clock = clock or FakeClock()
        self._fail_at, self._error = fail_at, error

    def step(self, script, direction):
        error = self._error if script.revision == self._fail_at else None
        return FakeStep(script.revision, self.log, self.clock, error)

    def steps(self, script, direction):
        # As scripts.Scripts.steps, for a revision: its one step.
        return [self.step(script, direction)]


def _run(revision, previous=None, direction=UP,
         backend=run_strategies.Transactional(), outside_transaction=False):
    return revision_run.RevisionRun(
        FakeScript(revision, outside_transaction), direction, previous,
        backend)


class FakeConnection:
    """Records commits, rollbacks and version-row writes.

    :ivar heads: the version rows committed (a linear history's)
    """

    def __init__(self, log):
        self.log = log
        # Named parameters: the version rows reach the driver as a dict.
        self.dialect = sqlalchemy.create_mock_engine(
            'sqlite://', None, paramstyle='named').dialect
        self.heads = set()
        self._written = None

    def commit(self):
        self.log.append('commit')
        self.settle()

    def settle(self):
        if self._written is not None:
            self.heads = {self._written}
        self._written = None

    def rollback(self):
        self.log.append('rollback')
        self._written = None

    def begin(self):
        self.log.append('begin')

    def exec_driver_sql(self, statement, parameters):
        self.log.append(('version', parameters.get('new')))
        self._written = parameters.get('new')
        return FakeResult()


class FakeResult:
    rowcount = 1


class FakeContext:
    """Alembic's MigrationContext, as the runner uses it.

    In a transaction of the runner's (a group) its transactions are
    nothing; otherwise each revision's is committed as it ends.
    """

    def __init__(self, log, external, connection=None):
        self.log, self.external = log, external
        self.connection = connection

    @contextlib.contextmanager
    def begin_transaction(self, _per_migration):
        yield
        if not self.external:
            self.log.append('alembic commits')
            if self.connection is not None:
                self.connection.settle()


class FakeClock:

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _previous(direction, outcome, started=3, done=2):
    return Entry(1, 'abc', direction, outcome, datetime.datetime(2026, 1, 1),
                 counts=Counts(started, done))


class TestPlanRun(base.BaseTestCase):
    """What the journal and the version rows get, revision by revision."""

    def setUp(self):
        super().setUp()
        self.log = []
        self.journal = FakeJournal()
        self.journal.writes = self.log
        self.plan = plan_run.PlanRun([_run('a'), _run('b'), _run('c')],
                                     self.log.append)
        self.plan._journal = self.journal
        self.plan._connection = FakeConnection(self.log)

    def test_each_revision_is_one_commit_of_all_its_writes(self):
        self.plan.current.start(self.journal)
        self.plan.run_span(FakeScripts(self.log), FakeContext(self.log, False),
                           set(), False, 0, 3)
        self.assertEqual(
            [('start', 'a', Counts())] + [
                entry for revision, following in (('a', 'b'), ('b', 'c'))
                for entry in (
                    ('ran', revision), ('version', revision),
                    ('finish', f'row-{revision}', Outcome.SUCCEEDED,
                     Counts()),
                    ('start', following, Counts()), 'alembic commits',
                    f'Applied {revision} (make {revision})')] + [
                ('ran', 'c'), ('version', 'c'),
                ('finish', 'row-c', Outcome.SUCCEEDED, Counts()),
                'alembic commits',
                'Applied c (make c)'],
            [entry.rsplit(' in ', 1)[0] if isinstance(entry, str) else entry
             for entry in self.log])


class TestGroupedPlanRun(base.BaseTestCase):
    """Revisions sharing commits (SQLite, PostgreSQL), with a fake clock."""

    def setUp(self):
        super().setUp()
        self.log = []
        self.clock = FakeClock()
        self.journal = FakeJournal()
        self.journal.writes = self.log

    def plan(self, *runs, scope=None, backend=None):
        backend = backend or run_strategies.Transactional(0.1)
        plan = plan_run.PlanRun(list(runs), self.log.append, backend,
                                self.clock)
        plan._journal = self.journal
        plan._connection = FakeConnection(self.log)
        plan._scope = scope
        plan.current.start(self.journal)
        return plan

    def run_steps(self, plan, fail_at=None, error=None):
        """Run the spans as _run_steps does, through _run_spans.

        :returns: the error fail_at raised, which _run_steps would see
        """
        scripts = FakeScripts(self.log, self.clock, fail_at, error)
        connection = plan._connection

        def run_span(grouped, start, stop):
            plan.enter_span(start)
            plan.run_span(scripts, FakeContext(self.log, grouped, connection),
                          set(connection.heads), grouped, start, stop)
            plan.end_span()

        try:
            runner._run_spans(plan, run_span)
        except Exception as raised:
            return raised

    def applied(self, *revisions):
        return [f'Applied {r} (make {r})' for r in revisions]

    def reports(self):
        return [entry.rsplit(' in ', 1)[0] for entry in self.log
                if isinstance(entry, str) and entry.startswith('Applied')]

    def marks(self, *kinds):
        return [e if isinstance(e, str) else e[:2] for e in self.log
                if e in kinds or isinstance(e, tuple) and e[0] in kinds]

    def test_revisions_within_the_time_share_one_commit(self):
        self.run_steps(self.plan(_run('a'), _run('b'), _run('c')))
        # Their rows written once, at the commit; reported after it.
        self.assertEqual(
            [('ran', 'a'), ('ran', 'b'), ('ran', 'c'), ('version', 'c'),
             ('insert', 'b'), ('insert', 'c'), ('finish', 'row-a'),
             'commit'],
            self.marks('ran', 'version', 'insert', 'finish', 'commit'))
        reported_at = [i for i, e in enumerate(self.log)
                       if isinstance(e, str) and e.startswith('Applied')]
        self.assertLess(self.log.index('commit'), min(reported_at))
        self.assertEqual(self.applied('a', 'b', 'c'), self.reports())

    def test_the_group_commits_once_its_time_is_up(self):
        runs = [_run(r) for r in 'abcdef']
        self.run_steps(self.plan(*runs))
        # 30 ms each: the fourth revision ends 120 ms after the group
        # began, past 100 ms; the group's rows start e's.
        self.assertEqual(
            [('version', 'd'), ('insert', 'b'), ('insert', 'c'),
             ('insert', 'd'), ('finish', 'row-a'), ('start', 'e'), 'commit',
             ('version', 'f'), ('insert', 'f'), ('finish', 'row-e'),
             'commit'],
            self.marks('version', 'insert', 'finish', 'start', 'commit')[1:])
        first_commit = self.log.index('commit')
        self.assertEqual(self.applied('a', 'b', 'c', 'd'), [
            e.rsplit(' in ', 1)[0] for e in self.log[first_commit:]
            if isinstance(e, str) and e.startswith('Applied')][:4])
        self.assertNotIn('Applied', ' '.join(
            e for e in self.log[:first_commit] if isinstance(e, str)))

    def test_a_revision_that_touched_an_older_table_ends_its_group(self):
        scope = table_scope.Scope()
        plan = self.plan(_run('a'), _run('b'), _run('c'), scope=scope)
        scripts = FakeScripts(self.log, self.clock)
        touches = {'a': 'CREATE TABLE t (id INTEGER)',
                   'b': 'ALTER TABLE t ADD COLUMN x INTEGER',
                   'c': 'ALTER TABLE account ADD COLUMN x INTEGER'}

        def step(script, direction):
            made = FakeScripts.step(scripts, script, direction)
            ran = made.migration_fn

            def migration_fn():
                scope.see(touches[script.revision])
                ran()

            made.migration_fn = migration_fn
            return made

        scripts.step = step
        plan.run_span(scripts, FakeContext(self.log, True), set(), True, 0, 3)
        # a and b touched only a's new table; c another: committed at once.
        self.assertEqual([('version', 'c'), ('insert', 'b'), ('insert', 'c'),
                          ('finish', 'row-a'), 'commit'],
                         self.marks('version', 'insert', 'finish', 'commit'))

    def test_mysql_revisions_are_groups_of_one_committed_by_the_next(self):
        mysql = run_strategies.StatementReplay()
        runs = [_run(r, backend=mysql) for r in 'abc']
        self.run_steps(self.plan(*runs, backend=mysql))
        # Each revision's rows written after it, and reported; the next
        # revision's DDL commits them; the span's end commits the last.
        self.assertEqual(
            [('ran', 'a'), ('version', 'a'), ('finish', 'row-a'),
             ('start', 'b'), 'Applied a',
             ('ran', 'b'), ('version', 'b'), ('finish', 'row-b'),
             ('start', 'c'), 'Applied b',
             ('ran', 'c'), ('version', 'c'), ('finish', 'row-c'),
             'Applied c', 'commit'],
            [e[:2] if isinstance(e, tuple) else e.split(' (')[0]
             for e in self.log[1:]])

    def test_a_revision_outside_a_transaction_runs_alone(self):
        plan = self.plan(_run('a'), _run('b', outside_transaction=True),
                         _run('c'))
        self.run_steps(plan)
        # a's group is committed before b, which Alembic runs and
        # commits as usual, then c's group.
        self.assertEqual(['commit', 'alembic commits', 'commit'],
                         self.marks('commit', 'alembic commits'))
        self.assertEqual(self.applied('a', 'b', 'c'), self.reports())
        self.assertEqual([('version', 'a'), ('version', 'b'),
                          ('version', 'c')], self.marks('version'))

    def test_between_spans_the_next_revision_is_current(self):
        plan = self.plan(_run('a'), _run('b', outside_transaction=True))
        (grouped, start, stop), following = plan.spans()
        plan.run_span(FakeScripts(self.log, self.clock),
                      FakeContext(self.log, True), set(), grouped, start, stop)
        plan.commit()
        plan.enter_span(following[1])
        # An error before b's first step (env.py, Ctrl-C) is b's.
        self.assertEqual('b', plan.current.script.revision)

    def test_a_revision_that_succeeded_is_not_recorded_again(self):
        plan = self.plan(_run('a'), _run('b'))
        plan.run_span(FakeScripts(self.log, self.clock),
                      FakeContext(self.log, True), set(), True, 0, 1)
        plan.commit()
        # Interrupted while reporting: a's row says succeeded, and the
        # engine, which recording would need, is never touched.
        runner._record_end(None, plan, KeyboardInterrupt())
        self.assertEqual(
            [('finish', 'row-a', Outcome.SUCCEEDED, Counts())],
            [w for w in self.log if isinstance(w, tuple)
             and w[0] == 'finish'])

    def test_spans(self):
        self.assertEqual([(False, 0, 3)],
                         plan_run.spans_of([False, True, False], False))
        self.assertEqual([(True, 0, 2)],
                         plan_run.spans_of([False, False], True))
        self.assertEqual(
            [(False, 0, 1), (True, 1, 3), (False, 3, 4), (False, 4, 5)],
            plan_run.spans_of([True, False, False, True, True], True))

    def test_a_failure_runs_the_revisions_before_it_again_alone(self):
        plan = self.plan(_run('a'), _run('b'), _run('c'))
        refused = db_exc.DBError(sa_exc.OperationalError(
            'ALTER TABLE x', {}, pymysql.err.OperationalError(1064, 'bad')))
        self.assertIs(refused, self.run_steps(plan, 'c', refused))
        tail = self.log[self.log.index('rollback'):]
        # a and b again, each committed with its rows, c's row started.
        self.assertEqual(
            [('ran', 'a'), ('version', 'a'), ('finish', 'row-a'),
             ('start', 'b'), 'alembic commits', ('ran', 'b'),
             ('version', 'b'), ('finish', 'row-b'), ('start', 'c'),
             'alembic commits'],
            [e if isinstance(e, str) else e[:2] for e in tail[1:]
             if not isinstance(e, str) or not e.startswith('Applied')])
        self.assertEqual(self.applied('a', 'b'), self.reports())
        self.assertNotIn('commit', self.log)
        # c is current, its row there and unfinished: _record_end's.
        self.assertEqual('c', plan.current.script.revision)
        self.assertEqual('row-c', plan.current.entry)
        self.assertIsNone(plan.current.duration)

    def test_a_failure_first_in_its_group_runs_nothing_again(self):
        plan = self.plan(_run('a'), _run('b'))
        refused = db_exc.DBError(sa_exc.OperationalError(
            'ALTER TABLE x', {}, pymysql.err.OperationalError(1064, 'bad')))
        self.run_steps(plan, 'a', refused)
        self.assertEqual([('ran', 'a')], self.marks('ran'))
        self.assertNotIn('rollback', self.log)
        self.assertEqual('row-a', plan.current.entry)

    def test_a_lost_connection_keeps_nothing(self):
        plan = self.plan(_run('a'), _run('b'))
        lost = db_exc.DBConnectionError(Exception('gone'))
        self.run_steps(plan, 'b', lost)
        self.assertEqual([('ran', 'a'), ('ran', 'b')], self.marks('ran'))
        self.assertNotIn('commit', self.log)
        self.assertNotIn('rollback', self.log)
        self.assertEqual([], self.reports())
        # b has no row of its own: nothing for _record_end to write.
        self.assertIsNone(plan.current.entry)


class TestRevisionRun(base.BaseTestCase):

    def test_how_a_run_ends(self):
        refused = sa_exc.OperationalError(
            'ALTER TABLE x', {}, pymysql.err.OperationalError(1064, 'bad'))
        lost = db_exc.DBConnectionError(Exception('2013 Lost connection'))
        for error, outcome in (
                (refused, Outcome.FAILED),
                (db_exc.DBError(refused), Outcome.FAILED),
                (lost, Outcome.ABANDONED),
                (KeyboardInterrupt(), Outcome.ABANDONED),
                (ZeroDivisionError('bug in upgrade()'), Outcome.FAILED)):
            self.assertEqual(outcome, _run('a').outcome_of(error), error)

    def test_failing_as_the_last_run_did(self):
        refused = sa_exc.OperationalError(
            'DROP INDEX x', {}, pymysql.err.OperationalError(1091, 'no x'))
        other = sa_exc.OperationalError(
            'DROP INDEX x', {}, pymysql.err.OperationalError(1091, 'no y'))
        before = dataclasses.replace(_previous(UP, Outcome.FAILED),
                                     error=str(refused))
        self.assertEqual(
            [True, False, False, False, False],
            [_run('a', before).fails_as_before(refused),
             _run('a', before).fails_as_before(other),
             _run('a', before).fails_as_before(KeyboardInterrupt()),
             _run('a', dataclasses.replace(
                 before, outcome=Outcome.ABANDONED)).fails_as_before(refused),
             _run('a').fails_as_before(refused)])

    def test_counts_carry_over_from_the_same_direction_only(self):
        self.assertEqual(
            [Counts(3, 2), Counts(2, 2), Counts(0, 0), Counts(0, 0)],
            [_run('a', previous).carried for previous in (
                _previous(UP, Outcome.ABANDONED),
                _previous(UP, Outcome.FAILED),
                _previous(DOWN, Outcome.ABANDONED),
                None)])

    def test_mysql_runs_count_their_statements(self):
        run = _run('a', _previous(UP, Outcome.ABANDONED),
                   backend=run_strategies.StatementReplay())
        self.assertEqual(Counts(3, 2), run.counts)
        self.assertIsNone(_run('a').tracker)
        self.assertIsNotNone(run.tracker)

    def test_a_fresh_mysql_rows_first_statement_counts_as_started(self):
        # The row is committed before the revision runs: from then on
        # its first DDL statement may have run.
        mysql = run_strategies.StatementReplay()
        self.assertEqual(Counts(1, 0),
                         _run('a', backend=mysql).journal_run().counts)
        # A replay's row says what it carried over, nothing in advance.
        self.assertEqual(Counts(2, 2), _run(
            'a', _previous(UP, Outcome.FAILED),
            backend=mysql).journal_run().counts)
        self.assertEqual(Counts(0, 0), _run('a').journal_run().counts)

    def test_reverting_is_reported_as_such(self):
        run = _run('a', direction=DOWN)
        run.begin()
        run.end()
        self.assertTrue(run.report_line().startswith('Reverted a (make a)'))


class TestRunPlan(base.BaseTestCase):

    def test_an_empty_plan_touches_nothing(self):
        # No engine at all: any database work would fail.
        self.assertIsNone(runner.run_plan(None, None, [], UP, {}, print))


class TestLockWaitRetries(base.BaseTestCase):
    """run_plan's retries after a statement gave up waiting for a lock.

    The attempts themselves are faked: each says how far it got.
    """

    def run_with(self, outcomes, retries=2):
        attempts, pauses = [], []

        def attempt(engine, scripts, plan, *rest):
            attempts.append(list(plan))
            return outcomes.pop(0)

        self.useFixture(fixtures.MockPatchObject(runner, '_run_once',
                                                 attempt))
        self.useFixture(fixtures.MockPatchObject(
            runner, '_latest_entries', lambda engine: {}))
        runner.run_plan(None, None, ['a', 'b', 'c'], Direction.UPGRADE, {},
                        print, lock_wait.Settings(timeout=5, retries=retries),
                        sleep=pauses.append)
        return attempts, pauses

    def test_retries_from_the_revision_that_waited(self):
        attempts, pauses = self.run_with([(1, ('b', None)), (2, None)])
        self.assertEqual([['a', 'b', 'c'], ['b', 'c']], attempts)
        self.assertEqual([1], pauses)

    def test_each_revision_has_its_own_retries(self):
        attempts, pauses = self.run_with([
            (0, ('a', None)), (1, ('b', None)), (0, ('b', None)),
            (2, None)])
        self.assertEqual([1, 1, 2], pauses)
        self.assertEqual(['c'], attempts[-1][-1:])

    def test_gives_up_after_the_retries_naming_the_blocker(self):
        error = self.assertRaises(
            exception.DDLLockTimeout, self.run_with,
            [(0, ('a', 'session 7')), (0, ('a', 'session 7')),
             (0, ('a', 'session 7'))])
        self.assertEqual((3, 'session 7'), (error.attempts, error.blocker))
        self.assertIn('waited 5s for a table lock 3 times, held by '
                      'session 7', str(error))
