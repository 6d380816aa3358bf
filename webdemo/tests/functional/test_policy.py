"""Who may do what, through real HTTP: every route for every caller.

Table-driven: each route of /v1/users and /v1/accounts, on an item of
the caller's own project and of another, sent by the reader, member and
admin of a project, by a user with no role and by anonymous, under
keystone (a real Keystone) and http_basic (a real bcrypt htpasswd file)
on SQLite, MariaDB/MySQL and PostgreSQL, and under noauth2. A refused
request changes nothing. How each strategy authenticates is tested
beside it.
"""

import os

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from oslotest import base

from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional.api_fixtures import CALLERS
from webdemo.tests.functional.api_fixtures import PROJECT_A
from webdemo.tests.functional.api_fixtures import PROJECT_B
from webdemo.tests.functional import db_fixtures

SUCCESS = {'list': 200, 'get': 200, 'create': 201, 'update': 200,
           'delete': 204}
ITEM_ACTIONS = ('get', 'update', 'delete')
# The secure-RBAC defaults (webdemo/policies): written out here, not
# read from the code under test.
ALLOWED = {'reader': {'list', 'get'},
           'member': set(SUCCESS), 'admin': set(SUCCESS)}

_BODIES = {
    'user': lambda number: {'user': {
        'user_id': f'id-{number}', 'username': f'name{number}'}},
    'account': lambda number: {'account': {
        'name': f'name{number}', 'password': 'long-enough-1'}}}
_CHANGES = {'user': {'user': {'email': 'changed@example.org'}},
            'account': {'account': {'email': 'changed@example.org'}}}
_OWNERS = {PROJECT_A: CALLERS['admin-a'], PROJECT_B: CALLERS['admin-b']}


def expected(caller, action, owner):
    """The status caller gets for action on an item of project owner.

    Another project's item, to a caller who may not act on it, does not
    exist (404): a caller learns nothing of other projects.
    """
    if caller.name is None:
        return 401
    allowed = action in ALLOWED.get(caller.role, ())
    if action in ITEM_ACTIONS and caller.role != 'admin' and (
            caller.project != owner):
        return 404
    return SUCCESS[action] if allowed else 403


class PolicyTable(api_fixtures.ApiServerMixin):
    """Each route, each caller, items of its own and another project."""

    def setUp(self):
        super().setUp()
        self.made = 0

    def make(self, resource, project):
        """A new item of resource in project, made by its admin; its id."""
        self.made += 1
        status, body, _ = self.request(
            'POST', f'/v1/{resource}s', _BODIES[resource](f'x{self.made}'),
            caller=_OWNERS[project])
        self.assertEqual(201, status, body)
        self.assertEqual(self.project_id(project),
                         body[resource]['project_id'])
        return body[resource]['id']

    def snapshot(self, resource):
        status, body, _ = self.request('GET', f'/v1/{resource}s?limit=1000',
                                       caller=CALLERS['admin-a'])
        self.assertEqual(200, status, body)
        return body[f'{resource}s']

    def route(self, resource, action, key):
        collection, item = f'/v1/{resource}s', f'/v1/{resource}s/{key}'
        self.made += 1
        return {'list': ('GET', collection, None),
                'get': ('GET', item, None),
                'create': ('POST', collection,
                           _BODIES[resource](f'c{self.made}')),
                'update': ('PATCH', item, _CHANGES[resource]),
                'delete': ('DELETE', item, None)}[action]

    def test_every_route_for_every_caller_and_project(self):
        callers = [*CALLERS.values(), api_fixtures.NOBODY,
                   api_fixtures.ANONYMOUS]
        for resource in ('user', 'account'):
            for action in SUCCESS:
                for caller in callers:
                    for owner in (PROJECT_A, PROJECT_B):
                        with self.subTest(resource=resource, action=action,
                                          caller=caller.name, owner=owner):
                            self.check(resource, action, caller, owner)

    def check(self, resource, action, caller, owner):
        key = self.make(resource, owner)
        before = self.snapshot(resource)
        status, body, _ = self.request(
            *self.route(resource, action, key), caller=caller)
        wanted = expected(caller, action, owner)
        self.assertEqual(wanted, status, body)
        if wanted == 403:
            self.assertIn(f'webdemo:{resource}:{action}',
                          body['error']['message'])
        if wanted in (401, 403, 404):
            self.assertEqual(before, self.snapshot(resource))
        elif action == 'list':
            self.assertListed(resource, caller, body[f'{resource}s'])
        elif action == 'create':
            self.assertEqual(self.project_id(caller.project),
                             body[resource]['project_id'])

    def assertListed(self, resource, caller, listed):
        projects = {item['project_id'] for item in listed}
        if caller.role == 'admin':
            # Every project's: made in both by now.
            self.assertEqual({self.project_id(PROJECT_A),
                              self.project_id(PROJECT_B)}, projects)
        else:
            self.assertEqual({self.project_id(caller.project)}, projects)


class TestPolicyHttpBasicSQLite(PolicyTable, db_fixtures.SQLiteFileMixin,
                                base.BaseTestCase):
    pass


class TestPolicyHttpBasicMySQL(PolicyTable, db_fixtures.MySQLMixin,
                               db_fixtures.DatabaseTestCase):
    pass


class TestPolicyHttpBasicPostgreSQL(PolicyTable,
                                    db_fixtures.PostgreSQLMixin,
                                    db_fixtures.DatabaseTestCase):
    pass


class TestPolicyKeystoneSQLite(PolicyTable, db_fixtures.SQLiteFileMixin,
                               base.BaseTestCase):
    AUTH_STRATEGY = 'keystone'


class TestPolicyKeystoneMySQL(PolicyTable, db_fixtures.MySQLMixin,
                              db_fixtures.DatabaseTestCase):
    AUTH_STRATEGY = 'keystone'


