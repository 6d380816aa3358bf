"""webdemo-manage's parsing and exit codes; commands are stubbed, no
database is touched here (tests/functional runs the real thing)."""

import io

import fixtures
from oslotest import base

from webdemo.cmd import exit_codes
from webdemo.cmd import manage
from webdemo import exception


class TestParser(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.stderr = self.useFixture(
            fixtures.MonkeyPatch('sys.stderr', io.StringIO())).new_value

    def _exit_code(self, argv):
        error = self.assertRaises(SystemExit, manage.build_parser().parse_args,
                                  argv)
        return error.code

    def test_bad_arguments_exit_127_with_one_line(self):
        for argv in (['db', 'sink'], ['--bogus', 'db', 'sync'], [],
                     ['db', 'sync', 'a', 'b']):
            self.stderr.seek(0)
            self.stderr.truncate()
            self.assertEqual(exit_codes.INVALID_INPUT, self._exit_code(argv))
            self.assertEqual(1, len(self.stderr.getvalue().splitlines()))

    def test_sync_revision_is_optional(self):
        args = manage.build_parser().parse_args(['db', 'sync'])
        self.assertIsNone(args.revision)
        args = manage.build_parser().parse_args(['db', 'sync', 'abc'])
        self.assertEqual('abc', args.revision)

    def test_config_options_repeat(self):
        args = manage.build_parser().parse_args(
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
            (exception.UnknownDatabaseRevision('x'), 3),
            (exception.UnversionedDatabase('x'), 4),
            (exception.UpgradePending('x'), 2),
            (exception.InvalidRevision('x'), 127),
            (exception.ConfirmationRequired('x'), 127),
            (exception.MigrationError('x'), 1),
            (exception.DatabaseConnectionError('x'), 1),
            (RuntimeError('surprise'), 1),
            (KeyboardInterrupt(), 130),
        ]
        for error, code in cases:
            self.assertEqual(code, self._run_with(error), repr(error))
