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

from webdemo.db.rolling import data_migrations
from webdemo.db.rolling import online_migrations
from webdemo.db import users as this_release
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner
from webdemo.tests.functional.previous_release import users as previous

BEFORE_SPLIT = '948ccd040506'
# The deployment's [api] default_project_id: the project the previous
# release's rows (written without one) belong to.
PROJECT = 'project-a'


class RollingUpgrade(runner.ManageTestMixin):

    def setUp(self):
        super().setUp()
        self.put_at(BEFORE_SPLIT)
        self.old = previous.Users(self.engine)
        self.old.create('u-1', 'alice', 'a@x')

    def manage(self, *args, **env):
        return super().manage(
            *args, **{'OS_API__DEFAULT_PROJECT_ID': PROJECT, **env})

    def this_release(self):
        return this_release.Users(self.engine, PROJECT)

    def version(self):
        result = self.manage('db', 'version', '--check', '--format', 'json')
        return result.returncode, json.loads(result.stdout)

    def names(self, release):
        return [(user['user_id'], user.get('name', user.get('username')))
                for user in release.list()]

    def test_both_releases_through_every_phase(self):
        self.assertOk(self.manage('db', 'sync', '--expand'))
        new = self.this_release()
        self._both_releases_after_expand(new)
        self._data_migration_with_writes_behind_it()
        self._contract_refused_until_the_data_is_moved()
        self.assertOk(self.manage('db', 'online_data_migrations'))
        self.assertOk(self.manage('db', 'sync', '--contract'))
        # `new` looked at the table before the contract dropped name:
        # it must notice, not fail.
        new.create(PROJECT, 'u-6', 'frank')
        self.assertEqual([('u-1', 'alice'), ('u-2', 'bob'), ('u-3', 'carol'),
                          ('u-4', 'dave'), ('u-5', 'erin'),
                          ('u-6', 'frank')], self.names(new))
        self.assertEqual('u-4', new.get('dave')['user_id'])
        code, report = self.version()
        self.assertEqual((0, 'at_head'), (code, report['status']))

    def _both_releases_after_expand(self, new):
        self.old.create('u-2', 'bob')
        new.create(PROJECT, 'u-3', 'carol', 'c@x')
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
        # The previous release's two rows, each also without a project.
        self.assertEqual({'user_username': 2, 'project_ids': 2},
                         report['data_migrations'])

    def _data_migration_with_writes_behind_it(self):
        first = self.manage('db', 'online_data_migrations', '--max-count',
                            '1')
        self.assertEqual(1, first.returncode, first.stderr)
        # The previous release writes after the run: that row counts.
        self.old.create('u-4', 'dave')
        code, report = self.version()
        self.assertEqual((13, {'user_username': 2, 'project_ids': 3}),
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

    def test_rows_without_a_project_wait_for_the_default_project(self):
        self.assertOk(self.manage('db', 'sync', '--expand'))
        unset = {'OS_API__DEFAULT_PROJECT_ID': ''}
        moved = self.manage('db', 'online_data_migrations', **unset)
        self.assertEqual(2, moved.returncode, moved.stderr)
        self.assertIn('project_ids failed', moved.stderr)
        self.assertIn('set [api] default_project_id', moved.stdout
                      + moved.stderr)
        whole = self.manage('db', 'sync', **unset)
        self.assertFailsCleanly(whole, 12, 'project_ids: 1')
        with self.engine.connect() as connection:
            self.assertEqual([None], connection.exec_driver_sql(
                f'SELECT project_id FROM {self.quoted()}').scalars().all())
        self.assertOk(self.manage('db', 'sync'))
        self.assertEqual([PROJECT], [user['project_id'] for user in
                                     self.this_release().list()])

    def test_whole_sync_moves_the_data_between_the_phases(self):
        self.old.create('u-2', 'bob')
        result = self.manage('db', 'sync')
        self.assertOk(result)
        # One line per migration: rows, time, rate; then the total time.
        self.assertRegex(result.stdout, r'Online data migration '
                         r'user_username: moved 2 rows in \d+\.\d s')
        self.assertRegex(result.stdout.splitlines()[-1],
                         r'^db sync took \d+\.\d s\.$')
        self.assertEqual([('u-1', 'alice'), ('u-2', 'bob')],
                         self.names(self.this_release()))

    def test_whole_sync_finishes_an_upgrade_begun_with_expand(self):
        self.assertOk(self.manage('db', 'sync', '--expand'))
        self.old.create('u-2', 'bob')
        result = self.manage('db', 'sync')
        self.assertOk(result)
        self.assertIn('moved 2 rows', result.stdout)
        self.assertEqual((0, 'at_head'), (self.version()[0],
                                          self.version()[1]['status']))

    def test_any_sync_reaching_contract_waits_for_expand(self):
        before = runner.schema_snapshot(self.engine)
        for target in ('contract@head', '3fd795719d99'):
            refused = self.manage('db', 'sync', target)
            self.assertFailsCleanly(refused, 12, 'db sync --expand first',
                                    'Nothing was changed')
            self.assertEqual(before, runner.schema_snapshot(self.engine))

    def test_rows_behind_the_walk_are_found(self):
        self.assertOk(self.manage('db', 'sync', '--expand'))
        for number in range(2, 6):
            self.old.create(f'u-{number}', f'user{number}')
        context = online_migrations.Context(self.engine)
        self.assertEqual((2, 2), data_migrations.user_username(context, 2))
        # Behind the walk: a row below where its last batch ended.
        runner.execute(self.engine,
                       f'DELETE FROM {self.quoted()} WHERE id = 1',
                       f'INSERT INTO {self.quoted()} (id, user_id, name) '
                       "VALUES (1, 'u-1', 'alice')")
        self.assertEqual([(3, 3), (1, 1), (0, 0)], [
            data_migrations.user_username(context, 10) for _ in range(3)])
        self.assertEqual((0, 0), data_migrations.user_username(context, 0))

    def test_this_release_follows_a_contract_and_its_undoing(self):
        self.assertOk(self.manage('db', 'sync'))
        new = self.this_release()
        new.create(PROJECT, 'u-2', 'bob')
        # Every contract undone: name is back.
        self.assertOk(self.manage('db', 'downgrade', 'contract@-3'))
        new.create(PROJECT, 'u-3', 'carol')
        self.assertEqual('carol', self.old.get('carol')['name'])
        self.assertOk(self.manage('db', 'sync'))
        new.create(PROJECT, 'u-4', 'dave')
        self.assertEqual(['alice', 'bob', 'carol', 'dave'],
                         [user['username'] for user in new.list()])

    def quoted(self):
        return self.engine.dialect.identifier_preparer.quote('user')

    def test_data_migrations_wait_for_expand(self):
        refused = self.manage('db', 'online_data_migrations')
        self.assertFailsCleanly(refused, 11, 'db sync --expand first')


class TestExpandRecoveryPostgreSQL(runner.ManageTestMixin,
                                   db_fixtures.PostgreSQLMixin,
                                   db_fixtures.DatabaseTestCase):
    """An invalid index from a failed build is built again.

    A CONCURRENTLY build that fails leaves an invalid index behind; the
    next run must rebuild it, not take it for done.
    """

    def index_valid(self):
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON "
                "c.oid = i.indexrelid WHERE c.relname = "
                "'ix_user_username'").scalar()

    def test_an_invalid_index_is_built_again(self):
        self.put_at(BEFORE_SPLIT)
        # Duplicates make the unique build fail half-way.
        self.sql('ALTER TABLE "user" ADD COLUMN username VARCHAR(64)',
                 'INSERT INTO "user" (id, user_id, name, username) VALUES '
                 "(1, 'u-1', 'a', 'same'), (2, 'u-2', 'b', 'same')")
        failed = self.manage('db', 'sync', '--expand')
        self.assertEqual(1, failed.returncode, failed.stderr)
        self.assertIs(False, self.index_valid())
        self.sql('UPDATE "user" SET username = name')
        self.assertOk(self.manage('db', 'sync', '--expand'))
        self.assertIs(True, self.index_valid())


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
