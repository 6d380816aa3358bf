"""A live rolling upgrade from the real previous release, under load, on
MariaDB/MySQL and PostgreSQL (live_upgrade.py; Galera: tests/galera)."""

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import live_upgrade


class TestLiveUpgradeMySQL(live_upgrade.LiveUpgrade, db_fixtures.MySQLMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestLiveUpgradePostgreSQL(live_upgrade.LiveUpgrade,
                                db_fixtures.PostgreSQLMixin,
                                db_fixtures.DatabaseTestCase):
    pass
