"""status.needed_migrations: which online data migrations a database
still needs, in memory over webdemo's own revision graph."""

from oslotest import base

from webdemo.db.history import graph as graph_module
from webdemo.db.rolling import data_migrations
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import status


class TestNeededMigrations(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.graph = graph_module.load()
        self.empty = judge.DatabaseState((), self.graph.heads, Status.EMPTY)

    def test_an_empty_database_needs_every_one(self):
        self.assertEqual(
            [registered.function
             for registered in data_migrations.MIGRATIONS],
            status.needed_migrations(self.empty, self.graph))

    def test_none_whose_contract_a_checkpoint_applied(self):
        # A checkpoint at the heads applied every contract revision.
        ran = self.graph.applied(self.graph.heads)
        self.assertEqual([], status.needed_migrations(self.empty,
                                                      self.graph, ran))
