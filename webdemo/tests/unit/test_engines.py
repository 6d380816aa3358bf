"""How engines are made and their failures explained; no server is
touched (one test uses an in-memory SQLite)."""

import types

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import engines as oslo_engines
from oslotest import base
import pymysql
import sqlalchemy
from sqlalchemy import exc as sa_exc

from webdemo.db import engines
from webdemo import exception
from webdemo.tests.functional import db_fixtures

URL = 'mysql+pymysql://u:pw@db.example/webdemo'


def _operational(message):
    """A connection failure as SQLAlchemy hands it on.

    message is the driver's text, or the driver's own exception.
    """
    raw = message if isinstance(message, Exception) else Exception(message)
    return sa_exc.OperationalError('SELECT 1', {}, raw)


class TestExplainFailure(base.BaseTestCase):

    def explain(self, error):
        explained = engines.explain_failure(URL, error)
        self.assertNotIn(':pw@', str(explained))
        return explained

    def test_unknown_dialect(self):
        error = self.explain(sa_exc.NoSuchModuleError('nope'))
        self.assertIsInstance(error, exception.ConfigurationError)
        self.assertIn('unknown database dialect', str(error))

    def test_malformed_url(self):
        error = self.explain(sa_exc.ArgumentError('bad'))
        self.assertIsInstance(error, exception.ConfigurationError)
        self.assertIn('dialect+driver://', str(error))

    def test_missing_driver_names_the_package(self):
        error = self.explain(ModuleNotFoundError('x', name='pymysql'))
        self.assertIsInstance(error, exception.ConfigurationError)
        self.assertIn('PyMySQL', str(error))

    def test_missing_database(self):
        error = self.explain(db_exc.DBNonExistentDatabase(
            'webdemo', _operational('Unknown database')))
        self.assertIsInstance(error, exception.DatabaseConnectionError)
        self.assertIn('create the database', str(error))

    def test_refused_credentials(self):
        error = self.explain(_operational(pymysql.err.OperationalError(
            1045, "Access denied for user 'u'@'h'")))
        self.assertIn('user and password', str(error))

    def test_unreachable_server(self):
        error = self.explain(db_exc.DBConnectionError(
            _operational('Connection refused')))
        self.assertIn('Connection refused', str(error))
        self.assertIn('server is running', str(error))

    def test_driver_message_is_one_line(self):
        error = self.explain(_operational('line one\n\tline two\n'))
        self.assertIn('line one line two', str(error))


class TestFullUnicode(base.BaseTestCase):

    def test_mysql_gets_utf8mb4(self):
        self.assertIn('charset=utf8mb4', engines._with_defaults(URL))

    def test_operator_charset_is_kept(self):
        chosen = URL + '?charset=latin1'
        self.assertEqual(chosen, engines._with_defaults(chosen))

    def test_other_backends_are_untouched(self):
        sqlite = 'sqlite:////tmp/w.db'
        self.assertEqual(sqlite, engines._with_defaults(sqlite))


class TestConnectionSetting(base.BaseTestCase):

    def connection(self, url):
        conf = types.SimpleNamespace(
            database=types.SimpleNamespace(connection=url))
        return engines._connection(conf)

    def test_the_mariadb_dialect_is_refused_naming_the_one_to_use(self):
        error = self.assertRaises(
            exception.ConfigurationError, self.connection,
            'mariadb+pymysql://u:pw@db.example/webdemo')
        self.assertIn('write it as mysql+pymysql://', str(error))
        self.assertNotIn(':pw@', str(error))

    def test_a_mysql_url_passes(self):
        self.assertEqual(URL, self.connection(URL))


class TestCheckin(base.BaseTestCase):

    def test_no_sleep_at_checkin(self):
        # oslo.db's sleep(0) at checkin is for eventlet; webdemo has none
        # and it cost each API request a trip through the scheduler.
        engine = engines.create_engine(db_fixtures.make_conf('sqlite://'))
        self.addCleanup(engine.dispose)
        self.assertFalse(sqlalchemy.event.contains(
            engine, 'checkin', oslo_engines._thread_yield))
