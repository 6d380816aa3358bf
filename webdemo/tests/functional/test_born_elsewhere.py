"""Databases the history did not create reach head (born_elsewhere.py)."""

from oslotest import base

from webdemo.tests.functional import born_elsewhere
from webdemo.tests.functional import db_fixtures


class TestBornElsewhereSQLite(born_elsewhere.BornElsewhereWalk,
                              db_fixtures.SQLiteFileMixin,
                              base.BaseTestCase):
    pass


class TestBornElsewhereMySQL(born_elsewhere.BornElsewhereWalk,
                             db_fixtures.MySQLMixin,
                             db_fixtures.DatabaseTestCase):
    pass


class TestBornElsewherePostgreSQL(born_elsewhere.BornElsewhereWalk,
                                  db_fixtures.PostgreSQLMixin,
                                  db_fixtures.DatabaseTestCase):
    pass
