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

import fixtures
from oslo_config import cfg
from oslo_db.sqlalchemy import test_fixtures
from oslotest import base

from webdemo import conf as webdemo_conf
from webdemo.db import engines

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
        # The URL with its password, for handing to a child process.
        self.url = provisioned.engine.url.render_as_string(
            hide_password=False)
        # The tests use the engine webdemo-manage would make for this URL.
        self.engine = engines.create_engine(make_conf(self.url))
        self.addCleanup(self.engine.dispose)


class SQLiteFileMixin:
    """A SQLite file of its own, shared with child processes.

    The opportunistic SQLite database is in memory, out of their reach.
    """

    def setUp(self):
        super().setUp()
        directory = self.useFixture(fixtures.TempDir()).path
        self.url = f'sqlite:///{directory}/webdemo.db'
        self.engine = engines.create_engine(make_conf(self.url))
        self.addCleanup(self.engine.dispose)


def make_conf(connection):
    """A loaded ConfigOpts whose [database] connection is connection."""
    conf = cfg.ConfigOpts()
    webdemo_conf.register_opts(conf)
    # No config files: a developer's /etc/webdemo must not leak in.
    conf([], default_config_files=[], default_config_dirs=[])
    conf.set_override('connection', connection, group='database')
    return conf


class SQLiteMixin:
    FIXTURE = test_fixtures.OpportunisticDbFixture


class MySQLMixin:
    FIXTURE = test_fixtures.MySQLOpportunisticFixture


class PostgreSQLMixin:
    FIXTURE = test_fixtures.PostgresqlOpportunisticFixture
