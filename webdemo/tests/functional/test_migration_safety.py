"""db sync under concurrency and crashes, on SQLite, MariaDB/MySQL and
PostgreSQL: the migration lock, the journal, and recovery from a run
killed half-way through a revision."""

import functools
import os
import re
import signal
import sqlite3
import threading
import time

from oslotest import base
import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db import engines
from webdemo.db.execution import faults
from webdemo.db.execution import journal
from webdemo.db.history import checkpoints
from webdemo.db.locking import lock
from webdemo.db import migration
from webdemo.db.rolling import services
from webdemo.db.state import held
from webdemo import exception
from webdemo import release
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner

CONCURRENT_SYNCS = 8
# Rounds of CONCURRENT_SYNCS syncs on an empty database, per backend.
ROUNDS = int(os.environ.get('WEBDEMO_CONCURRENCY_ROUNDS', '5'))
REVISIONS = runner.revisions_on_disk()


class MigrationSafety(runner.ManageTestMixin):

    def setUp(self):
        super().setUp()
        self.assertOk(self.manage('db', 'sync'))
        self.clean_schema = runner.schema_snapshot(self.engine)
        runner.drop_all_tables(self.engine)

    def journal_rows(self):
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(
                sqlalchemy.select(journal.JOURNAL.c.revision,
                                  journal.JOURNAL.c.direction,
                                  journal.JOURNAL.c.outcome).order_by(
                                      journal.JOURNAL.c.id))]

    def concurrent_syncs(self, *options):
        """Syncs started at once on an empty database, round after round.

        :returns: the journal's rows after the last round
        """
        for _ in range(ROUNDS):
            runner.drop_all_tables(self.engine)
            processes = [self.spawn('db', 'sync', *options)
                         for _ in range(CONCURRENT_SYNCS)]
            outputs = [process.communicate(timeout=300)
                       for process in processes]
            self.assertEqual([0] * CONCURRENT_SYNCS,
                             [process.returncode for process in processes],
                             outputs)
            self.assertEqual(self.clean_schema,
                             runner.schema_snapshot(self.engine))
        return sorted(self.journal_rows())

    def test_concurrent_syncs_apply_each_revision_once(self):
        self.assertEqual([(revision, 'upgrade', 'succeeded')
                          for revision in REVISIONS],
                         self.concurrent_syncs('--no-checkpoint'))

    def test_concurrent_syncs_build_from_the_checkpoint_once(self):
        rows = self.concurrent_syncs()
        built = [row for row in rows if checkpoints.is_key(row[0])]
        self.assertEqual(1, len(built), rows)
        self.assertEqual([(revision, 'upgrade', 'succeeded')
                          for revision in REVISIONS],
                         [row for row in rows if row not in built])

    def test_killed_during_a_checkpoint_build_then_recovered(self):
        # Killed after each of its DDL statements, the worst moments: on
        # MySQL each has committed, and the next sync must skip them.
        killed = runner.killed_after_each_statement(
            self, functools.partial(self.manage, 'db', 'sync'),
            self._checkpoint_completed)
        # The shipped checkpoint builds two tables and three indexes.
        self.assertGreaterEqual(killed, 4)

    def _checkpoint_completed(self):
        self._assert_reported_interrupted('checkpoint ')
        self._assert_sql_only_if_nothing_applied()
        self._sync_completes('Completing checkpoint')
        self.assertOk(self.manage('db', 'version', '--check'))

    def test_killed_after_every_ddl_statement_then_recovered(self):
        killed = runner.killed_after_each_statement(
            self, functools.partial(self.manage, 'db', 'sync',
                                    '--no-checkpoint'),
            self._completed_with_the_rows_written_meanwhile)
        # One kill point per DDL statement of a clean run, at the least.
        self.assertGreaterEqual(killed, len(REVISIONS) - 1)

    def _completed_with_the_rows_written_meanwhile(self):
        self._assert_reported_interrupted()
        self._assert_sql_only_if_nothing_applied()
        seeded = self._seed()
        self.assertNotIn('Waiting', self._sync_completes('Completing'))
        self.assertEqual(seeded, self._seeded_rows(seeded))

    def _assert_reported_interrupted(self, what=''):
        """db version --check: exit 7, 'Interrupted: ' what, a revision."""
        self._wait_for_lock_release()
        check = self.manage('db', 'version', '--check')
        self.assertEqual(7, check.returncode, check.stdout + check.stderr)
        self.assertRegex(check.stdout, f'Interrupted: {what}[0-9a-f]{{12}}')

    def _assert_sql_only_if_nothing_applied(self):
        """db sync --sql never writes a statement that already ran.

        On MySQL each DDL statement committed as it ran, so the killed
        revision is partly applied: refused, exit 7, naming db sync.
        Elsewhere the kill rolled it back whole: its SQL is written.
        """
        sql = self.manage('db', 'sync', '--sql')
        if self.engine.dialect.name == 'mysql':
            self.assertFailsCleanly(sql, 7, 'interrupted half-way',
                                    'run db sync')
        else:
            self.assertOk(sql)
            self.assertRegex(sql.stdout, r'\n(CREATE|ALTER) TABLE ')

    def _sync_completes(self, completing):
        """The next db sync says completing and builds the clean schema.

        :returns: what it wrote on stdout
        """
        recovery = self.manage('db', 'sync')
        self.assertOk(recovery)
        self.assertIn(completing, recovery.stdout)
        self.assertEqual(self.clean_schema,
                         runner.schema_snapshot(self.engine))
        return recovery.stdout

    def _wait_for_lock_release(self):
        """Wait for the server to free a dead holder's lock.

        It does once it sees the session gone: promptly, but not at the
        instant of the kill.
        """
        deadline = time.monotonic() + 30
        while lock.is_held(self.engine):
            self.assertLess(time.monotonic(), deadline,
                            'the killed run left its migration lock held')
            time.sleep(0.1)

    def _seed(self):
        tables = runner.schema_snapshot(self.engine)[0]
        # A project where a contract killed half-way requires one
        # already; else none, as the release before projects writes.
        if 'user' in tables:
            # As the previous release writes it (name only) while it
            # can, for the recovering sync's data migration to fill in.
            names = (self._names_to_write()
                     + self._required('user', 'project_id'))
            self.sql(f'INSERT INTO {self._quoted("user")} (id, user_id, '
                     f'{", ".join(names)}) VALUES (1, \'u-1\''
                     + ", 'kept'" * len(names) + ')')
        if 'account' in tables:
            project = self._required('account', 'project_id')
            columns = ', '.join(['id', 'name'] + project)
            values = ', '.join(['1'] + ["'kept'"] * (1 + len(project)))
            self.sql(f'INSERT INTO account ({columns}) VALUES ({values})')
        return self._seeded_rows()

    def _required(self, table, column):
        """[column] if table requires it already, else [].

        NOT NULL, or on PostgreSQL the check that a contract killed
        half-way left on the way there (online_ddl.set_not_null).
        """
        inspector = sqlalchemy.inspect(self.engine)
        if table not in inspector.get_table_names():
            return []
        columns = {found['name']: found['nullable'] for found in
                   inspector.get_columns(table)}
        checks = {found['name'] for found in
                  inspector.get_check_constraints(table)}
        required = (columns.get(column, True) is False
                    or f'ck_{table}_{column}_not_null' in checks)
        return [column] if required else []

    def _names_to_write(self):
        columns = {column['name'] for column in
                   sqlalchemy.inspect(self.engine).get_columns('user')}
        if not self._required('user', 'username'):
            return ['name']
        # A contract killed half-way: username is required already (NOT
        # NULL, or on PostgreSQL the check on the way there).
        return [name for name in ('name', 'username') if name in columns]

    def _seeded_rows(self, tables=None):
        if tables is None:
            tables = set(runner.schema_snapshot(self.engine)[0]) & {
                'user', 'account'}
        with self.engine.connect() as connection:
            return {table: self._id_and_name(connection, table)
                    for table in tables}

    def _id_and_name(self, connection, table):
        columns = runner.schema_snapshot(self.engine)[0][table]
        name = 'name' if 'name' in columns else 'username'
        query = (f'SELECT id, {name} FROM {self._quoted(table)} '
                 'ORDER BY id')
        return [tuple(row) for row in connection.exec_driver_sql(query)]

    def _quoted(self, table):
        return self.engine.dialect.identifier_preparer.quote(table)

    def test_lock_timeout_names_the_holder_and_changes_nothing(self):
        self.assertOk(self.manage('db', 'sync', 'fac0847f78ff'))
        before = runner.schema_snapshot(self.engine)
        with lock.migration_lock(self.engine, 'the test holder',
                                 lock.Settings(timeout=0), print):
            started = time.monotonic()
            result = self.manage('db', 'sync',
                                 OS_DATABASE__MIGRATION_LOCK_TIMEOUT='2')
            waited = time.monotonic() - started
        self.assertFailsCleanly(result, 5, 'gave up after 2s',
                                'the test holder', f'pid {os.getpid()}')
        self.assertGreaterEqual(waited, 2)
        self.assertEqual(before, runner.schema_snapshot(self.engine))
        self.assertOk(self.manage('db', 'sync'))

    def test_sql_waits_for_a_run_that_holds_the_lock(self):
        """Its SQL starts where the run ended, not where it had got to."""
        self.assertOk(self.manage('db', 'sync', 'fac0847f78ff'))
        result = self.sql_beside_a_holder(lock.Settings(timeout=0))
        self.assertOk(result)
        self.assertIn('ALTER TABLE', result.stdout)

    def test_sql_gives_up_on_a_run_that_holds_the_lock_too_long(self):
        self.assertOk(self.manage('db', 'sync', 'fac0847f78ff'))
        before = runner.schema_snapshot(self.engine)
        with lock.migration_lock(self.engine, 'the test holder',
                                 lock.Settings(timeout=0), print):
            result = self.manage('db', 'sync', '--sql',
                                 OS_DATABASE__MIGRATION_LOCK_TIMEOUT='1')
        self.assertFailsCleanly(result, 5, 'gave up after 1s',
                                'the test holder')
        self.assertNotIn('ALTER TABLE', result.stdout)
        self.assertEqual(before, runner.schema_snapshot(self.engine))

    def test_only_a_database_that_may_be_at_head_is_asked_under_the_lock(self):
        """db sync's shortcut: revisions to apply need no wait for the lock.

        A database at head is still asked under it, so that a sync
        started behind another finds that one's work done.
        """
        settings = lock.Settings(timeout=0)
        with lock.migration_lock(self.engine, 'the test holder', settings,
                                 print):
            self.assertIsNotNone(held.work_to_sync(self.engine, settings,
                                                   print))
        self.assertOk(self.manage('db', 'sync'))
        with lock.migration_lock(self.engine, 'the test holder', settings,
                                 print):
            self.assertRaises(exception.MigrationLockTimeout,
                              held.work_to_sync, self.engine, settings,
                              print)

    def test_a_failed_statement_is_never_taken_as_applied(self):
        """A retry must fail the same way, not skip what never ran."""
        self.assertOk(self.manage('db', 'sync', '7dc0a5261bc4'))
        self.sql('CREATE TABLE account (x INTEGER)')
        for _ in range(2):
            self.assertFailsCleanly(self.manage('db', 'sync'), 1,
                                    'fac0847f78ff')
        self.assertEqual(['x'], runner.schema_snapshot(self.engine)[0][
            'account'])

    def test_failing_the_same_way_twice_says_so(self):
        """No promise that the next sync completes what it cannot."""
        self.assertOk(self.manage('db', 'sync', '7dc0a5261bc4'))
        self.sql('CREATE TABLE account (x INTEGER)')
        first = self.manage('db', 'sync')
        self.assertFailsCleanly(first, 1, 'fac0847f78ff', 'fix the cause')
        self.assertNotIn('same way', first.stderr)
        version = self.manage('db', 'version')
        self.assertIn('Failed: fac0847f78ff: ', version.stdout)
        self.assertNotIn('completes it', version.stdout)
        second = self.manage('db', 'sync')
        self.assertIn('Retrying fac0847f78ff, whose last run failed: ',
                      second.stdout)
        self.assertFailsCleanly(second, 1, 'fac0847f78ff',
                                'failed the same way in its last run')

    def test_the_revisions_before_a_failed_one_stay_applied(self):
        # On SQLite the revision before it shares its commit.
        self.assertOk(self.manage('db', 'sync', 'fac0847f78ff'))
        self.sql('ALTER TABLE account ADD COLUMN email VARCHAR(255)')
        self.assertFailsCleanly(self.manage('db', 'sync'), 1,
                                'b2237d3cc792')
        self.assertIn('Current revision: e27bd8cacc69',
                      self.manage('db', 'version').stdout)
        self.assertIn('password_hash',
                      runner.schema_snapshot(self.engine)[0]['account'])
        outcomes = {row[0]: row[2] for row in self.journal_rows()}
        self.assertEqual(('succeeded', 'failed'), (
            outcomes['e27bd8cacc69'], outcomes['b2237d3cc792']))

    def test_interrupted_downgrade_is_completed_by_downgrade(self):
        self.assertOk(self.manage('db', 'sync'))
        killed = self.manage('db', 'downgrade', 'fac0847f78ff', '--yes', **{
            faults.KILL_AFTER_ENV: '1'})
        self.assertEqual(-9, killed.returncode, killed.stderr)
        self._wait_for_lock_release()
        check = self.manage('db', 'version', '--check')
        self.assertEqual(7, check.returncode, check.stdout)
        self.assertIn('Interrupted downgrade:', check.stdout)
        self.assertFailsCleanly(self.manage('db', 'sync'), 7,
                                'run the same db downgrade again')
        self.assertOk(self.manage('db', 'downgrade', 'fac0847f78ff',
                                  '--yes'))
        self.assertOk(self.manage('db', 'sync'))
        self.assertEqual(self.clean_schema,
                         runner.schema_snapshot(self.engine))

    def test_interrupted_upgrade_blocks_downgrade_and_stamp(self):
        killed = self.manage('db', 'sync', **{faults.KILL_AFTER_ENV: '2'})
        self.assertEqual(-9, killed.returncode, killed.stderr)
        self._wait_for_lock_release()
        for args in (('downgrade', 'base', '--yes'), ('stamp', 'heads')):
            self.assertFailsCleanly(self.manage('db', *args), 7,
                                    'run db sync to complete it first')
        self.assertOk(self.manage('db', 'sync'))

    def test_history_shows_when_and_how_long(self):
        self.assertOk(self.manage('db', 'sync'))
        history = self.manage('db', 'history', '--verbose').stdout
        self.assertEqual(len(REVISIONS), len(re.findall(
            r'applied: \d{4}-\d\d-\d\d [\d:.]+ UTC, took \d+\.\d{3}s',
            history)))


