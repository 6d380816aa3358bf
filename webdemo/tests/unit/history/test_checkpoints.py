"""Checkpoints: which one a sync starts from, and whether one is stale.

In memory, over the graph of webdemo's own revision files (the shipped
checkpoints must stand for it) and over made-up ones.
"""

import dataclasses
import os

import fixtures
from oslotest import base

from webdemo.db.history import checkpoint_plan
from webdemo.db.history import checkpoints
from webdemo.db.history import graph as graph_module
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo import exception


def _covered(revision, down=(), checksum=None):
    return checkpoints.Covered(revision, down, (), (), revision,
                               checksum or f'sum-{revision}')


def _checkpoint(*revisions, heads=None):
    covered = tuple(_covered(revision) for revision in revisions)
    return checkpoints.Checkpoint(f'/c/{revisions[-1]}.py', 'sum',
                                  heads or (revisions[-1],), covered)


@dataclasses.dataclass
class _Script:
    revision: str
    retired_in: str = None


class TestChoose(base.BaseTestCase):

    def test_the_one_standing_for_the_most_revisions_in_the_plan(self):
        older, newer = _checkpoint('a', 'b'), _checkpoint('a', 'b', 'c')
        choose = checkpoint_plan.choose
        self.assertIs(newer, choose([older, newer], ['a', 'b', 'c', 'd']))
        self.assertIs(newer, choose([newer, older], ['a', 'b', 'c']))

    def test_one_beyond_the_target_is_not_used(self):
        older, newer = _checkpoint('a', 'b'), _checkpoint('a', 'b', 'c')
        choose = checkpoint_plan.choose
        self.assertIs(older, choose([older, newer], ['a', 'b']))
        self.assertIsNone(choose([older, newer], ['a']))
        self.assertIsNone(choose([], ['a']))

    def test_the_plan_starts_with_it_and_keeps_the_rest_in_order(self):
        chosen = _checkpoint('a', 'b')
        plan = checkpoint_plan.start_from(
            chosen, [_Script('a'), _Script('b'), _Script('c'), _Script('d')])
        self.assertEqual(['checkpoint b', 'c', 'd'],
                         [script.revision for script in plan])
        self.assertEqual({'a', 'b', 'c', 'd'},
                         checkpoint_plan.revisions_run(plan))


class TestFits(base.BaseTestCase):

    def state(self, status, current=(), interrupted=()):
        return judge.DatabaseState(current, ('c',), status,
                                   interrupted=interrupted)

    def test_only_an_empty_database_or_its_own_interrupted_build(self):
        self.assertTrue(checkpoint_plan.fits(self.state(Status.EMPTY)))
        self.assertTrue(checkpoint_plan.fits(self.state(
            Status.INTERRUPTED, interrupted=('checkpoint c',))))
        self.assertFalse(checkpoint_plan.fits(self.state(
            Status.INTERRUPTED, interrupted=('a',))))
        self.assertFalse(checkpoint_plan.fits(self.state(
            Status.UPGRADE_PENDING, current=('a',))))
        self.assertFalse(checkpoint_plan.fits(self.state(Status.UNVERSIONED)))
        self.assertFalse(checkpoint_plan.fits(self.state(Status.LEGACY)))


class TestForUpgrade(base.BaseTestCase):
    """The plan an upgrade runs: from a checkpoint, or refused."""

    plan = [_Script('a'), _Script('b'), _Script('c')]

    def found(self):
        return [_checkpoint('a', 'b')]

    def state(self, status, current=(), interrupted=()):
        return judge.DatabaseState(current, ('c',), status,
                                   interrupted=interrupted)

    def revisions(self, plan):
        return [script.revision for script in plan]

    def test_an_empty_database_starts_from_the_checkpoint(self):
        plan = checkpoint_plan.for_upgrade(
            self.state(Status.EMPTY), self.plan, self.found)
        self.assertEqual(['checkpoint b', 'c'], self.revisions(plan))

    def test_no_checkpoint_replays(self):
        plan = checkpoint_plan.for_upgrade(
            self.state(Status.EMPTY), self.plan, self.fail, allowed=False)
        self.assertEqual(['a', 'b', 'c'], self.revisions(plan))

    def test_a_database_that_is_not_empty_ignores_it(self):
        # Without reading them (self.fail), as --no-checkpoint: a sync at
        # head pays nothing for them.
        plan = checkpoint_plan.for_upgrade(
            self.state(Status.UPGRADE_PENDING, current=('a',)),
            self.plan[1:], self.fail)
        self.assertEqual(['b', 'c'], self.revisions(plan))

    def test_an_interrupted_build_is_completed_by_its_checkpoint(self):
        state = self.state(Status.INTERRUPTED, interrupted=('checkpoint b',))
        plan = checkpoint_plan.for_upgrade(state, self.plan, self.found)
        self.assertEqual(['checkpoint b', 'c'], self.revisions(plan))
        for found, allowed in ((list, True), (self.found, False)):
            self.assertRaises(exception.InterruptedMigration,
                              checkpoint_plan.for_upgrade, state, self.plan,
                              found, allowed)

    def test_a_retired_revision_left_in_the_plan_is_refused(self):
        retired = [_Script('a', '2026.1'), _Script('b', '2026.1'),
                   _Script('c')]
        for state, allowed, action in (
                (self.state(Status.EMPTY), False,
                 exception.RetiredRevision.REPLAY),
                (self.state(Status.UPGRADE_PENDING, current=('x',)), True,
                 exception.RetiredRevision.UPGRADE)):
            error = self.assertRaises(
                exception.RetiredRevision, checkpoint_plan.for_upgrade,
                state, retired, self.found, allowed)
            self.assertEqual((('a', 'b'), action),
                             (error.revisions, error.action))
        # The checkpoint stands for them: nothing retired is left.
        plan = checkpoint_plan.for_upgrade(
            self.state(Status.EMPTY), retired, self.found)
        self.assertEqual(['checkpoint b', 'c'], self.revisions(plan))
        # A target below the checkpoint cannot use it.
        error = self.assertRaises(
            exception.RetiredRevision, checkpoint_plan.for_upgrade,
            self.state(Status.EMPTY), retired[:1], self.found)
        self.assertEqual(exception.RetiredRevision.PARTIAL, error.action)


