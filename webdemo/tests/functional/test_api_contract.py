"""The API's contract over real HTTP (webdemo-api under gunicorn), on
SQLite, MariaDB and PostgreSQL: the version document, microversions,
and the error shape on the answers Werkzeug and the server give
themselves (405 with Allow, 406, 400 for malformed JSON, 415), a 204
without a body type, and absolute pagination links."""

import json
import urllib.error
import urllib.request

import jsonschema
from oslotest import base

from webdemo.api import schemas
from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import db_fixtures

ANONYMOUS = api_fixtures.Caller()
HEADER = 'OpenStack-API-Version'


class ApiContract(api_fixtures.ApiServerMixin):

    def raw(self, method, path, data=None, content_type=None,
            caller=api_fixtures.CALLERS['member-a'], headers=None):
        """One request with this body as it is; (status, body, headers)."""
        sent = {**caller.headers(self.AUTH_STRATEGY), **(headers or {})}
        if content_type:
            sent['Content-Type'] = content_type
        request = urllib.request.Request(self.base + path, data=data,
                                         method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def assertError(self, answer, code, *words):
        status, body, headers = answer
        self.assertEqual(code, status, body)
        self.assertEqual('application/json', headers['Content-Type'])
        error = json.loads(body)['error']
        self.assertEqual(code, error['code'])
        for word in words:
            self.assertIn(word, error['message'])
        return headers

    def test_the_version_document_needs_no_token(self):
        for path in ('/', '/v1', '/v1/'):
            status, body, headers = self.raw('GET', path, caller=ANONYMOUS)
            self.assertEqual(200, status, body)
            found = json.loads(body)
            # As api-ref/openapi.json describes it.
            jsonschema.validate(found, schemas.VERSION_DOCUMENT[
                'versions' if path == '/' else 'version'])
            v1 = found['versions'][0] if path == '/' else found['version']
            self.assertEqual(
                {'id': 'v1.0', 'status': 'CURRENT', 'min_version': '1.0',
                 'max_version': '1.0',
                 'links': [{'rel': 'self', 'href': f'{self.base}/v1'}]},
                v1)
        # Nothing else is open: the resources still need a caller.
        self.assertError(self.raw('GET', '/v1/users', caller=ANONYMOUS),
                         401)
        headers = self.assertError(self.raw('POST', '/', b'{}',
                                            'application/json'), 405)
        self.assertEqual('GET, HEAD', headers['Allow'])

    def test_microversions(self):
        for asked in (None, 'webdemo 1.0', 'webdemo latest',
                      'compute 2.90, webdemo 1.0'):
            status, _, headers = self.request(
                'GET', '/v1/users', headers={HEADER: asked} if asked else {})
            self.assertEqual(200, status, asked)
            self.assertEqual('webdemo 1.0', headers[HEADER])
            self.assertIn(HEADER, headers['Vary'])
        self.assertError(self.raw_with(HEADER, 'webdemo 1.1'), 406,
                         'serves microversions 1.0 to 1.0')
        self.assertError(self.raw_with(HEADER, 'webdemo 2.0'), 406)
        self.assertError(self.raw_with(HEADER, 'webdemo one'), 400,
                         'write it as "webdemo 1.0"')

    def raw_with(self, name, value):
        return self.raw('GET', '/v1/users', headers={name: value})

    def test_the_error_shape_on_the_servers_own_answers(self):
        self.assertError(self.raw('GET', '/v1/nothing'), 404)
        headers = self.assertError(self.raw('PUT', '/v1/users/1', b'{}',
                                            'application/json'), 405)
        self.assertEqual({'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH'},
                         set(headers['Allow'].replace(' ', '').split(',')))
        self.assertError(self.raw('POST', '/v1/users', b'{"user": {',
                                  'application/json'), 400,
                         'body: malformed JSON', 'line 1 column 11')
        self.assertError(self.raw('POST', '/v1/users', b'user=bob',
                                  'application/x-www-form-urlencoded'),
                         415, 'Content-Type: application/json')

    def test_an_id_no_row_can_have_is_404_whatever_the_method(self):
        # 2**63: past every backend's id (it was a 405 for PATCH and
        # DELETE, found by schemathesis).
        for method in ('GET', 'PATCH', 'DELETE'):
            for kind in ('user', 'account'):
                self.assertError(
                    self.raw(method, f'/v1/{kind}s/9223372036854775808',
                             b'{}', 'application/json'), 404,
                    f'{kind} 9223372036854775808 not found')

    def test_delete_has_no_body_and_no_type(self):
        status, body, _ = self.request('POST', '/v1/users', {'user': {
            'user_id': 'u-1', 'username': 'alice'}})
        self.assertEqual(201, status, body)
        status, body, headers = self.raw('DELETE',
                                         f'/v1/users/{body["user"]["id"]}')
        self.assertEqual((204, b''), (status, body))
        self.assertIsNone(headers['Content-Type'])

    def test_next_links_are_absolute(self):
        for number in (1, 2):
            self.assertEqual(201, self.request('POST', '/v1/users', {
                'user': {'user_id': f'u-{number}',
                         'username': f'user{number}'}})[0])
        _, page, _ = self.request('GET', '/v1/users?limit=1')
        href = page['links'][0]['href']
        self.assertTrue(href.startswith(f'{self.base}/v1/users?'), href)


class TestApiContractSQLite(ApiContract, db_fixtures.SQLiteFileMixin,
                            base.BaseTestCase):
    pass


class TestApiContractMySQL(ApiContract, db_fixtures.MySQLMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestApiContractPostgreSQL(ApiContract, db_fixtures.PostgreSQLMixin,
                                db_fixtures.DatabaseTestCase):
    pass