class TestMigrationSafetySQLite(MigrationSafety, db_fixtures.SQLiteFileMixin,
                                base.BaseTestCase):

    def test_a_sync_waits_for_another_writer(self):
        # Another connection (a service's request) keeps taking the
        # file's write lock while a sync runs: the sync waits for it,
        # and never meets "database is locked".
        services.Registration(self.engine, release.NAME, release.LEVEL,
                              60).register()
        stop, failures = threading.Event(), []
        writer = threading.Thread(target=_write_until, args=(
            self.url[len('sqlite:///'):], stop, failures))
        writer.start()
        try:
            result = self.manage('db', 'sync')
        finally:
            stop.set()
            writer.join()
        self.assertOk(result)
        self.assertEqual([], failures)


def _write_until(path, stop, failures):
    """Write the services' rows, holding the write lock a while each time."""
    writer = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        while not stop.is_set():
            writer.execute('BEGIN IMMEDIATE')
            writer.execute(f'UPDATE {bookkeeping.SERVICES.name} SET pid = pid')
            time.sleep(0.02)
            writer.execute('COMMIT')
            time.sleep(0.005)
    except sqlite3.Error as error:
        failures.append(error)
    finally:
        writer.close()


class ServerMigrationSafety(MigrationSafety):

    def test_the_lock_is_per_database(self):
        """Another database on the same server migrates meanwhile."""
        other = f'{self.engine.url.database}_other'
        self._admin(f'CREATE DATABASE {other}')
        self.addCleanup(self._admin, f'DROP DATABASE {other}')
        other_url = sqlalchemy.engine.make_url(self.url).set(
            database=other).render_as_string(hide_password=False)
        with lock.migration_lock(self.engine, 'the test holder',
                                 lock.Settings(timeout=0), print):
            result = self.manage('db', 'sync', url=other_url,
                                 OS_DATABASE__MIGRATION_LOCK_TIMEOUT='0')
        self.assertOk(result)

    def _first_look(self):
        """What db sync's first look hands on, on an empty database."""
        reading = engines.create_reading_engine(
            db_fixtures.make_conf(self.url))
        self.addCleanup(reading.dispose)
        return held.work_to_sync(reading, lock.Settings(), print)

    def test_a_sync_with_work_holds_the_lock_on_its_first_look(self):
        """The lock, held to the end, opens no connection of its own.

        It keeps the one the first look opened, idle once the look is
        done: held while every line is reported, given back after.
        """
        first_look = self._first_look()
        held_then = []
        migration.sync(self.engine, first_look=first_look,
                       report=lambda line: held_then.append(
                           first_look.engine.pool.checkedout()))
        self.assertEqual({1}, set(held_then))
        self.assertEqual(0, first_look.engine.pool.checkedout())
        self.assertEqual(self.clean_schema,
                         runner.schema_snapshot(self.engine))

    # A connection's session, how to end it, and whether it is still
    # there: each backend's class says.
    SESSION = None

    def test_a_first_look_whose_connection_the_server_closed(self):
        """The lock takes a new connection, not the dead one."""
        first_look = self._first_look()
        ask, end, alive = self.SESSION
        with first_look.engine.connect() as connection:
            session = int(connection.exec_driver_sql(ask).scalar())
        self._admin(end.format(session))
        deadline = time.monotonic() + 30
        while self._scalar(alive.format(session)):
            self.assertLess(time.monotonic(), deadline, 'still connected')
            time.sleep(0.05)
        migration.sync(self.engine, first_look=first_look, report=print)
        self.assertEqual(self.clean_schema,
                         runner.schema_snapshot(self.engine))

    def _scalar(self, query):
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(query).scalar()

    def _admin(self, statement):
        with self.engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as connection:
            connection.exec_driver_sql(statement)


