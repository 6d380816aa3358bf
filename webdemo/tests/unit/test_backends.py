"""The backend strategies' handling of the migration's connection,
against a fake connection; no database."""

from oslotest import base
import sqlalchemy

from webdemo.db import backends
from webdemo import exception


def _lost(statement):
    return sqlalchemy.exc.OperationalError(
        statement, {}, Exception('server closed the connection'))


class FakeConnection:
    """Records what is asked of it; raises error at the step named fail."""

    def __init__(self, fail=None, error=None):
        self.calls = []
        self._fail = fail
        self._error = error or _lost(fail)

    def _call(self, what):
        self.calls.append(what)
        if what == self._fail:
            raise self._error

    def exec_driver_sql(self, statement):
        self._call(statement)

    def commit(self):
        self._call('commit')

    def rollback(self):
        self._call('rollback')

    def invalidate(self):
        self.calls.append('invalidate')


_SET = ['SET synchronous_commit TO off', 'commit']
_FLUSH = ['rollback', 'RESET synchronous_commit', 'SELECT txid_current()',
          'commit']


class TestDeferredFlush(base.BaseTestCase):

    def run_plan(self, connection, plan=lambda connection: None):
        with backends.DeferredFlush().commits(connection):
            connection.calls.append('plan')
            plan(connection)

    def test_the_plan_runs_unsynced_then_one_commit_waits(self):
        connection = FakeConnection()
        self.run_plan(connection)
        self.assertEqual(_SET + ['plan'] + _FLUSH, connection.calls)

    def test_a_plan_that_ended_well_fails_when_that_commit_does(self):
        connection = FakeConnection(fail='SELECT txid_current()')
        error = self.assertRaises(exception.MigrationError, self.run_plan,
                                  connection)
        self.assertIn('server closed the connection', str(error))
        self.assertIsInstance(error.__cause__, sqlalchemy.exc.DBAPIError)
        # Not back to the pool with the setting.
        self.assertEqual('invalidate', connection.calls[-1])

    def test_the_plans_own_error_is_not_masked(self):
        connection = FakeConnection(fail='RESET synchronous_commit')

        def fail(connection):
            raise exception.MigrationError('revision abc', 'boom')

        error = self.assertRaises(exception.MigrationError, self.run_plan,
                                  connection, fail)
        self.assertEqual('revision abc', error.what)
        self.assertEqual('invalidate', connection.calls[-1])

    def test_an_interrupt_while_flushing_closes_the_connection(self):
        connection = FakeConnection(fail='SELECT txid_current()',
                                    error=KeyboardInterrupt())
        self.assertRaises(KeyboardInterrupt, self.run_plan, connection)
        self.assertEqual('invalidate', connection.calls[-1])


class TestForEngine(base.BaseTestCase):

    def strategy(self, url):
        return backends.for_engine(sqlalchemy.create_engine(url))

    def test_each_backend_has_its_strategy(self):
        self.assertIsInstance(self.strategy('postgresql+psycopg2://h/d'),
                              backends.DeferredFlush)
        self.assertIsInstance(self.strategy('mysql+pymysql://h/d'),
                              backends.StatementReplay)
        sqlite = self.strategy('sqlite://')
        self.assertIs(backends.Transactional, type(sqlite))
        self.assertEqual(backends.GROUP_SECONDS, sqlite.group_seconds)
