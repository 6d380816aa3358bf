"""Each backend class keeps the protocol's promises on its own database
(backend_conformance.py)."""

from oslotest import base

from webdemo.tests.functional import backend_conformance
from webdemo.tests.functional import db_fixtures


class TestSQLiteBackend(backend_conformance.BackendConformance,
                        db_fixtures.SQLiteFileMixin, base.BaseTestCase):
    BACKEND = 'sqlite'


class TestMySQLBackend(backend_conformance.BackendConformance,
                       db_fixtures.MySQLMixin, db_fixtures.DatabaseTestCase):
    BACKEND = 'mysql'


class TestPostgreSQLBackend(backend_conformance.BackendConformance,
                            db_fixtures.PostgreSQLMixin,
                            db_fixtures.DatabaseTestCase):
    BACKEND = 'postgresql'