class TestMigrationSafetyMySQL(ServerMigrationSafety, db_fixtures.MySQLMixin,
                               db_fixtures.DatabaseTestCase):
    SESSION = ('SELECT CONNECTION_ID()', 'KILL CONNECTION {}',
               'SELECT COUNT(*) FROM information_schema.PROCESSLIST '
               'WHERE ID = {}')


class TestMigrationSafetyPostgreSQL(ServerMigrationSafety,
                                    db_fixtures.PostgreSQLMixin,
                                    db_fixtures.DatabaseTestCase):
    SESSION = ('SELECT pg_backend_pid()', 'SELECT pg_terminate_backend({})',
               'SELECT COUNT(*) FROM pg_stat_activity WHERE pid = {}')


# A revision of three DDL statements, so that a run can die between
# them; the shipped revisions have one statement each.
_THREE_STATEMENTS = '''"""three statements

Revision ID: aaaa00000001
Revises: dba815cb5924
"""

from alembic import op
import sqlalchemy as sa

revision = 'aaaa00000001'
down_revision = 'dba815cb5924'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('account', sa.Column('nickname', sa.String(32)))
    op.add_column('account', sa.Column('locale', sa.String(16)))
    op.create_index('ix_account_nickname', 'account', ['nickname'])


def downgrade():
    op.drop_index('ix_account_nickname', 'account')
    with op.batch_alter_table('account') as batch_op:
        batch_op.drop_column('locale')
        batch_op.drop_column('nickname')
'''


