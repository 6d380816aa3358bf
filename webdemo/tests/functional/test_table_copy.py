"""MySQL/MariaDB: a revision that could only copy a table is refused.

db sync states ALGORITHM=INPLACE, LOCK=NONE on each ALTER TABLE
(webdemo/db/backends/mysql.py). One expand revision after the shipped
history creates a marker table, then changes a column's type, which
InnoDB can do only by copying the table with its writes stopped: db sync
must refuse at that statement (exit 16, one line naming the revision,
the table and --allow-table-copy) with the column as it was; the same
sync with --allow-table-copy completes the revision, running the marker
statement no second time.
"""

import sqlalchemy

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures
from webdemo.tests.functional import manage_runner as runner

REVISION = 'c0b100000001'
TABLE_COPY_REFUSED = 16

_REVISION = f'''"""change a type"""

from alembic import op
import sqlalchemy as sa

revision = {REVISION!r}
down_revision = {history_fixtures.EXPAND_HEAD!r}


def upgrade():
    op.create_table('marker', sa.Column('id', sa.Integer(),
                                        primary_key=True))
    op.alter_column('account', 'description', type_=sa.Integer(),
                    existing_type=sa.Unicode(200))
'''


class TableCopy(runner.PackageCopyMixin):

    def setUp(self):
        super().setUp()
        self.assertOk(self.manage('db', 'sync'))
        path = f'{self.versions}/expand/{REVISION}_change_a_type.py'
        with open(path, 'w') as script:
            script.write(_REVISION)

    def description_type(self):
        return {column['name']: column['type'] for column in
                sqlalchemy.inspect(self.engine).get_columns('account')
                }['description']

    def test_refused_then_allowed(self):
        self.assertIsInstance(self.description_type(), sqlalchemy.String)

        result = self.manage('db', 'sync', '--expand')

        self.assertEqual(TABLE_COPY_REFUSED, result.returncode,
                         result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        for words in (f'revision {REVISION} failed', 'table account',
                      'nothing of it ran', '--allow-table-copy'):
            self.assertIn(words, lines[0])
        self.assertNotIn('Traceback', result.stdout + result.stderr)
        self.assertIsInstance(self.description_type(), sqlalchemy.String)

        self.assertOk(self.manage('db', 'sync', '--expand',
                                  '--allow-table-copy'))
        self.assertIsInstance(self.description_type(), sqlalchemy.Integer)
        # The marker, created before the refusal, was not created again.
        self.assertIn('marker', sqlalchemy.inspect(self.engine)
                      .get_table_names())
        self.assertIn(REVISION, self.assertOk(self.manage('db', 'version')))


class TestTableCopyMySQL(TableCopy, db_fixtures.MySQLMixin,
                         db_fixtures.DatabaseTestCase):
    pass
