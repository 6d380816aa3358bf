"""webdemo-manage db commands end to end through the installed command,
on SQLite, MariaDB/MySQL and PostgreSQL."""

import json
import os
import shutil
import signal
import sys
import time

from oslotest import base
import sqlalchemy

from webdemo.db import sql_text
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures
from webdemo.tests.functional import manage_runner as runner

ALL_REVISIONS = runner.revisions_on_disk()
USER_TABLE, ACCOUNT_TABLE = '7dc0a5261bc4', 'fac0847f78ff'
EMAIL, PASSWORD_HASH = 'b2237d3cc792', 'e27bd8cacc69'
MERGE = '948ccd040506'
EXPAND, CONTRACT = '828dea7d5e92', '3fd795719d99'
EXPAND_HEAD = history_fixtures.EXPAND_HEAD
CONTRACT_HEAD = history_fixtures.CONTRACT_HEAD
PROJECTS_CONTRACT = '1fd0aa0adf0f'


def _json(result):
    return json.loads(result.stdout)


class SyncAndVersion(runner.ManageTestMixin):

    def test_sync_applies_every_revision_then_changes_nothing(self):
        first = self.manage('db', 'sync', '--no-checkpoint')
        self.assertOk(first)
        self.assertNotIn('checkpoint', first.stdout)
        for revision in ALL_REVISIONS:
            self.assertIn(f'Applied {revision} ', first.stdout)
        synced = runner.schema_snapshot(self.engine)
        second = self.manage('db', 'sync')
        self.assertOk(second)
        self.assertIn('Nothing to do', second.stdout)
        self.assertNotIn('Applied', second.stdout)
        self.assertEqual(synced, runner.schema_snapshot(self.engine))

    def test_sync_of_an_empty_database_starts_from_a_checkpoint(self):
        first = self.manage('db', 'sync')
        self.assertOk(first)
        self.assertRegex(first.stdout, r'Applied checkpoint [0-9a-f]{12}')
        self.assertNotIn(f'Applied {ALL_REVISIONS[0]} ', first.stdout)
        version = self.manage('db', 'version', '--check')
        self.assertOk(version)
        self.assertIn('Status: at head', version.stdout)

    def test_version_reports_empty_then_head(self):
        empty = self.manage('db', 'version')
        self.assertOk(empty)
        self.assertIn('Current revision: none', empty.stdout)
        self.assertIn('Status: empty', empty.stdout)
        self.put_at('heads')
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)

    def test_sync_to_a_revision_then_to_head(self):
        first = history_fixtures.walk_order()[1].revision
        self.put_at(first)
        version = self.manage('db', 'version')
        self.assertIn(f'Current revision: {first}', version.stdout)
        self.assertIn('Status: upgrade pending', version.stdout)
        self.put_at('heads')
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)

    def test_sync_accepts_partial_and_relative_revisions(self):
        self.put_at(USER_TABLE[:4], '+1')
        self.assertIn(f'Current revision: {ACCOUNT_TABLE}',
                      self.manage('db', 'version').stdout)