class SeveralStatementsRecovery(runner.PackageCopyMixin):

    def test_killed_between_the_statements_of_one_revision(self):
        self.write_revision('expand', 'aaaa00000001_three_statements.py',
                            _THREE_STATEMENTS)
        for kill_after in (1, 2, 3):
            runner.drop_all_tables(self.engine)
            self.assertOk(self.manage('db', 'sync', 'dba815cb5924'))
            runner.execute(self.engine,
                           "INSERT INTO account (id, name) VALUES (1, 'kept')")
            # The shipped history ran already: count from this revision.
            first = self.manage('db', 'sync', **{
                faults.KILL_AFTER_ENV: str(kill_after)})
            self.assertEqual(-9, first.returncode, first.stderr)
            recovery = self.manage('db', 'sync')
            self.assertIn('Completing aaaa00000001', self.assertOk(recovery))
            self._assert_three_statements_applied()

    def _assert_three_statements_applied(self):
        inspector = sqlalchemy.inspect(self.engine)
        columns = {column['name'] for column in
                   inspector.get_columns('account')}
        self.assertTrue({'nickname', 'locale'} <= columns, columns)
        self.assertIn('ix_account_nickname',
                      {index['name'] for index in
                       inspector.get_indexes('account')})
        with self.engine.connect() as connection:
            self.assertEqual([(1, 'kept')], [tuple(row) for row in
                             connection.exec_driver_sql(
                                 'SELECT id, name FROM account')])


