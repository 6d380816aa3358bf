"""Reading a database's state while its tables come and go, on SQLite,
MariaDB/MySQL and PostgreSQL: a read never fails because a table it
found was dropped before it read it."""

import threading
import time

from oslotest import base
import sqlalchemy

from webdemo.db import errors
from webdemo.db.state import reader
from webdemo.tests.functional import db_fixtures

REVISION = '3fd795719d99'
# Long enough for thousands of reads to meet a drop: before the reads
# asked for a table in one round trip and read it in another, one in ten
# failed on MariaDB.
CHURN_SECONDS = 2


class Reading:

    def test_a_missing_table_reads_as_none_and_the_connection_goes_on(self):
        with self.engine.connect() as connection:
            self.assertIsNone(errors.read_unless_no_table(
                connection, lambda c: c.exec_driver_sql(
                    'SELECT x FROM no_such_table').all()))
            # PostgreSQL aborted the transaction: it was rolled back.
            self.assertEqual(1, connection.exec_driver_sql(
                'SELECT 1').scalar())

    def test_other_errors_are_raised(self):
        with self.engine.connect() as connection:
            self.assertRaises(
                errors.DATABASE_ERRORS, errors.read_unless_no_table,
                connection, lambda c: c.exec_driver_sql('SELEKT 1').all())

    def test_tables_dropped_and_made_again_while_read(self):
        stop = threading.Event()
        churner = threading.Thread(target=self._churn, args=(stop,))
        churner.start()
        seen = set()
        try:
            deadline = time.monotonic() + CHURN_SECONDS
            while time.monotonic() < deadline:
                seen.add(reader.observe(self.engine).current)
        finally:
            stop.set()
            churner.join()
        self.assertLessEqual(seen, {(), (REVISION,)})
        # Both states were read, or the churn proved nothing.
        self.assertEqual({(), (REVISION,)}, seen)

    def _churn(self, stop):
        version = sqlalchemy.Table(
            'alembic_version', sqlalchemy.MetaData(),
            sqlalchemy.Column('version_num', sqlalchemy.String(32),
                              primary_key=True))
        while not stop.is_set():
            with self.engine.begin() as connection:
                version.create(connection)
                connection.execute(version.insert().values(
                    version_num=REVISION))
            with self.engine.begin() as connection:
                version.drop(connection)


class TestReadingSQLite(Reading, db_fixtures.SQLiteFileMixin,
                        base.BaseTestCase):
    pass


class TestReadingMySQL(Reading, db_fixtures.MySQLMixin,
                       db_fixtures.DatabaseTestCase):
    pass


class TestReadingPostgreSQL(Reading, db_fixtures.PostgreSQLMixin,
                            db_fixtures.DatabaseTestCase):
    pass
