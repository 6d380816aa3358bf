"""The developers' db commands, end to end, on a copy of the package.

db revision and db merge write into the package's versions directory;
running them on a copy keeps the real history (which other tests walk
at the same time) untouched.
"""

import json
import os

from oslotest import base

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner

MERGE = '948ccd040506'
EMAIL = 'b2237d3cc792'

# A second head beside the real one, branching off an earlier revision;
# its id shares 'fac0' with a real revision, so 'fac0' becomes ambiguous.
_SIDE_BRANCH = f'''"""side branch

Revision ID: fac0ffffffff
Revises: {EMAIL}
"""

revision = 'fac0ffffffff'
down_revision = '{EMAIL}'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
'''


class OnEveryBackend(runner.PackageCopyMixin):

    def test_autogenerate_finds_nothing_when_models_match(self):
        self.assertOk(self.manage('db', 'sync'))
        _, text = self.written(self.manage('db', 'revision', '--autogenerate',
                                           '-m', 'no change'))
        upgrade = text.split('def upgrade():')[1].split('def downgrade')[0]
        self.assertNotIn('op.', upgrade)

    def test_script_changed_after_it_was_applied(self):
        self.assertOk(self.manage('db', 'sync'))
        self.assertEqual(0, self.manage('db', 'version', '--check')
                         .returncode)
        with open(os.path.join(self.versions,
                               f'{EMAIL}_add_account_email.py'), 'a') as f:
            f.write('# edited after release\n')
        check = self.manage('db', 'version', '--check', '--format', 'json')
        self.assertEqual(6, check.returncode, check.stderr)
        self.assertEqual(([EMAIL], 'tampered'),
                         (json.loads(check.stdout)['tampered'],
                          json.loads(check.stdout)['status']))
        drift = self.manage('db', 'check')
        self.assertEqual(6, drift.returncode, drift.stderr)
        self.assertIn(f'revision {EMAIL}: its script changed', drift.stdout)


class TestOnSQLite(OnEveryBackend, base.BaseTestCase):
    pass


class TestOnMySQL(OnEveryBackend, db_fixtures.MySQLMixin,
                  db_fixtures.DatabaseTestCase):
    pass


class TestOnPostgreSQL(OnEveryBackend, db_fixtures.PostgreSQLMixin,
                       db_fixtures.DatabaseTestCase):
    pass


class TestDeveloperCommands(runner.PackageCopyMixin, base.BaseTestCase):

    def heads(self):
        return self.assertOk(self.manage('db', 'heads')).splitlines()

    def add_side_branch(self):
        path = os.path.join(self.versions, 'fac0ffffffff_side_branch.py')
        with open(path, 'w') as revision_file:
            revision_file.write(_SIDE_BRANCH)

    def test_revision_is_written_after_the_head(self):
        name, text = self.written(self.manage('db', 'revision', '-m',
                                              'add widget table'))
        self.assertRegex(name, r'^[0-9a-f]{12}_add_widget_table\.py$')
        self.assertIn(f"down_revision = '{MERGE}'", text)
        self.assertEqual(1, len(self.heads()))
        self.assertIn(name.split('_')[0], self.heads()[0])

    def test_merge_joins_two_heads(self):
        self.add_side_branch()
        self.assertEqual(2, len(self.heads()))
        self.assertIn(f'-> {EMAIL} (branchpoint)',
                      self.assertOk(self.manage('db', 'branches')))
        _, text = self.written(self.manage('db', 'merge', 'heads', '-m',
                                           'join side branch'))
        self.assertIn('fac0ffffffff', text)
        heads = self.heads()
        self.assertEqual(1, len(heads))
        self.assertIn('mergepoint', heads[0])

    def test_revision_refuses_multiple_heads(self):
        self.add_side_branch()
        result = self.manage('db', 'revision', '-m', 'x')
        self.assertEqual(127, result.returncode, result.stderr)
        self.assertIn('Multiple heads', result.stderr)

    def test_show_refuses_an_ambiguous_partial_id(self):
        self.add_side_branch()
        result = self.manage('db', 'show', 'fac0')
        self.assertEqual(127, result.returncode, result.stderr)
        self.assertIn('fac0', result.stderr)
        self.assertIn('fac0847f78ff',
                      self.assertOk(self.manage('db', 'show', 'fac08')))

    def test_show_describes_drops(self):
        out = self.assertOk(self.manage('db', 'show', 'b2237d3cc792'))
        self.assertIn('downgrade drops: column account.email', out)
        self.assertEqual(127, self.manage('db', 'show', 'nosuch').returncode)
