"""Run the installed webdemo-manage in a child process, as operators do."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import fixtures
import sqlalchemy

from webdemo.db import engines
from webdemo.db.execution import faults
from webdemo.db.locking import lock
from webdemo.tests.functional import db_fixtures

PACKAGE = os.path.join(os.path.dirname(__file__), '..', '..')
VERSIONS_DIR = os.path.join(
    os.path.dirname(__file__), '..', '..', 'db', 'sqlalchemy', 'alembic',
    'versions')


def manage_command():
    """The webdemo-manage console script installed beside this Python."""
    path = shutil.which('webdemo-manage',
                        path=os.path.dirname(sys.executable))
    if path is None:
        raise AssertionError(
            'webdemo-manage is not installed beside this Python: install '
            'webdemo (pip install -e .) or run the tests through tox.')
    return path


# The project rows written before projects belong to, as a deployment
# that has such rows sets it ([api] default_project_id); a test of what
# happens without it passes OS_API__DEFAULT_PROJECT_ID=''.
DEFAULT_PROJECT = 'default-project'


def clean_environment(home, **extra):
    """The environment without oslo.config variables, HOME set to home.

    But for OS_API__DEFAULT_PROJECT_ID, which is DEFAULT_PROJECT unless
    extra says otherwise.
    """
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('OS_')}
    env.update(HOME=home, OS_API__DEFAULT_PROJECT_ID=DEFAULT_PROJECT)
    env.update(extra)
    return env


def _as_from_a_terminal():
    # A child inherits an ignored SIGINT, and Python then installs no
    # KeyboardInterrupt handler: a test runner started in the background
    # by a shell without job control (`tox ... &` in a script) ignores
    # SIGINT, and Ctrl-C would do nothing to the command it starts. An
    # operator's Ctrl-C reaches a foreground command, never an ignoring one.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def launch(args, env, cwd):
    """Start webdemo-manage with args in a child process; text pipes.

    It starts as a command typed at a terminal does, whatever this
    process ignores: SIGINT at its default (Ctrl-C interrupts it).
    """
    return subprocess.Popen([manage_command(), *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_as_from_a_terminal)


def run(args, env, cwd):
    """Run webdemo-manage with args to its end (two minutes at most)."""
    return finish(launch(args, env, cwd))


def finish(process):
    """Wait for a launched webdemo-manage (two minutes at most).

    :returns: a CompletedProcess
    """
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode,
                                       stdout, stderr)


def revisions_on_disk():
    """Revision ids as the files in versions/ and its phases' name them."""
    return sorted(name.split('_', 1)[0]
                  for directory, _, names in os.walk(VERSIONS_DIR)
                  if '__pycache__' not in directory
                  for name in names
                  if name.endswith('.py') and not name.startswith('_'))


def killed_after_each_statement(test, sync, recovered):
    """Kill a sync after its first revision DDL statement, then its second...

    Each round empties test.engine's database and runs sync with the
    fault hook's variable, which kills it after its k-th statement; while
    it was killed, recovered() completes the build and checks it, with
    the test's own assertions.

    :param sync: sync(**env) runs db sync to its end with env added to its
        environment; a CompletedProcess
    :returns: how many times it was killed before a sync ran through
    """
    killed = 0
    while True:
        drop_all_tables(test.engine)
        first = sync(**{faults.KILL_AFTER_ENV: str(killed + 1)})
        if first.returncode == 0:
            return killed
        killed += 1
        test.assertEqual(-9, first.returncode, first.stderr)
        recovered()


