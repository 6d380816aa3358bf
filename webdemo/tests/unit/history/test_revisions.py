"""What a revision's downgrade drops, read from its source; nothing runs."""

import textwrap

from oslotest import base

from webdemo.db.history import revisions


def _drops(body):
    source = 'from alembic import op\n\n\n' + textwrap.dedent(body)
    return revisions.drops_in_source(source)


class TestDowngradeDrops(base.BaseTestCase):

    def test_tables_and_columns(self):
        self.assertEqual(['table widget', 'column account.email'], _drops('''
            def downgrade():
                op.drop_table('widget')
                op.drop_column('account', 'email')
            '''))

    def test_columns_inside_a_batch_take_its_table(self):
        self.assertEqual(['column account.locale', 'column user.nick'],
                         _drops('''
            def downgrade():
                with op.batch_alter_table('account') as batch_op:
                    batch_op.drop_column('locale')
                with op.batch_alter_table('user') as batch_op:
                    batch_op.drop_column('nick')
            '''))

    def test_only_downgrade_counts(self):
        self.assertEqual([], _drops('''
            def upgrade():
                op.drop_table('old')

            def downgrade():
                op.drop_index('ix_account_nickname', 'account')
                op.execute('DELETE FROM account')
            '''))

    def test_names_that_are_not_literals_are_marked(self):
        self.assertEqual(['table ?', 'column ?.?'], _drops('''
            TABLE = 'widget'

            def downgrade():
                op.drop_table(TABLE)
                op.drop_column()
            '''))

    def test_a_file_without_downgrade_drops_nothing(self):
        self.assertEqual([], _drops('revision = "abc"\n'))
