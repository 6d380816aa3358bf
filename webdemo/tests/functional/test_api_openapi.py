"""api-ref/openapi.json proved against a live webdemo-api (schemathesis).

schemathesis reads the kept OpenAPI document and sends every operation
in it, with examples built from its schemas, both valid and not, then
sequences that follow its links (create, then read, change and delete
what was made), as an admin over HTTP basic, on SQLite, MariaDB/MySQL
and PostgreSQL. Every answer must match the document: its status, its
headers, its body's schema; a valid request may not be refused and an
invalid one may not be accepted; no answer is a 500. The server runs
with response_validation = error, so an answer off its schema also
fails there, and its log must hold no traceback.

Every check schemathesis has runs, ignored_auth too: each operation
the document says needs credentials must refuse a request without them
or with wrong ones. The seed is fixed, so a run is repeatable;
WEBDEMO_OPENAPI_EXAMPLES sets the examples per operation (CI runs the
default).
"""

import os
import shutil
import subprocess
import sys

from oslotest import base

from webdemo.tests.functional import api_fixtures
from webdemo.tests.functional import db_fixtures

DOCUMENT = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                        'api-ref', 'openapi.json')
EXAMPLES = os.environ.get('WEBDEMO_OPENAPI_EXAMPLES', '50')
ADMIN = api_fixtures.CALLERS['admin-a']


class OpenApiConformance(api_fixtures.ApiServerMixin):

    def schemathesis(self):
        command = shutil.which('schemathesis',
                               path=os.path.dirname(sys.executable))
        self.assertIsNotNone(command, 'schemathesis is not installed here '
                                      '(test-requirements.txt)')
        return command

    def test_every_operation_answers_as_documented(self):
        result = subprocess.run(
            [self.schemathesis(), 'run', os.path.abspath(DOCUMENT),
             '--url', self.base, '--auth', f'{ADMIN.name}:{ADMIN.password}',
             '--max-examples', EXAMPLES, '--seed', '1', '--checks', 'all',
             '--generation-database', 'none', '--no-color'],
            cwd=self.home, capture_output=True, text=True, timeout=900,
            env=dict(os.environ, SCHEMATHESIS_TELEMETRY='false'))
        self.assertEqual(0, result.returncode,
                         result.stdout[-6000:] + result.stderr[-2000:])
        self.assertIn('No issues found', result.stdout)
        self.assertNotIn('Traceback', self.server_log())


class TestOpenApiSQLite(OpenApiConformance, db_fixtures.SQLiteFileMixin,
                        base.BaseTestCase):
    pass


class TestOpenApiMySQL(OpenApiConformance, db_fixtures.MySQLMixin,
                       db_fixtures.DatabaseTestCase):
    pass


class TestOpenApiPostgreSQL(OpenApiConformance, db_fixtures.PostgreSQLMixin,
                            db_fixtures.DatabaseTestCase):
    pass
