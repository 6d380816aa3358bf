"""The journal's one-statement step from one revision to the next, on
SQLite, MariaDB/MySQL and PostgreSQL: it writes exactly the rows that
finishing one and starting the other would, and returns the new row's
id, whatever ids the table holds already."""

from oslotest import base
import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db.execution import journal as journal_module
from webdemo.db.execution.journal import Counts
from webdemo.db.execution.journal import Direction
from webdemo.db.execution.journal import Outcome
from webdemo.tests.functional import db_fixtures

_COMPARED = ('revision', 'direction', 'outcome', 'duration', 'checksum',
             'statements_started', 'statements_done', 'error', 'host',
             'pid', 'webdemo_version')


def _run(revision, counts=Counts()):
    return journal_module.Run(revision, Direction.UPGRADE, f'sum-{revision}',
                              counts)


class StepToTheNextRevision:

    def setUp(self):
        super().setUp()
        with self.engine.begin() as connection:
            bookkeeping.ensure_tables(connection)

    def rows(self):
        with self.engine.connect() as connection:
            return connection.execute(
                bookkeeping.JOURNAL.select().order_by(
                    bookkeeping.JOURNAL.c.id)).all()

    def walk(self, step):
        """Start a, then step a -> b -> c; the ids each write returned."""
        with self.engine.begin() as connection:
            journal = journal_module.Journal(connection)
            ids = [journal.start(_run('a', Counts(2, 1)))]
            for finished, following in (('a', 'b'), ('b', 'c')):
                ids.append(step(journal, ids[-1], _run(finished),
                                _run(following)))
        return ids

    def written(self, ids):
        """The rows, by the ids the writes returned."""
        rows = {row.id: row for row in self.rows()}
        self.assertEqual(sorted(ids), sorted(rows))
        return [tuple(getattr(rows[i], name) for name in _COMPARED)
                for i in ids]

    def test_the_same_rows_as_finish_then_start(self):
        def two_statements(journal, entry, finished, following):
            journal.finish(entry, Outcome.SUCCEEDED, 0.25, Counts(3, 3))
            return journal.start(following)

        def one_statement(journal, entry, finished, following):
            return journal.succeed_and_start(entry, finished, 0.25,
                                             Counts(3, 3), following)

        expected = self.written(self.walk(two_statements))
        with self.engine.begin() as connection:
            connection.execute(bookkeeping.JOURNAL.delete())
        got = self.written(self.walk(one_statement))
        self.assertEqual(expected, got)
        self.assertEqual(
            [('a', 'succeeded'), ('b', 'succeeded'), ('c', 'running')],
            [(row[0], row[2]) for row in got])
        rows = self.rows()
        self.assertIsNone(rows[-1].finished_at)
        self.assertIsNotNone(rows[0].finished_at)
        # The row that was there keeps its start.
        self.assertLessEqual(rows[0].started_at, rows[0].finished_at)

    def test_a_journal_from_before_checkpoints_gets_the_column(self):
        # As the first release made it: every column but checkpoint.
        older = sqlalchemy.MetaData()
        table = sqlalchemy.Table(
            bookkeeping.JOURNAL.name, older,
            *(column.copy() for column in bookkeeping.JOURNAL.columns
              if column.name != 'checkpoint'),
            mysql_engine='InnoDB', mysql_charset='utf8mb4')
        row = _run('a').row()
        del row['checkpoint']
        with self.engine.begin() as connection:
            bookkeeping.JOURNAL.drop(connection)
            older.create_all(connection)
            connection.execute(table.insert(), row)
        with self.engine.begin() as connection:
            bookkeeping.ensure_tables(connection)
            # Twice: a second command finds it there.
            bookkeeping.ensure_tables(connection)
        with self.engine.begin() as connection:
            journal_module.Journal(connection).start(journal_module.Run(
                'b', Direction.UPGRADE, 'sum-b', Counts(),
                checkpoint='checkpoint b'))
        self.assertEqual([('a', None), ('b', 'checkpoint b')],
                         [(row.revision, row.checkpoint)
                          for row in self.rows()])


class TestJournalSQLite(StepToTheNextRevision, db_fixtures.SQLiteFileMixin,
                        base.BaseTestCase):
    pass


class TestJournalMySQL(StepToTheNextRevision, db_fixtures.MySQLMixin,
                       db_fixtures.DatabaseTestCase):
    pass


class TestJournalPostgreSQL(StepToTheNextRevision,
                            db_fixtures.PostgreSQLMixin,
                            db_fixtures.DatabaseTestCase):
    pass
