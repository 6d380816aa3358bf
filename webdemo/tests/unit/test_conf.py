import os

import fixtures
from oslo_config import cfg
from oslotest import base

from webdemo import conf as webdemo_conf
from webdemo import exception


class TestLoad(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_DATABASE__CONNECTION'))
        self.conf = cfg.ConfigOpts()

    def _file(self, text):
        path = os.path.join(self.dir, 'w.conf')
        with open(path, 'w') as conf_file:
            conf_file.write(text)
        return path

    def test_default_is_sqlite_in_state_path(self):
        webdemo_conf.load(self.conf, ['--config-file', self._file(
            f'[DEFAULT]\nstate_path = {self.dir}\n')])
        self.assertEqual(f'sqlite:///{self.dir}/webdemo.db',
                         self.conf.database.connection)

    def test_environment_overrides_default(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_DATABASE__CONNECTION', 'sqlite:///from-env.db'))
        webdemo_conf.load(self.conf, ['--config-file', self._file('')])
        self.assertEqual('sqlite:///from-env.db',
                         self.conf.database.connection)

    def test_connection_is_a_secret_option(self):
        webdemo_conf.load(self.conf, ['--config-file', self._file('')])
        self.assertTrue(self.conf._get_opt_info(
            'connection', 'database')['opt'].secret)

    def test_missing_file_is_a_configuration_error(self):
        error = self.assertRaises(
            exception.ConfigurationError, webdemo_conf.load, self.conf,
            ['--config-file', '/nonexistent.conf'])
        self.assertIn('/nonexistent.conf', str(error))

    def test_parse_error_names_the_file(self):
        path = self._file('[database\n')
        error = self.assertRaises(exception.ConfigurationError,
                                  webdemo_conf.load, self.conf,
                                  ['--config-file', path])
        self.assertIn(path, str(error))
