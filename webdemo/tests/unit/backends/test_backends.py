"""The backend strategies' handling of the migration's connection,
against a fake connection; no database."""

import gc
import weakref

from oslo_db import exception as db_exc
from oslotest import base
import sqlalchemy

from webdemo.db import backends
from webdemo.db.backends import run_strategies
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
        with run_strategies.DeferredFlush().commits(connection):
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


class FakeDispatch:

    def __init__(self, calls):
        self.calls = calls

    def commit(self, conn):
        self.calls.append('commit listeners')


class FakeDBAPIConnection:

    def __init__(self, calls):
        self.calls = calls

    def commit(self):
        self.calls.append('driver commit')


class FakeCursor:

    def __init__(self, calls):
        self.connection = FakeDBAPIConnection(calls)


class TestCarriedCommit(base.BaseTestCase):
    """MySQL: a revision's rows committed by the next DDL statement."""

    def setUp(self):
        super().setUp()
        self.connection = FakeConnection()
        self.connection.dispatch = FakeDispatch(self.connection.calls)
        self.cursor = FakeCursor(self.connection.calls)
        self.carried = run_strategies.CarriedCommit()
        self.carried.pending = True

    def run_statement(self, statement):
        self.carried.before(self.connection, self.cursor, statement)
        self.connection.calls.append(statement)
        self.carried.after(statement)

    def test_a_ddl_statement_carries_the_commit(self):
        self.run_statement('CREATE TABLE t (id INTEGER)')
        self.run_statement('INSERT INTO t VALUES (1)')
        self.assertEqual(
            ['CREATE TABLE t (id INTEGER)', 'INSERT INTO t VALUES (1)'],
            self.connection.calls)

    def test_any_other_statement_is_preceded_by_a_commit(self):
        for statement in ('INSERT INTO t VALUES (1)', 'SELECT 1',
                          'CREATE TEMPORARY TABLE t (id INTEGER)',
                          'create or replace temporary table t (i int)'):
            self.carried.pending = True
            self.connection.calls.clear()
            self.run_statement(statement)
            self.run_statement(statement)
            # The lock's fence hears of it before the commit is made.
            self.assertEqual(
                ['commit listeners', 'driver commit', statement, statement],
                self.connection.calls, statement)

    def test_nothing_pending_nothing_committed(self):
        self.carried.pending = False
        self.run_statement('SELECT 1')
        self.carried.commit(self.connection)
        self.assertEqual(['SELECT 1'], self.connection.calls)

    def test_after_a_failure_the_rows_before_it_are_committed(self):
        refused = sqlalchemy.exc.ProgrammingError(
            'CREATE TABLE', {}, Exception('syntax error'))
        self.carried.commit_after(self.connection, refused)
        self.assertEqual(['commit'], self.connection.calls)
        self.assertFalse(self.carried.pending)

    def test_nothing_is_written_after_a_lost_connection_or_lock(self):
        lost_lock = exception.MigrationLockLost(60)
        lost = db_exc.DBConnectionError(_lost('CREATE TABLE'))
        for error in (lost, lost_lock, KeyboardInterrupt()):
            self.carried.commit_after(self.connection, error)
        self.assertEqual([], self.connection.calls)
        self.assertTrue(self.carried.pending)

    def test_the_plans_error_goes_out_after_the_commit(self):
        refused = sqlalchemy.exc.ProgrammingError(
            'CREATE TABLE', {}, Exception('syntax error'))
        mysql = run_strategies.StatementReplay()
        mysql.commit_group(self.connection)

        def fail():
            with mysql.commits(self.connection):
                raise refused

        self.assertIs(refused, self.assertRaises(
            sqlalchemy.exc.ProgrammingError, fail))
        self.assertEqual(['commit'], self.connection.calls)


class TestForEngine(base.BaseTestCase):

    def test_a_backend_lives_no_longer_than_its_engine(self):
        engine = sqlalchemy.create_engine('sqlite://')
        chosen = backends.for_engine(engine)
        self.assertIs(chosen, backends.for_engine(engine))
        gone = weakref.ref(engine)
        del engine, chosen
        gc.collect()
        self.assertIsNone(gone())

    def strategy(self, url):
        # Chosen by the dialect alone: no server is reached.
        engine = sqlalchemy.create_engine(url)
        return backends.kind_of(engine.dialect.name)(engine).run_strategy()

    def test_each_backend_has_its_strategy(self):
        self.assertIsInstance(self.strategy('postgresql+psycopg2://h/d'),
                              run_strategies.DeferredFlush)
        self.assertIsInstance(self.strategy('mysql+pymysql://h/d'),
                              run_strategies.StatementReplay)
        sqlite = self.strategy('sqlite://')
        self.assertIs(run_strategies.Transactional, type(sqlite))
        self.assertEqual(run_strategies.GROUP_SECONDS, sqlite.group_seconds)
