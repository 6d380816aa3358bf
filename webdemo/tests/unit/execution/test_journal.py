"""How journal rows are read and carried over; no database."""

import collections
import datetime
import re

from oslotest import base
from sqlalchemy.dialects.mysql import mysqldb
from sqlalchemy.dialects.postgresql import psycopg2

from webdemo.db.backends import mysql
from webdemo.db.backends import postgresql
from webdemo.db import bookkeeping
from webdemo.db.execution import journal
from webdemo.db.execution.journal import Counts
from webdemo.db.execution.journal import Outcome

_Row = collections.namedtuple('_Row', (
    'id revision direction outcome started_at duration checksum '
    'statements_started statements_done error'))


class _Engine:
    """An engine of a dialect that never connects."""

    def __init__(self, dialect):
        self.dialect = dialect


def _finish_and_start(backend, dialect):
    """backend's statement, for an engine of dialect."""
    engine = _Engine(dialect)
    return backend(engine).finish_and_start(bookkeeping.JOURNAL,
                                            journal._FINISHED)


def _entry(outcome, started=0, done=0):
    return journal.Entry(1, 'r', journal.Direction.UPGRADE, outcome,
                         datetime.datetime(2026, 1, 1), None, None,
                         Counts(started, done))


class TestCarriedCounts(base.BaseTestCase):

    def test_a_fresh_run_starts_at_zero(self):
        self.assertEqual(Counts(0, 0), journal.carried_counts(None))

    def test_an_abandoned_run_leaves_one_statement_of_unknown_fate(self):
        self.assertEqual(Counts(3, 2), journal.carried_counts(
            _entry(Outcome.ABANDONED, 3, 2)))

    def test_a_failed_statement_counts_as_not_started(self):
        self.assertEqual(Counts(2, 2), journal.carried_counts(
            _entry(Outcome.FAILED, 3, 2)))


class TestStoredRows(base.BaseTestCase):

    def row(self, outcome):
        return _Row(7, 'r', 'downgrade', outcome,
                    datetime.datetime(2026, 1, 1), 1.5, 'sum', 4, 3,
                    '(1091, "Can\'t DROP INDEX")\n[SQL: DROP INDEX x]')

    def test_a_row_becomes_an_entry(self):
        entry = journal._entry(self.row('failed'))
        self.assertEqual((journal.Direction.DOWNGRADE, Outcome.FAILED,
                          Counts(4, 3), True),
                         (entry.direction, entry.outcome, entry.counts,
                          entry.unfinished))

    def test_a_failed_run_keeps_the_first_line_of_its_error(self):
        self.assertEqual('(1091, "Can\'t DROP INDEX")',
                         journal.failure(journal._entry(self.row('failed'))))

    def test_only_a_refused_run_has_a_failure(self):
        self.assertEqual(
            [None, None, None, None],
            [journal.failure(journal._entry(self.row(outcome))) for outcome
             in ('succeeded', 'running', 'abandoned')] +
            [journal.failure(None)])

    def test_the_first_release_word_for_abandoned_is_read(self):
        self.assertEqual(Outcome.ABANDONED,
                         journal._entry(self.row('interrupted')).outcome)

    def test_only_success_is_finished(self):
        self.assertEqual(
            [False, True, True, True],
            [journal._entry(self.row(outcome)).unfinished for outcome in
             ('succeeded', 'running', 'failed', 'abandoned')])


class TestOneStatementStep(base.BaseTestCase):
    """The finish-and-start statement, as each driver takes it.

    Compiled for the dialect without a server or its driver.
    """

    def parameters(self):
        names = [column.name for column in bookkeeping.JOURNAL.c]
        values = {f'f_{name}': f'finished {name}' for name in names}
        values.update((f's_{name}', f'next {name}') for name in names)
        return names, values

    def test_mysqlclient_gets_a_value_for_each_placeholder_in_order(self):
        names, values = self.parameters()
        sql, given = journal.driver_call(
            _finish_and_start(mysql.MySQL, mysqldb.dialect()), values)
        # The finished row's columns, then the next row's (whose id is
        # the server's to number).
        expected = tuple([f'finished {name}' for name in names] +
                         [f'next {name}' for name in names if name != 'id'])
        self.assertEqual(expected, given)
        self.assertEqual(len(expected), sql.count('%s'))
        self.assertIn('ON DUPLICATE KEY UPDATE', sql)

    def test_psycopg2_gets_every_name_it_asks_for(self):
        names, values = self.parameters()
        sql, given = journal.driver_call(
            _finish_and_start(postgresql.PostgreSQL, psycopg2.dialect()),
            values)
        asked = set(re.findall(r'%\((\w+)\)s', sql))
        self.assertEqual(2 * len(names) - 1, len(asked))
        self.assertLessEqual(asked, set(given))
        self.assertIn('ON CONFLICT (id) DO UPDATE', sql)
