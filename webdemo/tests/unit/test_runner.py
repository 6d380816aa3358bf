"""How a RevisionRun ends and what its journal row says, with a fake
journal and a fake revision; the connection is an in-memory SQLite."""

import datetime

from oslo_db import exception as db_exc
from oslotest import base
import pymysql
import sqlalchemy
from sqlalchemy import exc as sa_exc

from webdemo.db import backends
from webdemo.db.journal import Counts
from webdemo.db.journal import Direction
from webdemo.db.journal import Entry
from webdemo.db.journal import Outcome
from webdemo.db import runner
from webdemo import exception


class FakeJournal:

    def __init__(self):
        self.started = []
        self.finished = []

    def start(self, revision, direction, path, counts):
        self.started.append((revision, direction, counts))
        return 42

    def finish(self, entry_id, outcome, duration, error=None):
        self.finished.append((entry_id, outcome, error))


class FakeScript:
    revision = 'abc'
    path = '/nowhere/abc_x.py'
    doc = 'x'


class FakeScripts:
    """Runs a revision by raising what it was given, or nothing."""

    def __init__(self, raises=None):
        self.raises = raises
        self.ran = []

    def step(self, script, direction):
        return (script.revision, direction)

    def run_step(self, config, step):
        self.ran.append(step)
        if self.raises is not None:
            raise self.raises


class RecordingBackend(backends.Transactional):

    def __init__(self):
        self.cancelled = []

    def cancel(self, engine, session):
        self.cancelled.append(session)


def _previous(direction, outcome, started=3, done=2):
    return Entry(1, 'abc', direction, outcome, datetime.datetime(2026, 1, 1),
                 counts=Counts(started, done))


class TestRevisionRun(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.engine = sqlalchemy.create_engine('sqlite://')
        self.journal = FakeJournal()
        self.backend = RecordingBackend()

    def run_revision(self, raises=None, previous=None,
                     direction=Direction.UPGRADE):
        self.scripts = FakeScripts(raises)
        return runner.RevisionRun(self.scripts, FakeScript(), direction,
                                  previous, self.journal,
                                  self.backend).execute(self.engine)

    def test_success_is_journalled_with_its_duration(self):
        self.assertGreaterEqual(self.run_revision(), 0)
        self.assertEqual([('abc', Direction.UPGRADE)], self.scripts.ran)
        self.assertEqual([(42, Outcome.SUCCEEDED, None)],
                         self.journal.finished)

    def test_a_refused_statement_fails_the_run(self):
        refused = sa_exc.OperationalError(
            'ALTER TABLE x', {}, pymysql.err.OperationalError(1064, 'bad'))
        error = self.assertRaises(exception.MigrationError,
                                  self.run_revision, refused)
        self.assertEqual('revision abc', error.what)
        self.assertEqual(Outcome.FAILED, self.journal.finished[0][1])

    def test_a_lost_connection_abandons_the_run(self):
        lost = db_exc.DBConnectionError(Exception('2013 Lost connection'))
        self.assertRaises(exception.MigrationError, self.run_revision, lost)
        self.assertEqual(Outcome.ABANDONED, self.journal.finished[0][1])

    def test_ctrl_c_abandons_the_run_and_cancels_the_statement(self):
        self.assertRaises(KeyboardInterrupt, self.run_revision,
                          KeyboardInterrupt())
        self.assertEqual(Outcome.ABANDONED, self.journal.finished[0][1])
        self.assertEqual([None], self.backend.cancelled)

    def test_a_bug_in_a_revision_fails_it_and_is_not_hidden(self):
        self.assertRaises(ZeroDivisionError, self.run_revision,
                          ZeroDivisionError('in upgrade()'))
        self.assertEqual((Outcome.FAILED, 'in upgrade()'),
                         self.journal.finished[0][1:])

    def test_counts_carry_over_from_the_same_direction_only(self):
        self.run_revision(previous=_previous(Direction.UPGRADE,
                                             Outcome.ABANDONED))
        self.run_revision(previous=_previous(Direction.UPGRADE,
                                             Outcome.FAILED))
        self.run_revision(previous=_previous(Direction.DOWNGRADE,
                                             Outcome.ABANDONED))
        self.assertEqual([Counts(3, 2), Counts(2, 2), Counts(0, 0)],
                         [counts for _, _, counts in self.journal.started])

    def test_a_journal_that_cannot_be_written_does_not_hide_the_error(self):
        def unwritable(*args, **kwargs):
            raise db_exc.DBConnectionError(Exception('gone'))
        self.journal.finish = unwritable
        self.assertRaises(ZeroDivisionError, self.run_revision,
                          ZeroDivisionError())
