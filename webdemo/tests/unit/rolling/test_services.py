"""Which registered services block a contract, and how a heartbeat
stops: in memory."""

import logging
import threading

import fixtures
from oslotest import base

from webdemo.db.history import phases
from webdemo.db.rolling import services
from webdemo import exception


def _service(age, level=1, stale_after=25):
    return services.Service('id', 'ctl-1', 42, '1.0', level, stale_after,
                            age)


class Script:
    def __init__(self, needed):
        self.module = type('module', (), {'release_level_needed': needed})


class TestBlocking(base.BaseTestCase):

    def test_a_live_service_below_the_level_needed_blocks(self):
        live = _service(age=3)
        self.assertEqual([live], services.blocking([live], 2))

    def test_a_stale_row_does_not(self):
        self.assertEqual([], services.blocking([_service(age=26)], 2))

    def test_a_release_at_the_level_does_not(self):
        self.assertEqual([], services.blocking([_service(1, level=2)], 2))
        self.assertEqual([], services.blocking([_service(1)], None))

    def test_the_contract_revisions_say_what_they_need(self):
        self.assertEqual(3, services.level_needed(
            [Script(2), Script(None), Script(3)]))
        self.assertIsNone(services.level_needed([Script(None)]))

    def test_the_refusal_names_the_service(self):
        error = self.assertRaises(
            exception.ContractNotReady, phases.check_contract_ready, (), {},
            services=[_service(age=3)])
        self.assertIn('release 1.0 (level 1) on ctl-1 pid 42 (last '
                      'heartbeat 3s ago)', str(error))
        self.assertIn('Nothing was changed', str(error))


class SlowRegistration:
    """A registration whose beat lasts until released; logs each call."""

    def __init__(self):
        self.calls = []
        self.beating = threading.Event()
        self.release = threading.Event()

    def beat(self):
        self.calls.append('beat')
        self.beating.set()
        self.release.wait(10)
        # A real beat that found no row would register it again here.
        self.calls.append('beat done')

    def leave(self):
        self.calls.append('leave')


class TestHeartbeat(base.BaseTestCase):

    def test_stop_waits_for_a_beat_under_way_before_leaving(self):
        registration = SlowRegistration()
        heartbeat = services.Heartbeat(registration, interval=30)
        heartbeat._beat_from_a_thread()
        self.assertTrue(registration.beating.wait(10))
        stopping = threading.Thread(target=heartbeat.stop)
        stopping.start()
        stopping.join(0.2)
        registration.release.set()
        stopping.join(10)
        self.assertEqual(['beat', 'beat done', 'leave'], registration.calls)


class FailingRegistration:
    """Beats as a list says (an error, or None for a renewal), in turn.

    The last beat asks the heartbeat to stop, and ends as the one before.
    """

    def __init__(self, failures):
        self.failures = list(failures)
        self.heartbeat = None

    def beat(self):
        failure = self.failures.pop(0)
        if not self.failures:
            self.heartbeat._stop.set()
        if failure is not None:
            raise failure


class TestHeartbeatLog(base.BaseTestCase):
    """What an API started before db sync logs, beat after beat."""

    def run_beats(self, failures):
        log = self.useFixture(fixtures.FakeLogger(
            name=services.__name__, level=logging.INFO))
        registration = FailingRegistration(failures)
        registration.heartbeat = services.Heartbeat(registration,
                                                    interval=0)
        registration.heartbeat._run()
        return log.output.splitlines()

    def test_the_same_failure_is_said_once_without_a_traceback(self):
        lines = self.run_beats([RuntimeError('no such table')] * 5)
        self.assertEqual(1, len(lines), lines)
        self.assertIn('(RuntimeError: no such table)', lines[0])
        self.assertNotIn('Traceback', '\n'.join(lines))

    def test_a_new_reason_and_the_recovery_are_said(self):
        lines = self.run_beats([RuntimeError('a'), RuntimeError('a'),
                                RuntimeError('b'), None, None,
                                RuntimeError('b')])
        self.assertEqual(4, len(lines), lines)
        self.assertIn('RuntimeError: b', lines[1])
        self.assertIn('renewed again', lines[2])
        self.assertIn('RuntimeError: b', lines[3])
