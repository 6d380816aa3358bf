"""A rolling upgrade, end to end, on SQLite, MariaDB/MySQL and PostgreSQL.

The previous release (previous_release/, frozen) and this one
(webdemo/db/users.py) both use the database while webdemo-manage runs
the phases of renaming user.name to user.username: expand, the online
data migration, contract. Each step checks what both releases read and
write, what db version reports, and that the contract is refused, having
changed nothing, until the data is moved.
"""

import json

from oslotest import base

from webdemo.db import users as this_release
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner
from webdemo.tests.functional.previous_release import users as previous

BEFORE_SPLIT = '948ccd040506'


class RollingUpgrade(runner.ManageTestMixin):

    def setUp(self):
        super().setUp()
        self.put_at(BEFORE_SPLIT)
        self.old = previous.Users(self.engine)
        self.old.create('u-1', 'alice', 'a@x')

    def version(self):
        result = self.manage('db', 'version', '--check', '--format', 'json')
        return result.returncode, json.loads(result.stdout)

    def names(self, release):
        return [(user['user_id'], user.get('name', user.get('username')))
                for user in release.list()]

    def test_both_releases_through_every_phase(self):
        self.assertOk(self.manage('db', 'sync', '--expand'))
        new = this_release.Users(self.engine)
        self._both_releases_after_expand(new)
        self._data_migration_with_writes_behind_it()
        self._contract_refused_until_the_data_is_moved()
        self.assertOk(self.manage('db', 'online_data_migrations'))
        self.assertOk(self.manage('db', 'sync', '--contract'))
        # `new` looked at the table before the contract dropped name:
        # it must notice, not fail.
        new.create('u-6', 'frank')
        self.assertEqual([('u-1', 'alice'), ('u-2', 'bob'), ('u-3', 'carol'),
                          ('u-4', 'dave'), ('u-5', 'erin'),
                          ('u-6', 'frank')], self.names(new))
        self.assertEqual('u-4', new.get('dave')['user_id'])
        code, report = self.version()
        self.assertEqual((0, 'at_head'), (code, report['status']))

    def _both_releases_after_expand(self, new):
        self.old.create('u-2', 'bob')
        new.create('u-3', 'carol', 'c@x')
        # Each release reads what the other wrote.
        self.assertEqual('alice', new.get('alice')['username'])
        self.assertEqual('u-2', new.get('bob')['user_id'])
        self.assertEqual('c@x', self.old.get('carol')['email'])
        self.assertEqual([('u-1', 'alice'), ('u-2', 'bob'),
                          ('u-3', 'carol')], self.names(self.old))
        self.assertEqual(self.names(self.old), self.names(new))
        code, report = self.version()
        self.assertEqual((13, 'data_migrations_pending'),
                         (code, report['status']))
        self.assertEqual({'user_username': 2}, report['data_migrations'])

    def _data_migration_with_writes_behind_it(self):
        first = self.manage('db', 'online_data_migrations', '--max-count',
                            '1')
        self.assertEqual(1, first.returncode, first.stderr)
        # The previous release writes after the run: that row counts.
        self.old.create('u-4', 'dave')
        code, report = self.version()
        self.assertEqual((13, {'user_username': 2}),
                         (code, report['data_migrations']))

    def _contract_refused_until_the_data_is_moved(self):
        before = runner.schema_snapshot(self.engine)
        refused = self.manage('db', 'sync', '--contract')
        self.assertFailsCleanly(refused, 12, 'user_username: 2',
                                'db online_data_migrations until it exits 0',
                                'Nothing was changed')
        self.assertEqual(before, runner.schema_snapshot(self.engine))
        self.old.create('u-5', 'erin')
        self.assertIn('name', runner.schema_snapshot(self.engine)[0]['user'])

    def test_whole_sync_moves_the_data_between_the_phases(self):
        self.old.create('u-2', 'bob')
        result = self.manage('db', 'sync')
        self.assertOk(result)
        self.assertIn('Online data migration user_username: moved 2 rows.',
                      result.stdout)
        self.assertEqual([('u-1', 'alice'), ('u-2', 'bob')],
                         self.names(this_release.Users(self.engine)))

    def test_data_migrations_wait_for_expand(self):
        refused = self.manage('db', 'online_data_migrations')
        self.assertFailsCleanly(refused, 11, 'db sync --expand first')


class TestRollingUpgradeSQLite(RollingUpgrade, db_fixtures.SQLiteFileMixin,
                               base.BaseTestCase):
    pass


class TestRollingUpgradeMySQL(RollingUpgrade, db_fixtures.MySQLMixin,
                              db_fixtures.DatabaseTestCase):
    pass


class TestRollingUpgradePostgreSQL(RollingUpgrade,
                                   db_fixtures.PostgreSQLMixin,
                                   db_fixtures.DatabaseTestCase):
    pass
