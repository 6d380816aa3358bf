"""What database errors mean (errors.kind_of), per backend; no database."""

from oslo_db import exception as db_exc
from oslotest import base
import psycopg2
import pymysql
from sqlalchemy import exc as sa_exc

from webdemo.db import errors
from webdemo.db.errors import Kind
from webdemo import exception


def _wrapped(raw, invalidated=False):
    """raw as SQLAlchemy and then oslo.db hand it on."""
    return db_exc.DBError(sa_exc.OperationalError(
        'ALTER TABLE x', {}, raw, connection_invalidated=invalidated))


class _PgError(psycopg2.Error):
    """psycopg2 sets pgcode from the server's SQLSTATE."""

    def __init__(self, message, pgcode=None):
        super().__init__(message)
        self._pgcode = pgcode

    @property
    def pgcode(self):
        return self._pgcode


class TestKindOf(base.BaseTestCase):

    def test_table(self):
        cases = [
            (pymysql.err.OperationalError(1045, 'Access denied for u'),
             Kind.AUTHENTICATION),
            (pymysql.err.OperationalError(1142, 'CREATE command denied'),
             Kind.PERMISSION_DENIED),
            (pymysql.err.OperationalError(1050, "Table 'x' exists"),
             Kind.ALREADY_APPLIED),
            (pymysql.err.OperationalError(1060, 'Duplicate column'),
             Kind.ALREADY_APPLIED),
            (pymysql.err.OperationalError(1064, 'syntax error'), Kind.OTHER),
            (pymysql.err.OperationalError(2013, 'Lost connection'),
             Kind.CONNECTION_LOST),
            (_PgError('permission denied for schema public', '42501'),
             Kind.PERMISSION_DENIED),
            (_PgError('FATAL: password authentication failed for user "u"'),
             Kind.AUTHENTICATION),
            (_PgError('FATAL: role "nosuch" does not exist'),
             Kind.AUTHENTICATION),
            (_PgError('relation "x" already exists', '42P07'), Kind.OTHER),
            (pymysql.err.ProgrammingError(1146, "Table 'd.x' doesn't exist"),
             Kind.NO_TABLE),
            (_PgError('relation "x" does not exist', '42P01'),
             Kind.NO_TABLE),
            (_PgError('column "c" of relation "x" already exists', '42701'),
             Kind.ALREADY_APPLIED),
        ]
        for raw, kind in cases:
            self.assertEqual(kind, errors.kind_of(raw), raw)
            self.assertEqual(kind, errors.kind_of(_wrapped(raw)), raw)

    def test_sqlite_read_only_database(self):
        import sqlite3
        raw = sqlite3.OperationalError('attempt to write a readonly database')
        raw.sqlite_errorname = 'SQLITE_READONLY'
        self.assertEqual(Kind.PERMISSION_DENIED, errors.kind_of(raw))

    def test_sqlite_missing_table(self):
        import sqlite3
        raw = sqlite3.OperationalError('no such table: alembic_version')
        raw.sqlite_errorname = 'SQLITE_ERROR'
        self.assertEqual(Kind.NO_TABLE, errors.kind_of(raw))
        column = sqlite3.OperationalError('no such column: x')
        column.sqlite_errorname = 'SQLITE_ERROR'
        self.assertEqual(Kind.NO_COLUMN, errors.kind_of(column))
        twice = sqlite3.OperationalError('duplicate column name: checkpoint')
        twice.sqlite_errorname = 'SQLITE_ERROR'
        self.assertEqual(Kind.ALREADY_APPLIED, errors.kind_of(twice))
        other = sqlite3.OperationalError('near "x": syntax error')
        other.sqlite_errorname = 'SQLITE_ERROR'
        self.assertEqual(Kind.OTHER, errors.kind_of(other))

    def test_oslo_db_translations_come_first(self):
        self.assertEqual(Kind.CONNECTION_LOST, errors.kind_of(
            db_exc.DBConnectionError(Exception('gone'))))
        self.assertEqual(Kind.NO_DATABASE, errors.kind_of(
            db_exc.DBNonExistentDatabase('webdemo', Exception('Unknown'))))

    def test_a_galera_node_not_ready_is_not_a_lost_connection(self):
        raw = pymysql.err.OperationalError(
            1047, 'WSREP has not yet prepared node for application use')
        self.assertEqual(Kind.NODE_NOT_READY, errors.kind_of(
            db_exc.DBConnectionError(sa_exc.OperationalError(
                'SELECT 1', {}, raw))))

    def test_lock_waits(self):
        self.assertEqual(Kind.LOCK_WAIT, errors.kind_of(_wrapped(
            pymysql.err.OperationalError(1205, 'Lock wait timeout'))))
        self.assertEqual(Kind.LOCK_WAIT, errors.kind_of(_wrapped(
            _PgError('canceling statement due to lock timeout', '55P03'))))

    def test_the_failed_statement(self):
        self.assertEqual('ALTER TABLE x', errors.statement_of(_wrapped(
            pymysql.err.OperationalError(1205, 'Lock wait timeout'))))

    def test_an_invalidated_connection_is_lost(self):
        self.assertEqual(Kind.CONNECTION_LOST, errors.kind_of(_wrapped(
            pymysql.err.OperationalError(1064, 'x'), invalidated=True)))

    def test_message_is_the_drivers_on_one_line(self):
        self.assertEqual('line one line two', errors.message(_wrapped(
            pymysql.err.OperationalError('line one\n\tline two\n'))))


class TestAsMigrationError(base.BaseTestCase):

    def test_permission_denied_advises_a_grant(self):
        error = errors.as_migration_error('db sync', _wrapped(
            pymysql.err.OperationalError(1142, 'CREATE command denied')))
        self.assertIsInstance(error, exception.MigrationError)
        self.assertTrue(error.permission_denied)
        self.assertEqual('db sync', error.what)
        self.assertIn('grant the user in [database] connection', str(error))

    def test_other_failures_advise_fixing_the_cause(self):
        error = errors.as_migration_error('revision abc', _wrapped(
            pymysql.err.OperationalError(1064, 'syntax error')))
        self.assertEqual(
            "revision abc failed: (1064, 'syntax error'); fix the cause, "
            'then run the command again.', str(error))

    def test_a_refused_in_place_change_names_the_table_and_the_flag(self):
        for number in (1845, 1846):
            error = db_exc.DBError(sa_exc.OperationalError(
                'ALTER TABLE account MODIFY description INT, '
                'ALGORITHM=INPLACE, LOCK=NONE', {},
                pymysql.err.NotSupportedError(
                    number, 'ALGORITHM=INPLACE is not supported')))
            self.assertEqual(Kind.TABLE_COPY, errors.kind_of(error))
            refused = errors.as_migration_error('revision abc', error)
            self.assertIsInstance(refused, exception.TableCopyRefused)
            self.assertEqual('account', refused.table)
            self.assertIn('--allow-table-copy', str(refused))


class TestRaisedInside(base.BaseTestCase):

    def test_webdemos_own_error_comes_out_whole(self):
        lost = exception.MigrationLockLost(30)
        wrapped = db_exc.DBError(lost)
        self.assertIs(lost, errors.raised_inside(wrapped))
        self.assertIs(lost, errors.as_migration_error('revision x', wrapped))

    def test_a_driver_error_is_not(self):
        self.assertIsNone(errors.raised_inside(_wrapped(
            pymysql.err.OperationalError(1064, 'x'))))