class VersionCheck(runner.ManageTestMixin):
    """Each --check exit code, provoked; JSON carries the same status."""

    def assertCheck(self, code, status):
        result = self.manage('db', 'version', '--check', '--format', 'json')
        self.assertEqual(code, result.returncode, result.stderr)
        report = _json(result)
        self.assertEqual((code, status),
                         (report['exit_code'], report['status']))
        self.assertNotIn(':openstack_citest@', result.stdout)
        return report

    def test_empty_is_pending(self):
        self.assertCheck(2, 'empty')

    def test_behind_is_pending(self):
        self.put_at(ACCOUNT_TABLE)
        report = self.assertCheck(2, 'upgrade_pending')
        self.assertEqual([ACCOUNT_TABLE], report['current'])

    def test_at_head(self):
        self.put_at('heads')
        report = self.assertCheck(0, 'at_head')
        self.assertEqual(([], []), (report['expand_pending'],
                                    report['contract_pending']))
        # Alembic records the contract head alone: it depends on the
        # expand head.
        self.assertEqual([CONTRACT_HEAD], report['current'])

    def test_unknown_revision(self):
        self.put_at_unknown_revision()
        report = self.assertCheck(3, 'unknown_revision')
        self.assertEqual([runner.UNKNOWN_REVISION], report['unknown'])

    def test_unversioned(self):
        self.put_stray_table()
        self.assertCheck(4, 'unversioned')

    def test_legacy_with_a_mapping_is_pending(self):
        self.put_legacy(2)
        report = self.assertCheck(2, 'legacy')
        self.assertEqual((2, ACCOUNT_TABLE), (report['legacy_version'],
                                              report['legacy_revision']))

    def test_legacy_without_a_mapping_is_unversioned(self):
        self.put_legacy(9)
        self.assertCheck(4, 'legacy')

    def test_without_check_a_readable_database_exits_0(self):
        self.put_at_unknown_revision()
        self.assertOk(self.manage('db', 'version'))


class HistoryAndSql(runner.ManageTestMixin):

    def test_history_marks_applied_revisions(self):
        self.put_at(ACCOUNT_TABLE)
        lines = self.manage('db', 'history').stdout.splitlines()[1:]
        marks = {line.split(' -> ')[1].split()[0].rstrip(':'): line[:3]
                 for line in lines}
        self.assertEqual({USER_TABLE: '[x]', ACCOUNT_TABLE: '[x]',
                          EMAIL: '[ ]', PASSWORD_HASH: '[ ]', MERGE: '[ ]',
                          EXPAND: '[ ]', CONTRACT: '[ ]', EXPAND_HEAD: '[ ]',
                          PROJECTS_CONTRACT: '[ ]', CONTRACT_HEAD: '[ ]'},
                         marks)

    def test_history_json_and_range(self):
        self.put_at(ACCOUNT_TABLE)
        report = _json(self.manage('db', 'history', '-r',
                                   f'{ACCOUNT_TABLE}:heads', '--format',
                                   'json'))
        applied = {rev['revision']: rev['applied']
                   for rev in report['revisions']}
        self.assertEqual(9, len(applied))
        self.assertTrue(applied[ACCOUNT_TABLE])
        self.assertFalse(applied[EMAIL])

    def test_sync_sql_starts_at_the_current_revision(self):
        self.put_at(ACCOUNT_TABLE)
        before = runner.schema_snapshot(self.engine)
        result = self.manage('db', 'sync', '--sql')
        self.assertOk(result)
        self.assertIn('password_hash', result.stdout)
        self.assertIn('email', result.stdout)
        self.assertNotIn('CREATE TABLE ACCOUNT', result.stdout.upper())
        self.assertEqual(before, runner.schema_snapshot(self.engine))


