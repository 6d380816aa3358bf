"""The API through real HTTP, served by webdemo-api (gunicorn) on
loopback, on SQLite, MariaDB/MySQL and PostgreSQL, as the member of a
project authenticated by http_basic (who may do what: test_policy.py)."""

import json
import time

from oslotest import base

from webdemo.db.execution import faults
from webdemo.db.rolling import services
from webdemo import release
from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures
from webdemo.tests.functional import manage_runner as runner


UNICODE = 'Caf\u00e9 \u6771\u4eac \U0001F600'


class ApiServer(api_fixtures.ApiServerMixin):

    def create(self, user_id, username, email=None):
        return self.request('POST', '/v1/users', {'user': {
            'user_id': user_id, 'username': username, 'email': email}})

    def test_create_show_and_list_with_pagination(self):
        status, body, headers = self.create('u-1', 'alice', 'a@x')
        self.assertEqual(201, status, body)
        alice = body['user']
        self.assertEqual(('u-1', 'alice', 'a@x'),
                         (alice['user_id'], alice['username'],
                          alice['email']))
        self.assertTrue(headers['x-openstack-request-id'].startswith('req-'))
        for number in range(2, 6):
            self.assertEqual(201, self.create(f'u-{number}',
                                              f'user{number}')[0])
        self.assertEqual((200, {'user': alice}),
                         self.request('GET', f'/v1/users/{alice["id"]}')[:2])
        status, first, _ = self.request('GET', '/v1/users?limit=2')
        self.assertEqual(['alice', 'user2'],
                         [user['username'] for user in first['users']])
        status, second, _ = self.request(
            'GET', first['links'][0]['href'].replace(self.base, ''))
        self.assertEqual(['user3', 'user4'],
                         [user['username'] for user in second['users']])
        status, rest, _ = self.request(
            'GET', f'/v1/users?limit=2&marker={second["users"][-1]["id"]}')
        self.assertEqual((['user5'], []), (
            [user['username'] for user in rest['users']], rest['links']))

    def test_errors_are_json_and_name_the_problem(self):
        self.assertEqual(201, self.create('u-1', 'alice')[0])
        for (method, path, body), (code, words) in (
                (('POST', '/v1/users', {'user': {'user_id': 'u-2'}}),
                 (400, "user: 'username' is a required property")),
                (('POST', '/v1/users', {'user': {'user_id': 'u-2',
                                                 'username': 7}}),
                 (400, 'user.username: must be a string')),
                (('POST', '/v1/users', {'user': {'user_id': 'u-2',
                                                 'username': 'alice'}}),
                 (409, "username 'alice' is taken")),
                (('GET', '/v1/users/999', None),
                 (404, 'user 999 not found')),
                (('GET', '/v1/users?limit=0', None),
                 (400, 'limit: must be a whole number')),
                (('GET', '/v1/nothing', None), (404, 'not found'))):
            status, answer, _ = self.request(method, path, body)
            self.assertEqual(code, status, answer)
            self.assertEqual(code, answer['error']['code'])
            self.assertIn(words, answer['error']['message'])

    def test_update_and_delete_a_user(self):
        key = self.create('u-1', 'alice')[1]['user']['id']
        self.assertEqual(201, self.create('u-2', 'bob')[0])
        status, body, _ = self.request('PATCH', f'/v1/users/{key}', {
            'user': {'username': 'alicia', 'email': 'a@y'}})
        self.assertEqual((200, 'alicia', 'a@y'), (
            status, body['user']['username'], body['user']['email']))
        self.assertEqual(409, self.request('PATCH', f'/v1/users/{key}', {
            'user': {'username': 'bob'}})[0])
        self.assertEqual(400, self.request('PATCH', f'/v1/users/{key}', {
            'user': {'user_id': 'x'}})[0])
        self.assertEqual(204, self.request('DELETE', f'/v1/users/{key}')[0])
        self.assertEqual(404, self.request('GET', f'/v1/users/{key}')[0])
        self.assertEqual(404, self.request('DELETE', f'/v1/users/{key}')[0])

    def test_accounts_never_show_a_password(self):
        secret = 'Not-Shown-Pa55word'
        seen = []

        def call(*args):
            status, body, _ = self.request(*args)
            seen.append(json.dumps(body))
            return status, body
        status, body = call('POST', '/v1/accounts', {'account': {
            'name': 'ops', 'description': UNICODE, 'password': secret}})
        self.assertEqual(201, status, body)
        account = body['account']
        self.assertEqual({'id', 'name', 'description', 'email',
                          'project_id'}, set(account))
        self.assertEqual(UNICODE, account['description'])
        key = account['id']
        self.assertEqual(200, call('PATCH', f'/v1/accounts/{key}', {
            'account': {'email': 'ops@x', 'password': secret + '2'}})[0])
        self.assertEqual((200, 'ops@x'), (
            lambda found: (found[0], found[1]['account']['email']))(
                call('GET', f'/v1/accounts/{key}')))
        self.assertEqual(['ops'], [item['name'] for item in call(
            'GET', '/v1/accounts')[1]['accounts']])
        self.assertEqual(400, call('POST', '/v1/accounts', {'account': {
            'name': 'x', 'password': 'short'}})[0])
        self.assertEqual(204, call('DELETE', f'/v1/accounts/{key}')[0])
        self.assertEqual(404, call('GET', f'/v1/accounts/{key}')[0])
        with self.engine.connect() as connection:
            stored = connection.exec_driver_sql(
                'SELECT count(*) FROM account').scalar()
        self.assertEqual(0, stored)
        for text in seen + [self.server_log()]:
            self.assertNotIn(secret, text)

    def wait_for(self, path, code):
        """Ask until path answers code; a 503 must be the guard's own.

        A request that met the schema as it changed is answered 503 too,
        without the state (SchemaChangedUnderfoot): the next is the
        guard's.
        """
        deadline = time.monotonic() + 15
        while True:
            status, body, _ = self.request('GET', path)
            changed = 'changed while this request ran' in str(body)
            if (status == code and not changed or
                    time.monotonic() > deadline):
                return status, body
            time.sleep(0.2)

    def test_schema_guard_stops_and_resumes_serving(self):
        self.assertEqual(201, self.create('u-1', 'alice')[0])
        self.assertOk(self.manage('db', 'downgrade', '948ccd040506', '--yes'))
        status, body = self.wait_for('/v1/users', 503)
        self.assertEqual(503, status, body)
        self.assertIn('upgrade pending', body['error']['message'])
        self.assertIn('db sync --expand', body['error']['message'])
        self.assertEqual(503, self.request('GET', '/healthcheck')[0])
        # The downgrade took alice's project away: the deployment's
        # default project (the caller's, here) gets her back.
        self.assertOk(self.manage('db', 'sync', OS_API__DEFAULT_PROJECT_ID=(
            api_fixtures.CALLERS['member-a'].project)))
        status, body = self.wait_for('/v1/users', 200)
        self.assertEqual((200, ['alice']), (
            status, [user['username'] for user in body['users']]))
        self.assertEqual(1, self.server_log().count('Not serving'))

    def test_schema_guard_ahead_and_mid_contract(self):
        # Ahead: a newer release's revision is recorded.
        self.sql('UPDATE alembic_version SET version_num = '
                 f"'{runner.UNKNOWN_REVISION}'")
        status, body = self.wait_for('/v1/users', 503)
        self.assertIn('a newer webdemo migrated it', body['error']['message'])
        self.sql('UPDATE alembic_version SET version_num = '
                 f"'{history_fixtures.CONTRACT_HEAD}'")
        self.assertEqual(200, self.wait_for('/v1/users', 200)[0])
        # Mid-contract: the run died after its first statement (the
        # last contract changes nothing on SQLite and PostgreSQL: two
        # undone, so that there is a statement to die after).
        self.assertOk(self.manage('db', 'downgrade', 'contract@-2'))
        killed = self.manage('db', 'sync', '--contract',
                             **{faults.KILL_AFTER_ENV: '1'})
        self.assertEqual(-9, killed.returncode, killed.stderr)
        status, body = self.wait_for('/v1/users', 503)
        self.assertIn('interrupted', body['error']['message'])
        self.assertIn('db sync to complete it', body['error']['message'])
        self.assertEqual(503, self.request('GET', '/healthcheck')[0])
        self.assertOk(self.manage('db', 'sync'))
        self.assertEqual(200, self.wait_for('/v1/users', 200)[0])

    def registered(self):
        with self.engine.connect() as connection:
            return services.read(connection)

    def registered_once_up(self):
        """The rows once the service's heartbeat thread has written one.

        It registers from a thread of its own, after the server already
        answers: wait for the row, not for an amount of time.
        """
        deadline = time.monotonic() + 60
        while not (found := self.registered()):
            self.assertLess(time.monotonic(), deadline,
                            'the service never registered')
            time.sleep(0.1)
        return found

    def test_the_service_registers_beats_while_idle_and_leaves(self):
        found = self.registered_once_up()
        self.assertEqual([(release.NAME, release.LEVEL, True)],
                         [(row.release, row.level, row.live)
                          for row in found])
        # Stale after 3 x 1 + 10 s without a beat: idle for longer, the
        # row must still be live (a thread beats, not requests).
        time.sleep(found[0].stale_after + 2)
        self.assertEqual([True], [row.live for row in self.registered()])
        self.stop_api(self.server)
        self.assertEqual([], self.registered())

    def test_healthcheck(self):
        status, body, _ = self.request('GET', '/healthcheck')
        self.assertEqual(200, status)