class TestSeveralStatementsSQLite(SeveralStatementsRecovery,
                                  base.BaseTestCase):
    pass


class TestSeveralStatementsMySQL(SeveralStatementsRecovery,
                                 db_fixtures.MySQLMixin,
                                 db_fixtures.DatabaseTestCase):
    pass


class TestSeveralStatementsPostgreSQL(SeveralStatementsRecovery,
                                      db_fixtures.PostgreSQLMixin,
                                      db_fixtures.DatabaseTestCase):
    pass


def _write_revisions(test, title, revisions):
    """Write revision files on the expand branch of test's package copy.

    :param revisions: {revision: (down_revision, body)}
    """
    for revision, (down, body) in revisions.items():
        test.write_revision(
            'expand', f'{revision}_{title.replace(" ", "_")}.py',
            f'"""{title}"""\n\nfrom alembic import op\n'
            f'import sqlalchemy as sa\n\nrevision = {revision!r}\n'
            f'down_revision = {down!r}\n{body}')


_AROUND_AN_AUTOCOMMIT_BLOCK = {
    'bbbb00000001': ('dba815cb5924', '''
def upgrade():
    op.add_column('account', sa.Column('nickname', sa.String(32)))
'''),
    # A statement in the revision's transaction, then one outside any.
    'bbbb00000002': ('bbbb00000001', '''
def upgrade():
    op.add_column('account', sa.Column('locale', sa.String(16)))
    with op.get_context().autocommit_block():
        op.create_index('ix_account_locale', 'account', ['locale'])
'''),
    'bbbb00000003': ('bbbb00000002', '''
def upgrade():
    op.add_column('account', sa.Column('theme', sa.String(16)))
'''),
}


