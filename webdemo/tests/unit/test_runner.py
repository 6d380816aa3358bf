"""How a plan's revision runs are sequenced, journalled and ended, with a
fake journal and fake scripts; no database."""

import datetime

import fixtures
from oslo_db import exception as db_exc
from oslotest import base
import pymysql
from sqlalchemy import exc as sa_exc

from webdemo.db import backends
from webdemo.db.journal import Counts
from webdemo.db.journal import Direction
from webdemo.db.journal import Entry
from webdemo.db.journal import Outcome
from webdemo.db import lock_wait
from webdemo.db import runner
from webdemo import exception

UP, DOWN = Direction.UPGRADE, Direction.DOWNGRADE


class FakeJournal:
    """Records every write in order."""

    def __init__(self):
        self.writes = []

    def start(self, revision, direction, checksum, counts):
        self.writes.append(('start', revision, counts))
        return f'row-{revision}'

    def finish(self, entry_id, outcome, duration, counts, error=None):
        self.writes.append(('finish', entry_id, outcome, counts))


class FakeScript:

    def __init__(self, revision):
        self.revision = revision
        self.checksum = f'sum-{revision}'
        self.doc = f'make {revision}'


class FakeScripts:

    def step(self, script, direction):
        return (script.revision, direction)


def _run(revision, previous=None, direction=UP,
         backend=backends.Transactional()):
    return runner.RevisionRun(FakeScript(revision), direction, previous,
                              backend)


def _previous(direction, outcome, started=3, done=2):
    return Entry(1, 'abc', direction, outcome, datetime.datetime(2026, 1, 1),
                 counts=Counts(started, done))


class TestPlanRun(base.BaseTestCase):
    """What Alembic sees, and what the journal gets, step by step."""

    def setUp(self):
        super().setUp()
        self.reported = []
        self.journal = FakeJournal()
        self.plan = runner._PlanRun([_run('a'), _run('b'), _run('c')],
                                    self.reported.append)
        self.plan._journal = self.journal

    def test_each_revision_finishes_its_row_and_starts_the_next(self):
        self.plan.current.start(self.journal)
        for step in self.plan.steps(FakeScripts()):
            self.assertEqual(self.plan.current.script.revision, step[0])
            # Inside the revision's transaction, as Alembic calls it:
            self.plan.on_version_apply(ctx=None, step=None, heads=set(),
                                       run_args={})
        self.assertEqual([
            ('start', 'a', Counts()),
            ('finish', 'row-a', Outcome.SUCCEEDED, Counts()),
            ('start', 'b', Counts()),
            ('finish', 'row-b', Outcome.SUCCEEDED, Counts()),
            ('start', 'c', Counts()),
            ('finish', 'row-c', Outcome.SUCCEEDED, Counts()),
        ], self.journal.writes)
        self.assertEqual(['Applied a (make a)', 'Applied b (make b)',
                          'Applied c (make c)'],
                         [line.rsplit(' in ', 1)[0] for line in self.reported])

    def test_a_revision_is_reported_only_once_committed(self):
        steps = self.plan.steps(FakeScripts())
        next(steps)
        self.assertEqual([], self.reported)
        self.plan.on_version_apply()
        self.assertEqual([], self.reported)
        next(steps)
        self.assertEqual(1, len(self.reported))
        self.assertEqual('b', self.plan.current.script.revision)


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
                   backend=backends.StatementReplay())
        self.assertEqual(Counts(3, 2), run.counts)
        self.assertIsNone(_run('a').tracker)
        self.assertIsNotNone(run.tracker)

    def test_reverting_is_reported_as_such(self):
        run = _run('a', direction=DOWN)
        run.begin()
        run.succeed(FakeJournal())
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
