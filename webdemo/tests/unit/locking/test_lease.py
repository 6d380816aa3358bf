"""The Galera lease's decisions: when a waiter may take over, and when a
holder must confirm that it still holds the lease."""

from oslotest import base
import sqlalchemy

from webdemo.db.locking import lease
from webdemo import exception

ROW = ('token-a', 7)
LEASE = 30


class TestTakingOver(base.BaseTestCase):

    def test_a_row_first_seen_has_not_lapsed(self):
        sighting = lease.sighting_after(None, ROW, now=100.0)
        self.assertEqual((ROW, 100.0), sighting)
        self.assertFalse(lease.has_lapsed(sighting, 100.0, LEASE))

    def test_lapses_after_a_whole_lease_unchanged(self):
        sighting = lease.sighting_after(None, ROW, now=100.0)
        sighting = lease.sighting_after(sighting, ROW, now=129.9)
        self.assertFalse(lease.has_lapsed(sighting, 129.9, LEASE))
        sighting = lease.sighting_after(sighting, ROW, now=130.0)
        self.assertTrue(lease.has_lapsed(sighting, 130.0, LEASE))

    def test_a_beat_starts_the_count_again(self):
        sighting = lease.sighting_after(None, ROW, now=100.0)
        sighting = lease.sighting_after(sighting, ('token-a', 8), now=129.0)
        self.assertEqual((('token-a', 8), 129.0), sighting)
        self.assertFalse(lease.has_lapsed(sighting, 150.0, LEASE))
        self.assertTrue(lease.has_lapsed(sighting, 159.0, LEASE))

    def test_a_new_holder_starts_the_count_again(self):
        sighting = lease.sighting_after(None, ROW, now=100.0)
        sighting = lease.sighting_after(sighting, ('token-b', 7), now=140.0)
        self.assertFalse(lease.has_lapsed(sighting, 140.0, LEASE))


class TestFence(base.BaseTestCase):

    def test_a_recent_renewal_needs_no_round_trip(self):
        self.assertFalse(lease.needs_confirming(100.0, 114.9, LEASE))

    def test_half_a_lease_without_a_renewal_must_be_confirmed(self):
        self.assertTrue(lease.needs_confirming(100.0, 115.0, LEASE))
        self.assertTrue(lease.needs_confirming(100.0, 1000.0, LEASE))


class _LostLease(lease.LeaseLock):
    """A lease this process no longer holds: its fence always stops."""

    def check(self):
        raise exception.MigrationLockLost(self.lease)


class TestGuard(base.BaseTestCase):
    """Where the fence stands among a connection's listeners."""

    def setUp(self):
        super().setUp()
        self.engine = sqlalchemy.create_engine('sqlite://')
        self.addCleanup(self.engine.dispose)
        self.lost = _LostLease(self.engine, 'test', LEASE)

    def test_stops_a_statement_a_connection_listener_would_run_itself(self):
        # As the statement tracking replays a statement of unknown fate:
        # from inside its own listener, on the raw cursor.
        ran = []

        def replay(conn, cursor, statement, parameters, context, many):
            ran.append(statement)
            cursor.execute('CREATE TABLE replayed (x INTEGER)')
            return statement, parameters

        with self.lost.guard(self.engine), self.engine.connect() as conn:
            sqlalchemy.event.listen(conn, 'before_cursor_execute', replay,
                                    retval=True)
            self.assertRaises(exception.MigrationLockLost,
                              conn.exec_driver_sql,
                              'CREATE TABLE t (x INTEGER)')
        self.assertEqual([], ran)

    def test_stops_a_commit(self):
        with self.lost.guard(self.engine), self.engine.connect() as conn:
            conn.begin()
            self.assertRaises(exception.MigrationLockLost, conn.commit)

    def test_lets_the_leases_own_connection_through(self):
        with self.lost.guard(self.engine), self.engine.connect() as conn:
            own = conn.execution_options(webdemo_lease=True)
            self.assertEqual(1, own.exec_driver_sql('SELECT 1').scalar())

    def test_ends_with_the_guard(self):
        with self.lost.guard(self.engine):
            pass
        with self.engine.connect() as conn:
            self.assertEqual(1, conn.exec_driver_sql('SELECT 1').scalar())
