"""The revision graph and plans over webdemo's shipped scripts (files
only, no database), and history ranges. These pin what webdemo relies on
from Alembic's revision walk."""

from oslotest import base

from webdemo.db.execution.journal import Direction
from webdemo.db.history import scripts
from webdemo.db.state.judge import DatabaseState
from webdemo.db.state.judge import Status
from webdemo import exception

USER, ACCOUNT = '7dc0a5261bc4', 'fac0847f78ff'
EMAIL, PASSWORD_HASH, MERGE = 'b2237d3cc792', 'e27bd8cacc69', '948ccd040506'
EXPAND, CONTRACT = '828dea7d5e92', '3fd795719d99'
# The projects change; then usernames compared exactly (the contract
# head).
PROJECTS_EXPAND, PROJECTS_CONTRACT = 'dba815cb5924', '1fd0aa0adf0f'
EXACT_NAMES = 'a392e388916b'


def _ids(plan):
    return [script.revision for script in plan]


class TestPlans(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.scripts = scripts.Scripts.load()

    def test_graph_facts(self):
        self.assertEqual({PROJECTS_EXPAND, EXACT_NAMES},
                         set(self.scripts.heads))
        self.assertTrue(self.scripts.is_known(EMAIL))
        self.assertFalse(self.scripts.is_known('fffffffffff0'))
        self.assertEqual({USER, ACCOUNT, EMAIL},
                         self.scripts.applied((EMAIL,)))
        self.assertEqual(64, len(self.scripts.checksum(USER)))

    def test_upgrade_from_empty_runs_parents_first(self):
        plan = _ids(self.scripts.upgrade_plan('heads', ()))
        self.assertEqual([USER, ACCOUNT], plan[:2])
        self.assertEqual({EMAIL, PASSWORD_HASH}, set(plan[2:4]))
        # Every expand revision before any contract one.
        self.assertEqual([MERGE, EXPAND, PROJECTS_EXPAND, CONTRACT,
                          PROJECTS_CONTRACT, EXACT_NAMES], plan[4:])

    def test_upgrade_from_one_branch_runs_the_rest(self):
        self.assertEqual([PASSWORD_HASH, MERGE, EXPAND, PROJECTS_EXPAND,
                          CONTRACT, PROJECTS_CONTRACT, EXACT_NAMES], _ids(
            self.scripts.upgrade_plan('heads', (EMAIL,))))

    def test_phase_targets(self):
        self.assertEqual([EXPAND, PROJECTS_EXPAND], _ids(
            self.scripts.upgrade_plan('expand@head', (MERGE,))))
        # The contract revisions depend on the expand ones.
        self.assertEqual([EXPAND, PROJECTS_EXPAND, CONTRACT,
                          PROJECTS_CONTRACT, EXACT_NAMES], _ids(
            self.scripts.upgrade_plan('contract@head', (MERGE,))))
        self.assertEqual([CONTRACT, PROJECTS_CONTRACT, EXACT_NAMES], _ids(
            self.scripts.upgrade_plan('contract@head', (PROJECTS_EXPAND,))))

    def test_sides(self):
        sides = self.scripts.sides
        self.assertEqual({CONTRACT, PROJECTS_CONTRACT, EXACT_NAMES},
                         sides.contract)
        self.assertEqual({USER, ACCOUNT, EMAIL, PASSWORD_HASH, MERGE,
                          EXPAND, PROJECTS_EXPAND}, sides.expand)

    def test_a_phase_less_head_names_the_branches(self):
        error = self.assertRaises(exception.InvalidRevision,
                                  self.scripts.upgrade_plan, 'head', (MERGE,))
        self.assertIn('expand@head or contract@head', str(error))

    def test_upgrade_targets_by_partial_id_and_relative_step(self):
        self.assertEqual([USER], _ids(self.scripts.upgrade_plan(
            USER[:4], ())))
        self.assertEqual([ACCOUNT], _ids(self.scripts.upgrade_plan(
            '+1', (USER,))))

    def test_at_head_nothing_to_do(self):
        # Alembic records the contract head alone: it depends on the
        # expand head.
        self.assertEqual([], self.scripts.upgrade_plan(
            'heads', (EXACT_NAMES,)))

    def test_downgrade_undoes_children_first(self):
        plan = _ids(self.scripts.downgrade_plan(ACCOUNT, (MERGE,)))
        self.assertEqual(MERGE, plan[0])
        self.assertEqual({EMAIL, PASSWORD_HASH}, set(plan[1:]))
        self.assertEqual([ACCOUNT, USER], _ids(
            self.scripts.downgrade_plan('base', (ACCOUNT,))))

    def test_bad_targets_are_invalid_revisions(self):
        for plan, target, current, words in (
                (self.scripts.upgrade_plan, 'nosuch', (), 'nosuch'),
                (self.scripts.upgrade_plan, '+1', (MERGE,), '+1'),
                (self.scripts.upgrade_plan, '7dc0::fac0', (), '7dc0::fac0'),
                (self.scripts.downgrade_plan, '-1', (MERGE,), 'Ambiguous'),
                (self.scripts.downgrade_plan, MERGE, (ACCOUNT,), MERGE)):
            error = self.assertRaises(exception.InvalidRevision, plan,
                                      target, current)
            self.assertIn(words, str(error))
            self.assertIn('webdemo-manage db history', str(error))

    def test_steps_run_one_revision_in_a_direction(self):
        script = self.scripts.get(EMAIL)
        up = self.scripts.step(script, Direction.UPGRADE)
        down = self.scripts.step(script, Direction.DOWNGRADE)
        self.assertEqual((True, False), (up.is_upgrade, down.is_upgrade))
        self.assertIs(script, up.revision)


def _state(*current):
    return DatabaseState(tuple(current), (MERGE,), Status.UPGRADE_PENDING)


class TestParseRange(base.BaseTestCase):

    def test_ranges(self):
        for text, expected in (
                (None, ('base', 'heads')),
                (':', ('base', 'heads')),
                (f'{USER}:', (USER, 'heads')),
                (f':{EMAIL}', ('base', EMAIL)),
                ('current:heads', (ACCOUNT, 'heads')),
                ('base:current', ('base', ACCOUNT))):
            self.assertEqual(expected, scripts.parse_range(
                text, _state(ACCOUNT)), text)

    def test_malformed(self):
        for text in ('base', 'a:b:c', ''):
            error = self.assertRaises(exception.InvalidRevision,
                                      scripts.parse_range, text, _state())
            self.assertIn('START:END', str(error))

    def test_current_needs_exactly_one_revision(self):
        for current in ((), (EMAIL, PASSWORD_HASH)):
            error = self.assertRaises(exception.InvalidRevision,
                                      scripts.parse_range, 'current:',
                                      _state(*current))
            self.assertIn('exactly one revision', str(error))
