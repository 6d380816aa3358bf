"""Revisions' data checks, end to end, on a copy of the package.

Each test adds one expand revision after the shipped history: it
declares one check, creates a marker table as its first statement, then
makes the change the check guards. On bad data db sync must refuse
(exit 15, one line naming the revision, the check, the rows and one of
them) having run no statement of the phase: no marker, the version
unchanged. Once the data is fixed the same sync passes.
"""

import sqlalchemy

from oslotest import base

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures
from webdemo.tests.functional import manage_runner as runner

REVISION = 'dc0000000001'
DATA_CHECK_FAILED = 15


def _revision(checks, change):
    return f'''"""data checks: {checks}"""

from alembic import op
import sqlalchemy as sa

from webdemo.db.sqlalchemy import data_checks as checks

revision = {REVISION!r}
down_revision = {history_fixtures.EXPAND_HEAD!r}
data_checks = ({checks},)


def upgrade():
    op.create_table('marker', sa.Column('id', sa.Integer(),
                                        primary_key=True))
{change}
'''


_ACCOUNT = ("INSERT INTO account (id, name, email, project_id) VALUES "
            "({id}, '{name}', {email}, 'p')")


class DataChecks(runner.PackageCopyMixin):

    def setUp(self):
        super().setUp()
        self.assertOk(self.manage('db', 'sync'))
        self.sql('CREATE TABLE parent (id INTEGER PRIMARY KEY)',
                 'CREATE TABLE child (id INTEGER PRIMARY KEY, '
                 'parent_id INTEGER)',
                 'INSERT INTO parent (id) VALUES (1)',
                 _ACCOUNT.format(id=1, name='a', email="'a@example.com'"))

    def sql(self, *statements):
        runner.execute(self.engine, *statements)

    def add_revision(self, checks, change):
        path = f'{self.versions}/expand/{REVISION}_data_checks.py'
        with open(path, 'w') as script:
            script.write(_revision(checks, change))

    def versions_now(self):
        with self.engine.connect() as connection:
            return sorted(row[0] for row in connection.execute(
                sqlalchemy.text('SELECT version_num FROM alembic_version')))

    def assertRefusedThenPasses(self, words, fix, then=()):
        """Refused (words in its line); fixed, the sync (then) passes."""
        before = self.versions_now()
        result = self.manage('db', 'sync', '--expand')
        self.assertEqual(DATA_CHECK_FAILED, result.returncode,
                         result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        for word in (f'revision {REVISION}', 'Nothing was changed', *words):
            self.assertIn(word, lines[0])
        self.assertNotIn('Traceback', result.stdout + result.stderr)
        self.assertFalse(sqlalchemy.inspect(self.engine).has_table('marker'),
                         'a statement of the refused phase ran')
        self.assertEqual(before, self.versions_now())
        checked = self.manage('db', 'check', '--data')
        self.assertEqual(DATA_CHECK_FAILED, checked.returncode,
                         checked.stdout + checked.stderr)
        self.assertIn(words[0], checked.stdout)
        self.sql(*fix)
        # The test's own tables differ from the models (exit 2): only
        # the data check must be gone.
        checked = self.manage('db', 'check', '--data')
        self.assertNotIn('data check', checked.stdout)
        self.assertNotEqual(DATA_CHECK_FAILED, checked.returncode)
        self.assertOk(self.manage('db', 'sync', '--expand', *then))
        self.assertIn(REVISION, self.versions_now())

    def test_no_nulls(self):
        self.add_revision(
            "checks.no_nulls('account', 'email')",
            "    with op.batch_alter_table('account') as batch:\n"
            "        batch.alter_column('email', existing_type=sa.String(255),"
            " nullable=False)")
        self.sql(_ACCOUNT.format(id=7, name='b', email='NULL'),
                 _ACCOUNT.format(id=8, name='c', email='NULL'))
        self.assertRefusedThenPasses(
            ['"no NULL in account.email"', '2 rows', 'one: id=7'],
            ["UPDATE account SET email = 'x@example.com' "
             "WHERE email IS NULL"])
        self.assertFalse(next(
            column for column in sqlalchemy.inspect(
                self.engine).get_columns('account')
            if column['name'] == 'email')['nullable'])

    def test_no_duplicates(self):
        self.add_revision(
            "checks.no_duplicates('account', ['name'])",
            "    op.create_index('ix_account_name', 'account', ['name'], "
            "unique=True)")
        self.sql(_ACCOUNT.format(id=2, name='twice', email='NULL'),
                 _ACCOUNT.format(id=3, name='twice', email='NULL'))
        self.assertRefusedThenPasses(
            ['"no duplicate (name) in account"', '2 rows', "name='twice'"],
            ["UPDATE account SET name = 'once' WHERE id = 3"])

    def test_no_orphans(self):
        self.add_revision(
            "checks.no_orphans('child', ['parent_id'], 'parent')",
            "    with op.batch_alter_table('child') as batch:\n"
            "        batch.create_foreign_key('fk_child_parent', 'parent', "
            "['parent_id'], ['id'])")
        self.sql('INSERT INTO child (id, parent_id) VALUES (1, 1)',
                 'INSERT INTO child (id, parent_id) VALUES (2, NULL)',
                 'INSERT INTO child (id, parent_id) VALUES (5, 99)')
        self.assertRefusedThenPasses(
            ['missing from parent', '1 row ', 'one: id=5'],
            ['INSERT INTO parent (id) VALUES (99)'],
            # InnoDB adds a foreign key to a table that exists by
            # copying it (test_table_copy.py).
            then=['--allow-table-copy'])

    def test_empty(self):
        self.add_revision("checks.empty('child')",
                          "    op.drop_table('child')")
        self.sql('INSERT INTO child (id, parent_id) VALUES (3, 1)')
        self.assertRefusedThenPasses(['"child is empty"', '1 row ',
                                      'one: id=3'],
                                     ['DELETE FROM child'])

    def test_count_is_zero(self):
        self.add_revision(
            "checks.count_is_zero(\"SELECT count(*) FROM account WHERE "
            "name = ''\", 'no account without a name', 'name those "
            "accounts', 'account')",
            "    pass")
        self.sql(_ACCOUNT.format(id=4, name='', email='NULL'))
        self.assertRefusedThenPasses(
            ['"no account without a name"', '1 row', 'Name those accounts'],
            ["UPDATE account SET name = 'named' WHERE name = ''"])

    def test_a_check_on_what_the_plan_creates_passes(self):
        # The column does not exist before the phase: nothing can fail.
        self.add_revision(
            "checks.no_nulls('account', 'nickname')",
            "    op.add_column('account', sa.Column('nickname', "
            "sa.String(32), nullable=False, server_default='x'))")
        self.assertOk(self.manage('db', 'sync', '--expand'))
        self.assertIn(REVISION, self.versions_now())


class TestDataChecksSQLite(DataChecks, base.BaseTestCase):
    pass


class TestDataChecksMySQL(DataChecks, db_fixtures.MySQLMixin,
                          db_fixtures.DatabaseTestCase):
    pass


class TestDataChecksPostgreSQL(DataChecks, db_fixtures.PostgreSQLMixin,
                               db_fixtures.DatabaseTestCase):
    pass
