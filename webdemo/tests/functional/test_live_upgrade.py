"""A live rolling upgrade under load, on MariaDB/MySQL and PostgreSQL.

The previous release's service (previous_release/api.py, frozen) serves
under a bounded load (load.py) on loopback; then, with the load going
on: db sync --expand, this release's webdemo-api started beside it, db
online_data_migrations, a contract attempted while the old service runs
(refused; both keep serving), the old service stopped, the data
migrations once more, db sync --contract. No request may fail, and every
user a client was told it created must be readable at the end. The
figures per phase are printed.
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.request


from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import load as load_module
from webdemo.tests.functional import manage_runner as runner

BEFORE_SPLIT = '948ccd040506'
_MEMBER = api_fixtures.CALLERS['member-a'].headers('http_basic')
# Each phase runs at least this long under load.
DWELL = 3


class LiveUpgrade(runner.ManageTestMixin):

    def serve(self, name, command):
        port = runner.free_port()
        log = open(os.path.join(self.home, f'{name}.log'), 'w+')
        self.addCleanup(log.close)
        process = subprocess.Popen(
            command(port), stdout=log, stderr=subprocess.STDOUT,
            env=runner.clean_environment(
                self.home, OS_DATABASE__CONNECTION=self.url,
                OS_API__SCHEMA_CHECK_INTERVAL='1'))
        self.addCleanup(_stop, process)
        base_url = f'http://127.0.0.1:{port}'
        deadline = time.monotonic() + 60
        while not _healthy(base_url):
            self.assertIsNone(process.poll(), f'{name} exited')
            self.assertLess(time.monotonic(), deadline, f'{name} silent')
            time.sleep(0.2)
        return process, base_url

    def old_service(self):
        gunicorn = shutil.which('gunicorn',
                                path=os.path.dirname(sys.executable))
        return self.serve('previous', lambda port: [
            gunicorn, '--workers', '2', '--bind', f'127.0.0.1:{port}',
            'webdemo.tests.functional.previous_release.api:application'])

    def new_service(self):
        command = shutil.which('webdemo-api',
                               path=os.path.dirname(sys.executable))
        return self.serve('new', lambda port: [
            command, '--workers', '2', '--port', str(port), '--config-file',
            api_fixtures.write_http_basic(self.home)])

    def phase(self, load, name):
        load.phase = name
        time.sleep(DWELL)

    def test_no_request_fails_across_the_upgrade(self):
        self.put_at(BEFORE_SPLIT)
        old, old_url = self.old_service()
        # The previous release authenticates no one and ignores the
        # credentials this one needs.
        load = load_module.Load(headers=_MEMBER)
        load.phase = '1 previous release'
        load.start([old_url])
        self.addCleanup(load.stop)
        self.phase(load, '1 previous release')
        load.phase = '2 expand'
        self.assertOk(self.manage('db', 'sync', '--expand'))
        new, new_url = self.new_service()
        load.targets = [old_url, new_url]
        self.phase(load, '3 both releases')
        load.phase = '4 data migrations'
        # The previous release still writes rows the old way: some may
        # arrive after the run's last batch (exit 1: run it again).
        moved = self.manage('db', 'online_data_migrations')
        self.assertIn(moved.returncode, (0, 1), moved.stderr)
        refused = self.manage('db', 'sync', '--contract')
        self.assertFailsCleanly(refused, 12, 'release previous (level 1) on')
        self.phase(load, '5 contract refused')
        load.targets = [new_url]
        time.sleep(2)
        _stop(old)
        self.phase(load, '6 previous stopped')
        load.phase = '7 contract'
        self.assertOk(self.manage('db', 'online_data_migrations'))
        self.assertOk(self.manage('db', 'sync', '--contract'))
        self.phase(load, '8 contracted')
        # Every client was still at work: none died on an error unseen.
        self.assertEqual(4, load.alive())
        load.stop()
        print(f'\n{self.engine.dialect.name}:\n{load.report()}')
        self.assertEqual({}, {phase: errors[:5] for phase, errors
                              in load.errors.items() if errors})
        # Requests ran in every phase, not only in some.
        self.assertEqual(
            ['1 previous release', '2 expand', '3 both releases',
             '4 data migrations', '5 contract refused', '6 previous stopped',
             '7 contract', '8 contracted'], sorted(load.latencies))
        self.assertGreater(len(load.created), 50)
        self._all_readable(new_url, load.created)

    def _all_readable(self, base_url, created):
        found, marker = {}, None
        while True:
            body = load_module.get_json(
                f'{base_url}/v1/users?limit=1000' +
                (f'&marker={marker}' if marker else ''), headers=_MEMBER)
            found.update((user['id'], user['username'])
                         for user in body['users'])
            if not body['links']:
                break
            marker = body['users'][-1]['id']
        self.assertEqual([], [pair for pair in created
                              if found.get(pair[0]) != pair[1]])


def _healthy(base_url):
    try:
        with urllib.request.urlopen(f'{base_url}/healthcheck',
                                    timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _stop(process):
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=60)


class TestLiveUpgradeMySQL(LiveUpgrade, db_fixtures.MySQLMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestLiveUpgradePostgreSQL(LiveUpgrade, db_fixtures.PostgreSQLMixin,
                                db_fixtures.DatabaseTestCase):
    pass
