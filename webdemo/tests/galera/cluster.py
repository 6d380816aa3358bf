"""The three-node Galera cluster and round-robin HAProxy of tools/galera.sh.

These tests run only through ``tox -e galera``, after ``tools/galera.sh
start``; a cluster that cannot be reached fails them, never skips them.
Each test gets a database of its own on the cluster.
"""

import os
import subprocess
import time
import uuid

import fixtures
import pymysql

from webdemo.db import engines
from webdemo.tests.functional import db_fixtures

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'tools',
                      'galera.sh')
HOST = '127.0.0.1'
PROXY_PORT = 13306
NODES = (1, 2, 3)
USER = 'openstack_citest'


def node_port(node):
    return 13306 + node * 10


def url(port, database=''):
    return (f'mysql+pymysql://{USER}:{USER}@{HOST}:{port}/{database}')


def galera(*args):
    """Run tools/galera.sh with args; fail the test if it fails."""
    result = subprocess.run(['bash', SCRIPT, *args], capture_output=True,
                            text=True, timeout=300)
    if result.returncode:
        raise AssertionError(f'tools/galera.sh {" ".join(args)} failed: '
                             f'{result.stdout}{result.stderr}')
    return result.stdout


def node_sql(port, statement, database=''):
    """Run one statement at port, straight through the driver.

    Not through SQLAlchemy, whose first connection ends with a ROLLBACK
    that a node outside the primary component refuses.
    """
    connection = pymysql.connect(host=HOST, port=port, user=USER,
                                 password=USER, database=database or None,
                                 autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone()
    finally:
        connection.close()


def status(port, name):
    return node_sql(port, f"SHOW STATUS LIKE '{name}'")[1]


def cluster_size(port):
    return int(status(port, 'wsrep_cluster_size'))


def wait_for_every_node(timeout=60):
    """Wait until each node sees a cluster of three; else fail.

    One node may still be rejoining after an earlier test.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            sizes = [cluster_size(node_port(node)) for node in NODES]
        except pymysql.err.OperationalError as error:
            sizes = error
        if sizes == [len(NODES)] * len(NODES):
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f'the Galera test cluster is not whole ({sizes}): start it '
                'with tools/galera.sh start; tools/galera.sh status')
        time.sleep(0.5)


class GaleraDatabase(fixtures.Fixture):
    """A fresh database on the cluster, with URLs through each way in.

    :ivar url: through HAProxy (each new connection on the next node)
    :ivar node_urls: {node: URL straight to that node}
    :ivar engines: {node: engine straight to that node}
    """

    def _setUp(self):
        wait_for_every_node()
        self.name = f'webdemo_{uuid.uuid4().hex[:12]}'
        self._admin(f'CREATE DATABASE {self.name}')
        self.addCleanup(self._admin, f'DROP DATABASE IF EXISTS {self.name}')
        self.url = url(PROXY_PORT, self.name)
        self.node_urls = {node: url(node_port(node), self.name)
                          for node in NODES}
        self.engines = {}
        for node in NODES:
            self.engines[node] = engines.create_engine(
                db_fixtures.make_conf(self.node_urls[node]))
            self.addCleanup(self.engines[node].dispose)

    def _admin(self, statement):
        node_sql(PROXY_PORT, statement)

    def sql(self, node, statement):
        """Run statement in this database, on node, on a plain session."""
        return node_sql(node_port(node), statement, self.name)


class GaleraMixin:
    """self.url (through HAProxy) and self.engine: a fresh database.

    Placed after a mixin that reads them in its setUp, as
    db_fixtures.MySQLMixin is.
    """

    def setUp(self):
        super().setUp()
        database = self.useFixture(GaleraDatabase())
        self.url = database.url
        self.engine = database.engines[1]