class AutocommitBlock(runner.PackageCopyMixin):

    def test_a_revision_with_an_autocommit_block_between_others(self):
        # On SQLite the revisions around it share commits; it cannot.
        _write_revisions(self, 'around autocommit',
                         _AROUND_AN_AUTOCOMMIT_BLOCK)
        self.assertOk(self.manage('db', 'sync'))
        inspector = sqlalchemy.inspect(self.engine)
        self.assertLessEqual({'nickname', 'locale', 'theme'}, {
            column['name'] for column in inspector.get_columns('account')})
        self.assertIn('ix_account_locale', {
            index['name'] for index in inspector.get_indexes('account')})
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)


class TestAutocommitBlockSQLite(AutocommitBlock, base.BaseTestCase):
    pass


class TestAutocommitBlockMySQL(AutocommitBlock, db_fixtures.MySQLMixin,
                               db_fixtures.DatabaseTestCase):
    pass


class TestAutocommitBlockPostgreSQL(AutocommitBlock,
                                    db_fixtures.PostgreSQLMixin,
                                    db_fixtures.DatabaseTestCase):
    pass


def _sync_fails_at(test, revision, left_at):
    """Run db sync, which must fail cleanly at revision, left at left_at.

    :returns: the journal's (revision, outcome) rows of the revisions
        sharing revision's first four characters, oldest first
    """
    # Replayed: the revisions before the failing one each run alone.
    failed = test.manage('db', 'sync', '--no-checkpoint')
    test.assertEqual(1, failed.returncode, failed.stderr)
    test.assertIn(revision, failed.stderr)
    test.assertNotIn('Traceback', failed.stderr)
    test.assertIn(f'Current revision: {left_at}',
                  test.manage('db', 'version').stdout)
    with test.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sqlalchemy.select(journal.JOURNAL.c.revision,
                              journal.JOURNAL.c.outcome).where(
                journal.JOURNAL.c.revision.like(f'{revision[:4]}%')).order_by(
                    journal.JOURNAL.c.id))]


_A_GROUP_THEN_A_FAILURE = {
    'cccc00000001': ('dba815cb5924', """
def upgrade():
    op.create_table('group_one', sa.Column('id', sa.Integer, primary_key=True))
"""),
    'cccc00000002': ('cccc00000001', """
def upgrade():
    table = op.create_table(
        'group_two', sa.Column('id', sa.Integer, primary_key=True))
    op.bulk_insert(table, [{'id': 1}])
"""),
    'cccc00000003': ('cccc00000002', """
def upgrade():
    op.create_table('group_one', sa.Column('id', sa.Integer, primary_key=True))
"""),
}