class StampDowngradeCheck(runner.ManageTestMixin):

    def test_stamp_adopts_a_hand_made_schema(self):
        self.put_at('heads')
        self.sql('DROP TABLE alembic_version')
        # 'head' names two heads now; 'heads' both.
        self.assertFailsCleanly(self.manage('db', 'stamp', 'head'), 127,
                                'expand@head or contract@head')
        self.assertOk(self.manage('db', 'stamp', 'heads'))
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)

    def test_stamp_purge_replaces_an_unknown_revision(self):
        self.put_at_unknown_revision()
        self.assertOk(self.manage('db', 'stamp', '--purge', 'heads'))
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)

    def test_downgrade_lists_what_it_undoes_and_needs_yes(self):
        self.put_at(ACCOUNT_TABLE)
        before = runner.schema_snapshot(self.engine)
        refused = self.manage('db', 'downgrade', '-1')
        self.assertFailsCleanly(refused, 127, 'table account', '--yes')
        self.assertIn(f'Will undo {ACCOUNT_TABLE}', refused.stdout)
        self.assertEqual(before, runner.schema_snapshot(self.engine))
        done = self.manage('db', 'downgrade', '-1', '--yes')
        self.assertOk(done)
        self.assertIn(f'Reverted {ACCOUNT_TABLE}', done.stdout)
        self.assertNotIn('account', runner.schema_snapshot(self.engine)[0])

    def test_downgrade_by_partial_id_without_drops_needs_no_yes(self):
        # Undoing the last two contracts makes usernames fold on MySQL
        # and project_id nullable again: nothing is lost.
        self.put_at('heads')
        result = self.manage('db', 'downgrade', 'contract@-2')
        self.assertOk(result)
        self.assertIn(f'Reverted {CONTRACT_HEAD}', result.stdout)
        self.assertIn(f'Reverted {PROJECTS_CONTRACT}', result.stdout)
        self.assertIn(f'Current revision: {CONTRACT}, {EXPAND_HEAD}',
                      self.manage('db', 'version').stdout)

    def test_check_finds_drift_from_a_hotfix(self):
        self.put_at('heads')
        clean = self.manage('db', 'check', '--format', 'json')
        self.assertEqual((0, []), (clean.returncode,
                                   _json(clean)['differences']))
        self.sql('ALTER TABLE account ADD COLUMN hotfix INTEGER',
                 'CREATE TABLE stray (id INTEGER PRIMARY KEY)')
        drift = self.manage('db', 'check')
        self.assertEqual(2, drift.returncode, drift.stderr)
        self.assertIn('column account.hotfix: in the database but not in '
                      'the models', drift.stdout)
        self.assertIn('table stray: in the database but not in the models',
                      drift.stdout)

    def test_check_between_expand_and_contract_tells_pending_from_drift(
            self):
        self.put_at('expand@head')
        pending = self.manage('db', 'check', '--format', 'json')
        self.assertEqual(0, pending.returncode, pending.stdout)
        found = {item['name']: item
                 for item in _json(pending)['differences']}
        # What the contract will take away or narrow, as the models say.
        self.assertTrue(all(item['pending_contract']
                            for item in found.values()), found)
        for name in ('user.name', 'user.username', 'user.project_id',
                     'account.project_id'):
            self.assertIn(name, found)
        self.assertIn('the pending contract changes it (db sync --contract)',
                      found['user.name']['detail'])
        self.sql('CREATE TABLE stray (id INTEGER PRIMARY KEY)')
        drift = self.manage('db', 'check')
        self.assertEqual(2, drift.returncode, drift.stdout + drift.stderr)
        self.assertIn('table stray: in the database but not in the models\n',
                      drift.stdout)

    def test_sql_for_a_dialect_reaches_no_database_and_builds_head(self):
        sql = self.manage('db', 'sync', '--sql', '--dialect',
                          self.engine.dialect.name,
                          url='sqlite:////nonexistent/x.db')
        self.assertOk(sql)
        self.assertFalse(os.path.exists('/nonexistent'))
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            if self.engine.dialect.name == 'sqlite':
                driver.executescript(sql.stdout)
            else:
                # Its own BEGIN and COMMIT; CONCURRENTLY outside them.
                driver.autocommit(True) if callable(driver.autocommit) \
                    else setattr(driver, 'autocommit', True)
                cursor = driver.cursor()
                for statement in sql_text.statements_of(sql.stdout):
                    cursor.execute(statement)
        finally:
            raw.close()
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)
        self.assertOk(self.manage('db', 'check'))

    def test_expand_says_the_data_migrations_come_next(self):
        self.put_at('948ccd040506')
        user = sqlalchemy.table('user', sqlalchemy.column('id'),
                                sqlalchemy.column('user_id'),
                                sqlalchemy.column('name'))
        with self.engine.begin() as connection:
            connection.execute(user.insert().values(id=1, user_id='u1',
                                                    name='alice'))
        for said in (self.manage('db', 'sync', '--expand'),
                     self.manage('db', 'sync', '--expand')):
            self.assertOk(said)
            last = [line for line in said.stdout.splitlines()
                    if 'database is at' in line.lower()][-1]
            self.assertIn('(data migrations pending): run webdemo-manage db '
                          'online_data_migrations', last)
        self.assertIn('Nothing to do', last)

    def drawn(self, *args):
        result = self.manage(*args)
        self.assertOk(result)
        return result.stdout

    def test_graph_of_the_shipped_history_with_the_states(self):
        self.put_at('expand@head')
        drawn = self.drawn('db', 'graph')
        self.assertTrue(drawn.startswith('digraph revisions {'), drawn)
        self.assertIn('"948ccd040506" [label="948ccd040506\\nmerge account '
                      'email and password hash\\n(branch point)\\n(merge)'
                      '\\n(applied)"', drawn)
        self.assertIn(f'"{EXPAND_HEAD}" -> "{PROJECTS_CONTRACT}" '
                      '[style=dashed, label="depends on"];', drawn)
        found = _json(self.manage('db', 'graph', '--format', 'json'))
        states = {node['revision']: node['state'] for node in found['nodes']}
        self.assertEqual({'applied'}, {states[revision] for revision in
                                       ('7dc0a5261bc4', EXPAND_HEAD)})
        self.assertEqual('pending', states[CONTRACT_HEAD])
        mermaid = self.drawn('db', 'graph', '--format', 'mermaid',
                             '--no-database')
        self.assertTrue(mermaid.startswith('flowchart TB\n'), mermaid)
        self.assertNotIn('(applied)', mermaid)

    def test_graph_as_svg_and_without_graphviz(self):
        if shutil.which('dot') is None:
            message = 'Graphviz is missing: tools/test-setup.sh installs it'
            if db_fixtures.backends_required():
                self.fail(message)
            self.skipTest(message)
        svg = self.drawn('db', 'graph', '--format', 'svg')
        self.assertIn('<svg', svg)
        self.assertIn('948ccd040506', svg)
        result = self.manage('db', 'graph', '--format', 'svg',
                             PATH=os.path.dirname(sys.executable))
        self.assertEqual(1, result.returncode, result.stdout)
        self.assertEqual(["webdemo-manage: error: drawing SVG needs "
                          "Graphviz's dot command, which is not installed: "
                          "install Graphviz (apt install graphviz, dnf "
                          "install graphviz, brew install graphviz), or use "
                          "--format dot or mermaid."],
                         result.stderr.splitlines())

    def test_check_ignores_bookkeeping_tables(self):
        self.put_legacy(2)
        self.assertOk(self.manage('db', 'sync'))
        self.assertOk(self.manage('db', 'check'))


