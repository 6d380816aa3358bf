"""Input that once broke the API, through real HTTP, on SQLite,
MariaDB/MySQL and PostgreSQL: each answer is one JSON error with its
documented status, quotes no secret and no more than a short excerpt,
changes nothing, and leaves no traceback in the service's log."""

import http.client
import json

from oslotest import base

from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import db_fixtures

PASSWORD = 'hunter2'
# oslo.middleware's default max_request_body_size.
LIMIT = 114688


class BadInput(api_fixtures.ApiServerMixin):

    def setUp(self):
        super().setUp()
        self.made = self.request('POST', '/v1/users', {'user': {
            'user_id': 'u-1', 'username': 'alice'}})[1]['user']
        self.addCleanup(self.assertNoTraceback)

    def assertNoTraceback(self):
        self.assertNotIn('Traceback', self.server_log())

    def assertRefused(self, answer, code, *words):
        status, body, _ = answer
        self.assertEqual(code, status, body)
        self.assertEqual(code, body['error']['code'], body)
        for word in words:
            self.assertIn(word, body['error']['message'])
        self.assertEqual([self.made], self.request(
            'GET', '/v1/users')[1]['users'])
        return body['error']['message']

    def test_a_password_is_never_echoed(self):
        for password in (PASSWORD, 'x' * 1025, 7, PASSWORD + '\x00x'):
            message = self.assertRefused(self.request(
                'POST', '/v1/accounts', {'account': {
                    'name': 'ops', 'password': password}}), 400,
                'account.password')
            self.assertNotIn(str(password)[:7], message)
        self.assertNotIn(PASSWORD, self.server_log())

    def test_a_long_field_is_quoted_short(self):
        message = self.assertRefused(self.request(
            'POST', '/v1/users', {'user': {'user_id': 'u-2',
                                           'username': 'y' * 100000}}),
            400, 'user.username: must be at most 64 characters')
        self.assertLess(len(message), 200)
        message = self.assertRefused(self.request(
            'POST', '/v1/users', {'user': {'user_id': 'u-2',
                                           'username': 'bob',
                                           'z' * 10000: 1}}),
            400, 'unexpected field')
        self.assertLess(len(message), 200)

    def test_query_strings_and_ids_out_of_range(self):
        for path, code, words in (
                ('/v1/users?limit=%C2%B2', 400, 'limit: must be'),
                ('/v1/users?limit=99999999999999999999999', 400, 'limit'),
                ('/v1/users?marker=99999999999999999999', 400, 'marker'),
                ('/v1/users?marker=%C2%B2', 400, 'marker'),
                ('/v1/users/99999999999999999999', 404, 'not found'),
                ('/v1/accounts/99999999999999999999', 404, 'not found')):
            self.assertRefused(self.request('GET', path), code, *words)

    def test_usernames_compare_the_same_on_every_backend(self):
        for name in ('Emoji\U0001F642', 'emoji\U0001F642',
                     'caf\u00e9'):
            self.assertEqual(201, self.request('POST', '/v1/users', {
                'user': {'user_id': 'u', 'username': name}})[0], name)
        listed = {user['username'] for user in self.request(
            'GET', '/v1/users')[1]['users']}
        # The same name, decomposed: stored as it was composed, taken.
        status, body, _ = self.request('POST', '/v1/users', {'user': {
            'user_id': 'u', 'username': 'cafe\u0301'}})
        self.assertEqual(409, status, body)
        status, body, _ = self.request('POST', '/v1/users', {'user': {
            'user_id': 'u', 'username': 'emoji\U0001F642 '}})
        self.assertEqual(400, status, body)
        self.assertIn('must not begin or end with a space',
                      body['error']['message'])
        self.assertEqual(listed, {user['username'] for user in self.request(
            'GET', '/v1/users')[1]['users']})

    def test_a_nul_character(self):
        self.assertRefused(self.request('POST', '/v1/users', {'user': {
            'user_id': 'u-\x00', 'username': 'bob'}}), 400,
            'user.user_id: must not contain NUL')

    def test_a_body_nested_too_deeply(self):
        # Deeper than Python's parser recurses, within the size limit.
        depth = LIMIT // 2 - 100
        status, body = self.raw('POST', '/v1/users',
                                '[' * depth + ']' * depth)
        self.assertEqual(400, status, body)
        self.assertIn('nested too deeply', body['error']['message'])

    def test_a_body_too_large_is_refused_before_it_is_read(self):
        # Says 200 MB, sends a little: answered without waiting for more.
        status, body = self.raw('POST', '/v1/users', 'x' * 1000,
                                length=200 * 1024 * 1024)
        self.assertEqual((413, 413), (status, body['error']['code']))

    def test_a_chunked_body_too_large(self):
        status, body = self.raw('POST', '/v1/users',
                                '{"user": {"x": "' + 'y' * (LIMIT + 10),
                                chunked=True)
        self.assertEqual((413, 413), (status, body['error']['code']))

    def raw(self, method, path, text, length=None, chunked=False):
        """Send text as the body, as written; (status, JSON body)."""
        host, port = self.base.rsplit('/', 1)[1].split(':')
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.addCleanup(connection.close)
        headers = {'Content-Type': 'application/json',
                   **api_fixtures.CALLERS['member-a'].headers(
                       self.AUTH_STRATEGY)}
        data = text.encode()
        if chunked:
            connection.request(method, path, body=iter([data]),
                               headers=headers, encode_chunked=True)
        else:
            headers['Content-Length'] = str(length or len(data))
            connection.putrequest(method, path)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            connection.send(data)
        response = connection.getresponse()
        return response.status, json.loads(response.read())


class TestBadInputSQLite(BadInput, db_fixtures.SQLiteFileMixin,
                         base.BaseTestCase):
    pass


class TestBadInputMySQL(BadInput, db_fixtures.MySQLMixin,
                        db_fixtures.DatabaseTestCase):
    pass


class TestBadInputPostgreSQL(BadInput, db_fixtures.PostgreSQLMixin,
                             db_fixtures.DatabaseTestCase):
    pass
