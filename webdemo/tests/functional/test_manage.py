"""webdemo-manage db sync and db version, end to end through the
installed command, on SQLite, MariaDB/MySQL and PostgreSQL."""

import fixtures
from oslotest import base
import sqlalchemy
from sqlalchemy.engine import make_url

from webdemo.db import api
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner
from webdemo.tests.functional.test_migrations import walk_order

ALL_REVISIONS = manage_runner.revisions_on_disk()
SECRET = 'not-the-Pa55word'


class ManageTestMixin:
    """Runs webdemo-manage against self.url (set by the concrete class)."""

    def setUp(self):
        super().setUp()
        self.home = self.useFixture(fixtures.TempDir()).path
        self.empty_conf = f'{self.home}/empty.conf'
        open(self.empty_conf, 'w').close()

    def manage(self, *args, url=None, **env):
        environment = manage_runner.clean_environment(
            self.home, OS_DATABASE__CONNECTION=url or self.url,
            OS_DATABASE__MAX_RETRIES='1', **env)
        return manage_runner.run(['--config-file', self.empty_conf, *args],
                                 environment, self.home)

    def assertOk(self, result):
        self.assertEqual(0, result.returncode, result.stderr)

    def assertFailsCleanly(self, result, code, *words):
        """One line on stderr with words in it; no traceback, no secret."""
        self.assertEqual(code, result.returncode, result.stdout)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertTrue(lines[0].startswith('webdemo-manage: error: '),
                        lines[0])
        for word in words:
            self.assertIn(word, lines[0])
        self.assertNotIn(SECRET, result.stdout + result.stderr)


class ManageCommands(ManageTestMixin):
    """The same tests on every backend."""

    def test_sync_applies_every_revision_then_changes_nothing(self):
        first = self.manage('db', 'sync')
        self.assertOk(first)
        for revision in ALL_REVISIONS:
            self.assertIn(f'Applied {revision} ', first.stdout)
        synced = manage_runner.schema_snapshot(self.engine)
        second = self.manage('db', 'sync')
        self.assertOk(second)
        self.assertIn('Nothing to do', second.stdout)
        self.assertNotIn('Applied', second.stdout)
        self.assertEqual(synced, manage_runner.schema_snapshot(self.engine))

    def test_version_reports_empty_then_head(self):
        empty = self.manage('db', 'version')
        self.assertOk(empty)
        self.assertIn('Current revision: none', empty.stdout)
        self.assertIn('Status: empty', empty.stdout)
        self.assertOk(self.manage('db', 'sync'))
        synced = self.manage('db', 'version')
        self.assertOk(synced)
        self.assertIn('Status: at head', synced.stdout)

    def test_sync_to_a_revision_then_to_head(self):
        first = walk_order()[1].revision
        self.assertOk(self.manage('db', 'sync', first))
        version = self.manage('db', 'version')
        self.assertIn(f'Current revision: {first}', version.stdout)
        self.assertIn('Status: upgrade pending', version.stdout)
        self.assertOk(self.manage('db', 'sync'))
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)

    def test_database_at_unknown_revision_is_refused(self):
        self.assertOk(self.manage('db', 'sync'))
        with self.engine.begin() as connection:
            connection.execute(sqlalchemy.text(
                "UPDATE alembic_version SET version_num = 'fffffffffff0'"))
        before = manage_runner.schema_snapshot(self.engine)
        result = self.manage('db', 'sync')
        self.assertFailsCleanly(result, 3, 'fffffffffff0')
        self.assertEqual(before, manage_runner.schema_snapshot(self.engine))
        version = self.manage('db', 'version')
        self.assertOk(version)
        self.assertIn('Status: unknown revision', version.stdout)

    def test_tables_without_version_are_refused(self):
        with self.engine.begin() as connection:
            connection.execute(sqlalchemy.text(
                'CREATE TABLE stray (id INTEGER PRIMARY KEY)'))
        before = manage_runner.schema_snapshot(self.engine)
        self.assertFailsCleanly(self.manage('db', 'sync'), 4,
                                'no version information')
        self.assertEqual(before, manage_runner.schema_snapshot(self.engine))

    def test_unknown_target_revision_is_invalid_input(self):
        result = self.manage('db', 'sync', 'nosuchrevision')
        self.assertFailsCleanly(result, 127, 'nosuchrevision')
        self.assertEqual(({}, []), manage_runner.schema_snapshot(self.engine))


class ServerManageCommands(ManageCommands):
    """Failures only a database server can produce."""

    def _url_with(self, **parts):
        url = make_url(self.url).set(**parts)
        return url.render_as_string(hide_password=False)

    def test_wrong_credentials(self):
        url = self._url_with(username='nosuchuser', password=SECRET)
        result = self.manage('db', 'sync', url=url)
        self.assertFailsCleanly(result, 1, 'user and password', '***')

    def test_database_that_does_not_exist(self):
        url = self._url_with(database='webdemo_no_such_db')
        result = self.manage('db', 'version', url=url)
        self.assertFailsCleanly(result, 1, 'webdemo_no_such_db',
                                'create the database')

    def test_unreachable_server(self):
        url = self._url_with(host='127.0.0.1', port=1, password=SECRET)
        result = self.manage('db', 'sync', url=url)
        self.assertFailsCleanly(result, 1, 'cannot connect',
                                'server is running')


class TestManageSQLite(ManageCommands, base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.url = f'sqlite:///{self.home}/webdemo.db'
        self.engine = api.create_engine(db_fixtures.make_conf(self.url))
        self.addCleanup(self.engine.dispose)


class TestManageMySQL(ServerManageCommands, db_fixtures.MySQLMixin,
                      db_fixtures.DatabaseTestCase):
    pass


class TestManagePostgreSQL(ServerManageCommands,
                           db_fixtures.PostgreSQLMixin,
                           db_fixtures.DatabaseTestCase):
    pass
