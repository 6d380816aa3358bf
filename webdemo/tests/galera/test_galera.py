"""db sync on a real three-node Galera cluster behind a round-robin
HAProxy: concurrent syncs on every node, killed and stalled holders, and
a node lost in the middle of a sync."""

import itertools
import json
import os
import signal
import threading
import time

from oslotest import base
import sqlalchemy

from webdemo.db.execution import faults
from webdemo.db.execution import journal
from webdemo.db.history import checkpoints
from webdemo.db.locking import lock
from webdemo.tests.functional import manage_runner as runner
from webdemo.tests.galera import cluster

CONCURRENT_SYNCS = 8
# 20 in the long mode (WEBDEMO_GALERA_TRIALS=20); CI runs fewer.
TRIALS = int(os.environ.get('WEBDEMO_GALERA_TRIALS', '3'))
REVISIONS = runner.revisions_on_disk()
# What db version --check may say while syncs run: behind (2), between
# the phases (13, 14) or done (0); never interrupted (7) or an error.
EXPECTED_DURING_SYNC = {0, 2, 13, 14}
# A short lease, so that taking over a dead or stalled holder is quick.
LEASE = 4


class GaleraTestCase(runner.ManageTestMixin, base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(cluster.GaleraDatabase())
        self.url = self.db.url
        self.engine = self.db.engines[1]
        self.assertOk(self.manage('db', 'sync'))
        self.clean_schema = runner.schema_snapshot(self.engine)
        runner.drop_all_tables(self.engine)

    def sync_via(self, node, *options, **env):
        """A db sync started straight to node (None: through HAProxy).

        :param options: db sync's, e.g. --no-checkpoint
        """
        url = self.db.url if node is None else self.db.node_urls[node]
        return self.spawn('db', 'sync', *options, url=url, **{
            'OS_DATABASE__MIGRATION_LOCK_LEASE': str(LEASE), **env})

    def journal_rows(self, node=1):
        with self.db.engines[node].connect() as connection:
            return [tuple(row) for row in connection.execute(
                sqlalchemy.select(journal.JOURNAL.c.revision,
                                  journal.JOURNAL.c.direction,
                                  journal.JOURNAL.c.outcome,
                                  journal.JOURNAL.c.pid).order_by(
                                      journal.JOURNAL.c.id))]

    def succeeded(self):
        """The revisions succeeded, a checkpoint's own row left out."""
        return sorted(row[0] for row in self.journal_rows()
                      if row[2] == 'succeeded'
                      and not checkpoints.is_key(row[0]))

    def checkpoint_rows(self):
        return [row for row in self.journal_rows()
                if checkpoints.is_key(row[0])]

    def assertCleanOnEveryNode(self):
        for node, engine in self.db.engines.items():
            self.assertEqual(self.clean_schema, runner.schema_snapshot(engine),
                             f'node {node}')


class _Monitor(threading.Thread):
    """Runs db version --check on each node in turn until stopped."""

    def __init__(self, test):
        super().__init__(daemon=True)
        self._test = test
        self._done = threading.Event()
        self.codes = []
        # What each unexpected code said, so that a failure names why.
        self.said = []
        # Held by the test while it drops every table between trials:
        # a database half dropped (tables, no version) is unversioned
        # (4), rightly, and no state a sync ever leaves.
        self.quiet = threading.Lock()

    def run(self):
        for node in itertools.cycle(cluster.NODES):
            if self._done.is_set():
                return
            with self.quiet:
                result = self._test.manage(
                    'db', 'version', '--check',
                    url=self._test.db.node_urls[node])
            self.codes.append(result.returncode)
            if result.returncode not in EXPECTED_DURING_SYNC:
                self.said.append((node, result.returncode, result.stderr))

    def stop(self):
        self._done.set()
        self.join()


class TestConcurrentSyncs(GaleraTestCase):

    def test_eight_syncs_over_three_nodes_and_haproxy(self):
        self.eight_syncs('--no-checkpoint')
        self.assertEqual([], self.checkpoint_rows())

    def test_eight_syncs_building_from_the_checkpoint(self):
        self.eight_syncs()
        self.assertEqual(['succeeded'],
                         [row[2] for row in self.checkpoint_rows()])

    def eight_syncs(self, *options):
        # Two straight to each node and two through HAProxy, which hands
        # each of their connections to the next node. Meanwhile a
        # monitor asks db version --check over and over: it must never
        # take a live run for an interrupted one (exit 7).
        ways = [1, 2, 3, None] * 2
        monitor = _Monitor(self)
        monitor.start()
        self.addCleanup(monitor.stop)
        for trial in range(TRIALS):
            with monitor.quiet:
                runner.drop_all_tables(self.engine)
            processes = [self.sync_via(way, *options) for way in ways]
            outputs = [process.communicate(timeout=300)
                       for process in processes]
            self.assertEqual([0] * CONCURRENT_SYNCS,
                             [process.returncode for process in processes],
                             f'trial {trial}: {outputs}')
            self.assertEqual(REVISIONS, self.succeeded(), f'trial {trial}')
            self.assertCleanOnEveryNode()
        monitor.stop()
        self.assertGreater(len(monitor.codes), 0)
        self.assertEqual([], monitor.said, monitor.codes)

    def test_sessions_read_causally(self):
        for node, engine in self.db.engines.items():
            with engine.connect() as connection:
                self.assertEqual(1, connection.exec_driver_sql(
                    'SELECT @@session.wsrep_sync_wait').scalar(),
                    f'node {node}')


class TestDeadAndStalledHolders(GaleraTestCase):

    def test_killed_after_every_ddl_statement_then_rerun_on_another_node(self):
        killed = self.killed_and_rerun('--no-checkpoint')
        self.assertGreaterEqual(killed, len(REVISIONS) - 1)

    def test_a_checkpoint_build_killed_then_completed_on_another_node(self):
        # The shipped checkpoint builds two tables and three indexes.
        self.assertGreaterEqual(self.killed_and_rerun(), 4)
        self.assertEqual(['succeeded'],
                         [row[2] for row in self.checkpoint_rows()])

    def killed_and_rerun(self, *options):
        """Kill a sync after each DDL statement in turn, rerun elsewhere.

        :returns: how many times it was killed before it ran through
        """
        return runner.killed_after_each_statement(
            self, lambda **env: runner.finish(
                self.sync_via(1, *options, **env)),
            self.rerun_on_another_node)

    def rerun_on_another_node(self):
        rerun = self.sync_via(2)
        stdout, stderr = rerun.communicate(timeout=120)
        self.assertEqual(0, rerun.returncode, stderr)
        # The dead holder's lease lapses; then the rerun takes over. How
        # soon is the lease's business (unit tests, on a fake clock), not
        # this busy machine's.
        self.assertIn('Took over the migration lock', stdout)
        self.assertIn('Completing', stdout)
        self.assertEqual(REVISIONS, self.succeeded())
        self.assertCleanOnEveryNode()

    def test_a_stalled_holder_is_fenced_and_the_taker_finishes(self):
        stalled = self.sync_via(1, '--no-checkpoint',
                                **{faults.STOP_AFTER_ENV: '2'})
        runner.wait_until_stopped(stalled.pid)
        taker = self.sync_via(3)
        stdout, stderr = taker.communicate(timeout=120)
        self.assertEqual(0, taker.returncode, stderr)
        self.assertIn('Took over the migration lock', stdout)
        os.kill(stalled.pid, signal.SIGCONT)
        _, stderr = stalled.communicate(timeout=60)
        self.assertEqual(8, stalled.returncode, stderr)
        lines = stderr.strip().splitlines()
        self.assertEqual(1, len(lines), stderr)
        self.assertIn('lost the migration lock', lines[0])
        # Each revision succeeded once, and never for the stalled run
        # after the one it stopped in.
        self.assertEqual(REVISIONS, self.succeeded())
        stalled_rows = [row for row in self.journal_rows()
                        if row[3] == stalled.pid]
        self.assertEqual(['succeeded', 'abandoned'],
                         [row[2] for row in stalled_rows])
        self.assertCleanOnEveryNode()


class TestSqlBesideAHolder(GaleraTestCase):

    def test_sql_waits_for_the_lease_holder_then_writes_from_empty(self):
        """db sync --sql reads the lease only, and waits while it is held."""
        result = self.sql_beside_a_holder(
            lock.Settings(timeout=0, lease=LEASE))
        self.assertOk(result)
        self.assertIn('CREATE TABLE', result.stdout)


class TestNodeLoss(GaleraTestCase):

    def test_node_killed_in_the_middle_of_a_sync(self):
        self.addCleanup(cluster.galera, 'restart', '3')
        victim = self.sync_via(3, '--no-checkpoint',
                               **{faults.STOP_AFTER_ENV: '2'})
        runner.wait_until_stopped(victim.pid)
        cluster.galera('kill', '3')
        os.kill(victim.pid, signal.SIGCONT)
        _, stderr = victim.communicate(timeout=120)
        self.assertIn(victim.returncode, (1, 7, 8), stderr)
        self.assertEqual(1, len(stderr.strip().splitlines()), stderr)
        self.assertNotIn('Traceback', stderr)
        # HAProxy takes a second or three to mark the dead node down;
        # until then a first connection may land there. An operator's
        # oslo.db retries it ([database] max_retries): so does this one.
        rerun = self.sync_via(None, OS_DATABASE__MAX_RETRIES='10',
                              OS_DATABASE__RETRY_INTERVAL='1')
        stdout, stderr = rerun.communicate(timeout=120)
        self.assertEqual(0, rerun.returncode, stderr)
        self.assertEqual(REVISIONS, self.succeeded())
        cluster.galera('restart', '3')
        self.assertEqual(3, cluster.cluster_size(cluster.node_port(3)))
        self.assertCleanOnEveryNode()


class TestPreflight(GaleraTestCase):
    """Each refusal of db sync, and the fix that ends it.

    A refusal is exit 9 and one line naming the setting and the fix;
    nothing changed; db check reports the same.
    """

    PARTWAY = 'fac0847f78ff'

    def setUp(self):
        super().setUp()
        self.assertOk(self.manage('db', 'sync', self.PARTWAY))
        self.before = runner.schema_snapshot(self.engine)

    def assertRefused(self, node, *words):
        url = self.db.node_urls[node]
        self.assertFailsCleanly(self.manage('db', 'sync', url=url), 9,
                                'refusing to migrate', *words)
        self.assertEqual(self.before, runner.schema_snapshot(self.engine))
        check = self.manage('db', 'check', '--format', 'json', url=url)
        self.assertEqual(9, check.returncode, check.stdout + check.stderr)
        kinds = {difference['kind'] for difference in
                 json.loads(check.stdout)['differences']}
        self.assertIn('unsafe_setting', kinds)

    def assertSyncs(self, node):
        self.assertOk(self.manage('db', 'sync',
                                  url=self.db.node_urls[node]))

    def test_table_without_primary_key(self):
        self.db.sql(1, 'CREATE TABLE scratch (x INTEGER)')
        self.before = runner.schema_snapshot(self.engine)
        self.assertRefused(1, 'the primary key of table scratch',
                           'ALTER TABLE scratch ADD PRIMARY KEY')
        self.db.sql(1, 'ALTER TABLE scratch ADD PRIMARY KEY (x)')
        self.assertSyncs(1)

    def test_table_not_innodb(self):
        self.db.sql(2, 'CREATE TABLE scratch (x INTEGER PRIMARY KEY) '
                       'ENGINE=MyISAM')
        self.before = runner.schema_snapshot(self.engine)
        self.assertRefused(2, 'the engine of table scratch is MyISAM',
                           'ENGINE = InnoDB')
        self.db.sql(2, 'ALTER TABLE scratch ENGINE=InnoDB')
        self.assertSyncs(2)

    def test_rolling_schema_upgrade_method(self):
        self.db.sql(2, "SET GLOBAL wsrep_OSU_method = 'RSU'")
        self.addCleanup(self.db.sql, 2,
                        "SET GLOBAL wsrep_OSU_method = 'TOI'")
        self.db.engines[2].dispose()
        self.assertRefused(2, 'wsrep_OSU_method is RSU',
                           "SET GLOBAL wsrep_OSU_method = 'TOI'")
        self.db.sql(2, "SET GLOBAL wsrep_OSU_method = 'TOI'")
        self.assertSyncs(2)

    def test_node_not_synced(self):
        self.db.sql(3, 'SET GLOBAL wsrep_desync = ON')
        self.addCleanup(self.db.sql, 3, 'SET GLOBAL wsrep_desync = OFF')
        _wait_for_status(3, 'wsrep_local_state_comment',
                         'Donor/Desynced')
        self.assertRefused(3, 'wsrep_local_state_comment is Donor/Desynced',
                           'through a synced node')
        self.db.sql(3, 'SET GLOBAL wsrep_desync = OFF')
        _wait_for_status(3, 'wsrep_local_state_comment',
                         'Synced')
        self.assertSyncs(3)

    def test_node_outside_the_primary_component(self):
        isolate = "SET GLOBAL wsrep_provider_options = 'gmcast.isolate={}'"
        self.addCleanup(_wait_for_status, 3, 'wsrep_cluster_size', '3')
        self.addCleanup(self.db.sql, 3, isolate.format(0))
        self.db.sql(3, isolate.format(1))
        _wait_for_status(3, 'wsrep_cluster_status',
                         'non-Primary')
        url = self.db.node_urls[3]
        # SQLAlchemy cannot even finish connecting to such a node.
        self.assertFailsCleanly(self.manage('db', 'sync', url=url), 9,
                                'wsrep_ready is OFF',
                                'synced node of the primary component')
        self.db.sql(3, isolate.format(0))
        _wait_for_status(3, 'wsrep_cluster_size', '3')
        self.assertEqual(self.before, runner.schema_snapshot(self.engine))
        self.assertSyncs(3)


def _wait_for_status(node, name, value, timeout=60):
    deadline = time.monotonic() + timeout
    while (found := cluster.status(cluster.node_port(node), name)) != value:
        if time.monotonic() > deadline:
            raise AssertionError(f'node {node}: {name} is {found}, not '
                                 f'{value}')
        time.sleep(0.2)
