"""The MySQL statement replay, against a fake cursor; no database."""

from oslotest import base
import pymysql

from webdemo.db.execution.journal import Counts
from webdemo.db.execution import statements
from webdemo.db.execution.statements import Action

ALTER = 'ALTER TABLE account ADD COLUMN nickname VARCHAR(32)'


class FakeCursor:
    """Records what runs; raises the error queued for a statement."""

    def __init__(self, raises=None):
        self.executed = []
        self._raises = raises

    def execute(self, statement, parameters):
        self.executed.append(statement)
        if self._raises is not None:
            raise self._raises


class TestReplay(base.BaseTestCase):

    def actions(self, started, done, statements_in_revision=4):
        replay = statements.Replay(Counts(started, done))
        return [replay.action(number)
                for number in range(1, statements_in_revision + 1)]

    def test_a_fresh_run_runs_everything(self):
        self.assertEqual([Action.RUN] * 4, self.actions(0, 0))

    def test_after_an_abandoned_run(self):
        self.assertEqual([Action.SKIP, Action.SKIP,
                          Action.RUN_UNLESS_APPLIED, Action.RUN],
                         self.actions(3, 2))

    def test_after_a_run_whose_statements_all_finished(self):
        self.assertEqual([Action.SKIP, Action.SKIP, Action.RUN, Action.RUN],
                         self.actions(2, 2))


class TestTracker(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.recorded = []

    def tracker(self, started, done):
        carried = Counts(started, done)
        return statements.Tracker(
            statements.Replay(carried), carried,
            lambda cursor, counts: self.recorded.append(
                (cursor.executed[:], counts)))

    def run_ddl(self, tracker, cursor, count):
        """Run count DDL statements through tracker as SQLAlchemy would."""
        sent = []
        for _ in range(count):
            statement, _ = tracker.before(None, cursor, ALTER, (), None,
                                          False)
            sent.append(statement)
            tracker.after(None, cursor, statement, (), None, False)
        return sent

    def test_a_fresh_run_records_each_statement_before_it_runs(self):
        tracker = self.tracker(0, 0)
        # The row, written before the revision runs, counts the first.
        self.assertEqual(Counts(1, 0), tracker.declared)
        sent = self.run_ddl(tracker, FakeCursor(), 3)
        self.assertEqual([ALTER, ALTER, ALTER], sent)
        # Recorded on the statement's own cursor, before it ran; that the
        # one before finished travels with it.
        self.assertEqual([([], Counts(2, 1)), ([], Counts(3, 2))],
                         self.recorded)
        self.assertEqual(Counts(3, 3), tracker.counts)

    def test_a_run_without_ddl_ends_with_nothing_counted(self):
        tracker = self.tracker(0, 0)
        tracker.before(None, FakeCursor(), 'UPDATE account SET x = 1', (),
                       None, False)
        self.assertEqual(Counts(0, 0), tracker.counts)
        self.assertEqual([], self.recorded)

    def test_finished_statements_are_skipped_and_not_recorded(self):
        cursor = FakeCursor()
        tracker = self.tracker(2, 2)
        # A replay counts nothing in advance.
        self.assertEqual(Counts(2, 2), tracker.declared)
        sent = self.run_ddl(tracker, cursor, 4)
        self.assertEqual(['SELECT 1', 'SELECT 1', ALTER, ALTER], sent)
        self.assertEqual([([], Counts(3, 2)), ([], Counts(4, 3))],
                         self.recorded)
        self.assertEqual(Counts(4, 4), tracker.counts)
        self.assertEqual([], cursor.executed)

    def test_the_unknown_statement_tolerates_already_applied(self):
        cursor = FakeCursor(pymysql.err.OperationalError(
            1060, "Duplicate column name 'nickname'"))
        tracker = self.tracker(1, 0)
        # The row says so from the start: nothing to record before it.
        self.assertEqual(Counts(1, 0), tracker.declared)
        sent = self.run_ddl(tracker, cursor, 1)
        self.assertEqual(['SELECT 1'], sent)
        self.assertEqual([ALTER], cursor.executed)
        self.assertEqual([], self.recorded)
        self.assertEqual(Counts(1, 1), tracker.counts)

    def test_the_unknown_statement_raises_any_other_error(self):
        refused = pymysql.err.OperationalError(1142, 'ALTER command denied')
        tracker = self.tracker(1, 0)
        error = self.assertRaises(
            pymysql.err.OperationalError, tracker.before, None,
            FakeCursor(refused), ALTER, (), None, False)
        self.assertIs(refused, error)
        self.assertEqual(Counts(1, 0), tracker.counts)

    def test_after_a_failure_nothing_is_tolerated(self):
        """A failed run's statement is run as usual, by the driver."""
        tracker = self.tracker(1, 1)
        # Not counted as started before it runs: the replay of a run
        # killed before it must not tolerate the error it met.
        self.assertEqual(Counts(1, 1), tracker.declared)
        sent = self.run_ddl(tracker, FakeCursor(), 2)
        self.assertEqual(['SELECT 1', ALTER], sent)
        self.assertEqual([([], Counts(2, 1))], self.recorded)

    def test_a_statement_that_fails_is_not_counted_done(self):
        tracker = self.tracker(0, 0)
        tracker.before(None, FakeCursor(), ALTER, (), None, False)
        # The driver raised: SQLAlchemy calls no after-hook.
        self.assertEqual(Counts(1, 0), tracker.counts)

    def test_other_statements_pass_untouched_and_uncounted(self):
        tracker = self.tracker(0, 0)
        for statement in ('SELECT 1', "UPDATE alembic_version SET x='y'",
                          'CREATE TABLE alembic_version (x INT)'):
            self.assertEqual((statement, ()), tracker.before(
                None, FakeCursor(), statement, (), None, False))
        self.assertEqual([], self.recorded)
