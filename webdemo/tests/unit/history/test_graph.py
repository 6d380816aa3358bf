"""graph.py gives Alembic's answers without Alembic, and never stale ones.

Each graph is compared with Alembic's own ScriptDirectory, which parses
the same files: the shipped history, and synthetic ones with the shapes
a history can take (linear, two labelled branches with dependencies
across, a merge). No database.
"""

import os
import shutil
import subprocess
import sys

from alembic import script as alembic_script
import fixtures
from oslotest import base

from webdemo.db.history import graph as graph_module
from webdemo.db.history import phases
from webdemo.db.history import scripts
from webdemo.db.state import held
from webdemo import exception
from webdemo.tests.unit import counting
from webdemo.tests.unit import history_shapes


def _alembic_answers(directory, revisions):
    """heads, applied (for each current given) and contract side."""
    heads = tuple(sorted(directory.get_heads()))
    contract = frozenset(
        rev.revision for rev in directory.walk_revisions()
        if phases.CONTRACT in rev.branch_labels)
    applied = {current: frozenset(
        rev.revision for head in current
        for rev in directory.walk_revisions('base', head))
        for current in revisions}
    return heads, applied, contract


def _our_answers(graph, revisions):
    return (graph.heads,
            {current: graph.applied(current) for current in revisions},
            graph.contract)


def _currents(directory):
    """Every single revision, and every pair of heads, as a current."""
    every = [(rev.revision,) for rev in directory.walk_revisions()]
    heads = directory.get_heads()
    return every + [(one, other) for one in heads for other in heads
                    if one < other]


class TestGraphMatchesAlembic(history_shapes.HistoryShapes, base.BaseTestCase):

    def assert_same_answers(self):
        directory = alembic_script.ScriptDirectory(self.root)
        currents = _currents(directory)
        self.assertEqual(
            _alembic_answers(directory, currents),
            _our_answers(graph_module.load([self.versions]), currents))

    def test_the_shipped_history(self):
        directory = alembic_script.ScriptDirectory.from_config(
            scripts.alembic_config())
        currents = _currents(directory)
        graph = graph_module.load(scripts.version_directories(directory))
        self.assertEqual(_alembic_answers(directory, currents),
                         _our_answers(graph, currents))
        self.assertEqual(scripts.version_directories(directory),
                         graph_module.version_directories())

    def test_a_revision_declared_twice_is_refused(self):
        self.write('a0', None)
        self.write('a1', 'a0')
        other = os.path.join(self.root, 'other')
        os.mkdir(other)
        shutil.copy(os.path.join(self.versions, 'a1_step.py'),
                    os.path.join(other, 'a1_copy.py'))
        error = self.assertRaises(exception.InvalidRevision,
                                  graph_module.load, [self.versions, other])
        self.assertIn('revision a1 is declared by two files', str(error))

    def test_a_version_table_listing_an_ancestor_is_not_a_shortcut(self):
        # At head by every revision's count, but Alembic cannot plan from
        # it: db sync must take the whole path, which says why.
        for rev, down in (('a0', None), ('a1', 'a0'), ('a2', 'a1')):
            self.write(rev, down)
        graph = graph_module.load([self.versions])
        self.assertTrue(held.overlapping(('a1', 'a2'), graph))
        self.assertFalse(held.overlapping(('a2',), graph))


class TestGraphCache(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.directories = []
        root = self.useFixture(fixtures.TempDir()).path
        for shipped in graph_module.version_directories():
            copy = os.path.join(root, os.path.relpath(
                shipped, os.path.dirname(graph_module.ALEMBIC_INI)))
            shutil.copytree(shipped, copy, ignore=shutil.ignore_patterns(
                '__pycache__', 'expand', 'contract'))
            self.directories.append(copy)
        self.derived = self.useFixture(
            counting.Counting('webdemo.db.history.graph.derive'))

    def test_a_second_load_asks_alembic_nothing(self):
        first = graph_module.load(self.directories)
        second = graph_module.load(self.directories)
        self.assertEqual(1, self.derived.calls)
        self.assertEqual((first.heads, first.parents, first.contract),
                         (second.heads, second.parents, second.contract))

    def test_an_edited_parent_is_seen(self):
        graph_module.load(self.directories)
        contract = self.directories[2]
        [name] = [name for name in os.listdir(contract)
                  if name.startswith('3fd795719d99')]
        path = os.path.join(contract, name)
        with open(path) as source:
            text = source.read()
        # The first contract revision moved onto the expand head: the
        # last contract revision is the one head.
        with open(path, 'w') as source:
            source.write(text.replace("down_revision = '948ccd040506'",
                                      "down_revision = 'dba815cb5924'"))
        graph = graph_module.load(self.directories)
        self.assertEqual(2, self.derived.calls)
        self.assertEqual(('a392e388916b',), graph.heads)

    def test_a_removed_file_is_seen(self):
        graph_module.load(self.directories)
        contract = self.directories[2]
        for name in os.listdir(contract):
            if name.endswith('.py'):
                os.unlink(os.path.join(contract, name))
        graph = graph_module.load(self.directories)
        self.assertEqual(('dba815cb5924',), graph.heads)
        self.assertEqual(frozenset(), graph.contract)

    def test_a_corrupt_cache_is_rebuilt(self):
        first = graph_module.load(self.directories)
        cache = os.path.join(self.directories[0], '__pycache__',
                             graph_module.CACHE_NAME)
        for garbage in ('{not json', '[]', '{"format": 1, "key": 3}'):
            with open(cache, 'w') as stored:
                stored.write(garbage)
            self.assertEqual(first.heads,
                             graph_module.load(self.directories).heads)
        self.assertEqual(4, self.derived.calls)


class TestReadingImportsNoAlembic(base.BaseTestCase):

    def test_db_version_and_a_noop_sync_load_neither_alembic_nor_orm(self):
        graph_module.load()  # the cache, as any earlier command leaves it
        # In a process of its own: this one has imported both already.
        code = (
            'import sys\n'
            'from webdemo.cmd import db_commands\n'
            'from webdemo.db.history import graph\n'
            'from webdemo.db.state import held, status\n'
            'graph.load()\n'
            'print(sorted(name for name in sys.modules if name == "alembic"'
            ' or name.startswith(("alembic.", "sqlalchemy.orm", '
            '"oslo_db.sqlalchemy.engines"))))\n')
        out = subprocess.run([sys.executable, '-c', code], check=True,
                             capture_output=True, text=True).stdout
        self.assertEqual('[]', out.strip())
