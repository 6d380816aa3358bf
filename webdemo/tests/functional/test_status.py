"""webdemo-status upgrade check (oslo.upgradecheck) through the installed
command, on SQLite, MariaDB/MySQL and PostgreSQL, in each phase."""

import json
import os
import shutil
import subprocess
import sys

from oslotest import base

from webdemo.db.rolling import services
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner
from webdemo.tests.functional.previous_release import release as previous
from webdemo.tests.functional.previous_release import users as old_users


class UpgradeCheck(runner.ManageTestMixin):

    def status(self, url=None, conf=None):
        command = shutil.which('webdemo-status',
                               path=os.path.dirname(sys.executable))
        self.assertIsNotNone(command, 'webdemo-status is not installed here')
        result = subprocess.run(
            [command, '--config-file', conf or self.empty_conf, 'upgrade',
             'check',
             '--json'], capture_output=True, text=True, timeout=120,
            env=runner.clean_environment(
                self.home, OS_DATABASE__CONNECTION=url or self.url,
                OS_DATABASE__MAX_RETRIES='0'))
        checks = {}
        if result.stdout.strip():
            checks = {check['check']: (check['result'], check['details'])
                      for check in json.loads(result.stdout)['checks']}
        return result.returncode, checks, result.stderr

    def test_each_phase_says_what_is_next(self):
        self.put_at('948ccd040506')
        old = old_users.Users(self.engine)
        old.create('u-1', 'alice')
        code, checks, _ = self.status()
        self.assertEqual(1, code)
        self.assertIn('db sync --expand', checks['Database schema'][1])
        self.assertOk(self.manage('db', 'sync', '--expand'))
        registration = services.Registration(
            self.engine, previous.NAME, previous.LEVEL, 30)
        registration.register()
        self.addCleanup(registration.leave)
        code, checks, _ = self.status()
        self.assertEqual(1, code)
        self.assertEqual((1, 'rows left to move: user_username 1, '
                             'project_ids 1'),
                         checks['Online data migrations'])
        self.assertIn(f'release {previous.NAME} (level 1) on',
                      checks['Services of the previous release'][1])
        registration.leave()
        self.assertOk(self.manage('db', 'sync',
                                  OS_API__DEFAULT_PROJECT_ID='project-a'))
        code, checks, _ = self.status()
        self.assertEqual(0, code, checks)
        self.assertEqual({0}, {result for result, _ in checks.values()})

    def test_an_unknown_revision_is_a_failure(self):
        self.put_at_unknown_revision()
        code, checks, _ = self.status()
        self.assertEqual(2, code)
        self.assertEqual(2, checks['Database schema'][0])

    def test_an_unreachable_database_is_one_line(self):
        code, checks, stderr = self.status(
            url=f'mysql+pymysql://u:{runner.SECRET}@127.0.0.1:1/x')
        self.assertEqual((255, {}), (code, checks))
        self.assertEqual(1, len(stderr.strip().splitlines()), stderr)
        self.assertIn('cannot connect to the database', stderr)
        self.assertNotIn(runner.SECRET, stderr)

    def test_a_json_policy_file_is_a_failure(self):
        self.assertOk(self.manage('db', 'sync'))
        for name, text, expected in (
                ('policy.yaml', '"webdemo:user:delete": "role:admin"\n', 0),
                ('policy.json', '{"webdemo:user:delete": "role:admin"}\n',
                 2)):
            policy_file = os.path.join(self.home, name)
            conf = os.path.join(self.home, f'{name}.conf')
            with open(policy_file, 'w') as out:
                out.write(text)
            with open(conf, 'w') as out:
                out.write(f'[oslo_policy]\npolicy_file = {policy_file}\n')
            code, checks, _ = self.status(conf=conf)
            self.assertEqual((expected, expected),
                             (code, checks['Policy file'][0]), checks)


class TestUpgradeCheckSQLite(UpgradeCheck, db_fixtures.SQLiteFileMixin,
                             base.BaseTestCase):
    pass


class TestUpgradeCheckMySQL(UpgradeCheck, db_fixtures.MySQLMixin,
                            db_fixtures.DatabaseTestCase):
    pass


class TestUpgradeCheckPostgreSQL(UpgradeCheck, db_fixtures.PostgreSQLMixin,
                                 db_fixtures.DatabaseTestCase):
    pass
