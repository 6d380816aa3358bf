import configparser
import os

import fixtures
from oslo_config import cfg
from oslotest import base

from webdemo import conf as webdemo_conf
from webdemo.conf import unknown

GENERATOR = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc',
                         'webdemo', 'webdemo-config-generator.conf')


class TestDeclared(base.BaseTestCase):

    def test_the_namespaces_are_the_sample_configs(self):
        parser = configparser.ConfigParser(strict=False)
        with open(GENERATOR) as generator:
            text = generator.read()
        namespaces = [line.split('=', 1)[1].strip()
                      for line in text.splitlines()
                      if line.startswith('namespace')]
        parser.read_string(text)
        self.assertEqual(list(unknown.NAMESPACES), namespaces)

    def test_manage_passes_over_exactly_the_api_libraries_sections(self):
        everything = unknown.declared_by(unknown.NAMESPACES)
        manage = unknown.declared_by(unknown.MANAGE_NAMESPACES)
        self.assertEqual(set(everything) - set(manage),
                         set(unknown.LIBRARY_SECTIONS))


class TestFind(base.BaseTestCase):

    def find(self, text, **kwargs):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'webdemo.conf')
        with open(path, 'w') as conf_file:
            conf_file.write(text)
        conf = cfg.ConfigOpts()
        webdemo_conf.load(conf, ['--config-file', path])
        return [(found.section, found.name, found.nearest)
                for found in unknown.find(conf, **kwargs)]

    def test_a_typo_is_named_with_the_nearest_option(self):
        self.assertEqual([('database', 'conection', 'connection')],
                         self.find('[database]\nconection = x\n'))

    def test_a_misspelt_section_points_at_the_right_one(self):
        self.assertEqual(
            [('databse', 'connection', '[database] connection')],
            self.find('[databse]\nconnection = x\n'))

    def test_known_and_deprecated_names_pass(self):
        # oslo.log still reads logfile; a dash stands for an underscore.
        self.assertEqual([], self.find(
            '[DEFAULT]\ndebug = true\nlogfile = /tmp/x.log\n'
            '[database]\nmax-retries = 2\n[api]\nauth_strategy = noauth2\n'))

    def test_manage_passes_over_the_api_libraries(self):
        text = '[keystone_authtoken]\nauth_typo = x\n'
        self.assertEqual([], self.find(text))
        self.assertEqual(
            [('keystone_authtoken', 'auth_typo', 'auth_type')],
            self.find(text, namespaces=unknown.NAMESPACES, passed_over=()))

    def test_the_auth_plugins_options_count_once_it_is_named(self):
        options = '[keystone_authtoken]\n{}auth_url = http://k\n'
        everything = dict(namespaces=unknown.NAMESPACES, passed_over=())
        named = options.format('auth_type = password\n')
        self.assertEqual([], self.find(named, **everything))
        self.assertEqual(['auth_url'], [
            name for _, name, _ in self.find(options.format(''),
                                             **everything)])
