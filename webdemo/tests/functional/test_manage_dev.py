"""The developers' db commands, end to end, on a copy of the package.

db revision and db merge write into the package's versions directory;
running them on a copy keeps the real history (which other tests walk
at the same time) untouched.
"""

import json
import os

from oslotest import base

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures
from webdemo.tests.functional import manage_runner as runner

MERGE = '948ccd040506'
EMAIL = 'b2237d3cc792'
EXPAND = '828dea7d5e92'

# A third head beside the two real ones, branching off an earlier
# revision; its id shares 'fac0' with a real revision, so 'fac0' becomes
# ambiguous.
_SIDE_BRANCH = '''"""side branch

Revision ID: {revision}
Revises: {parent}
"""

revision = '{revision}'
down_revision = '{parent}'
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
        _, text = self.written(self.manage('db', 'revision', '--expand',
                                           '--autogenerate', '-m',
                                           'no change'))
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

    def add_side_branch(self, parent=EMAIL, revision='fac0ffffffff'):
        path = os.path.join(self.versions, f'{revision}_side_branch.py')
        with open(path, 'w') as revision_file:
            revision_file.write(_SIDE_BRANCH.format(parent=parent,
                                                    revision=revision))

    def test_revisions_go_to_their_phase(self):
        name, text = self.written(self.manage('db', 'revision', '--expand',
                                              '-m', 'add widget table'))
        self.assertRegex(name, r'^[0-9a-f]{12}_add_widget_table\.py$')
        self.assertTrue(os.path.exists(os.path.join(self.versions, 'expand',
                                                    name)))
        self.assertIn(f"down_revision = '{history_fixtures.EXPAND_HEAD}'",
                      text)
        widget = name.split('_')[0]
        name, text = self.written(self.manage('db', 'revision', '--contract',
                                              '-m', 'drop widget column'))
        self.assertTrue(os.path.exists(os.path.join(self.versions,
                                                    'contract', name)))
        self.assertIn(f"down_revision = '{history_fixtures.CONTRACT_HEAD}'",
                      text)
        # A contract revision may remove only what expand made unused.
        self.assertIn(f"depends_on = '{widget}'", text)
        heads = self.heads()
        self.assertEqual(2, len(heads))
        self.assertIn(f'{widget} (head, expand)', '\n'.join(heads))

    def test_revision_needs_a_phase(self):
        result = self.manage('db', 'revision', '-m', 'x')
        self.assertEqual(127, result.returncode, result.stderr)
        self.assertIn('write the revision with --expand (it only adds) or '
                      '--contract', result.stderr)

    def test_autogenerate_splits_additions_from_removals(self):
        self.assertOk(self.manage('db', 'sync'))
        models = os.path.join(self.versions, '..', '..', 'models.py')
        with open(models) as source:
            text = source.read()
        with open(models, 'w') as source:
            source.write(text.replace(
                '    description = Column(Unicode(200))\n',
                '    nickname = Column(String(20))\n'))
        result = self.manage('db', 'revision', '--expand', '--autogenerate',
                             '-m', 'add nickname')
        _, text = self.written(result)
        self.assertIn("add_column(sa.Column('nickname'", text)
        self.assertNotIn('drop_column', text.split('def downgrade')[0])
        self.assertIn('Left out, for the other phase\'s revision: '
                      'DropColumn account.description', result.stdout)
        self.assertOk(self.manage('db', 'sync', '--expand'))
        _, text = self.written(self.manage(
            'db', 'revision', '--contract', '--autogenerate', '-m',
            'drop description'))
        upgrade = text.split('def downgrade')[0]
        self.assertIn("drop_column('description')", upgrade)
        self.assertNotIn('add_column', upgrade)

    def test_merge_joins_two_heads(self):
        self.add_side_branch()
        self.assertEqual(3, len(self.heads()))
        self.assertIn(f'-> {EMAIL} (branchpoint)',
                      self.assertOk(self.manage('db', 'branches')))
        _, text = self.written(self.manage('db', 'merge', 'fac0ffffffff',
                                           'expand@head', '-m',
                                           'join side branch'))
        self.assertIn('fac0ffffffff', text)
        heads = self.heads()
        self.assertEqual(2, len(heads))
        self.assertIn('mergepoint', '\n'.join(heads))

    def test_revision_refuses_two_heads_in_one_phase(self):
        # Two revisions built on the expand head: the branch forks.
        self.add_side_branch(parent=EXPAND, revision='aaaa00000011')
        self.add_side_branch(parent=EXPAND, revision='aaaa00000012')
        result = self.manage('db', 'revision', '--expand', '-m', 'x')
        self.assertEqual(127, result.returncode, result.stderr)
        self.assertIn("the expand branch has several heads", result.stderr)

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
