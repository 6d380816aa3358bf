"""A live rolling upgrade from the real previous release, under load, on
the Galera cluster through the round-robin HAProxy
(webdemo/tests/functional/live_upgrade.py)."""

from oslotest import base

from webdemo.tests.functional import live_upgrade
from webdemo.tests.galera import cluster


class TestLiveUpgradeGalera(live_upgrade.LiveUpgrade, base.BaseTestCase):

    def setUp(self):
        super().setUp()
        database = self.useFixture(cluster.GaleraDatabase())
        self.url = database.url
        self.engine = database.engines[1]
