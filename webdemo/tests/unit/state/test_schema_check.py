"""schema_check's decision: what the pending contract changes, and what
is drift; on what the statements name, no database."""

from oslotest import base

from webdemo.db import sql_text
from webdemo.db.state import schema_check


def _changed(*statements):
    return [sql_text.names_on_table(statement) for statement in statements]


class TestPending(base.BaseTestCase):

    def test_named_by_a_statement_on_its_table(self):
        changed = _changed('ALTER TABLE `user` DROP COLUMN name',
                           'ALTER TABLE "user" ALTER COLUMN username SET '
                           'NOT NULL')
        for action, name in (('remove', 'name'), ('modify', 'username')):
            self.assertTrue(schema_check._pending(changed, action, 'user',
                                                  name))
        # Another table, another column, or something added: drift.
        self.assertFalse(schema_check._pending(changed, 'remove', 'account',
                                               'name'))
        self.assertFalse(schema_check._pending(changed, 'remove', 'user',
                                               'hotfix'))
        self.assertFalse(schema_check._pending(changed, 'add', 'user',
                                               'name'))

    def test_a_constraint_by_its_name_or_all_its_columns(self):
        changed = _changed('ALTER TABLE user DROP COLUMN name')
        # Named by the backend (a database born elsewhere).
        self.assertTrue(schema_check._pending(
            changed, 'remove', 'user', 'user_name_key', ['name']))
        self.assertFalse(schema_check._pending(
            changed, 'remove', 'user', 'uq_pair', ['name', 'email']))

    def test_a_table_copied_whole(self):
        changed = _changed('CREATE TABLE _alembic_tmp_user (\n'
                           '    id INTEGER NOT NULL)')
        self.assertTrue(schema_check._pending(changed, 'remove', 'user',
                                              'anything'))
        self.assertFalse(schema_check._pending(changed, 'remove', 'stray'))
