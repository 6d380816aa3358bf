"""A real webdemo-api on loopback, and the callers the tests send.

The callers are the users of two projects in each role, one user who
authenticates but holds no role, and anonymous; each can present itself
the way the server's auth_strategy wants: a token from the real
Keystone that tools/keystone.sh serves (at $WEBDEMO_KEYSTONE_URL),
HTTP basic credentials (a bcrypt htpasswd file written here) or
noauth2's identity headers. Without that Keystone the keystone tests
skip, or fail when WEBDEMO_TEST_REQUIRE_BACKENDS is set (CI).
"""

import base64
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import bcrypt
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner

KEYSTONE_URL = os.environ.get('WEBDEMO_KEYSTONE_URL',
                              'http://127.0.0.1:15000/v3')
PROJECT_A = 'project-a'
PROJECT_B = 'project-b'
ROLES = ('reader', 'member', 'admin')


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who a request says it comes from.

    :ivar name: the user name (None: anonymous)
    :ivar project: the project the user holds role in (None: none)
    :ivar role: reader, member or admin (None: no role)
    """
    name: str = None
    project: str = None
    role: str = None

    @property
    def password(self):
        return f'{self.name}-Pa55word'

    def headers(self, strategy):
        """The request headers that present this caller."""
        if self.name is None:
            return {}
        if strategy == 'keystone':
            return {'X-Auth-Token': _access(self).auth_token}
        if strategy == 'noauth2':
            return {'X-User-Id': self.name,
                    'X-Project-Id': self.project or '',
                    'X-Roles': self.role or ''}
        token = base64.b64encode(
            f'{self.name}:{self.password}'.encode()).decode()
        return {'Authorization': f'Basic {token}'}


_ACCESS = {}


def _access(caller):
    """caller's Keystone token, scoped to its project (if any).

    Got as a client gets one (keystoneauth1), once per caller and test
    process: a token lives an hour.
    """
    if caller not in _ACCESS:
        scope = ({'project_name': caller.project,
                  'project_domain_id': 'default'} if caller.project else {})
        session = ks_session.Session(auth=v3.Password(
            auth_url=KEYSTONE_URL, username=caller.name,
            password=caller.password, user_domain_id='default', **scope))
        _ACCESS[caller] = session.auth.get_access(session)
    return _ACCESS[caller]


def keystone_reachable():
    try:
        return bool(_access(Caller('webdemo', 'service')).auth_token)
    except ks_exceptions.ClientException:
        return False


ANONYMOUS = Caller()
NOBODY = Caller('nobody')
# The member the API reference's samples were taken as (api-ref/source).
SAMPLE = Caller('ada', '6b1f9e2d4c8a4e0f9d3b7a5c2e1f8d40', 'member')
CALLERS = {f'{role}-{project[-1]}': Caller(f'{role}-{project[-1]}', project,
                                           role)
           for project in (PROJECT_A, PROJECT_B) for role in ROLES}


def _write(home, name, text):
    path = os.path.join(home, name)
    with open(path, 'w') as out:
        out.write(text)
    return path


def _hashed(password):
    # bcrypt's lowest cost keeps the tests quick; the server checks the
    # hash the same way whatever its cost.
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()


def write_http_basic(home,
                     callers=tuple(CALLERS.values()) + (NOBODY, SAMPLE)):
    """A config file for http_basic knowing callers; its path."""
    htpasswd = _write(home, 'htpasswd', ''.join(
        f'{caller.name}:{_hashed(caller.password)}\n' for caller in callers))
    assigned = ', '.join(f'{caller.name}:{caller.project}:{caller.role}'
                         for caller in callers if caller.role)
    return _write(home, 'http_basic.conf',
                  f'[api]\nauth_strategy = http_basic\n'
                  f'http_basic_assignments = {assigned}\n'
                  f'[oslo_middleware]\n'
                  f'http_basic_auth_user_file = {htpasswd}\n')


def write_keystone(home):
    """A config file for keystone, as the webdemo service user."""
    service = Caller('webdemo', 'service')
    return _write(home, 'keystone.conf',
                  f'[api]\nauth_strategy = keystone\n'
                  f'[keystone_authtoken]\n'
                  f'www_authenticate_uri = {KEYSTONE_URL}\n'
                  f'auth_url = {KEYSTONE_URL}\n'
                  f'auth_type = password\n'
                  f'username = {service.name}\n'
                  f'password = {service.password}\n'
                  f'project_name = {service.project}\n'
                  f'user_domain_id = default\nproject_domain_id = default\n')


def write_noauth2(home):
    return _write(home, 'noauth2.conf', '[api]\nauth_strategy = noauth2\n')


class ApiServerMixin(runner.ManageTestMixin):
    """Serves webdemo-api on self.url's database, one worker, loopback.

    AUTH_STRATEGY picks the configuration; request() sends as a caller
    (by default the member of project A).
    """

    AUTH_STRATEGY = 'http_basic'
    # False: the test brings the schema and the service up itself.
    SERVE_AT_HEAD = True
    # [api] schema_check_interval: seconds between the guard's reads.
    SCHEMA_CHECK_INTERVAL = 1

    def setUp(self):
        super().setUp()
        if self.AUTH_STRATEGY == 'keystone' and not keystone_reachable():
            message = (f'no Keystone at {KEYSTONE_URL}: run '
                       f'tools/keystone.sh start')
            if db_fixtures.backends_required():
                self.fail(message)
            self.skipTest(message)
        if self.SERVE_AT_HEAD:
            self.serve_at_head()

    def serve_at_head(self):
        """db sync, then this release's webdemo-api on the database."""
        self.assertOk(self.manage('db', 'sync'))
        writer = {'keystone': write_keystone, 'http_basic': write_http_basic,
                  'noauth2': write_noauth2}[self.AUTH_STRATEGY]
        self.conf = writer(self.home)
        self.log = open(os.path.join(self.home, 'api.log'), 'w+')
        self.addCleanup(self.log.close)
        self.base = f'http://127.0.0.1:{runner.free_port()}'
        self.server = subprocess.Popen(
            self.api_command('--port', self.base.rsplit(':', 1)[1],
                             '--workers', '1', '--config-file', self.conf),
            env=self.api_environment(),
            stdout=self.log, stderr=subprocess.STDOUT)
        self.addCleanup(self.stop_api, self.server)
        self._wait_until_serving(self.server)

    def api_command(self, *args):
        command = shutil.which('webdemo-api',
                               path=os.path.dirname(sys.executable))
        self.assertIsNotNone(command, 'webdemo-api is not installed here')
        return [command, *args]

    def api_environment(self):
        return runner.clean_environment(
            self.home, OS_DATABASE__CONNECTION=self.url,
            OS_API__SCHEMA_CHECK_INTERVAL=str(self.SCHEMA_CHECK_INTERVAL),
            # Every answer checked against its schema: a mismatch fails.
            OS_API__RESPONSE_VALIDATION='error')

    def refused_start(self, *args):
        """Run webdemo-api expecting it to refuse; its standard error."""
        result = subprocess.run(
            self.api_command('--port', str(runner.free_port()), *args),
            env=self.api_environment(), capture_output=True, text=True,
            timeout=60)
        self.assertEqual(1, result.returncode, result.stderr)
        self.assertEqual(1, len(result.stderr.splitlines()), result.stderr)
        return result.stderr

    def stop_api(self, server):
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)

    def _wait_until_serving(self, server):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.assertIsNone(server.poll(), self.server_log())
            try:
                if self.request('GET', '/healthcheck')[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.fail(f'webdemo-api did not serve: {self.server_log()}')

    def server_log(self):
        self.log.seek(0)
        return self.log.read()

    def project_id(self, name):
        """The id the API gives project name (Keystone's id, else name)."""
        if self.AUTH_STRATEGY != 'keystone':
            return name
        return _access(Caller(f'admin-{name[-1]}', name,
                              'admin')).project_id

    def request(self, method, path, body=None, caller=CALLERS['member-a'],
                headers=None):
        """Send one request; (status, JSON body or text, headers)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={'Content-Type': 'application/json',
                     'Accept': 'application/json',
                     **caller.headers(self.AUTH_STRATEGY),
                     **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, _json(response), response.headers
        except urllib.error.HTTPError as error:
            return error.code, _json(error), error.headers


def _json(response):
    text = response.read().decode()
    try:
        return json.loads(text)
    except ValueError:
        return text
