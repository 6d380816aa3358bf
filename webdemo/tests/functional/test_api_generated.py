"""Generated requests against a live webdemo-api, on SQLite, MariaDB/MySQL
and PostgreSQL (hypothesis): every route, with generated bodies, query
strings, ids and headers, as an authenticated member. No answer may be a
500 or anything but the JSON error shape for an error, none may quote a
password sent, and the service's log must hold no traceback.

WEBDEMO_GENERATED_EXAMPLES sets how many requests per route kind (CI
runs the default).
"""

import http.client
import json
import os
import urllib.parse

import hypothesis
from hypothesis import strategies as st
from oslotest import base

from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import db_fixtures

EXAMPLES = int(os.environ.get('WEBDEMO_GENERATED_EXAMPLES', '150'))
SECRET = 'Gen3rated-Secret'

_SCALARS = (st.none() | st.booleans() | st.integers() |
            st.floats(allow_nan=False, allow_infinity=False) | st.text())
JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) |
                    st.dictionaries(st.text(max_size=12), inner, max_size=4),
                    max_leaves=12)
_FIELDS = ('user_id', 'username', 'email', 'name', 'description',
           'password')
# Bodies shaped like the real ones, so that validation is reached
# deep down, each field any JSON value; a password always the secret.
SHAPED = st.builds(
    lambda kind, fields, password: {kind: {
        **fields, **({'password': SECRET + password} if password else {})}},
    st.sampled_from(['user', 'account']),
    st.dictionaries(st.sampled_from(_FIELDS[:-1]), JSON | st.text(),
                    max_size=5),
    st.none() | st.text(max_size=20))
BODIES = st.none() | JSON | SHAPED
IDS = (st.integers(min_value=-2, max_value=2 ** 70).map(str) |
       st.text(min_size=1, max_size=20))
QUERIES = st.dictionaries(st.sampled_from(['limit', 'marker', 'x']),
                          st.text(max_size=25) | IDS, max_size=3)
# Header values HTTP allows (RFC 9110: visible characters, space and
# obs-text; no control character): anything else is refused by the
# server's HTTP parser before the service sees the request.
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255,
                                    exclude_characters='\x7f'),
                      max_size=30)
HEADERS = st.dictionaries(
    st.sampled_from(['X-Roles', 'X-Project-Id', 'X-User-Id', 'Accept',
                     'Content-Type', 'X-Openstack-Request-Id']),
    HEADER_TEXT, max_size=3)
ROUTES = st.sampled_from([
    ('GET', '/v1/{kind}s'), ('POST', '/v1/{kind}s'),
    ('GET', '/v1/{kind}s/{id}'), ('PATCH', '/v1/{kind}s/{id}'),
    ('DELETE', '/v1/{kind}s/{id}')])


class GeneratedRequests(api_fixtures.ApiServerMixin):

    def send(self, method, path, body, headers):
        host, port = self.base.rsplit('/', 1)[1].split(':')
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            data = None if body is None else json.dumps(body).encode()
            connection.request(method, path, body=data, headers={
                'Content-Type': 'application/json',
                **headers,
                **api_fixtures.CALLERS['member-a'].headers(
                    self.AUTH_STRATEGY)})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    @hypothesis.settings(max_examples=EXAMPLES, deadline=None,
                         derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(route=ROUTES, kind=st.sampled_from(['user', 'account']),
                      key=IDS, query=QUERIES, body=BODIES, headers=HEADERS)
    def test_no_generated_request_breaks_it(self, route, kind, key, query,
                                            body, headers):
        method, template = route
        path = urllib.parse.quote(template.format(kind=kind, id=key))
        if query:
            path += '?' + urllib.parse.urlencode(query)
        status, text = self.send(method, path, body, headers)
        self.assertLess(status, 500, (method, path, body, headers, text))
        self.assertNotIn(SECRET, text)
        if status >= 400:
            error = json.loads(text)['error']
            self.assertEqual(status, error['code'])

    def tearDown(self):
        self.assertNotIn('Traceback', self.server_log())
        self.assertNotIn(SECRET, self.server_log())
        super().tearDown()


class TestGeneratedSQLite(GeneratedRequests, db_fixtures.SQLiteFileMixin,
                          base.BaseTestCase):
    pass


class TestGeneratedMySQL(GeneratedRequests, db_fixtures.MySQLMixin,
                         db_fixtures.DatabaseTestCase):
    pass


class TestGeneratedPostgreSQL(GeneratedRequests, db_fixtures.PostgreSQLMixin,
                              db_fixtures.DatabaseTestCase):
    pass
