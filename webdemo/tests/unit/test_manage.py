"""webdemo-manage's parsing and exit codes; commands are stubbed, no
database is touched here (tests/functional runs the real thing)."""

import gc
import io
import sys

import fixtures
from oslotest import base

from webdemo.cmd import db_commands
from webdemo.cmd import exit_codes
from webdemo.cmd import manage
from webdemo.cmd import manage_parser
from webdemo.cmd import render
from webdemo.db.rolling import online_migrations
from webdemo.db.state import judge as state
from webdemo.db.state import schema_check
from webdemo import exception


class TestParser(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.stderr = self.useFixture(
            fixtures.MonkeyPatch('sys.stderr', io.StringIO())).new_value

    def _exit_code(self, argv):
        parser = manage_parser.build_parser()
        error = self.assertRaises(SystemExit, parser.parse_args, argv)
        return error.code

    def test_bad_arguments_exit_127_with_one_line(self):
        for argv in (['db', 'sink'], ['--bogus', 'db', 'sync'], [],
                     ['db', 'sync', 'a', 'b']):
            self.stderr.seek(0)
            self.stderr.truncate()
            self.assertEqual(exit_codes.INVALID_INPUT, self._exit_code(argv))
            self.assertEqual(1, len(self.stderr.getvalue().splitlines()))

    def test_sync_revision_is_optional(self):
        args = manage_parser.build_parser().parse_args(['db', 'sync'])
        self.assertIsNone(args.revision)
        args = manage_parser.build_parser().parse_args(['db', 'sync', 'abc'])
        self.assertEqual('abc', args.revision)

    def test_dialect_choices_are_the_backends(self):
        from webdemo.db import backends
        parser = manage_parser.build_parser()
        for dialect in backends.DIALECTS:
            self.assertEqual(dialect, parser.parse_args(
                ['db', 'sync', '--sql', '--dialect', dialect]).dialect)
        self.assertEqual(exit_codes.INVALID_INPUT,
                         self._exit_code(['db', 'sync', '--sql', '--dialect',
                                          'oracle']))

    def test_dialect_without_sql_is_refused(self):
        error = self.assertRaises(SystemExit, manage.main,
                                  ['db', 'sync', '--dialect', 'mysql'])
        self.assertEqual(exit_codes.INVALID_INPUT, error.code)
        self.assertIn('use it with --sql', self.stderr.getvalue())

    def test_config_options_repeat(self):
        args = manage_parser.build_parser().parse_args(
            ['--config-file', 'a', '--config-file', 'b', '--config-dir', 'd',
             'db', 'version'])
        self.assertEqual(['--config-file', 'a', '--config-file', 'b',
                          '--config-dir', 'd'],
                         manage._oslo_config_args(args))


class TestExitCodes(base.BaseTestCase):

    def _run_with(self, error):
        def handler(conf, args):
            raise error
        self.useFixture(fixtures.MonkeyPatch(
            'webdemo.cmd.db_commands.version', handler))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', io.StringIO()))
        home = self.useFixture(fixtures.TempDir()).path
        empty = f'{home}/empty.conf'
        open(empty, 'w').close()
        return manage.main(['--config-file', empty, 'db', 'version'])

    def test_each_error_class_has_its_code(self):
        cases = [
            (exception.UnknownDatabaseRevision(['fffffffffff0']), 3),
            (exception.UnversionedDatabase('alembic_version'), 4),
            (exception.UnmappedLegacyVersion(9, [1, 2]), 4),
            (exception.UpgradePending('abc (upgrade pending)'), 2),
            (exception.MigrationLockTimeout(2, None), 5),
            (exception.InterruptedMigration('upgrade', ['abc']), 7),
            (exception.InvalidRevision('x'), 127),
            (exception.ConfirmationRequired(['table account']), 127),
            (exception.MigrationError('revision abc', 'boom'), 1),
            (exception.DatabaseConnectionError('x'), 1),
            (exception.ConfigurationError('x'), 1),
            (RuntimeError('surprise'), 1),
            (KeyboardInterrupt(), 130),
        ]
        for error, code in cases:
            self.assertEqual(code, self._run_with(error), repr(error))


class TestCollector(base.BaseTestCase):
    """The cycle collector: frozen after the imports, in our own process."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'webdemo.cmd.db_commands.version', self._version))
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        home = self.useFixture(fixtures.TempDir()).path
        self.argv = ['--config-file', f'{home}/empty.conf', 'db', 'version']
        open(self.argv[1], 'w').close()
        self.addCleanup(gc.enable)
        self.addCleanup(gc.unfreeze)
        self.seen = None

    def _version(self, conf, args):
        self.seen = (gc.isenabled(), gc.get_freeze_count())
        return exit_codes.OK

    def test_the_console_script_runs_its_command_frozen_and_collecting(self):
        gc.unfreeze()
        self.useFixture(fixtures.MonkeyPatch(
            'sys.argv', ['webdemo-manage'] + self.argv))
        self.assertEqual(exit_codes.OK, manage.main())
        enabled, frozen = self.seen
        self.assertTrue(enabled)
        self.assertGreater(frozen, 0)

    def test_a_caller_keeps_its_collector_as_it_was(self):
        gc.unfreeze()
        self.assertEqual(exit_codes.OK, manage.main(self.argv))
        self.assertEqual((True, 0), self.seen)


class TestCheckCodes(base.BaseTestCase):
    """db version --check and db check: a code for every status."""

    def _state(self, status, legacy_revision=None):
        return state.DatabaseState((), (), status, legacy_version=(
            1 if status == state.Status.LEGACY else None),
            legacy_revision=legacy_revision)

    def test_every_status_has_its_documented_code(self):
        expected = {
            state.Status.AT_HEAD: 0, state.Status.EMPTY: 2,
            state.Status.UPGRADE_PENDING: 2,
            state.Status.DATA_MIGRATIONS_PENDING: 13,
            state.Status.CONTRACT_PENDING: 14,
            state.Status.UNKNOWN_REVISION: 3, state.Status.UNVERSIONED: 4,
            state.Status.CHANGED_SCRIPT: 6, state.Status.INTERRUPTED: 7,
            state.Status.LEGACY: 4,
        }
        self.assertEqual(set(state.Status), set(expected))
        for status, code in expected.items():
            self.assertEqual(code, db_commands.check_code(
                self._state(status)), status)
        self.assertEqual(2, db_commands.check_code(
            self._state(state.Status.LEGACY, legacy_revision='abc')))

    def test_db_check_codes(self):
        drift = schema_check.Difference('add_table', 'table', 't', 'x')
        changed = schema_check.changed_script('abc')
        self.assertEqual((0, 2, 6, 6), (
            db_commands._check_exit_code([]),
            db_commands._check_exit_code([drift]),
            db_commands._check_exit_code([changed]),
            db_commands._check_exit_code([drift, changed])))

    def test_every_code_is_in_help(self):
        for code in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                     16, 127, 130, 143):
            self.assertIn(f'\n  {code} ', exit_codes.HELP)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class TestDataMigrationOutput(base.BaseTestCase):

    def shown(self, stdout, terminal):
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        progress = render.DataProgress(terminal=terminal, refresh=0)
        result = online_migrations.Result('copy_names', at_start=200)
        for rows in (50, 50):
            result.completed += rows
            progress.batch(result, rows)
        progress.done()
        return stdout.getvalue()

    def test_a_terminal_gets_a_bar_with_rate_and_time_left(self):
        shown = self.shown(_Terminal(), True)
        self.assertIn('copy_names', shown)
        self.assertIn('100/200', shown)
        # Cleared at the end: the summary line follows on a clean line.
        self.assertTrue(shown.endswith('\r'), repr(shown[-80:]))
        self.assertRegex(shown, r'rows/s')
        self.assertRegex(shown, r'<\d\d:\d\d')

    def test_a_pipe_gets_nothing_per_batch(self):
        self.assertEqual('', self.shown(io.StringIO(), False))

    def test_the_summary_says_rows_time_rate_or_the_failure(self):
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        render.data_summaries([
            online_migrations.Result('a', completed=2500, seconds=2.0),
            online_migrations.Result('b'),
            online_migrations.Result('c', error='ValueError: x')])
        self.assertEqual(
            'Online data migration a: moved 2,500 rows in 2.0 s, 1,250 '
            'rows/s.\nOnline data migration c: moved 0 rows in 0.0 s; '
            'failed: ValueError: x\n', sys.stdout.getvalue())

    def test_exit_codes(self):
        self.assertEqual((0, 1, 2), (exit_codes.DATA_MIGRATED,
                                     exit_codes.DATA_LEFT,
                                     exit_codes.DATA_MIGRATION_FAILED))
        for status, code in (('done', 0), ('more', 1), ('failed', 2)):
            self.assertEqual(code, db_commands._DATA_CODES[status])
