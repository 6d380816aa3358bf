"""db graph's picture of a synthetic history, in memory: a branch, a
merge, a split into expand and contract with depends_on across it, and
a database's states."""

import dataclasses
import json

from oslotest import base

from webdemo.db.history import drawing
from webdemo.db.history import phases


@dataclasses.dataclass
class _Script:
    revision: str
    down_revision: object
    doc: str
    dependencies: tuple = ()
    is_head: bool = False
    is_base: bool = False
    is_branch_point: bool = False
    is_merge_point: bool = False


class _Scripts:
    """a -> (b, c) -> m (merge) -> x (expand) ; m -> k (contract, needs x)"""

    def __init__(self):
        self.scripts = [
            _Script('a', None, 'first', is_base=True, is_branch_point=True),
            _Script('b', 'a', 'left'),
            _Script('c', 'a', 'right'),
            _Script('m', ('b', 'c'), 'merge "both"', is_merge_point=True,
                    is_branch_point=True),
            _Script('x', 'm', 'add a column', is_head=True),
            _Script('k', 'm', 'drop the old column', ('x',), is_head=True),
        ]
        self.sides = phases.Sides(frozenset('abcmx'), frozenset('k'))

    def walk(self):
        return list(reversed(self.scripts))

    def resolve(self, names, action):
        return [script for script in self.scripts if script.revision in names]


class TestDrawing(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.picture = drawing.drawing(_Scripts(), frozenset('abcmx'), ('k',))

    def test_phases_and_states(self):
        self.assertEqual(
            [('a', drawing.BEFORE, 'applied'), ('b', drawing.BEFORE,
                                                'applied'),
             ('c', drawing.BEFORE, 'applied'), ('m', drawing.BEFORE,
                                                'applied'),
             ('x', drawing.EXPAND, 'applied'),
             ('k', drawing.CONTRACT, 'interrupted')],
            [(node.revision, node.phase, node.state)
             for node in self.picture.nodes])

    def test_edges_follow_and_depend(self):
        self.assertEqual(
            {('a', 'b', 'follows'), ('a', 'c', 'follows'),
             ('b', 'm', 'follows'), ('c', 'm', 'follows'),
             ('m', 'x', 'follows'), ('m', 'k', 'follows'),
             ('x', 'k', 'depends')},
            {(edge.parent, edge.child, edge.kind)
             for edge in self.picture.edges})

    def test_without_a_database_no_states(self):
        picture = drawing.drawing(_Scripts())
        self.assertEqual({None}, {node.state for node in picture.nodes})
        self.assertNotIn('(pending)', drawing.dot(picture))

    def test_dot(self):
        text = drawing.dot(self.picture)
        self.assertTrue(text.startswith('digraph revisions {\n'))
        self.assertIn('"m" [label="m\\nmerge \\"both\\"\\n(branch point)'
                      '\\n(merge)\\n(applied)", fillcolor="#c8e6c9", '
                      'peripheries=2];', text)
        self.assertIn('subgraph cluster_contract {', text)
        self.assertIn('"k" [label="k\\ndrop the old column\\n(head)\\n'
                      '(interrupted)", fillcolor="#ffcdd2"];', text)
        self.assertIn('"x" -> "k" [style=dashed, label="depends on"];', text)
        # The shared history is drawn outside both phases' boxes.
        self.assertLess(text.index('"a" [label'),
                        text.index('subgraph cluster_expand'))

    def test_mermaid(self):
        text = drawing.mermaid(self.picture)
        self.assertTrue(text.startswith('flowchart TB\n'))
        self.assertIn("  rm[\"m<br/>merge 'both'<br/>(branch point)<br/>"
                      '(merge)<br/>(applied)"]', text)
        self.assertIn('  rx -. depends on .-> rk', text)
        self.assertIn('  class rk interrupted', text)

    def test_json(self):
        found = json.loads(json.dumps(drawing.as_json(self.picture)))
        self.assertEqual(6, len(found['nodes']))
        self.assertEqual({'revision': 'k', 'message': 'drop the old column',
                          'phase': 'contract', 'state': 'interrupted',
                          'head': True, 'base': False,
                          'branch_point': False, 'merge_point': False},
                         found['nodes'][-1])
        self.assertIn({'parent': 'x', 'child': 'k', 'kind': 'depends'},
                      found['edges'])
