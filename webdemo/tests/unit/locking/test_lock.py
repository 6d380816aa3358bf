"""The migration lock's wait, holder report and timeout, with a fake lock
and a fake clock; no database."""

import contextlib

import fixtures
from oslotest import base

from webdemo.db.locking import lock
from webdemo import exception

ALICE = lock.Holder('ctl-1', 11, 'db sync', '2026-11-23T10:00:00+00:00')
BOB = lock.Holder('ctl-2', 22, 'db sync', '2026-11-23T10:00:05+00:00')


class FakeLock:
    """Busy for the first attempts, held by the holders given in turn."""

    def __init__(self, holders, free_after=None, silent_for=0):
        self._holders = list(holders)
        self._free_after = free_after
        # A lease whose holder has not been seen renewing, for attempts.
        self._silent_for = silent_for
        self.attempts = 0

    def awaiting_lapse(self):
        return self.attempts <= self._silent_for

    def try_acquire(self):
        self.attempts += 1
        return self._free_after is not None and (
            self.attempts > self._free_after)

    def holder(self):
        index = min(self.attempts, len(self._holders)) - 1
        return self._holders[index] if self._holders else None


class FakeClock:
    """Time moves only when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class TestWaitFor(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = FakeClock()
        self.reported = []

    def wait(self, fake, timeout):
        lock.wait_for(fake, timeout, self.reported.append, clock=self.clock,
                      sleep=self.clock.sleep)

    def test_a_silent_lease_is_waited_out_past_the_timeout(self):
        # Taken over after 40 polls (10 s), though the timeout is 0.
        fake = FakeLock([ALICE], free_after=40, silent_for=40)
        self.wait(fake, 0)
        self.assertEqual(41, fake.attempts)

    def test_a_renewing_lease_holder_gets_the_timeout(self):
        fake = FakeLock([ALICE], silent_for=8)
        self.assertRaises(exception.MigrationLockTimeout, self.wait, fake, 0)
        self.assertEqual(9, fake.attempts)

    def test_a_free_lock_is_taken_at_once_and_silently(self):
        fake = FakeLock([], free_after=0)
        self.wait(fake, 300)
        self.assertEqual((1, [], 1000.0),
                         (fake.attempts, self.reported, self.clock.now))

    def test_each_new_holder_is_reported_once(self):
        fake = FakeLock([ALICE, ALICE, BOB, BOB], free_after=4)
        self.wait(fake, 300)
        self.assertEqual(
            [f'Waiting up to 300s for the migration lock, held by {ALICE}.',
             f'Waiting up to 300s for the migration lock, held by {BOB}.'],
            self.reported)
        self.assertEqual(1000 + 4 * lock.POLL_SECONDS, self.clock.now)

    def test_gives_up_after_the_timeout_naming_the_holder(self):
        fake = FakeLock([ALICE])
        error = self.assertRaises(exception.MigrationLockTimeout,
                                  self.wait, fake, 2)
        self.assertEqual((2, ALICE), (error.timeout, error.holder))
        self.assertEqual(1002.0, self.clock.now)
        self.assertIn('gave up after 2s waiting for the migration lock, held '
                      'by db sync on ctl-1, pid 11, since '
                      '2026-11-23T10:00:00+00:00', str(error))
        self.assertIn('Nothing was changed.', str(error))

    def test_timeout_zero_tries_once(self):
        fake = FakeLock([])
        error = self.assertRaises(exception.MigrationLockTimeout,
                                  self.wait, fake, 0)
        self.assertEqual(1, fake.attempts)
        self.assertIn('held by another process', str(error))


class TestProbeWhenFree(base.BaseTestCase):
    """db sync --sql's look at the lock: again until free, or the timeout."""

    def setUp(self):
        super().setUp()
        self.clock = FakeClock()
        self.reported = []
        self.looks = 0

    def look(self, fake, timeout):
        @contextlib.contextmanager
        def probe(engine):
            self.looks += 1
            yield lock.Probe(fake, fake.try_acquire())

        self.useFixture(fixtures.MockPatchObject(lock, 'probe', probe))
        with lock.probe_when_free('engine', lock.Settings(timeout=timeout),
                                  self.reported.append, clock=self.clock,
                                  sleep=self.clock.sleep) as found:
            return found

    def test_a_lock_held_a_moment_is_looked_at_again(self):
        found = self.look(FakeLock([ALICE], free_after=3), 300)
        self.assertTrue(found.free)
        self.assertEqual(4, self.looks)
        self.assertEqual(
            [f'Waiting up to 300s for the migration lock, held by {ALICE}.'],
            self.reported)

    def test_a_free_lock_is_read_at_once_and_silently(self):
        self.assertTrue(self.look(FakeLock([], free_after=0), 300).free)
        self.assertEqual((1, [], 1000.0),
                         (self.looks, self.reported, self.clock.now))

    def test_gives_up_after_the_timeout_naming_the_holder(self):
        error = self.assertRaises(exception.MigrationLockTimeout, self.look,
                                  FakeLock([ALICE]), 2)
        self.assertEqual((2, ALICE), (error.timeout, error.holder))
        self.assertEqual(1002.0, self.clock.now)
