"""The three-node Galera cluster and round-robin HAProxy of tools/galera.sh.

These tests run only through ``tox -e galera``, after ``tools/galera.sh
start``; a cluster that cannot be reached fails them, never skips them.
Each test gets a database of its own on the cluster.
"""

import os
import subprocess
import uuid

import fixtures
import sqlalchemy

from webdemo.db import api
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


def cluster_size(port):
    engine = sqlalchemy.create_engine(url(port))
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql(
                "SHOW STATUS LIKE 'wsrep_cluster_size'").first()[1])
    finally:
        engine.dispose()


class GaleraDatabase(fixtures.Fixture):
    """A fresh database on the cluster, with URLs through each way in.

    :ivar url: through HAProxy (each new connection on the next node)
    :ivar node_urls: {node: URL straight to that node}
    :ivar engines: {node: engine straight to that node}
    """

    def _setUp(self):
        try:
            size = cluster_size(PROXY_PORT)
        except sqlalchemy.exc.OperationalError as error:
            raise AssertionError(
                'the Galera test cluster is not reachable through HAProxy '
                f'on {HOST}:{PROXY_PORT}: start it with tools/galera.sh '
                f'start ({error})')
        if size != len(NODES):
            raise AssertionError(f'the Galera test cluster has {size} '
                                 'nodes, not 3: tools/galera.sh status')
        self.name = f'webdemo_{uuid.uuid4().hex[:12]}'
        self._admin(f'CREATE DATABASE {self.name}')
        self.addCleanup(self._admin, f'DROP DATABASE IF EXISTS {self.name}')
        self.url = url(PROXY_PORT, self.name)
        self.node_urls = {node: url(node_port(node), self.name)
                          for node in NODES}
        self.engines = {}
        for node in NODES:
            self.engines[node] = api.create_engine(
                db_fixtures.make_conf(self.node_urls[node]))
            self.addCleanup(self.engines[node].dispose)

    def _admin(self, statement):
        engine = sqlalchemy.create_engine(url(PROXY_PORT))
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()
