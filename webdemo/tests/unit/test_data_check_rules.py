from oslotest import base

from webdemo.db.sqlalchemy import data_checks
from webdemo.tests import data_check_rules


def _revision(body):
    return f'revision = "r1"\n\n\ndef upgrade():\n{body}\n'


class TestDataCheckRules(base.BaseTestCase):

    def missing(self, body, declared=()):
        return data_check_rules.missing(_revision(body), declared, 'r1')

    def test_each_change_the_data_can_fail_needs_its_check(self):
        for body, check in (
                ("    op.alter_column('user', 'email', nullable=False)",
                 data_checks.no_nulls('user', 'email')),
                ("    with op.batch_alter_table('user') as batch:\n"
                 "        batch.alter_column('email', nullable=False)",
                 data_checks.no_nulls('user', 'email')),
                ("    online_ddl.set_not_null(('user', 'email', None, f))",
                 data_checks.no_nulls('user', 'email')),
                ("    op.create_index('ix', 'user', ['email'], unique=True)",
                 data_checks.no_duplicates('user', ['email'])),
                ("    op.create_unique_constraint('uq', 'user', ['a', 'b'])",
                 data_checks.no_duplicates('user', ['b', 'a'])),
                ("    batch.create_unique_constraint('uq', ['email'])",
                 data_checks.no_duplicates('user', ['email'])),
                ("    op.create_foreign_key('fk', 'child', 'parent', "
                 "['parent_id'], ['id'])",
                 data_checks.no_orphans('child', ['parent_id'], 'parent')),
                ("    batch.create_foreign_key('fk', 'parent', "
                 "['parent_id'], ['id'])",
                 data_checks.no_orphans('child', ['parent_id'], 'parent')),
                ("    op.add_column('user', sa.Column('n', sa.Integer(), "
                 "nullable=False))", data_checks.empty('user'))):
            with self.subTest(body=body):
                lines = self.missing(body)
                self.assertEqual(1, len(lines), lines)
                self.assertIn('declare data_checks.', lines[0])
                self.assertEqual([], self.missing(body, [check]))

    def test_the_fix_names_the_check_and_its_arguments(self):
        [line] = self.missing(
            "    op.alter_column('user', 'email', nullable=False)")
        self.assertIn("data_checks.no_nulls('user', 'email')", line)
        self.assertIn('revision r1', line)

    def test_a_check_on_other_columns_does_not_count(self):
        body = "    op.alter_column('user', 'email', nullable=False)"
        self.assertEqual(1, len(self.missing(
            body, [data_checks.no_nulls('user', 'name'),
                   data_checks.no_nulls('account', 'email'),
                   data_checks.no_duplicates('user', ['email'])])))

    def test_what_the_revision_adds_needs_no_check(self):
        self.assertEqual([], self.missing(
            "    op.add_column('user', sa.Column('n', sa.String()))\n"
            "    op.create_index('ix', 'user', ['n'], unique=True)\n"
            "    op.create_table('t', sa.Column('id', sa.Integer(), "
            "nullable=False))\n"
            "    op.create_unique_constraint('uq', 't', ['id'])"))

    def test_loosening_and_defaults_need_no_check(self):
        self.assertEqual([], self.missing(
            "    op.alter_column('user', 'email', nullable=True)\n"
            "    op.alter_column('user', 'n', existing_nullable=False)\n"
            "    op.add_column('user', sa.Column('n', sa.Integer(), "
            "nullable=False, server_default='0'))\n"
            "    op.create_index('ix', 'user', ['email'])"))

    def test_downgrade_is_not_read(self):
        text = (_revision('    pass') + "\n\ndef downgrade():\n"
                "    op.alter_column('user', 'email', nullable=False)\n")
        self.assertEqual([], data_check_rules.missing(text, (), 'r1'))
