"""The API reference's samples (api-ref/source) replayed against a live
webdemo-api, on SQLite, MariaDB/MySQL and PostgreSQL.

Each section's request, sent in the order the pages show them on a new
database, as the member the samples name, through a proxy's Forwarded
header (https://webdemo.example.com): the status must be the section's,
and the answer's body exactly its response sample. A sample that drifts
from what the API does fails here; unit/api/test_api_ref.py holds the
pages to the schemas.
"""

import json

from oslotest import base

from webdemo.tests import api_ref_source as source
from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import db_fixtures

PROXY = {'Forwarded': 'proto=https;host=webdemo.example.com'}


class ReferenceSamples(api_fixtures.ApiServerMixin):

    def api_environment(self):
        # As a deployment behind a TLS-ending proxy sets it.
        return {**super().api_environment(),
                'OS_OSLO_MIDDLEWARE__ENABLE_PROXY_HEADERS_PARSING': 'true'}

    def test_every_sample_is_what_the_api_answers(self):
        for exchange in source.exchanges():
            status, body, _ = self.request(
                exchange.method, exchange.path, exchange.request,
                caller=api_fixtures.SAMPLE, headers=PROXY)
            where = f'{exchange.title}: {exchange.method} {exchange.path}'
            self.assertEqual(exchange.status, status,
                             f'{where}: {json.dumps(body)}')
            self.assertEqual(exchange.response,
                             body if exchange.response is not None or body
                             else None, where)


class TestReferenceSQLite(ReferenceSamples, db_fixtures.SQLiteFileMixin,
                          base.BaseTestCase):
    pass


class TestReferenceMySQL(ReferenceSamples, db_fixtures.MySQLMixin,
                         db_fixtures.DatabaseTestCase):
    pass


class TestReferencePostgreSQL(ReferenceSamples, db_fixtures.PostgreSQLMixin,
                              db_fixtures.DatabaseTestCase):
    pass
