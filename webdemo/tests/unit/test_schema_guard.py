"""The API's schema guard, in memory: a faked clock and faked states."""

import dataclasses
import json

import fixtures
from oslotest import base

from webdemo.api import schema_guard
from webdemo.db.state import judge as state
from webdemo.db.state.judge import Status


def _state(status, current=('828dea7d5e92',)):
    return state.DatabaseState(current, ('3fd795719d99', '828dea7d5e92'),
                               status)


class TestRange(base.BaseTestCase):

    def test_this_release_serves_from_expand_on(self):
        for status in (Status.AT_HEAD, Status.CONTRACT_PENDING,
                       Status.DATA_MIGRATIONS_PENDING):
            self.assertIsNone(schema_guard.unavailable(_state(status)))

    def test_beside_a_later_releases_expand_it_serves(self):
        beside = dataclasses.replace(
            _state(Status.UNKNOWN_REVISION, ('3fd795719d99', 'ffff0001')),
            unknown=('ffff0001',), known_expanded=True)
        self.assertIsNone(schema_guard.unavailable(beside))
        self.assertIn('a newer webdemo migrated it', schema_guard.unavailable(
            dataclasses.replace(beside, known_expanded=False)))

    def test_outside_the_range_names_state_and_command(self):
        for status, words in (
                (Status.UPGRADE_PENDING, 'db sync --expand'),
                (Status.EMPTY, 'db sync --expand'),
                (Status.INTERRUPTED, 'db sync to complete it'),
                (Status.UNKNOWN_REVISION, 'a newer webdemo migrated it')):
            why = schema_guard.unavailable(_state(status))
            self.assertIn(status.words, why)
            self.assertIn(words, why)


class TestGuard(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.now = 0.0
        self.states = [_state(Status.UPGRADE_PENDING)]
        self.reads = 0
        self.guard = schema_guard.SchemaGuard(
            lambda environ, start: start('200 OK', []) or [b'served'],
            self._read, interval=5, clock=lambda: self.now)

    def _read(self):
        self.reads += 1
        return self.states[-1]

    def call(self):
        answer = {}
        body = b''.join(self.guard({}, lambda status, headers: answer.update(
            status=status)))
        return answer['status'], body

    def test_refuses_then_serves_again_without_restart(self):
        status, body = self.call()
        self.assertEqual('503 Service Unavailable', status)
        error = json.loads(body)['error']
        self.assertEqual(503, error['code'])
        self.assertIn('db sync --expand', error['message'])
        self.states.append(_state(Status.CONTRACT_PENDING))
        self.now = 4.9
        self.assertEqual('503 Service Unavailable', self.call()[0])
        self.now = 5.0
        self.assertEqual(('200 OK', b'served'), self.call())

    def test_reads_at_most_once_per_interval(self):
        for step in range(100):
            self.now = step / 10
            self.call()
        self.assertEqual(2, self.reads)

    def test_says_it_once_per_change(self):
        logged = self.useFixture(fixtures.FakeLogger(
            'webdemo.api.schema_guard'))
        for step in range(20):
            self.now = step * 5
            self.call()
        self.assertEqual(1, logged.output.count('Not serving'))
        self.states.append(_state(Status.AT_HEAD))
        self.now = 200
        self.call()
        self.assertEqual(1, logged.output.count('back in range'))

    def test_expired_it_reads_at_the_next_request(self):
        self.states.append(_state(Status.AT_HEAD))
        self.assertEqual('200 OK', self.call()[0])
        self.states.append(_state(Status.UPGRADE_PENDING))
        self.now = 1.0
        self.assertEqual('200 OK', self.call()[0])
        self.guard.expire()
        self.assertEqual(1, self.reads)
        self.assertEqual('503 Service Unavailable', self.call()[0])
        self.assertEqual(2, self.reads)
        # And the interval starts again from that read.
        self.now = 5.9
        self.call()
        self.assertEqual(2, self.reads)

    def test_an_unreadable_database_is_not_served(self):
        def broken():
            raise RuntimeError('gone')
        guard = schema_guard.SchemaGuard(None, broken, 5, lambda: 0)
        why = guard._current()
        self.assertIn('the database cannot be read', why)
        # Why it failed is for the log, not for every client.
        self.assertNotIn('gone', why)
