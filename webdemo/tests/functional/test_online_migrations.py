"""db online_data_migrations on SQLite, MariaDB/MySQL and PostgreSQL,
with demo migrations written into a copy of the package: --max-count,
rows written after a run, a failing migration beside a working one,
JSON, and the schema it needs. webdemo's own migration, user_username,
is exercised through a whole rolling upgrade in test_rolling_upgrade."""

import fcntl
import json
import os
import pty
import struct
import subprocess
import termios

from oslotest import base

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner

# Copies the value of old into new, 'max_count' rows at a time.
_MIGRATIONS = '''
import sqlalchemy as sa

from webdemo.db.rolling import online_migrations

DEMO = sa.table('odm_demo', sa.column('id'), sa.column('old'),
                sa.column('new'))


def copy_old_to_new(context, max_count):
    with context.begin() as connection:
        todo = sa.select(DEMO.c.id).where(DEMO.c.new.is_(None))
        if max_count == 0:
            count = sa.select(sa.func.count()).select_from(todo.subquery())
            return connection.execute(count).scalar(), 0
        ids = connection.execute(
            todo.order_by(DEMO.c.id).limit(max_count)).scalars().all()
        if ids:
            connection.execute(DEMO.update().where(DEMO.c.id.in_(ids))
                               .values(new=DEMO.c.old))
        return len(ids), len(ids)


def always_fails(context, max_count):
    if max_count == 0:
        return 1, 0
    raise RuntimeError('the demo migration is broken')


# Needed until a contract revision that never comes.
MIGRATIONS = tuple(online_migrations.Registered(function, before='never')
                   for function in ({names}))
'''


def _on_a_terminal(command, env, cwd):
    """Run command on a pseudo-terminal 100 columns wide; what it drew."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ,
                struct.pack('HHHH', 40, 100, 0, 0))
    process = subprocess.Popen(command, env=env, cwd=cwd, stdin=follower,
                               stdout=follower, stderr=follower)
    os.close(follower)
    drawn = b''
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            # The terminal is gone once the command has exited.
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    process.wait(timeout=120)
    return drawn.decode(errors='replace').replace('\r', '\n')


class OnlineMigrations(runner.PackageCopyMixin):

    def setUp(self):
        super().setUp()
        self.assertOk(self.manage('db', 'sync'))
        runner.execute(self.engine, 'CREATE TABLE odm_demo (id INTEGER '
                       'PRIMARY KEY, old VARCHAR(16), new VARCHAR(16))')
        self.addCleanup(runner.execute, self.engine, 'DROP TABLE odm_demo')
        self.insert(range(1, 121))

    def register(self, *names):
        path = os.path.join(self.versions, '..', '..', '..', 'rolling',
                            'data_migrations.py')
        with open(path, 'w') as registry:
            registry.write(_MIGRATIONS.replace(
                '{names}', ''.join(f'{name}, ' for name in names)))

    def insert(self, ids):
        runner.execute(self.engine, *(
            f"INSERT INTO odm_demo (id, old) VALUES ({key}, 'v{key}')"
            for key in ids))

    def unmigrated(self):
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(
                'SELECT count(*) FROM odm_demo WHERE new IS NULL').scalar()

    def migrate(self, *args):
        return self.manage('db', 'online_data_migrations', *args)

    def test_batches_then_nothing_left(self):
        self.register('copy_old_to_new')
        result = self.migrate()
        self.assertEqual(0, result.returncode, result.stderr)
        # Not a terminal: no line per batch, one for the migration.
        self.assertRegex(result.stdout, r'(?m)^Online data migration '
                         r'copy_old_to_new: moved 120 rows in \d+\.\d s')
        self.assertEqual(1, result.stdout.count('copy_old_to_new: moved'))
        self.assertRegex(result.stdout,
                         r'copy_old_to_new\s+120\s+120\s+0')
        self.assertEqual(0, self.unmigrated())
        again = self.migrate()
        self.assertEqual(0, again.returncode, again.stderr)
        self.assertRegex(again.stdout, r'copy_old_to_new\s+0\s+0\s+0')

    def test_a_terminal_sees_a_bar_with_rate_and_time_left(self):
        self.register('copy_old_to_new')
        shown = _on_a_terminal(
            [runner.manage_command(), 'db', 'online_data_migrations',
             '--max-count', '120'], self.env, self.home)
        # tqdm draws it; the rows are 120 of 120, at some rate per second.
        self.assertRegex(shown, r'copy_old_to_new: +\d+%\|.*\| '
                         r'[\d.]+/120 \[[\d:]+<[\d:?]+, .* rows/s\]')
        self.assertIn('Online data migration copy_old_to_new: moved 120 '
                      'rows in', shown)
        self.assertEqual(0, self.unmigrated())

    def test_max_count_then_rows_written_meanwhile(self):
        self.register('copy_old_to_new')
        first = self.migrate('--max-count', '70')
        self.assertEqual(1, first.returncode, first.stderr)
        self.assertEqual(50, self.unmigrated())
        # The previous release keeps writing rows the old way.
        self.insert(range(121, 126))
        rest = self.migrate()
        self.assertEqual(0, rest.returncode, rest.stderr)
        self.assertRegex(rest.stdout, r'copy_old_to_new\s+55\s+55\s+0')
        self.assertEqual(0, self.unmigrated())

    def test_a_failing_migration_beside_a_working_one(self):
        self.register('always_fails', 'copy_old_to_new')
        result = self.migrate()
        self.assertEqual(2, result.returncode, result.stdout)
        self.assertEqual(['webdemo-manage: error: online data migration '
                          'always_fails failed: RuntimeError: the demo '
                          'migration is broken'],
                         result.stderr.strip().splitlines())
        self.assertEqual(0, self.unmigrated())

    def test_json(self):
        self.register('copy_old_to_new')
        result = self.migrate('--max-count', '10', '--format', 'json')
        out = json.loads(result.stdout)
        self.assertEqual((1, 1), (result.returncode, out['exit_code']))
        seconds = out['migrations'][0].pop('seconds')
        self.assertIsInstance(seconds, float)
        self.assertEqual([{'name': 'copy_old_to_new', 'at_start': 120,
                           'total_needed': 10, 'completed': 10, 'left': 110,
                           'error': None}], out['migrations'])

    def test_refused_until_the_schema_is_upgraded(self):
        self.register('copy_old_to_new')
        self.assertOk(self.manage('db', 'downgrade', 'fac0847f78ff',
                                  '--yes'))
        result = self.migrate()
        self.assertEqual(11, result.returncode, result.stderr)
        self.assertIn('run webdemo-manage db sync --expand first',
                      result.stderr)
        self.assertEqual(120, self.unmigrated())


class TestOnlineMigrationsSQLite(OnlineMigrations, base.BaseTestCase):
    pass


class TestOnlineMigrationsMySQL(OnlineMigrations, db_fixtures.MySQLMixin,
                                db_fixtures.DatabaseTestCase):
    pass


class TestOnlineMigrationsPostgreSQL(
        OnlineMigrations, db_fixtures.PostgreSQLMixin,
        db_fixtures.DatabaseTestCase):
    pass
