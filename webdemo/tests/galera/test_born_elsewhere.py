"""Databases the history did not create reach head on the Galera cluster,
through HAProxy (webdemo/tests/functional/born_elsewhere.py)."""

from oslotest import base

from webdemo.tests.functional import born_elsewhere
from webdemo.tests.galera import cluster


class TestBornElsewhereGalera(born_elsewhere.BornElsewhereWalk,
                              base.BaseTestCase):

    def setUp(self):
        super().setUp()
        database = self.useFixture(cluster.GaleraDatabase())
        self.url = database.url
        self.engine = database.engines[1]
