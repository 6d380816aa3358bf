"""The service registry and the contract's guard on it, on SQLite,
MariaDB/MySQL and PostgreSQL: a live service of a release below the
level a contract revision needs refuses it, naming the service; a stale
row, or a release at that level, does not."""

import time

from oslotest import base

from webdemo.db.rolling import services
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner
from webdemo.tests.functional.previous_release import release as previous


class ServiceRegistry(runner.ManageTestMixin):

    def setUp(self):
        super().setUp()
        self.put_at('948ccd040506')
        self.assertOk(self.manage('db', 'sync', '--expand'))

    def registered(self, name, level, stale_after=30):
        registration = services.Registration(self.engine, name, level,
                                             stale_after)
        registration.register()
        self.addCleanup(registration.leave)
        return registration

    def test_a_live_previous_release_refuses_the_contract(self):
        old = self.registered(previous.NAME, previous.LEVEL)
        before = runner.schema_snapshot(self.engine)
        for args in (('db', 'sync', '--contract'), ('db', 'sync')):
            refused = self.manage(*args)
            self.assertFailsCleanly(
                refused, 12, f'release {previous.NAME} (level 1) on ',
                'Stop it',
                'Nothing was changed')
            self.assertEqual(before, runner.schema_snapshot(self.engine))
        old.beat()
        self.assertEqual(12, self.manage('db', 'sync', '--contract')
                         .returncode)
        old.leave()
        self.assertOk(self.manage('db', 'sync', '--contract'))

    def test_a_stale_row_stops_blocking_by_itself(self):
        self.registered(previous.NAME, previous.LEVEL, stale_after=1)
        time.sleep(2.5)
        self.assertOk(self.manage('db', 'sync', '--contract'))

    def test_a_release_that_survives_the_contract_does_not_block(self):
        # Level 3 runs after every contract (projects' needs it).
        self.registered('this', 3)
        with self.engine.connect() as connection:
            found = services.read(connection)
        self.assertEqual([('this', True)],
                         [(row.release, row.live) for row in found])
        self.assertOk(self.manage('db', 'sync', '--contract'))


class TestServiceRegistrySQLite(ServiceRegistry, db_fixtures.SQLiteFileMixin,
                                base.BaseTestCase):
    pass


class TestServiceRegistryMySQL(ServiceRegistry, db_fixtures.MySQLMixin,
                               db_fixtures.DatabaseTestCase):
    pass


class TestServiceRegistryPostgreSQL(ServiceRegistry,
                                    db_fixtures.PostgreSQLMixin,
                                    db_fixtures.DatabaseTestCase):
    pass
