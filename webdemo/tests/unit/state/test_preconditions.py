from oslotest import base

from webdemo.db.sqlalchemy import data_checks
from webdemo.db.state import preconditions
from webdemo import exception


def _finding(revision, check, rows, example=None):
    return preconditions.Finding(revision, check,
                                 data_checks.Failing(rows, example))


class TestRefuse(base.BaseTestCase):

    def test_nothing_failing_passes(self):
        self.assertIsNone(preconditions.refuse([]))

    def test_the_first_finding_is_the_refusal(self):
        findings = [
            _finding('r1', data_checks.no_nulls('user', 'email'), 3,
                     'id=7'),
            _finding('r2', data_checks.empty('old'), 1, 'id=1')]
        error = self.assertRaises(exception.DataCheckFailed,
                                  preconditions.refuse, findings)
        self.assertEqual(('r1', 3, False),
                         (error.revision, error.rows, error.expanded))
        self.assertEqual(
            'revision r1 cannot run: its data check "no NULL in '
            'user.email" fails on 3 rows (one: id=7). Set user.email on '
            'those rows, or delete them, then run the command again. '
            'Nothing was changed.', str(error))

    def test_after_expand_it_says_expand_ran(self):
        error = self.assertRaises(
            exception.DataCheckFailed, preconditions.refuse,
            [_finding('c1', data_checks.no_duplicates('user', ['name']), 2,
                      "name='x'")], expanded=True)
        self.assertIn('fails on 2 rows (one: name=\'x\')', str(error))
        self.assertTrue(str(error).endswith(
            'The expand phase was applied; no contract revision ran.'))


class TestCanRun(base.BaseTestCase):
    """A check over what the database has not got yet passes."""

    def test_a_check_runs_only_on_what_exists(self):
        present = {'child': {'id', 'parent_id'}, 'parent': {'id'}}
        for check, runs in (
                (data_checks.no_orphans('child', ['parent_id'], 'parent'),
                 True),
                (data_checks.no_orphans('child', ['parent_id'], 'other'),
                 False),
                (data_checks.no_nulls('child', 'name'), False),
                (data_checks.empty('parent'), True),
                (data_checks.count_is_zero('SELECT 0', 'w', 'f', 'gone'),
                 False)):
            with self.subTest(check=check):
                self.assertEqual(runs,
                                 preconditions.can_run(check, present))