class FailureInAGroup(runner.PackageCopyMixin):

    def test_the_revisions_before_a_failure_in_a_group_stay_applied(self):
        # On SQLite and PostgreSQL the three share a commit, and the
        # third fails: the first two are run again, one commit each.
        _write_revisions(self, 'group then failure', _A_GROUP_THEN_A_FAILURE)
        self.assertOk(self.manage('db', 'sync', 'dba815cb5924'))
        self.assertEqual([('cccc00000001', 'succeeded'),
                          ('cccc00000002', 'succeeded'),
                          ('cccc00000003', 'failed')],
                         _sync_fails_at(self, 'cccc00000003', 'cccc00000002'))
        with self.engine.connect() as connection:
            self.assertEqual([(1,)], [tuple(row) for row in (
                connection.exec_driver_sql('SELECT id FROM group_two'))])


class TestFailureInAGroupSQLite(FailureInAGroup, base.BaseTestCase):
    pass


class TestFailureInAGroupMySQL(FailureInAGroup, db_fixtures.MySQLMixin,
                               db_fixtures.DatabaseTestCase):
    pass


class TestFailureInAGroupPostgreSQL(FailureInAGroup,
                                    db_fixtures.PostgreSQLMixin,
                                    db_fixtures.DatabaseTestCase):
    pass


_A_SERVICE_TABLE_AMONG_NEW_ONES = {
    'dddd00000001': ('dba815cb5924', """
def upgrade():
    op.create_table('fresh', sa.Column('id', sa.Integer, primary_key=True))
"""),
    'dddd00000002': ('dddd00000001', """
def upgrade():
    op.add_column('account', sa.Column('note', sa.String(20)))
"""),
    'dddd00000003': ('dddd00000002', """
def upgrade():
    op.add_column('fresh', sa.Column('size', sa.Integer))
"""),
}


class TestCommitGroupsPostgreSQL(runner.PackageCopyMixin,
                                 db_fixtures.PostgreSQLMixin,
                                 db_fixtures.DatabaseTestCase):
    """A revision that changed a service's table commits before the next.

    Revisions on PostgreSQL share commits while they touch only the
    tables their run made (table_scope.py); the account table was there
    before, and the service reads it.
    """

    def test_its_lock_is_gone_while_the_next_revision_runs(self):
        self.assertOk(self.manage('db', 'sync'))
        _write_revisions(self, 'service table among new ones',
                         _A_SERVICE_TABLE_AMONG_NEW_ONES)
        # Stopped right after the third revision's statement.
        sync = runner.launch(['db', 'sync'], {
            **self.env, faults.STOP_AFTER_ENV: '3'}, self.home)
        self.addCleanup(sync.kill)
        runner.wait_until_stopped(sync.pid)
        with self.engine.connect() as connection:
            backend, query = connection.execute(sqlalchemy.text(
                'SELECT pid, query FROM pg_stat_activity WHERE query LIKE '
                ':altered AND pid <> pg_backend_pid() '
                'AND datname = current_database()'),
                {'altered': 'ALTER TABLE fresh %'}).one()
            self.assertIn('size', query)
            locks = connection.execute(sqlalchemy.text(
                'SELECT count(*) FROM pg_locks l JOIN pg_class c ON '
                "c.oid = l.relation WHERE c.relname = 'account' AND "
                'l.pid = :pid'), {'pid': backend}).scalar()
            versions = connection.exec_driver_sql(
                'SELECT version_num FROM alembic_version').scalars().all()
        self.assertEqual(0, locks)
        self.assertIn('dddd00000002', versions)
        os.kill(sync.pid, signal.SIGCONT)
        self.assertOk(runner.finish(sync))
        self.assertIn('dddd00000003', self.manage('db', 'version').stdout)


def _then(second_upgrade):
    """A revision creating a table, then one whose upgrade fails."""
    return {
        'eeee00000001': ('dba815cb5924', """
def upgrade():
    op.create_table('carried', sa.Column('id', sa.Integer, primary_key=True))
"""),
        'eeee00000002': ('eeee00000001', second_upgrade),
    }


