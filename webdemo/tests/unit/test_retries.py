"""Which database errors the API's data access runs again."""

from oslo_db import exception as db_exc
from oslotest import base

from webdemo.db import retries


class TestOnDeadlock(base.BaseTestCase):

    def test_a_deadlock_runs_the_transaction_again(self):
        calls = []

        @retries.on_deadlock
        def work():
            calls.append(1)
            if len(calls) < 3:
                raise db_exc.DBDeadlock()
            return 'done'
        self.assertEqual(('done', 3), (work(), len(calls)))

    def test_other_errors_are_not_retried(self):
        calls = []

        @retries.on_deadlock
        def work():
            calls.append(1)
            raise db_exc.DBDuplicateEntry(['username'])
        self.assertRaises(db_exc.DBDuplicateEntry, work)
        self.assertEqual(1, len(calls))

    def test_it_gives_up(self):
        @retries.on_deadlock
        def work():
            raise db_exc.DBDeadlock()
        self.assertRaises(db_exc.DBDeadlock, work)
