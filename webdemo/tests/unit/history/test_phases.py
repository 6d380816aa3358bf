"""The phases' decisions, in memory: plans split, pending revisions,
the contract guard, and which data migrations are still asked."""

import dataclasses

from oslotest import base

from webdemo.db.history import phases
from webdemo.db.rolling import online_migrations
from webdemo import exception

SIDES = phases.Sides(expand=frozenset({'a', 'b', 'x'}),
                     contract=frozenset({'c', 'd'}))


@dataclasses.dataclass
class Script:
    revision: str


def _ids(scripts):
    return [script.revision for script in scripts]


class TestSplit(base.BaseTestCase):

    def test_contract_revisions_go_last_each_part_in_order(self):
        plan = [Script(revision) for revision in 'acbxd']
        expand, contract = phases.split(plan, SIDES)
        self.assertEqual(['a', 'b', 'x'], _ids(expand))
        self.assertEqual(['c', 'd'], _ids(contract))

    def test_pending_by_phase(self):
        self.assertEqual((('b', 'x'), ('d',)),
                         phases.pending(SIDES, frozenset({'a', 'c'})))
        self.assertEqual(((), ()), phases.pending(SIDES, SIDES.expand |
                                                  SIDES.contract))


class TestContractGuard(base.BaseTestCase):

    def test_pending_expand_is_named_first(self):
        error = self.assertRaises(
            exception.ContractNotReady, phases.check_contract_ready,
            ('b', 'x'), {'user_username': 5})
        self.assertEqual(('b', 'x'), error.expand_pending)
        self.assertIn('expand revisions are pending (b, x): run '
                      'webdemo-manage db sync --expand first', str(error))
        self.assertIn('Nothing was changed.', str(error))

    def test_rows_left_are_counted_and_named(self):
        error = self.assertRaises(
            exception.ContractNotReady, phases.check_contract_ready,
            (), {'user_username': 5, 'other': 0}, expanded=True)
        self.assertEqual({'user_username': 5}, error.data_left)
        self.assertIn('(user_username: 5): run webdemo-manage db '
                      'online_data_migrations until it exits 0 first',
                      str(error))
        self.assertIn('The expand phase was applied; no contract revision '
                      'ran.', str(error))

    def test_nothing_left_passes(self):
        self.assertIsNone(phases.check_contract_ready((), {'a': 0}))
        self.assertIsNone(phases.check_contract_ready((), {}))


class TestStillNeeded(base.BaseTestCase):

    def test_a_migration_is_asked_until_its_contract_ran(self):
        first = online_migrations.Registered(len, before='c')
        second = online_migrations.Registered(abs, before='d')
        self.assertEqual((first, second), phases.still_needed(
            (first, second), frozenset({'a', 'b'})))
        self.assertEqual((second,), phases.still_needed(
            (first, second), frozenset({'a', 'b', 'c'})))
