"""Pins for library_internals.py: each use of Alembic, oslo.db or
SQLAlchemy below its documented API, run against the installed release,
so that a release that changes one fails here rather than in a sync.
SQLite in memory or in a temporary file; no server."""

import os
import types

from alembic import config as alembic_config
from alembic.runtime import migration as alembic_migration
from alembic import script as alembic_script
from alembic.script import revision as alembic_revision
import fixtures
from oslo_db.sqlalchemy import engines as oslo_engines
from oslotest import base
import sqlalchemy

from webdemo.db.history import scripts
from webdemo.db import library_internals as internals


class _Script(alembic_revision.Revision):
    """A revision whose module records which of its functions ran."""

    def __init__(self, revision, down_revision, ran):
        super().__init__(revision, down_revision)
        self.module = types.SimpleNamespace(
            upgrade=lambda: ran.append(('up', revision)),
            downgrade=lambda: ran.append(('down', revision)))


def _map(*revisions):
    return alembic_revision.RevisionMap(lambda: list(revisions))


class TestMigrationSteps(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.ran = []
        self.a = _Script('a', None, self.ran)
        self.b = _Script('b', 'a', self.ran)
        self.c = _Script('c', 'a', self.ran)
        self.m = _Script('m', ('b', 'c'), self.ran)
        self.map = _map(self.a, self.b, self.c, self.m)
        # Built on first use, as Alembic's planning builds it.
        self.assertEqual(('m',), self.map.heads)

    def step(self, script, upgrade=True):
        return internals.migration_step(self.map, script, upgrade)

    def test_a_step_runs_its_revisions_function(self):
        internals.run_step(self.step(self.b))
        internals.run_step(self.step(self.b, upgrade=False))
        self.assertEqual([('up', 'b'), ('down', 'b')], self.ran)

    def test_version_rows_as_the_head_maintainer_decides(self):
        change = internals.version_row_change
        self.assertEqual(((), ('a',), None), change(self.step(self.a), set()))
        self.assertEqual(((), (), ('a', 'b')),
                         change(self.step(self.b), {'a'}))
        self.assertEqual(((), ('c',), None),
                         change(self.step(self.c), {'b'}))
        self.assertEqual((('b',), (), ('c', 'm')),
                         change(self.step(self.m), {'b', 'c'}))
        # Which parent keeps the merge's row is Alembic's choice.
        deletes, inserts, (old, new) = change(
            self.step(self.m, upgrade=False), {'m'})
        self.assertEqual(((), 'm', {'b', 'c'}),
                         (deletes, old, {*inserts, new}))
        self.assertEqual((('a',), (), None),
                         change(self.step(self.a, upgrade=False), {'a'}))

    def test_a_stamp_step_runs_what_it_is_given_and_inserts_its_head(self):
        # A checkpoint's steps: its operations with its first head's row,
        # then a row for each other head, on top of no row or of the
        # rows the steps before it wrote.
        first = internals.stamp_step(self.map, 'b',
                                     lambda: self.ran.append('built'))
        second = internals.stamp_step(self.map, 'c')
        internals.run_step(first)
        internals.run_step(second)
        self.assertEqual(['built'], self.ran)
        change = internals.version_row_change
        self.assertEqual(((), ('b',), None), change(first, set()))
        self.assertEqual(((), ('c',), None), change(second, {'b'}))


class TestStepTransaction(base.BaseTestCase):

    def test_each_step_gets_a_transaction_that_commits(self):
        engine = sqlalchemy.create_engine('sqlite://')
        self.addCleanup(engine.dispose)
        with engine.connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection, opts={'transaction_per_migration': True})
            with internals.begin_step_transaction(context):
                connection.exec_driver_sql('CREATE TABLE t (id INTEGER)')
                self.assertTrue(connection.in_transaction())
            self.assertFalse(connection.in_transaction())
            connection.rollback()
            self.assertIn('t', sqlalchemy.inspect(connection)
                          .get_table_names())


class TestRevisionMap(base.BaseTestCase):

    def test_the_directory_plans_over_the_map_it_is_given(self):
        directory = alembic_script.ScriptDirectory.from_config(
            alembic_config.Config(scripts.ALEMBIC_INI))
        ran = []
        internals.use_revision_map(directory, lambda: [
            _Script('x1', None, ran), _Script('x2', 'x1', ran)])
        self.assertEqual(['x2', 'x1'], [
            script.revision
            for script in directory.iterate_revisions('heads', 'base')])
        self.assertEqual('x1', directory.get_revision('x1').revision)


class TestOsloDbSqliteMark(base.BaseTestCase):

    def begins(self, mark):
        """Run one transaction whose begin listener may take the mark."""
        engine = oslo_engines.create_engine('sqlite://')
        self.addCleanup(engine.dispose)
        marks = []

        @sqlalchemy.event.listens_for(engine, 'engine_connect')
        def connected(conn):
            @sqlalchemy.event.listens_for(conn, 'begin')
            def begin(conn):
                conn.exec_driver_sql('BEGIN IMMEDIATE')
                if mark:
                    internals.mark_sqlite_transaction(conn)

        with engine.connect() as connection:
            with connection.begin():
                marks.append(internals.sqlite_transaction_marked(connection))
            marks.append(internals.sqlite_transaction_marked(connection))
        return marks

    def test_the_mark_stops_oslo_dbs_begin_and_its_commit_clears_it(self):
        self.assertEqual([True, False], self.begins(mark=True))

    def test_without_the_mark_oslo_db_begins_again(self):
        self.assertRaises(sqlalchemy.exc.OperationalError, self.begins,
                          mark=False)


class TestCommitInsideExecution(base.BaseTestCase):

    def test_listeners_then_the_driver_commit(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'db')
        engine = sqlalchemy.create_engine(f'sqlite:///{path}')
        self.addCleanup(engine.dispose)
        committed = []
        with engine.connect() as connection:
            connection.exec_driver_sql('CREATE TABLE t (id INTEGER)')
            connection.commit()
            sqlalchemy.event.listen(connection, 'commit',
                                    lambda conn: committed.append(True))

            @sqlalchemy.event.listens_for(connection, 'before_cursor_execute')
            def before(conn, cursor, statement, *args):
                if statement == 'SELECT 1':
                    internals.commit_inside_execution(conn, cursor)

            connection.exec_driver_sql('INSERT INTO t VALUES (1)')
            connection.exec_driver_sql('SELECT 1')
            connection.rollback()
        with engine.connect() as connection:
            self.assertEqual(1, connection.exec_driver_sql(
                'SELECT count(*) FROM t').scalar())
        self.assertEqual([True], committed)