class FailureAfterARevision(runner.PackageCopyMixin):
    """On MySQL a revision's rows wait for the next DDL to commit them."""

    def assertFailedAfterTheFirst(self):
        self.assertEqual([('eeee00000001', 'succeeded'),
                          ('eeee00000002', 'failed')],
                         _sync_fails_at(self, 'eeee00000002', 'eeee00000001'))
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(
                'SELECT id FROM carried')]

    def test_a_failure_after_a_data_change_keeps_the_revision_before(self):
        # The first rows are committed before the data change, which is
        # rolled back with the failure, not committed with them.
        _write_revisions(self, 'then data', _then("""
def upgrade():
    op.execute('INSERT INTO carried (id) VALUES (1)')
    op.execute('INSERT INTO carried (id) VALUES (1)')
"""))
        self.assertEqual([], self.assertFailedAfterTheFirst())

    def test_a_statement_refused_unparsed_keeps_the_revision_before(self):
        # MySQL commits before a DDL statement only once it has parsed
        # it: the failure path commits the first revision's rows.
        _write_revisions(self, 'then bad ddl', _then("""
def upgrade():
    op.execute('CREATE TABLEE carried_two (id INTEGER)')
"""))
        self.assertEqual([], self.assertFailedAfterTheFirst())


class TestFailureAfterARevisionSQLite(FailureAfterARevision,
                                      base.BaseTestCase):
    pass


class TestFailureAfterARevisionMySQL(FailureAfterARevision,
                                     db_fixtures.MySQLMixin,
                                     db_fixtures.DatabaseTestCase):
    pass


class TestFailureAfterARevisionPostgreSQL(FailureAfterARevision,
                                          db_fixtures.PostgreSQLMixin,
                                          db_fixtures.DatabaseTestCase):
    pass


class TestCommitsPostgreSQL(db_fixtures.PostgreSQLMixin,
                            db_fixtures.DatabaseTestCase):
    """A revision's commit does not wait for the disk; the plan's end does.

    What the server was asked, seen from the driver's own connection.
    """

    def setUp(self):
        super().setUp()
        self.sent = []
        self.setting_at_journal_write = []
        self.returned_with = []
        sqlalchemy.event.listen(self.engine, 'after_cursor_execute',
                                self._after)
        sqlalchemy.event.listen(self.engine, 'checkin', self._checkin)
        sqlalchemy.event.listen(self.engine, 'commit',
                                lambda conn: self.sent.append('COMMIT'))
        with self.engine.connect() as connection:
            self.session_default = connection.exec_driver_sql(
                'SHOW synchronous_commit').scalar()

    def _setting(self, dbapi_connection):
        cursor = dbapi_connection.cursor()
        cursor.execute('SHOW synchronous_commit')
        return cursor.fetchone()[0]

    def _checkin(self, dbapi_connection, record):
        if dbapi_connection is not None:
            self.returned_with.append(self._setting(dbapi_connection))
            # End the transaction the query began, as the pool left it.
            dbapi_connection.rollback()

    def _after(self, conn, cursor, statement, parameters, context, many):
        self.sent.append(statement)
        if statement.startswith(f'INSERT INTO {journal.JOURNAL.name}'):
            self.setting_at_journal_write.append(
                self._setting(cursor.connection))

    def test_revisions_unsynced_then_one_synced_commit(self):
        from webdemo.db import migration

        migration.sync(self.engine, report=lambda line: None)
        # Every row was written unsynced: by the plan's first commit, or
        # in the transaction of the revisions before it.
        self.assertGreater(len(self.setting_at_journal_write), 1)
        self.assertEqual({'off'}, set(self.setting_at_journal_write))
        # Then the session's own setting back, and a transaction that
        # writes (it has an id), committed, so that it waits for the log.
        last = max(index for index, statement in enumerate(self.sent)
                   if statement.startswith(
                       f'INSERT INTO {journal.JOURNAL.name}'))
        after = self.sent[last + 1:]
        flush = after.index('RESET synchronous_commit')
        self.assertEqual(['RESET synchronous_commit',
                          'SELECT txid_current()', 'COMMIT'],
                         after[flush:flush + 3])
        # No pooled connection keeps the setting.
        self.assertEqual({self.session_default}, set(self.returned_with))
