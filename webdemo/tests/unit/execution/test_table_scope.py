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
                 'INSERT INTO a (id) VALUES (1)')
        self.assertFalse(scope.touched)

    def test_any_other_table_ends_it(self):
        for statement in ('ALTER TABLE account ADD x INTEGER',
                          'CREATE TABLE c (id INTEGER REFERENCES account)',
                          'UPDATE a SET x = 1',
                          'CREATE INDEX ix ON account (x)'):
            scope = table_scope.Scope()
            self.see(scope, 'CREATE TABLE a (id INTEGER)', statement)
            self.assertTrue(scope.touched, statement)

    def test_a_committed_groups_tables_are_everybodys(self):
        scope = table_scope.Scope()
        self.see(scope, 'CREATE TABLE a (id INTEGER)')
        scope.new_group()
        self.see(scope, 'ALTER TABLE a ADD x INTEGER')
        self.assertTrue(scope.touched)
        scope.new_group()
        self.assertFalse(scope.touched)

    def test_statements_between_revisions_are_not_the_revisions(self):
        scope = table_scope.Scope()
        scope.see('UPDATE alembic_version SET version_num = 1')
        self.assertFalse(scope.touched)
