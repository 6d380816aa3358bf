"""The Galera lease's decisions: when a waiter may take over, and when a
holder must confirm that it still holds the lease."""

from oslotest import base

from webdemo.db import lease

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
