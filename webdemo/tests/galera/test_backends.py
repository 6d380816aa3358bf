"""The Galera backend keeps the protocol's promises on the cluster,
through HAProxy (webdemo/tests/functional/backend_conformance.py)."""

from oslotest import base

from webdemo.tests.functional import backend_conformance
from webdemo.tests.galera import cluster


class TestGaleraBackend(backend_conformance.BackendConformance,
                        base.BaseTestCase):
    BACKEND = 'galera'

    def setUp(self):
        database = self.useFixture(cluster.GaleraDatabase())
        self.engine = database.engines[1]
        super().setUp()