class Graph:
    """a -> b -> c; c is the head; b's script is as it was."""

    _parents = {'a': (), 'b': ('a',), 'c': ('b',)}

    def is_known(self, revision):
        return revision in self._parents

    def applied(self, current):
        found, todo = set(), list(current)
        while todo:
            revision = todo.pop()
            found.add(revision)
            todo += self._parents[revision]
        return frozenset(found)

    def accepts(self, revision, checksum):
        return checksum == f'sum-{revision}'


class TestStale(base.BaseTestCase):

    def test_a_checkpoint_of_its_history_is_not(self):
        self.assertEqual([], checkpoint_plan.stale(
            _checkpoint('a', 'b'), Graph()))

    def test_a_revision_added_below_it(self):
        self.assertEqual(
            ['revision a is below its heads but not in it'],
            checkpoint_plan.stale(_checkpoint('b', heads=('b',)), Graph()))

    def test_a_revision_changed_since(self):
        changed = dataclasses.replace(
            _checkpoint('a', 'b'),
            covered=(_covered('a'), _covered('b', checksum='sum-b-edited')))
        self.assertEqual(['revision b changed since it was cut'],
                         checkpoint_plan.stale(changed, Graph()))

    def test_a_head_that_is_gone(self):
        self.assertEqual(['its head z is not a revision'],
                         checkpoint_plan.stale(_checkpoint('a', 'z'), Graph()))

    def test_every_shipped_checkpoint_stands_for_its_history(self):
        # A revision added below a checkpoint, or one edited after it was
        # cut, fails here: cut the checkpoint again (db checkpoint).
        found = checkpoints.load()
        self.assertNotEqual([], found)
        graph = graph_module.load()
        for checkpoint in found:
            self.assertEqual([], checkpoint_plan.stale(checkpoint, graph),
                             checkpoint.path)


_REVISION = '''"""{rev}"""
revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    pass
'''

_CHECKPOINT = '''"""a checkpoint"""
heads = ('b',)
release = '2026.1'
revisions = (
    ('a', (), (), (), 'first', 'sum-a'),
    ('b', ('a',), (), (), 'second', 'sum-b'),
)
replaced = {'b': ('sum-b-released',)}


def upgrade():
    raise AssertionError('reading a checkpoint runs nothing')
'''


class TestRetired(base.BaseTestCase):
    """A release that deleted a and b, kept c, and ships their checkpoint."""

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.versions = os.path.join(root, 'versions')
        os.mkdir(self.versions)
        os.mkdir(os.path.join(root, 'checkpoints'))
        self.kept = os.path.join(self.versions, 'c_kept.py')
        with open(self.kept, 'w') as out:
            out.write(_REVISION.format(rev='c', down='b'))
        with open(os.path.join(root, 'checkpoints', 'b.py'), 'w') as out:
            out.write(_CHECKPOINT)

    def test_the_graph_keeps_them_from_the_checkpoint(self):
        graph = graph_module.load([self.versions])
        self.assertEqual(('c',), graph.heads)
        self.assertEqual({'a', 'b', 'c'}, graph.applied(['c']))
        self.assertEqual('2026.1', graph.entries['a'].facts.retired_in)
        self.assertIsNone(graph.entries['c'].facts.retired_in)
        self.assertTrue(graph.accepts('b', 'sum-b'))
        # A released version its script declared equivalent still is.
        self.assertTrue(graph.accepts('b', 'sum-b-released'))

    def test_every_revision_retired(self):
        os.unlink(self.kept)
        graph = graph_module.load([self.versions])
        self.assertEqual(('b',), graph.heads)
        self.assertEqual({'a', 'b'}, graph.applied(['b']))

    def test_a_plan_that_needs_one_is_refused_naming_the_release(self):
        plan = [_Script('a'), _Script('b'), _Script('c')]
        for script in plan:
            script.retired_in = None if script.revision == 'c' else '2026.1'
        state = judge.DatabaseState((), ('c',), Status.UPGRADE_PENDING)
        error = self.assertRaises(
            exception.RetiredRevision, checkpoint_plan.require_kept, plan,
            state, exception.RetiredRevision.UPGRADE)
        self.assertEqual(('a', 'b'), error.revisions)
        self.assertIn('Upgrade it with webdemo 2026.1 first', str(error))
        checkpoint_plan.require_kept(plan[2:], state,
                                     exception.RetiredRevision.UPGRADE)
