"""How the journal's rows are judged; pure functions, no database."""

import datetime

from oslo_db import exception as db_exc
from oslotest import base
from sqlalchemy import exc as sa_exc

from webdemo.db import journal
from webdemo.db import migration
from webdemo import exception


def _entry(revision, direction, outcome, started=0, done=0):
    return journal.Entry(1, revision, direction, outcome,
                         datetime.datetime(2026, 1, 1), None, None,
                         started, done)


class TestCarriedCounts(base.BaseTestCase):

    def test_a_fresh_run_starts_at_zero(self):
        self.assertEqual((0, 0), journal.carried_counts(None))

    def test_a_dead_run_leaves_one_statement_of_unknown_fate(self):
        dead = _entry('r', 'upgrade', journal.INTERRUPTED, 3, 2)
        self.assertEqual((3, 2), journal.carried_counts(dead))

    def test_a_failed_statement_counts_as_not_started(self):
        failed = _entry('r', 'upgrade', journal.FAILED, 3, 2)
        self.assertEqual((2, 2), journal.carried_counts(failed))


class TestInterrupted(base.BaseTestCase):

    def test_unfinished_upgrade_not_applied_is_interrupted(self):
        entries = {'r': _entry('r', 'upgrade', journal.RUNNING)}
        self.assertEqual((('r',), ()),
                         migration._interrupted(entries, frozenset()))

    def test_died_after_its_commit_is_not_interrupted(self):
        entries = {'r': _entry('r', 'upgrade', journal.RUNNING)}
        self.assertEqual(((), ()),
                         migration._interrupted(entries, frozenset({'r'})))

    def test_unfinished_downgrade_still_applied_is_interrupted(self):
        entries = {'r': _entry('r', 'downgrade', journal.INTERRUPTED)}
        self.assertEqual(((), ('r',)),
                         migration._interrupted(entries, frozenset({'r'})))

    def test_finished_runs_are_never_interrupted(self):
        entries = {'r': _entry('r', 'upgrade', journal.SUCCEEDED)}
        self.assertEqual(((), ()),
                         migration._interrupted(entries, frozenset()))


class TestConnectionLost(base.BaseTestCase):
    """A dropped connection leaves a statement's fate unknown."""

    def test_oslo_db_connection_error(self):
        self.assertTrue(migration._connection_lost(
            db_exc.DBConnectionError(Exception('gone'))))

    def test_invalidated_connection_behind_a_migration_error(self):
        lost = sa_exc.OperationalError('ALTER TABLE x', {}, Exception('2013'),
                                       connection_invalidated=True)
        wrapped = exception.MigrationError('a migration failed')
        wrapped.__cause__ = lost
        self.assertTrue(migration._connection_lost(wrapped))

    def test_an_error_the_server_reported_is_not_a_lost_connection(self):
        refused = sa_exc.OperationalError('ALTER TABLE x', {},
                                          Exception('1060 Duplicate'))
        wrapped = exception.MigrationError('a migration failed')
        wrapped.__cause__ = refused
        self.assertFalse(migration._connection_lost(wrapped))
