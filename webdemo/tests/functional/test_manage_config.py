"""Where webdemo-manage finds its database, and how it answers bad input,
end to end through the installed command (SQLite; no server needed)."""

import json
import os
import shutil
import subprocess
import sys

import fixtures
from oslotest import base
import testscenarios

from webdemo.tests.functional import manage_runner

SECRET = 'not-the-Pa55word'
ALEMBIC_DIR = os.path.join(os.path.dirname(__file__), '..', '..', 'db',
                           'sqlalchemy')


class ManageConfigTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.home = self.useFixture(fixtures.TempDir()).path

    def write(self, name, text):
        path = os.path.join(self.home, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as conf_file:
            conf_file.write(text)
        return path

    def manage(self, *args, **env):
        environment = manage_runner.clean_environment(
            self.home, OS_DATABASE__MAX_RETRIES='1', **env)
        return manage_runner.run(args, environment, self.home)

    def status(self, *args, **env):
        """Run the installed webdemo-status with args, as manage() does."""
        command = shutil.which('webdemo-status',
                               path=os.path.dirname(sys.executable))
        return subprocess.run(
            [command, *args], capture_output=True, text=True, cwd=self.home,
            env=manage_runner.clean_environment(self.home, **env),
            timeout=60, check=False)

    def assertSyncedAt(self, result, db_path):
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn(f'Database: sqlite:///{db_path}', result.stdout)
        self.assertTrue(os.path.exists(db_path), db_path)

    def assertFailsCleanly(self, result, code, *words):
        self.assertEqual(code, result.returncode, result.stdout)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        for word in words:
            self.assertIn(word, lines[0])
        self.assertNotIn('Traceback', result.stderr)
        self.assertNotIn(SECRET, result.stdout + result.stderr)


class TestDatabaseSources(ManageConfigTest):

    def test_embedded_default_is_webdemo_db_in_working_directory(self):
        result = self.manage('db', 'sync')
        self.assertSyncedAt(result, os.path.join(self.home, 'webdemo.db'))

    def test_state_path_moves_the_default_database(self):
        state = os.path.join(self.home, 'state')
        os.mkdir(state)
        conf = self.write('a.conf', f'[DEFAULT]\nstate_path = {state}\n')
        result = self.manage('--config-file', conf, 'db', 'sync')
        self.assertSyncedAt(result, os.path.join(state, 'webdemo.db'))

    def test_config_file(self):
        db = os.path.join(self.home, 'from-file.db')
        conf = self.write('a.conf',
                          f'[database]\nconnection = sqlite:///{db}\n')
        self.assertSyncedAt(self.manage('--config-file', conf, 'db', 'sync'),
                            db)

    def test_config_dir(self):
        db = os.path.join(self.home, 'from-dir.db')
        self.write('conf.d/10-db.conf',
                   f'[database]\nconnection = sqlite:///{db}\n')
        result = self.manage('--config-dir', os.path.join(self.home, 'conf.d'),
                             'db', 'sync')
        self.assertSyncedAt(result, db)

    def test_environment_variable(self):
        db = os.path.join(self.home, 'from-env.db')
        result = self.manage('db', 'sync',
                             OS_DATABASE__CONNECTION=f'sqlite:///{db}')
        self.assertSyncedAt(result, db)

    def test_default_config_file_in_home(self):
        db = os.path.join(self.home, 'from-home.db')
        self.write('.webdemo/webdemo.conf',
                   f'[database]\nconnection = sqlite:///{db}\n')
        self.assertSyncedAt(self.manage('db', 'sync'), db)


_MALFORMED_CONF = '[database\nconnection = x\n'
_SQLITE_NOWHERE = 'sqlite:////nonexistent/dir/w.db'


class TestBadInput(testscenarios.WithScenarios, ManageConfigTest):
    """Configuration and command-line mistakes, table-driven.

    The database-side rows are in test_bad_input.
    """

    scenarios = [
        ('missing_config_file', dict(
            args=('--config-file', '/nonexistent/w.conf'),
            words=('/nonexistent/w.conf', 'not found'))),
        ('missing_config_dir', dict(
            args=('--config-dir', '/nonexistent/conf.d'),
            words=('/nonexistent/conf.d',))),
        ('config_file_is_a_directory', dict(
            args=('--config-file', '/'), words=('/',))),
        ('malformed_config_file', dict(
            conf=_MALFORMED_CONF, words=('malformed', 'line'))),
        ('empty_url', dict(url='', words=('empty',))),
        ('malformed_url_is_not_echoed', dict(
            url=f'nonsense {SECRET}', words=('not a database URL',))),
        ('unknown_dialect', dict(
            url=f'nosuchdb://u:{SECRET}@h/d',
            words=('unknown database dialect', '***'))),
        ('missing_driver', dict(
            url=f'mysql+mysqldb://u:{SECRET}@h/d',
            words=('not installed', 'mysqlclient'))),
        ('unopenable_sqlite_file', dict(
            url=_SQLITE_NOWHERE, words=('cannot connect',))),
        ('bad_option_value', dict(
            conf='[database]\nretry_interval = soon\n',
            words=('[database] retry_interval', 'invalid value'))),
        ('password_in_the_query_is_masked', dict(
            url=f'postgresql+psycopg2://u@127.0.0.1:1/d?password={SECRET}',
            words=('cannot connect', 'password=***'))),
        ('unencoded_at_in_the_password', dict(
            url=f'mysql+pymysql://u:p@{SECRET}@127.0.0.1/d',
            words=("'@'", '%40'))),
        ('slash_typed_for_at', dict(
            url=f'mysql+pymysql://u:{SECRET}/127.0.0.1/d',
            words=('port is not a number', '%2F'))),
        ('dollar_in_a_config_value', dict(
            conf=f'[database]\nconnection = mysql+pymysql://u:${SECRET}@h/d\n',
            words=('[database] connection', '"$$"'))),
        ('dollar_naming_a_group', dict(
            conf='[database]\nconnection = mysql+pymysql://u:$x.y@h/d\n',
            words=('[database] connection', '"$$"'))),
        ('dollar_naming_itself', dict(
            conf='[database]\nconnection = '
                 'mysql+pymysql://u:$database.connection@h/d\n',
            words=('[database] connection', '"$$"'))),
        ('question_mark_in_the_password', dict(
            url=f'postgresql+psycopg2://u:p?a@{SECRET}@127.0.0.1:1/d',
            words=("'@'", '%3F'))),
        ('empty_revision', dict(command=('db', 'sync', ''), code=127,
                                words=('REVISION is empty',))),
        ('blank_revision_to_stamp', dict(command=('db', 'stamp', ' '),
                                         code=127,
                                         words=('REVISION is empty',))),
        ('unknown_global_option', dict(
            args=('--bogus',), code=127, words=('--bogus',))),
        ('missing_category', dict(command=(), code=127,
                                  words=('CATEGORY',))),
        ('missing_command', dict(command=('db',), code=127,
                                 words=('COMMAND',))),
    ]
    args = ()
    conf = None
    url = None
    code = 1
    command = ('db', 'sync')

    def test_answered_cleanly(self):
        args = list(self.args)
        if self.conf is not None:
            args += ['--config-file', self.write('bad.conf', self.conf)]
        env = {} if self.url is None else {
            'OS_DATABASE__CONNECTION': self.url}
        result = self.manage(*args, *self.command, **env)
        self.assertFailsCleanly(result, self.code, *self.words)


class TestReadOnlyCommands(ManageConfigTest):
    """The commands that only read make no database and no lock file."""

    READ_ONLY = (('db', 'version'), ('db', 'version', '--check'),
                 ('db', 'history'), ('db', 'check'), ('db', 'sync', '--sql'))

    def test_a_missing_sqlite_file_is_an_error_not_a_new_database(self):
        db = os.path.join(self.home, 'typo.db')
        for command in self.READ_ONLY:
            result = self.manage(*command,
                                 OS_DATABASE__CONNECTION=f'sqlite:///{db}')
            self.assertFailsCleanly(result, 1, f'the file {db} does not '
                                    'exist', 'db sync to create it')
            self.assertEqual([], [name for name in os.listdir(self.home)
                                  if name.startswith('typo')], command)

    def test_nor_does_webdemo_status(self):
        db = os.path.join(self.home, 'typo.db')
        result = self.status('upgrade', 'check',
                             OS_DATABASE__CONNECTION=f'sqlite:///{db}')
        self.assertEqual(255, result.returncode, result.stdout)
        self.assertIn(f'the file {db} does not exist', result.stderr)
        self.assertFalse(os.path.exists(db))

    def test_no_lock_file_is_left_behind(self):
        db = os.path.join(self.home, 'w.db')
        env = {'OS_DATABASE__CONNECTION': f'sqlite:///{db}'}
        self.assertEqual(0, self.manage('db', 'sync', **env).returncode)
        os.remove(f'{db}.migration-lock')
        for command in self.READ_ONLY:
            result = self.manage(*command, **env)
            self.assertEqual(0, result.returncode, result.stderr)
            self.assertFalse(os.path.exists(f'{db}.migration-lock'), command)

    def test_an_unopenable_lock_file_stops_only_a_writer(self):
        # What a read-only file system does to the lock file, by other
        # means: a directory cannot be opened for writing either.
        db = os.path.join(self.home, 'w.db')
        env = {'OS_DATABASE__CONNECTION': f'sqlite:///{db}'}
        self.assertEqual(0, self.manage('db', 'sync', **env).returncode)
        os.remove(f'{db}.migration-lock')
        os.mkdir(f'{db}.migration-lock')
        self.assertIn('Status: at head',
                      self.manage('db', 'version', **env).stdout)
        self.assertFailsCleanly(
            self.manage('db', 'sync', **env), 1,
            f'cannot write the migration lock {db}.migration-lock',
            'make its directory writable')


class TestStatusBadInput(ManageConfigTest):
    """webdemo-status reads the same configuration: the same answers."""

    def test_a_dollar_in_a_password_is_named_not_shown(self):
        # oslo.config's own error names the word after the $.
        conf = self.write('webdemo.conf', '[database]\nconnection = '
                          'mysql+pymysql://u:x$Pa55word@h/d\n')
        result = self.status('--config-file', conf, 'upgrade', 'check')
        self.assertFailsCleanly(result, 255, '[database] connection', '"$$"')
        self.assertNotIn('Pa55word', result.stdout + result.stderr)


class TestUnknownOptions(ManageConfigTest):
    """An option nobody declares: a typo, named, never silently ignored."""

    def test_a_misspelt_database_option_is_refused_before_any_file(self):
        conf = self.write('webdemo.conf', '[database]\n'
                          f'conection = sqlite:///{self.home}/asked.db\n')
        for command in (('db', 'version'), ('db', 'sync')):
            with self.subTest(command=command):
                result = self.manage('--config-file', conf, *command)
                self.assertFailsCleanly(
                    result, 1, '[database] conection', conf,
                    'did you mean connection?')
        self.assertEqual(['webdemo.conf'], os.listdir(self.home))

    def test_a_misspelt_section_is_refused_too(self):
        conf = self.write('webdemo.conf', '[databse]\n'
                          f'connection = sqlite:///{self.home}/asked.db\n')
        self.assertFailsCleanly(self.manage('--config-file', conf, 'db',
                                            'version'),
                                1, 'did you mean [database] connection?')

    def test_elsewhere_a_warning_and_the_command_runs(self):
        conf = self.write('webdemo.conf', '[api]\nauth_stratgy = x\n'
                          '[keystone_authtoken]\nauth_type = password\n'
                          'auth_url = http://keystone\n')
        result = self.manage('--config-file', conf, 'db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(
            [f'webdemo-manage: warning: [api] auth_stratgy in {conf} is not '
             'an option webdemo knows, and is ignored: did you mean '
             'auth_strategy?'], result.stderr.strip().splitlines())

    def test_webdemo_status_fails_on_them(self):
        conf = self.write('webdemo.conf', '[api]\nauth_stratgy = x\n'
                          '[keystone_authtoken]\nauth_type = password\n'
                          'auth_url = http://keystone\nauth_urll = x\n')
        # A database to check: webdemo-status makes none.
        self.assertEqual(0, self.manage('db', 'sync').returncode)
        result = self.status('--config-file', conf, 'upgrade', 'check',
                             '--json')
        self.assertEqual(2, result.returncode, result.stderr)
        [check] = [check for check in json.loads(result.stdout)['checks']
                   if check['check'] == 'Configuration']
        self.assertEqual(2, check['result'])
        self.assertIn('[api] auth_stratgy', check['details'])
        self.assertIn('[keystone_authtoken] auth_urll', check['details'])
        self.assertNotIn('auth_url ', check['details'])


class TestOneSpellingForJson(ManageConfigTest):
    """--format json and --json, to webdemo-manage and webdemo-status."""

    def test_both_commands_take_both_spellings(self):
        conf = self.write('webdemo.conf', '[database]\nconnection = '
                          f'sqlite:///{self.home}/webdemo.db\n')
        # A database to read: the reading commands make none.
        self.assertEqual(0, self.manage('--config-file', conf, 'db',
                                        'sync').returncode)
        for command in (('db', 'version', '--json'),
                        ('db', 'version', '--format', 'json')):
            result = self.manage('--config-file', conf, *command)
            self.assertEqual('version', json.loads(result.stdout)['command'])
        for spelling in (['--json'], ['--format', 'json'],
                         ['--format=json']):
            result = self.status('--config-file', conf, 'upgrade', 'check',
                                 *spelling)
            self.assertIn('checks', json.loads(result.stdout), spelling)


class TestDebug(ManageConfigTest):

    def test_debug_adds_a_traceback_without_the_password(self):
        url = f'nosuchdb://u:{SECRET}@h/d'
        result = self.manage('--debug', 'db', 'sync',
                             OS_DATABASE__CONNECTION=url)
        self.assertEqual(1, result.returncode)
        self.assertIn('Traceback', result.stderr)
        self.assertNotIn(SECRET, result.stdout + result.stderr)


class TestHelp(ManageConfigTest):

    def test_every_level_documents_exit_codes(self):
        commands = ('sync', 'version', 'history', 'heads', 'branches',
                    'show', 'stamp', 'downgrade', 'check', 'revision',
                    'merge')
        for args in ((), ('db',), *(('db', name) for name in commands)):
            result = self.manage(*args, '--help')
            self.assertEqual(0, result.returncode, args)
            self.assertIn('exit codes:', result.stdout, args)
            self.assertIn('127', result.stdout, args)


class TestBareAlembic(ManageConfigTest):
    """Developers run `alembic` in webdemo/db/sqlalchemy, as the seed did."""

    def alembic(self, *args, **env):
        command = shutil.which('alembic', path=os.path.dirname(sys.executable))
        self.assertIsNotNone(command, 'alembic is not installed here')
        return subprocess.run(
            [command, *args], cwd=ALEMBIC_DIR, capture_output=True,
            text=True, timeout=120,
            env=manage_runner.clean_environment(self.home, **env))

    def test_upgrade_reads_webdemo_configuration(self):
        db = os.path.join(self.home, 'bare.db')
        result = self.alembic('upgrade', 'heads',
                              OS_DATABASE__CONNECTION=f'sqlite:///{db}')
        self.assertEqual(0, result.returncode, result.stderr)
        version = self.manage('db', 'version',
                              OS_DATABASE__CONNECTION=f'sqlite:///{db}')
        self.assertIn('Status: at head', version.stdout)

    def test_one_head_is_explained(self):
        db = os.path.join(self.home, 'bare.db')
        result = self.alembic('upgrade', 'head',
                              OS_DATABASE__CONNECTION=f'sqlite:///{db}')
        self.assertNotEqual(0, result.returncode)
        self.assertIn("webdemo's history has two heads, its expand and "
                      'contract branches', result.stderr)
        self.assertIn('`alembic upgrade heads` runs both', result.stderr)

    def test_config_file_through_x_argument(self):
        db = os.path.join(self.home, 'x-arg.db')
        conf = self.write('x.conf',
                          f'[database]\nconnection = sqlite:///{db}\n')
        result = self.alembic('-x', f'config-file={conf}', 'upgrade', 'heads')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertTrue(os.path.exists(db))

    def test_offline_sql_needs_no_database(self):
        url = 'postgresql+psycopg2://u:p@nowhere.invalid/webdemo'
        result = self.alembic('upgrade', 'heads', '--sql',
                              OS_DATABASE__CONNECTION=url)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('CREATE TABLE "user"', result.stdout)
        self.assertIn('ALTER TABLE account ADD COLUMN email', result.stdout)


class TestJsonErrors(ManageConfigTest):

    def test_failure_is_reported_as_json_too(self):
        result = self.manage('db', 'version', '--format', 'json',
                             OS_DATABASE__CONNECTION='sqlite:////nonexistent/'
                                                     'dir/w.db')
        self.assertEqual(1, result.returncode)
        report = json.loads(result.stdout)
        self.assertEqual(('version', 1), (report['command'],
                                          report['exit_code']))
        self.assertIn('cannot connect', report['error'])
        self.assertEqual(1, len(result.stderr.strip().splitlines()))
