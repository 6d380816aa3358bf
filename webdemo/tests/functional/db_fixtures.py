"""Real databases for functional tests.

SQLite always runs. MariaDB/MySQL and PostgreSQL come from oslo.db's
opportunistic fixtures: the openstack_citest user, password and database
on localhost (tools/test-setup.sh makes them), or the admin URLs in
OS_TEST_DBAPI_ADMIN_CONNECTION. Each test gets a database of its own.

A backend that cannot be reached skips its tests, unless
WEBDEMO_TEST_REQUIRE_BACKENDS is set (CI sets it): then it fails them, so
that CI can never pass without having run them.
"""

import os

from oslo_db.sqlalchemy import test_fixtures
from oslotest import base

REQUIRE_BACKENDS_ENV = 'WEBDEMO_TEST_REQUIRE_BACKENDS'


def backends_required():
    value = os.environ.get(REQUIRE_BACKENDS_ENV, '')
    return value.lower() in ('1', 'true', 'yes', 'on')


class DatabaseTestCase(test_fixtures.OpportunisticDBTestMixin,
                       base.BaseTestCase):
    """A test case with self.engine on a fresh, empty database."""

    SKIP_ON_UNAVAILABLE_DB = not backends_required()

    def setUp(self):
        super().setUp()
        provisioned = self._get_default_provisioned_db()
        self.engine = provisioned.engine
        # The URL with its password, for handing to a child process.
        self.url = provisioned.engine.url.render_as_string(
            hide_password=False)


class SQLiteMixin:
    FIXTURE = test_fixtures.OpportunisticDbFixture


class MySQLMixin:
    FIXTURE = test_fixtures.MySQLOpportunisticFixture


class PostgreSQLMixin:
    FIXTURE = test_fixtures.PostgresqlOpportunisticFixture
