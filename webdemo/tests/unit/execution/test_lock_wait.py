"""The DDL lock-wait guard's pure parts: which table a statement locks,
the backoff, and how the blocking session is named."""

from oslotest import base

from webdemo.db import errors
from webdemo.db.execution import lock_wait


class TestSettings(base.BaseTestCase):

    def test_backoff_doubles_up_to_a_ceiling(self):
        settings = lock_wait.Settings()
        self.assertEqual([1, 2, 4, 8, 16, 30, 30],
                         [settings.backoff(n) for n in range(7)])


class TestBlocker(base.BaseTestCase):

    def test_a_lock_holder(self):
        blocker = lock_wait.Blocker(4242, 'app', '10.0.0.7',
                                    'idle in transaction', 75, True)
        self.assertEqual('session 4242 (user app from 10.0.0.7, idle in '
                         'transaction for 75s)',
                         str(blocker))

    def test_a_likely_holder_says_so(self):
        blocker = lock_wait.Blocker(17, 'app', None, 'Sleep', 9, False)
        self.assertEqual('session 17 (probably: the oldest transaction; '
                         'user app from local socket, Sleep for 9s)',
                         str(blocker))


class _DriverError(Exception):
    pass


class TestTimedOut(base.BaseTestCase):

    def test_mysql_and_postgresql_codes(self):
        mysql = _DriverError(1205, 'Lock wait timeout exceeded')
        postgresql = _DriverError('canceling statement: lock timeout')
        postgresql.pgcode = '55P03'
        for error in (mysql, postgresql):
            self.assertEqual(errors.Kind.LOCK_WAIT, errors.kind_of(error))
            self.assertTrue(lock_wait.timed_out(error))
        self.assertFalse(lock_wait.timed_out(_DriverError(1213, 'deadlock')))