class LegacyAdoption(runner.ManageTestMixin):

    def test_sync_adopts_a_legacy_database_keeping_its_rows(self):
        self.put_legacy(2)
        self.sql("INSERT INTO account (id, name) VALUES (7, 'kept')")
        # Its rows predate projects: they go to the default project.
        result = self.manage('db', 'sync',
                             OS_API__DEFAULT_PROJECT_ID='project-a')
        self.assertOk(result)
        self.assertIn(f'version 2 as revision {ACCOUNT_TABLE}', result.stdout)
        self.assertNotIn(f'Applied {ACCOUNT_TABLE}', result.stdout)
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)
        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                'SELECT id, name, project_id FROM account').all()
        self.assertEqual([(7, 'kept', 'project-a')],
                         [tuple(row) for row in rows])


class ClosedOutput(runner.ManageTestMixin):
    """The reader leaving (`| head -1`) never cuts a command short."""

    def _run_with_stdout_closed(self, *args):
        process = self.spawn(*args)
        process.stdout.close()
        stderr = process.stderr.read()
        return process.wait(timeout=120), stderr

    def test_sync_completes_when_stdout_is_closed(self):
        code, stderr = self._run_with_stdout_closed('db', 'sync')
        self.assertEqual((0, ''), (code, stderr))
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)

    def test_history_exits_quietly(self):
        self.put_at('heads')
        self.assertEqual((0, ''),
                         self._run_with_stdout_closed('db', 'history'))