def wait_until_stopped(pid, timeout=60):
    """Wait for process pid to stop itself (the fault hook's SIGSTOP)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(f'/proc/{pid}/stat') as stat:
            if stat.read().rsplit(')', 1)[1].split()[0] == 'T':
                return
        time.sleep(0.05)
    raise AssertionError(f'process {pid} did not stop')


def free_port():
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def execute(engine, *statements):
    """Run SQL statements in one transaction."""
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(sqlalchemy.text(statement))


def drop_all_tables(engine):
    metadata = sqlalchemy.MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        metadata.drop_all(connection)


def schema_snapshot(engine):
    """Tables, their columns, and the recorded revisions.

    This is what a failed command must leave as it found it.
    """
    with engine.connect() as connection:
        inspector = sqlalchemy.inspect(connection)
        tables = {table: sorted(column['name'] for column in
                                inspector.get_columns(table))
                  for table in inspector.get_table_names()}
        versions = []
        if 'alembic_version' in tables:
            versions = sorted(row[0] for row in connection.execute(
                sqlalchemy.text('SELECT version_num FROM alembic_version')))
    return tables, versions


SECRET = 'not-the-Pa55word'
UNKNOWN_REVISION = 'fffffffffff0'


class ManageTestMixin:
    """Runs webdemo-manage against self.url, on self.engine's database.

    The concrete test class sets self.url and self.engine; the
    ``put_*`` methods bring the database into the states commands must
    handle.
    """

    def setUp(self):
        super().setUp()
        self.home = self.useFixture(fixtures.TempDir()).path
        self.empty_conf = os.path.join(self.home, 'empty.conf')
        open(self.empty_conf, 'w').close()

    def _command(self, args, url, env):
        # One connection attempt unless a test asks for more: failures
        # should not take oslo.db's default 100 seconds.
        environment = clean_environment(
            self.home, OS_DATABASE__CONNECTION=url or self.url,
            **{'OS_DATABASE__MAX_RETRIES': '1', **env})
        return ['--config-file', self.empty_conf, *args], environment

    def manage(self, *args, url=None, **env):
        """Run webdemo-manage to its end; a CompletedProcess."""
        return run(*self._command(args, url, env), self.home)

    def spawn(self, *args, url=None, **env):
        """Start webdemo-manage and return at once; a Popen."""
        return launch(*self._command(args, url, env), self.home)

    def sql(self, *statements):
        execute(self.engine, *statements)

    def sql_beside_a_holder(self, settings):
        """db sync --sql, started while this process holds the lock.

        The lock (taken with settings) is let go once --sql says it waits
        for 'the test holder': a wait for that state, not for a time.

        :returns: the finished command's CompletedProcess
        """
        with lock.migration_lock(self.engine, 'the test holder', settings,
                                 print):
            sql = self.spawn('db', 'sync', '--sql')
            self.addCleanup(sql.kill)
            waiting = next(line for line in iter(sql.stdout.readline, '')
                           if 'Waiting up to' in line)
            self.assertIn('the test holder', waiting)
        return finish(sql)

    def assertOk(self, result):
        self.assertEqual(0, result.returncode, result.stderr)

    def assertFailsCleanly(self, result, code, *words):
        """One line on stderr with words in it; no traceback, no secret."""
        self.assertEqual(code, result.returncode,
                         result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertTrue(lines[0].startswith('webdemo-manage: error: '),
                        lines[0])
        for word in words:
            self.assertIn(word, lines[0])
        self.assertNotIn(SECRET, result.stdout + result.stderr)

    def put_at(self, *revisions):
        for revision in revisions:
            self.assertOk(self.manage('db', 'sync', revision))

    def put_at_unknown_revision(self):
        self.put_at('heads')
        self.sql('UPDATE alembic_version SET version_num = '
                 f"'{UNKNOWN_REVISION}'")

    def put_stray_table(self):
        self.sql('CREATE TABLE stray (id INTEGER PRIMARY KEY)')

    def put_legacy(self, version, at='fac0847f78ff'):
        """A sqlalchemy-migrate database: the schema of revision at."""
        self.put_at(at)
        self.sql('DROP TABLE alembic_version',
                 'CREATE TABLE migrate_version (repository_id VARCHAR(250) '
                 'PRIMARY KEY, repository_path TEXT, version INTEGER)',
                 'INSERT INTO migrate_version VALUES '
                 f"('webdemo', '/opt/webdemo/migrate_repo', {version})")


class PackageCopyMixin:
    """Runs webdemo-manage from a copy of the package, on self.url."""

    def setUp(self):
        super().setUp()
        self.home = self.useFixture(fixtures.TempDir()).path
        root = os.path.join(self.home, 'src')
        shutil.copytree(PACKAGE, os.path.join(root, 'webdemo'),
                        ignore=shutil.ignore_patterns('__pycache__', 'tests'))
        self.versions = os.path.join(root, 'webdemo', 'db', 'sqlalchemy',
                                     'alembic', 'versions')
        if getattr(self, 'url', None) is None:
            self.url = f'sqlite:///{self.home}/dev.db'
            self.engine = engines.create_engine(
                db_fixtures.make_conf(self.url))
            self.addCleanup(self.engine.dispose)
        self.env = clean_environment(
            self.home, PYTHONPATH=root, OS_DATABASE__CONNECTION=self.url)

    def manage(self, *args, **env):
        return run(args, {**self.env, **env}, self.home)

    def assertOk(self, result):
        self.assertEqual(0, result.returncode, result.stderr)
        return result.stdout

    def write_revision(self, phase, name, text):
        """Write a revision file into the copy's versions/<phase>/.

        :returns: its path
        """
        path = os.path.join(self.versions, phase, name)
        with open(path, 'w') as script:
            script.write(text)
        return path

    def written(self, result):
        path = re.search(r'^Wrote (\S+)$', self.assertOk(result), re.M)[1]
        self.assertTrue(os.path.realpath(path).startswith(
            os.path.realpath(self.versions) + os.sep), path)
        with open(path) as revision_file:
            return os.path.basename(path), revision_file.read()
