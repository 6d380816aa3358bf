"""The promises every backend class makes (webdemo/db/backends/base.py),
checked on a real database of its kind.

BackendConformance runs on SQLite, MariaDB and PostgreSQL
(test_backends.py) and on the Galera cluster through HAProxy
(webdemo/tests/galera/test_backends.py). A new backend passes it before
anything else uses it.
"""

import datetime

import sqlalchemy

from webdemo.db import backends
from webdemo.db import bookkeeping
from webdemo.db.execution import journal
from webdemo.db.execution.journal import Counts
from webdemo.db.execution.journal import Direction
from webdemo.db.execution.journal import Outcome
from webdemo.db.execution import lock_wait
from webdemo.db.locking.holder import Holder
from webdemo.db.state import reader


class BackendConformance:
    """What every backend promises.

    The concrete class sets self.engine (an empty database) and BACKEND,
    the name of the backend that must be chosen for it.
    """

    BACKEND = None

    def setUp(self):
        super().setUp()
        self.backend = backends.for_engine(self.engine)
        with self.engine.begin() as connection:
            bookkeeping.ensure_tables(connection)

    def test_chosen_once_for_the_engine(self):
        self.assertEqual(self.BACKEND, self.backend.name)
        self.assertIs(self.backend, backends.for_engine(self.engine))
        with self.engine.connect() as connection:
            self.assertIs(self.backend, backends.for_connection(connection))

    def test_the_migration_lock_excludes_a_second_holder(self):
        holder = Holder.this_process('db sync')
        with self.backend.migration_lock(5) as first, \
                self.backend.migration_lock(5) as second:
            self.assertTrue(first.try_acquire())
            first.record(holder)
            self.assertFalse(second.try_acquire())
            self.assertEqual(holder, second.holder())
            first.release(clear_card=True)
            self.assertTrue(second.try_acquire())
            second.release(clear_card=True)

    def test_its_clock_is_utc(self):
        with self.engine.connect() as connection:
            server = connection.execute(sqlalchemy.select(
                sqlalchemy.type_coerce(self.backend.utc_now(),
                                       sqlalchemy.DateTime))).scalar()
        here = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        # Far less than any time zone's offset from UTC.
        self.assertLess(abs((server - here).total_seconds()), 600)

    def test_lock_waits_are_bounded_and_then_reset(self):
        with self.engine.connect() as connection:
            with lock_wait.limited(connection, 3):
                connection.exec_driver_sql('SELECT 1')
            connection.rollback()
            self.assertEqual(1, connection.exec_driver_sql(
                'SELECT 1').scalar())
        self.assertEqual(self.backend.lock_wait_limits is None,
                         self.BACKEND == 'sqlite')

    def test_blocker_queries_run(self):
        with self.engine.connect() as connection:
            for query, _, _ in self.backend.blocker_queries:
                # No other session holds anything: nothing, or a row.
                connection.execute(query, {'table': 'account'}).first()

    def test_the_journal_finishes_a_row_and_starts_the_next(self):
        run = journal.Run('aaaa', Direction.UPGRADE, 'sum', Counts())
        following = journal.Run('bbbb', Direction.UPGRADE, 'sum', Counts())
        with self.engine.begin() as connection:
            written = journal.Journal(connection, self.backend)
            first = written.start(run)
            second = written.succeed_and_start(first, run, 0.5, Counts(1, 1),
                                               following)
        with self.engine.connect() as connection:
            entries = journal.latest_entries(connection)
        self.assertNotEqual(first, second)
        self.assertEqual((first, Outcome.SUCCEEDED, Counts(1, 1)),
                         (entries['aaaa'].id, entries['aaaa'].outcome,
                          entries['aaaa'].counts))
        self.assertEqual((second, Outcome.RUNNING),
                         (entries['bbbb'].id, entries['bbbb'].outcome))

    def test_server_settings_are_read_where_they_matter(self):
        with self.engine.connect() as connection:
            settings = reader.server_settings(connection)
        self.assertEqual(self.backend.checks_server_settings,
                         settings is not None)
        if settings is not None:
            self.assertEqual(self.backend.cluster, settings.galera)

    def test_a_run_strategy_for_each_attempt(self):
        strategy = self.backend.run_strategy()
        self.assertIsNot(strategy, self.backend.run_strategy())
        self.assertGreaterEqual(strategy.group_seconds or 0, 0)
