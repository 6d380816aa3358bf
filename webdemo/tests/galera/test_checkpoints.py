"""Every checkpoint builds what its history builds on the Galera cluster,
through HAProxy (webdemo/tests/functional/checkpoint_equivalence.py)."""

from oslotest import base

from webdemo.db import engines
from webdemo.tests.functional import checkpoint_equivalence
from webdemo.tests.functional import db_fixtures
from webdemo.tests.galera import cluster


class TestCheckpointsGalera(checkpoint_equivalence.CheckpointEquivalence,
                            base.BaseTestCase):

    def setUp(self):
        super().setUp()
        database = self.useFixture(cluster.GaleraDatabase())
        self.url = database.url
        # Through HAProxy: each connection of the build on the next node.
        self.engine = engines.create_engine(db_fixtures.make_conf(self.url))
        self.addCleanup(self.engine.dispose)