class TestPolicyKeystonePostgreSQL(PolicyTable, db_fixtures.PostgreSQLMixin,
                                   db_fixtures.DatabaseTestCase):
    AUTH_STRATEGY = 'keystone'


class TestPolicyNoAuth2SQLite(PolicyTable, db_fixtures.SQLiteFileMixin,
                              base.BaseTestCase):
    AUTH_STRATEGY = 'noauth2'


class TestHttpBasic(api_fixtures.ApiServerMixin, db_fixtures.SQLiteFileMixin,
                    base.BaseTestCase):

    def test_a_wrong_password_or_unknown_user_is_401(self):
        reader = CALLERS['reader-a']
        for caller in (api_fixtures.Caller(reader.name + 'x', 'project-a',
                                           'reader'),
                       api_fixtures.Caller('unknown')):
            status, body, headers = self.request('GET', '/v1/users',
                                                 caller=caller)
            self.assertEqual((401, 401), (status, body['error']['code']))
            self.assertEqual('Basic realm="webdemo"',
                             headers['WWW-Authenticate'])

    def test_identity_headers_a_client_sends_are_ignored(self):
        status, body, _ = self.request(
            'POST', '/v1/users', _BODIES['user']('claimed'),
            caller=CALLERS['reader-a'],
            headers={'X-Roles': 'admin', 'X-Project-Id': 'project-a',
                     'X-User-Id': 'admin-a'})
        self.assertEqual(403, status, body)

    def test_a_log_line_names_its_request_user_and_project(self):
        status, _, headers = self.request(
            'POST', '/v1/users', _BODIES['user']('logged'),
            caller=CALLERS['reader-a'])
        self.assertEqual(403, status)
        request_id = headers['x-openstack-request-id']
        [line] = [line for line in self.server_log().splitlines()
                  if request_id in line]
        self.assertIn('Policy refused webdemo:user:create', line)
        self.assertIn('reader-a project-a', line)

    def test_healthcheck_answers_without_credentials(self):
        self.assertEqual(200, self.request(
            'GET', '/healthcheck', caller=api_fixtures.ANONYMOUS)[0])


class TestKeystone(api_fixtures.ApiServerMixin, db_fixtures.SQLiteFileMixin,
                   base.BaseTestCase):
    AUTH_STRATEGY = 'keystone'

    def test_no_token_or_a_bad_one_is_401(self):
        for headers in ({}, {'X-Auth-Token': 'garbage'}):
            status, body, _ = self.request('GET', '/v1/users',
                                           caller=api_fixtures.ANONYMOUS,
                                           headers=headers)
            self.assertEqual((401, 401), (status, body['error']['code']))

    def test_a_system_scoped_admin_token_is_refused(self):
        # enforce_scope: every rule is for a project-scoped token.
        session = ks_session.Session(auth=v3.Password(
            auth_url=api_fixtures.KEYSTONE_URL, username='admin',
            password='admin-Pa55word', user_domain_id='default',
            system_scope='all'))
        status, body, _ = self.request(
            'GET', '/v1/users', caller=api_fixtures.ANONYMOUS,
            headers={'X-Auth-Token': session.get_token()})
        self.assertEqual(403, status, body)
        self.assertIn('webdemo:user:list', body['error']['message'])


class TestNoAuth2(api_fixtures.ApiServerMixin, db_fixtures.SQLiteFileMixin,
                  base.BaseTestCase):
    AUTH_STRATEGY = 'noauth2'

    def test_it_warns_at_start(self):
        self.assertIn('auth_strategy is noauth2', self.server_log())

    def test_without_a_user_id_it_is_401(self):
        status, body, _ = self.request('GET', '/v1/users',
                                       caller=api_fixtures.ANONYMOUS,
                                       headers={'X-Roles': 'admin'})
        self.assertEqual(401, status, body)
        self.assertIn('X-User-Id', body['error']['message'])

    def test_it_is_never_served_beyond_loopback(self):
        stderr = self.refused_start('--host', '0.0.0.0', '--config-file',
                                    self.conf)
        self.assertIn('noauth2', stderr)
        self.assertIn('--host 127.0.0.1', stderr)


class TestStartRefusals(api_fixtures.ApiServerMixin,
                        db_fixtures.SQLiteFileMixin, base.BaseTestCase):
    """A configuration that could not authenticate stops the start."""

    def write(self, name, text):
        path = os.path.join(self.home, name)
        with open(path, 'w') as out:
            out.write(text)
        return path

    def test_keystone_without_its_settings(self):
        # The default strategy, and nothing configured for it.
        stderr = self.refused_start('--config-file', self.empty_conf)
        self.assertIn('[keystone_authtoken] has no auth_type', stderr)

    def test_http_basic_with_a_bad_user_file(self):
        for text, words in ((None, 'cannot be read'),
                            ('alice:plain-text\n', 'Only bcrypt')):
            user_file = os.path.join(self.home, 'htpasswd-bad')
            if text is not None:
                self.write('htpasswd-bad', text)
            stderr = self.refused_start('--config-file', self.write(
                'bad.conf', f'[api]\nauth_strategy = http_basic\n'
                            f'[oslo_middleware]\n'
                            f'http_basic_auth_user_file = {user_file}\n'))
            self.assertIn('http_basic_auth_user_file', stderr)
            self.assertIn(words, stderr)

    def test_an_assignment_with_an_unknown_role(self):
        stderr = self.refused_start('--config-file', self.write(
            'bad.conf', '[api]\nauth_strategy = http_basic\n'
                        'http_basic_assignments = alice:p1:superuser\n'))
        self.assertIn('[api] http_basic_assignments has an invalid value',
                      stderr)