class SchemaChangedUnderfoot(api_fixtures.ApiServerMixin):
    """The schema changes between two of the guard's reads."""

    # Not within the test: only a request can make the guard look.
    SCHEMA_CHECK_INTERVAL = 3600

    def test_a_request_meeting_a_changed_schema_is_503_and_looks_again(self):
        self.assertEqual(200, self.request('GET', '/v1/users')[0])
        # Takes username and project_id away: the queries this release
        # sends name them.
        self.assertOk(self.manage('db', 'downgrade', '948ccd040506', '--yes'))

        status, body, headers = self.request('GET', '/v1/users')

        self.assertEqual(503, status, body)
        self.assertEqual('5', headers['Retry-After'])
        self.assertIn('schema changed while this request ran',
                      body['error']['message'])
        # The guard read the schema again at the next request, an hour
        # early: that request never reached the database.
        status, body, _ = self.request('POST', '/v1/users', {'user': {
            'user_id': 'u-2', 'username': 'bob'}})
        self.assertEqual(503, status, body)
        self.assertIn('upgrade pending', body['error']['message'])
        self.assertIn('db sync --expand', body['error']['message'])
        log = self.server_log()
        self.assertNotIn('Traceback', log)
        self.assertEqual(1, log.count('met a table or column'), log)
        self.assertEqual(1, log.count('Not serving'), log)


class TestSchemaChangedUnderfootSQLite(SchemaChangedUnderfoot,
                                       db_fixtures.SQLiteFileMixin,
                                       base.BaseTestCase):
    pass


class TestSchemaChangedUnderfootMySQL(SchemaChangedUnderfoot,
                                      db_fixtures.MySQLMixin,
                                      db_fixtures.DatabaseTestCase):
    pass


class TestSchemaChangedUnderfootPostgreSQL(SchemaChangedUnderfoot,
                                           db_fixtures.PostgreSQLMixin,
                                           db_fixtures.DatabaseTestCase):
    pass


class TestApiSQLite(ApiServer, db_fixtures.SQLiteFileMixin,
                    base.BaseTestCase):
    pass


class TestApiMySQL(ApiServer, db_fixtures.MySQLMixin,
                   db_fixtures.DatabaseTestCase):
    pass


class TestApiPostgreSQL(ApiServer, db_fixtures.PostgreSQLMixin,
                        db_fixtures.DatabaseTestCase):
    pass
