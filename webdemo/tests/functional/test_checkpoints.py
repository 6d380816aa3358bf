"""Checkpoints on SQLite, MariaDB/MySQL and PostgreSQL: each builds what
its history builds (checkpoint_equivalence.py), and a release that
retired the revisions below one still serves every database it can.
"""

import functools
import os

from oslotest import base

from webdemo.db.history import checkpoints
from webdemo.db.state import snapshot
from webdemo.tests.functional import checkpoint_equivalence
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner


class TestCheckpointsSQLite(checkpoint_equivalence.CheckpointEquivalence,
                            db_fixtures.SQLiteFileMixin, base.BaseTestCase):
    pass


class TestCheckpointsMySQL(checkpoint_equivalence.CheckpointEquivalence,
                           db_fixtures.MySQLMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestCheckpointsPostgreSQL(checkpoint_equivalence.CheckpointEquivalence,
                                db_fixtures.PostgreSQLMixin,
                                db_fixtures.DatabaseTestCase):
    pass


# A revision that inserts rows, for a checkpoint that holds some.
_ROWS = '''"""two accounts"""

from alembic import op

revision = 'ffff00000003'
down_revision = 'dba815cb5924'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO account (id, name, project_id) "
               "VALUES (1, 'first', 'p'), (2, 'second', 'p')")
'''


class CheckpointWithRows(runner.PackageCopyMixin):
    """A checkpoint cut (db checkpoint) where a revision inserted rows."""

    def setUp(self):
        super().setUp()
        self.write_revision('expand', 'ffff00000003_rows.py', _ROWS)
        # As the docs say to cut one: replayed on this backend too, for
        # what SQLite cannot hold (user.username's collation on MySQL).
        cut = self.assertOk(self.manage('db', 'checkpoint',
                                        '--backend-url', self.url))
        self.assertIn('ffff00000003.py', cut)
        runner.drop_all_tables(self.engine)
        self.assertOk(self.manage('db', 'sync', '--no-checkpoint'))
        with self.engine.connect() as connection:
            self.replayed = snapshot.take(connection)

    def built(self):
        with self.engine.connect() as connection:
            differences = snapshot.differences(self.replayed,
                                               snapshot.take(connection))
        self.assertEqual([], differences)

    def test_its_rows_and_the_next_id(self):
        runner.drop_all_tables(self.engine)
        built = self.assertOk(self.manage('db', 'sync'))
        self.assertRegex(built, 'Applied checkpoint [0-9a-f_,]+ffff00000003 ')
        self.built()
        # The id counter moved past the rows (PostgreSQL's sequence).
        runner.execute(self.engine, "INSERT INTO account (name, project_id) "
                       "VALUES ('third', 'p')")
        with self.engine.connect() as connection:
            self.assertEqual(3, connection.exec_driver_sql(
                "SELECT id FROM account WHERE name = 'third'").scalar())

    def test_killed_after_each_statement_of_its_build(self):
        killed = runner.killed_after_each_statement(
            self, functools.partial(self.manage, 'db', 'sync'),
            self.completed)
        # Two tables, three indexes, then the rows with the bookkeeping.
        self.assertEqual(5, killed)

    def completed(self):
        self.assertIn('Completing checkpoint',
                      self.assertOk(self.manage('db', 'sync')))
        self.built()


class TestCheckpointWithRowsSQLite(CheckpointWithRows, base.BaseTestCase):
    pass


class TestCheckpointWithRowsMySQL(CheckpointWithRows, db_fixtures.MySQLMixin,
                                  db_fixtures.DatabaseTestCase):
    pass


class TestCheckpointWithRowsPostgreSQL(CheckpointWithRows,
                                       db_fixtures.PostgreSQLMixin,
                                       db_fixtures.DatabaseTestCase):
    pass


# A revision after the shipped checkpoint, kept when the revisions below
# it are retired.
_KEPT = '''"""add account nickname"""

from alembic import op
import sqlalchemy as sa

revision = 'ffff00000001'
down_revision = 'dba815cb5924'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('account', sa.Column('nickname', sa.String(32)))


def downgrade():
    op.drop_column('account', 'nickname')
'''


# A contract revision after the shipped checkpoint, on the next release's
# expand revision.
_NEXT_CONTRACT = '''"""drop account nickname again"""

from alembic import op

revision = 'ffff00000002'
down_revision = 'a392e388916b'
branch_labels = None
depends_on = ('ffff00000001',)


def upgrade():
    with op.batch_alter_table('account') as batch:
        batch.drop_column('nickname')
'''


class AfterTheCheckpoint(runner.PackageCopyMixin):
    """A later release's expand and contract revisions after it."""

    def test_a_whole_sync_of_an_empty_database(self):
        self.write_revision('expand', 'ffff00000001_nickname.py', _KEPT)
        self.write_revision('contract', 'ffff00000002_again.py',
                            _NEXT_CONTRACT)
        # The contract gate and the data step between the phases see
        # the revisions the checkpoint applied as applied.
        built = self.assertOk(self.manage('db', 'sync'))
        self.assertIn('Applied checkpoint a392e388916b ', built)
        self.assertIn('Applied ffff00000002 ', built)
        self.assertOk(self.manage('db', 'version', '--check'))


class TestAfterTheCheckpointSQLite(AfterTheCheckpoint, base.BaseTestCase):
    pass


class TestAfterTheCheckpointMySQL(AfterTheCheckpoint, db_fixtures.MySQLMixin,
                                  db_fixtures.DatabaseTestCase):
    pass


class TestAfterTheCheckpointPostgreSQL(AfterTheCheckpoint,
                                       db_fixtures.PostgreSQLMixin,
                                       db_fixtures.DatabaseTestCase):
    pass


class RetiredRevisions(runner.PackageCopyMixin):
    """A release that deleted the revisions below its checkpoint."""

    def setUp(self):
        super().setUp()
        self.checkpoint = checkpoints.load()[-1]
        self.write_revision('expand', 'ffff00000001_nickname.py', _KEPT)

    def retire(self):
        covered = self.checkpoint.revisions
        for directory, _, names in os.walk(self.versions):
            for name in names:
                if name.split('_', 1)[0] in covered:
                    os.unlink(os.path.join(directory, name))

    def assertRefused(self, result, *words):
        self.assertEqual(17, result.returncode, result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        for word in ('retired', 'Nothing was changed', *words):
            self.assertIn(word, lines[0])

    def test_an_empty_database_is_built_from_the_checkpoint(self):
        self.retire()
        built = self.manage('db', 'sync')
        self.assertIn(f'Applied {self.checkpoint.key} ',
                      self.assertOk(built))
        self.assertIn('Applied ffff00000001 ', built.stdout)
        self.assertOk(self.manage('db', 'version', '--check'))
        history = self.assertOk(self.manage('db', 'history'))
        self.assertEqual(len(self.checkpoint.covered), history.count(
            f'retired into the checkpoint of {self.checkpoint.release}'))
        self.assertIn('[x] dba815cb5924 -> ffff00000001', history)
        # Replaying is what the release cannot do any more.
        runner.drop_all_tables(self.engine)
        self.assertRefused(self.manage('db', 'sync', '--no-checkpoint'),
                           'without it')
        self.assertEqual({}, runner.schema_snapshot(self.engine)[0])

    def test_an_older_database_is_sent_to_the_release_that_cut_it(self):
        first = self.checkpoint.covered[0].revision
        self.assertOk(self.manage('db', 'sync', first))
        before = runner.schema_snapshot(self.engine)
        self.retire()
        self.assertRefused(self.manage('db', 'sync'), first,
                           f'webdemo {self.checkpoint.release} first')
        self.assertEqual(before, runner.schema_snapshot(self.engine))
        version = self.assertOk(self.manage('db', 'version'))
        self.assertIn(f'Current revision: {first}', version)

    def test_a_legacy_database_says_where_adoption_stops(self):
        self.assertOk(self.manage('db', 'sync',
                                  self.checkpoint.covered[0].revision))
        runner.execute(
            self.engine, 'DROP TABLE alembic_version',
            'CREATE TABLE migrate_version (repository_id VARCHAR(250) '
            'PRIMARY KEY, repository_path TEXT, version INTEGER)',
            "INSERT INTO migrate_version VALUES ('webdemo', '/x', 1)")
        before = runner.schema_snapshot(self.engine)
        self.retire()
        self.assertRefused(self.manage('db', 'sync'),
                           'sqlalchemy-migrate version 1')
        self.assertEqual(before, runner.schema_snapshot(self.engine))

    def test_a_downgrade_stops_at_the_revisions_kept(self):
        self.retire()
        self.assertOk(self.manage('db', 'sync'))
        before = runner.schema_snapshot(self.engine)
        self.assertRefused(self.manage('db', 'downgrade', 'base', '--yes'),
                           'downgrade to a revision this release keeps')
        self.assertEqual(before, runner.schema_snapshot(self.engine))
        self.assertOk(self.manage('db', 'downgrade', 'dba815cb5924',
                                  '--yes'))


class TestRetiredRevisionsSQLite(RetiredRevisions, base.BaseTestCase):
    pass


class TestRetiredRevisionsMySQL(RetiredRevisions, db_fixtures.MySQLMixin,
                                db_fixtures.DatabaseTestCase):
    pass


class TestRetiredRevisionsPostgreSQL(RetiredRevisions,
                                     db_fixtures.PostgreSQLMixin,
                                     db_fixtures.DatabaseTestCase):
    pass
