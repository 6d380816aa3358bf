"""A live rolling upgrade from the real previous release, under load.

The previous release (released.py: installed from git at its commit,
in a virtualenv of its own) creates its schema with its own db sync and
serves under a bounded load (load.py) on loopback; then, with the load
going on: this release's db sync --expand, this release's webdemo-api
started beside it, db online_data_migrations, a contract attempted
while the old service runs (refused; both keep serving), the old
service stopped, the data migrations once more, db sync --contract. No
request may fail, and every user a client was told it created must be
readable at the end, in its project. The figures per phase are printed.

Both releases authenticate with http_basic, the clients as the member
of project-a, which is also [api] default_project_id: the project the
previous release's rows (written without one) belong to.
"""

import os
import subprocess

import sqlalchemy

from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import load as load_module
from webdemo.tests.functional import manage_runner as runner
from webdemo.tests.functional import released

MEMBER = api_fixtures.CALLERS['member-a']
PROJECT = MEMBER.project
# Requests answered in a phase before the next step.
PER_PHASE = 40
PHASES = ['1 previous release', '2 expand', '3 both releases',
          '4 data migrations', '5 contract refused', '6 previous stopped',
          '7 contract', '8 contracted']


class LiveUpgrade(api_fixtures.ApiServerMixin):
    """The scenario; the concrete class gives self.url and self.engine."""

    SERVE_AT_HEAD = False

    def setUp(self):
        super().setUp()
        self.previous_bin = released.install()
        self.conf = api_fixtures.write_http_basic(self.home)

    def api_environment(self):
        return {**super().api_environment(),
                'OS_API__DEFAULT_PROJECT_ID': PROJECT}

    def serve(self, name, command, environment=None):
        log = open(os.path.join(self.home, f'{name}.log'), 'w+')
        self.addCleanup(log.close)
        port = runner.free_port()
        self.log, self.base = log, f'http://127.0.0.1:{port}'
        process = subprocess.Popen(
            [*command, '--workers', '2', '--port', str(port),
             '--config-file', self.conf],
            stdout=log, stderr=subprocess.STDOUT,
            env=environment or self.api_environment())
        self.addCleanup(self.stop_api, process)
        self._wait_until_serving(process)
        return process, self.base

    def previous(self, command):
        return os.path.join(self.previous_bin, command)

    def previous_environment(self):
        # Its own installed code only: a PYTHONPATH naming this tree
        # would run this release under the previous one's name.
        environment = self.api_environment()
        environment.pop('PYTHONPATH', None)
        return environment

    def phase(self, load, name):
        load.phase = name
        load.wait_for_requests(name, PER_PHASE)

    def test_no_request_fails_across_the_upgrade(self):
        # The previous release's schema, by its own db sync.
        self.assertOk(subprocess.run(
            [self.previous('webdemo-manage'), '--config-file', self.conf,
             'db', 'sync'], capture_output=True, text=True, timeout=300,
            env=self.previous_environment()))
        old, old_url = self.serve('previous', [self.previous('webdemo-api')],
                                  self.previous_environment())
        load = load_module.Load(headers=MEMBER.headers('http_basic'))
        load.phase = PHASES[0]
        load.start([old_url])
        self.addCleanup(load.stop)
        self.phase(load, PHASES[0])
        load.phase = PHASES[1]
        self.assertOk(self.manage('db', 'sync', '--expand'))
        new, new_url = self.serve('new', self.api_command())
        load.retarget([old_url, new_url])
        self.phase(load, PHASES[2])
        self.move_data_and_contract(load, old, new_url)
        print(f'\n{self.engine.dialect.name}:\n{load.report()}')
        self.assertEqual({}, {phase: errors[:5] for phase, errors
                              in load.errors.items() if errors},
                         f'this release\'s log ends: '
                         f'{self.server_log()[-3000:]}')
        # Requests ran in every phase, not only in some.
        self.assertEqual(PHASES, sorted(load.latencies))
        self.assertGreater(len(load.created), 50)
        self.assertAllReadable(new_url, load.created)

    def move_data_and_contract(self, load, old, new_url):
        load.phase = PHASES[3]
        # The previous release still writes rows without a project: some
        # may arrive after the run's last batch (exit 1: run it again).
        moved = self.manage('db', 'online_data_migrations',
                            OS_API__DEFAULT_PROJECT_ID=PROJECT)
        self.assertIn(moved.returncode, (0, 1), moved.stderr)
        refused = self.manage('db', 'sync', '--contract')
        self.assertFailsCleanly(refused, 12,
                                f'(level {released.PREVIOUS_LEVEL}) on')
        self.phase(load, PHASES[4])
        load.retarget([new_url])
        self.stop_api(old)
        self.phase(load, PHASES[5])
        load.phase = PHASES[6]
        self.assertOk(self.manage('db', 'online_data_migrations',
                                  OS_API__DEFAULT_PROJECT_ID=PROJECT))
        self.assertOk(self.manage('db', 'sync', '--contract'))
        self.phase(load, PHASES[7])
        # Every client was still at work: none died on an error unseen.
        self.assertEqual(4, load.alive())
        load.stop()

    def assertAllReadable(self, base_url, created):
        found, marker = {}, None
        while True:
            body = load_module.get_json(
                f'{base_url}/v1/users?limit=1000' +
                (f'&marker={marker}' if marker else ''),
                headers=MEMBER.headers('http_basic'))
            found.update((user['id'], (user['username'], user['project_id']))
                         for user in body['users'])
            if not body['links']:
                break
            marker = body['users'][-1]['id']
        self.assertEqual([], [(key, name) for key, name in created
                              if found.get(key) != (name, PROJECT)])
        with self.engine.connect() as connection:
            owners = connection.execute(sqlalchemy.text(
                'SELECT DISTINCT project_id FROM ' +
                connection.dialect.identifier_preparer.quote('user')
            )).scalars().all()
        self.assertEqual([PROJECT], owners)
