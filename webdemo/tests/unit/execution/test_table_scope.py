"""table_scope.py: which statements keep a PostgreSQL group going."""

from oslotest import base

from webdemo.db.execution import table_scope


class TestScope(base.BaseTestCase):

    def see(self, scope, *statements):
        with scope.watching():
            for statement in statements:
                scope.see(statement)

    def test_the_groups_own_tables_keep_it_going(self):
        scope = table_scope.Scope()
        self.see(scope, 'CREATE TABLE a (id INTEGER)',
                 'CREATE TABLE b (a_id INTEGER REFERENCES a (id))',
                 'CREATE INDEX ix ON b (a_id)', 'ALTER TABLE a ADD x INTEGER',
                 'INSERT INTO a (id) VALUES (1)',
                 "UPDATE a SET x = 2 WHERE id = 1", 'DELETE FROM b')
        self.assertFalse(scope.touched)

    def test_any_other_table_ends_it(self):
        for statement in ('ALTER TABLE account ADD x INTEGER',
                          'CREATE TABLE c (id INTEGER REFERENCES account)',
                          'UPDATE a SET x = (SELECT max(id) FROM account)',
                          'INSERT INTO a SELECT id FROM account',
                          'CREATE INDEX ix ON account (x)',
                          'DROP INDEX ix_a_x',
                          'CREATE TABLE IF NOT EXISTS d (id INTEGER)'):
            scope = table_scope.Scope()
            self.see(scope, 'CREATE TABLE a (id INTEGER)', statement)
            self.assertTrue(scope.touched, statement)

    def test_an_earlier_groups_tables_are_still_the_runs_own(self):
        scope = table_scope.Scope()
        self.see(scope, 'CREATE TABLE a (id INTEGER)')
        scope.new_group()
        self.see(scope, 'ALTER TABLE a ADD x INTEGER',
                 'CREATE TABLE b (a_id INTEGER REFERENCES a (id))')
        self.assertFalse(scope.touched)

    def test_a_table_linked_to_another_is_no_longer_the_runs_own(self):
        # A key either way: dropping it would lock the other table.
        for link in ('CREATE TABLE a (id INTEGER REFERENCES account)',
                     'ALTER TABLE a ADD FOREIGN KEY (id) REFERENCES account',
                     'ALTER TABLE account ADD FOREIGN KEY (a_id) '
                     'REFERENCES a'):
            scope = table_scope.Scope()
            self.see(scope, 'CREATE TABLE a (id INTEGER)', link)
            self.assertTrue(scope.touched, link)
            scope.new_group()
            self.see(scope, 'ALTER TABLE a DROP COLUMN id')
            self.assertTrue(scope.touched, link)

    def test_after_a_statement_not_recognised_nothing_earlier_is_own(self):
        scope = table_scope.Scope()
        self.see(scope, 'CREATE TABLE a (id INTEGER)')
        scope.new_group()
        self.see(scope, 'CREATE TABLE b (id INTEGER)', 'VACUUM a')
        self.assertTrue(scope.touched)
        for table in 'ab':
            scope.new_group()
            self.see(scope, f'ALTER TABLE {table} ADD x INTEGER')
            self.assertTrue(scope.touched, table)
        # A table made after it is the run's own again.
        scope.new_group()
        self.see(scope, 'CREATE TABLE c (id INTEGER)',
                 'ALTER TABLE c ADD x INTEGER')
        self.assertFalse(scope.touched)

    def test_a_name_in_use_when_the_run_began_is_never_its_own(self):
        # Dropped or renamed away, then made again: a service may look a
        # table up by that name.
        scope = table_scope.Scope(existing=['account', 'legacy'])
        self.see(scope, 'DROP TABLE account')
        scope.new_group()
        self.see(scope, 'CREATE TABLE account (id INTEGER)')
        self.assertFalse(scope.touched)
        self.see(scope, 'ALTER TABLE account ADD x INTEGER')
        self.assertTrue(scope.touched)

    def test_a_table_renamed_is_no_longer_its_own(self):
        scope = table_scope.Scope(existing=['legacy'])
        self.see(scope, 'CREATE TABLE a (id INTEGER)')
        scope.new_group()
        self.see(scope, 'ALTER TABLE a RENAME TO a_old',
                 'ALTER TABLE legacy RENAME TO a')
        self.assertTrue(scope.touched)
        scope.new_group()
        self.see(scope, 'ALTER TABLE a ADD x INTEGER')
        self.assertTrue(scope.touched)

    def test_a_rolled_back_groups_tables_are_not_its_own(self):
        scope = table_scope.Scope()
        self.see(scope, 'CREATE TABLE a (id INTEGER)')
        scope.new_group()
        self.see(scope, 'CREATE TABLE b (id INTEGER)')
        scope.rolled_back()
        self.assertFalse(scope.touched)
        for table in 'ab':
            self.see(scope, f'ALTER TABLE {table} ADD x INTEGER')
            self.assertTrue(scope.touched, table)
            scope.new_group()

    def test_a_committed_group_starts_untouched(self):
        scope = table_scope.Scope()
        self.see(scope, 'ALTER TABLE account ADD x INTEGER')
        self.assertTrue(scope.touched)
        scope.new_group()
        self.assertFalse(scope.touched)

    def test_statements_between_revisions_are_not_the_revisions(self):
        scope = table_scope.Scope()
        scope.see('UPDATE alembic_version SET version_num = 1')
        self.assertFalse(scope.touched)
