"""The DDL lock-wait guard on PostgreSQL and MariaDB/MySQL: a revision
whose ALTER TABLE waits behind another session's open transaction gives
up within the guard, retries, then names the blocking session; the
application's reads of that table are never stalled much longer."""

import threading
import time

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner

ACCOUNT_TABLE = 'fac0847f78ff'
GUARD = 2
RETRIES = 1


class _Readers(threading.Thread):
    """Short reads of a table, one after another, each timed."""

    def __init__(self, engine, table):
        super().__init__(daemon=True)
        self._engine = engine
        self._query = f'SELECT count(*) FROM {table}'
        self._done = threading.Event()
        self.latencies = []

    def run(self):
        while not self._done.is_set():
            started = time.monotonic()
            with self._engine.connect() as connection:
                connection.exec_driver_sql(self._query)
            self.latencies.append(time.monotonic() - started)
            time.sleep(0.05)

    def stop(self):
        self._done.set()
        self.join()


class LockWaitGuard(runner.ManageTestMixin):

    def test_blocked_alter_gives_up_naming_the_blocker(self):
        self.put_at(ACCOUNT_TABLE)
        before = runner.schema_snapshot(self.engine)
        blocker = self.engine.connect()
        self.addCleanup(blocker.close)
        session = blocker.exec_driver_sql(self.SESSION_ID).scalar()
        # An open transaction that has read the table holds a shared lock
        # on it until it ends; the next revision alters that table.
        blocker.exec_driver_sql('SELECT count(*) FROM account').all()
        readers = _Readers(self.engine, 'account')
        readers.start()
        started = time.monotonic()
        result = self.manage('db', 'sync', **{
            'OS_DATABASE__DDL_LOCK_TIMEOUT': str(GUARD),
            'OS_DATABASE__DDL_LOCK_RETRIES': str(RETRIES)})
        took = time.monotonic() - started
        readers.stop()
        self.assertFailsCleanly(
            result, 10, f'waited {GUARD}s for a table lock {RETRIES + 1} '
            'times', f'held by session {session} (',
            's)', 'end that transaction')
        self.assertIn('trying again in 1s', result.stdout)
        worst = max(readers.latencies)
        print(f'{self.engine.dialect.name}: db sync gave up after '
              f'{took:.1f}s; {len(readers.latencies)} reads meanwhile, the '
              f'slowest {worst:.2f}s (guard {GUARD}s)')
        # Two waits of GUARD, a backoff of 1s, and the process's start.
        self.assertLess(took, (RETRIES + 1) * GUARD + 1 + 5)
        self.assertLess(worst, GUARD + 1)
        self.assertEqual(before, runner.schema_snapshot(self.engine))
        blocker.rollback()
        self.assertOk(self.manage('db', 'sync'))
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)


class TestLockWaitGuardMySQL(LockWaitGuard, db_fixtures.MySQLMixin,
                             db_fixtures.DatabaseTestCase):
    SESSION_ID = 'SELECT CONNECTION_ID()'


class TestLockWaitGuardPostgreSQL(LockWaitGuard, db_fixtures.PostgreSQLMixin,
                                  db_fixtures.DatabaseTestCase):
    SESSION_ID = 'SELECT pg_backend_pid()'