class ManageCommands(SyncAndVersion, VersionCheck, HistoryAndSql,
                     StampDowngradeCheck, LegacyAdoption, ClosedOutput):
    """Every command test, for one backend."""


class TestOfflineSqlSQLite(runner.ManageTestMixin, db_fixtures.SQLiteFileMixin,
                           base.BaseTestCase):
    """The whole upgrade's --sql, run as written, builds the models.

    SQLite's table copies are written from each revision's own idea of
    the table: one written before a later expand must keep what that
    expand added (live_names, offline_additions).
    """

    def test_the_sql_from_empty_reaches_head_with_the_models_schema(self):
        sql = self.manage('db', 'sync', '--sql')
        self.assertOk(sql)
        with self.engine.connect() as connection:
            connection.connection.driver_connection.executescript(
                sql.stdout)
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)
        check = self.manage('db', 'check')
        self.assertEqual(0, check.returncode, check.stdout + check.stderr)


class TestManageSQLite(ManageCommands, db_fixtures.SQLiteFileMixin,
                       base.BaseTestCase):
    pass


class TestManageMySQL(ManageCommands, db_fixtures.MySQLMixin,
                      db_fixtures.DatabaseTestCase):

    def _interrupt_a_blocked_sync(self, interrupt, then=lambda: None):
        """Run db sync while its ALTER waits on a table lock; interrupt it.

        :param interrupt: called with the process and the id of the
            server session running the ALTER
        :param then: called once the sync has ended, the table still
            locked
        :returns: (exit code, stdout, stderr) of the interrupted sync
        """
        self.put_at(ACCOUNT_TABLE)
        holder = self.engine.connect()
        self.addCleanup(holder.close)
        holder.exec_driver_sql('LOCK TABLES account WRITE')
        process = self.spawn('db', 'sync')
        interrupt(process, self._wait_for_blocked_alter())
        stdout, stderr = process.communicate(timeout=60)
        then()
        holder.exec_driver_sql('UNLOCK TABLES')
        return process.returncode, stdout, stderr

    def assertRecovers(self):
        self.assertOk(self.manage('db', 'sync'))
        self.assertIn('Status: at head', self.manage('db', 'version').stdout)

    def test_ctrl_c_during_a_migration(self):
        """Interrupted while blocked on DDL: exit 130, then sync recovers."""
        code, stdout, stderr = self._interrupt_a_blocked_sync(
            lambda process, session: process.send_signal(signal.SIGINT))
        self.assertEqual(130, code, stdout + stderr)
        self.assertEqual(['webdemo-manage: interrupted'],
                         stderr.strip().splitlines())
        self.assertRecovers()

    def test_sigterm_during_a_migration_is_ctrl_c(self):
        """A service manager's stop: exit 143, the ALTER cancelled."""
        code, stdout, stderr = self._interrupt_a_blocked_sync(
            lambda process, session: process.send_signal(signal.SIGTERM),
            then=self._wait_for_no_alter)
        self.assertEqual(143, code, stdout + stderr)
        self.assertEqual(['webdemo-manage: terminated'],
                         stderr.strip().splitlines())
        check = self.manage('db', 'version', '--check')
        self.assertEqual(7, check.returncode, check.stdout)
        self.assertRecovers()

    def _wait_for_no_alter(self):
        """The killed sync's ALTER must leave the server, not wait on."""
        deadline = time.monotonic() + 30
        while self._alter_waiting():
            self.assertLess(time.monotonic(), deadline,
                            'the ALTER was not cancelled on the server')
            time.sleep(0.1)

    def test_lost_connection_during_a_migration(self):
        """The server drops the session mid-DDL: an interrupted run."""
        code, stdout, stderr = self._interrupt_a_blocked_sync(
            lambda process, session: runner.execute(
                self.engine, f'KILL CONNECTION {session}'))
        self.assertEqual(1, code, stdout + stderr)
        self.assertEqual(1, len(stderr.strip().splitlines()), stderr)
        check = self.manage('db', 'version', '--check')
        self.assertEqual(7, check.returncode, check.stdout)
        self.assertRecovers()

    def _wait_for_blocked_alter(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = self._alter_waiting()
            if waiting:
                return waiting
            time.sleep(0.1)
        self.fail('db sync never reached its ALTER TABLE')

    def _alter_waiting(self):
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(
                'SELECT id FROM information_schema.processlist '
                "WHERE info LIKE 'ALTER TABLE account%%' "
                # Only this test's database: another test's ALTER on the
                # same server must not be taken for ours.
                'AND db = DATABASE() AND id != CONNECTION_ID()').scalar()


class TestManagePostgreSQL(ManageCommands, db_fixtures.PostgreSQLMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestConnecting(runner.ManageTestMixin, base.BaseTestCase):
    """An unreachable server at start-up: retried, then one line."""

    def test_retries_then_reports_in_one_line(self):
        url = f'mysql+pymysql://u:{runner.SECRET}@127.0.0.1:1/webdemo'
        result = self.manage('db', 'sync', url=url,
                             OS_DATABASE__MAX_RETRIES='3',
                             OS_DATABASE__RETRY_INTERVAL='1')
        # Three attempts: two logged with the progress, then the failure.
        retried = [line for line in result.stdout.splitlines()
                   if 'cannot connect to the database yet' in line]
        self.assertEqual(2, len(retried), result.stdout)
        self.assertFailsCleanly(result, 1, 'cannot connect',
                                'server is running')

    def test_monitoring_commands_try_once_and_stay_machine_readable(self):
        # [database] max_retries is for db sync waiting for a database
        # coming up; a monitor must hear at once that it is down.
        for server in ('mysql+pymysql', 'postgresql+psycopg2'):
            url = f'{server}://u:{runner.SECRET}@127.0.0.1:1/webdemo'
            for command in (('db', 'version', '--format', 'json'),
                            ('db', 'history', '--format', 'json'),
                            ('db', 'check', '--format', 'json')):
                with self.subTest(server=server, command=command):
                    result = self.manage(*command, url=url,
                                         OS_DATABASE__MAX_RETRIES='10',
                                         OS_DATABASE__RETRY_INTERVAL='10')
                    self.assertEqual(1, result.returncode, result.stderr)
                    self.assertIn('cannot connect',
                                  json.loads(result.stdout)['error'])
                    self.assertNotIn('trying again', result.stderr)
                    self.assertNotIn(runner.SECRET,
                                     result.stdout + result.stderr)

    def _interrupt_while_retrying(self):
        url = 'mysql+pymysql://u:p@127.0.0.1:1/webdemo'
        process = self.spawn('db', 'sync', url=url,
                             OS_DATABASE__MAX_RETRIES='10',
                             OS_DATABASE__RETRY_INTERVAL='10')
        self.addCleanup(process.communicate)
        self.addCleanup(process.kill)
        self.assertIn('Database:', process.stdout.readline())
        # The first attempt failed; it waits 10s before the next one.
        self.assertIn('cannot connect to the database yet',
                      process.stdout.readline())
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        self.assertEqual(130, process.returncode, stderr)
        self.assertEqual(['webdemo-manage: interrupted'],
                         stderr.strip().splitlines())

    def test_ctrl_c_exits_130_with_one_line(self):
        self._interrupt_while_retrying()

    def test_ctrl_c_when_the_test_runner_ignores_sigint(self):
        """Ctrl-C works whatever the test runner ignores.

        A runner that a shell without job control started in the
        background (`tox ... &` in a script) ignores SIGINT, and so would
        each command it starts: Python installs no KeyboardInterrupt
        handler for an ignored SIGINT. The commands start as from a
        terminal all the same (manage_runner.launch).
        """
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        self._interrupt_while_retrying()
