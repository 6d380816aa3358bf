"""version_rows.py writes the version rows Alembic's own writer would.

Every step of many plans (up from nothing to each revision, on to the
heads, down to each revision, down to base) over the shapes a history
can take is given to Alembic's HeadMaintainer, recording the statements
it would run, and to change_for(); the rows and the writes must agree
at every step. No database, except a SQLite one for the Writer itself.
"""

import os
import re

from alembic.runtime import migration as alembic_migration
from alembic import script as alembic_script
import fixtures
from oslotest import base
import sqlalchemy

from webdemo.db.execution import version_rows
from webdemo import exception
from webdemo.tests.unit import history_shapes


class _Recorder:
    """What Alembic's HeadMaintainer needs of a MigrationContext."""

    as_sql = False
    # Its writes return no result, so nothing to check a row count of.
    dialect = sqlalchemy.create_mock_engine('sqlite://', None).dialect
    dialect.supports_sane_rowcount = False

    def __init__(self):
        self.writes = []
        self._version = sqlalchemy.Table(
            'alembic_version', sqlalchemy.MetaData(),
            sqlalchemy.Column('version_num', sqlalchemy.String(32)))
        self.impl = self

    def _exec(self, statement):
        text = str(statement)
        ids = re.findall(r"'([^']*)'", text)
        self.writes.append((text.split()[0].lower(), *ids))


def _alembic_writes(step, heads):
    """(writes, rows after) as Alembic's own HeadMaintainer makes them."""
    recorder = _Recorder()
    maintainer = alembic_migration.HeadMaintainer(recorder, heads)
    maintainer.update_to_step(step)
    return recorder.writes, maintainer.heads


def _our_writes(step, heads):
    change = version_rows.change_for(step, heads)
    writes = [('delete', old) for old in change.deletes]
    writes += [('insert', new) for new in change.inserts]
    if change.update:
        old, new = change.update
        # Alembic's UPDATE names the new id (SET) before the old (WHERE).
        writes.append(('update', new, old))
    return writes, change.applied_to(heads)


class TestChangesMatchAlembic(history_shapes.HistoryShapes,
                              base.BaseTestCase):
    """The graph tests' history shapes, walked step by step."""

    def assert_same_answers(self):
        directory = alembic_script.ScriptDirectory(self.root)
        compared = 0
        for target in [rev.revision for rev in directory.walk_revisions()]:
            heads = set()
            heads, count = self.walk(directory, heads, target, up=True)
            compared += count
            heads, count = self.walk(directory, heads, 'heads', up=True)
            compared += count
            for down_to in (target, 'base'):
                heads, count = self.walk(directory, heads, down_to, up=False)
                compared += count
        self.assertGreater(compared, 0)

    def walk(self, directory, heads, target, up):
        """Take each step of one plan; return the rows and the steps."""
        try:
            if up:
                plan = reversed(list(directory.iterate_revisions(
                    target, tuple(heads), implicit_base=True)))
                make = alembic_migration.MigrationStep.upgrade_from_script
            else:
                plan = list(directory.iterate_revisions(
                    tuple(heads), target, select_for_downgrade=True))
                make = alembic_migration.MigrationStep.downgrade_from_script
            plan = list(plan)
        except Exception:
            # Not a plan Alembic would run from here: nothing to compare.
            return heads, 0
        # A group's writer, which only notes each step.
        noted = version_rows.Writer(None, heads)
        for script in plan:
            step = make(directory.revision_map, script)
            expected = _alembic_writes(step, heads)
            self.assertEqual(expected, _our_writes(step, heads),
                             f'{step} from {sorted(heads)}')
            heads = expected[1]
            noted.note(step)
        self.assertEqual(set(heads), noted.heads)
        return heads, len(plan)

    def test_two_bases_and_a_merge_of_a_branch_point(self):
        self.write('a0', None)
        self.write('b0', None)
        self.write('a1', 'a0')
        self.write('a2', 'a1')
        self.write('a3', 'a1')
        self.write('m', ('a2', 'a3', 'b0'))
        self.write('after', 'm')
        self.assert_same_answers()


class TestWriter(base.BaseTestCase):
    """The statements themselves, on SQLite."""

    def setUp(self):
        super().setUp()
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'v.db')
        self.engine = sqlalchemy.create_engine(f'sqlite:///{path}')
        with self.engine.begin() as connection:
            connection.exec_driver_sql(
                'CREATE TABLE alembic_version (version_num VARCHAR(32) '
                'PRIMARY KEY)')
            connection.exec_driver_sql(
                "INSERT INTO alembic_version VALUES ('left'), ('right')")

    def rows(self):
        with self.engine.connect() as connection:
            return {row[0] for row in connection.exec_driver_sql(
                'SELECT version_num FROM alembic_version')}

    def test_a_merge_deletes_and_updates(self):
        step = _FakeMerge()
        with self.engine.begin() as connection:
            writer = version_rows.Writer(connection, {'left', 'right'})
            writer.write(step)
        self.assertEqual({'merged'}, self.rows())
        self.assertEqual({'merged'}, writer.heads)

    def test_a_row_changed_by_hand_fails_the_step(self):
        with self.engine.begin() as connection:
            connection.exec_driver_sql(
                "DELETE FROM alembic_version WHERE version_num = 'right'")
        with self.engine.connect() as connection:
            writer = version_rows.Writer(connection, {'left', 'right'})
            error = self.assertRaises(exception.MigrationError,
                                      writer.write, _FakeMerge())
        self.assertIn('0 rows matched, not 1', str(error))
        self.assertEqual({'left'}, self.rows())

    def test_a_flush_writes_where_the_noted_steps_left_the_rows(self):
        for after, statements in (
                ({'merged'}, ['DELETE', 'DELETE', 'INSERT']),
                ({'left', 'next'}, ['UPDATE']),
                ({'left', 'right', 'branch'}, ['INSERT']),
                ({'left'}, ['DELETE']),
                ({'left', 'right'}, [])):
            sent = []
            with self.engine.connect() as connection:
                sqlalchemy.event.listen(
                    connection, 'before_cursor_execute',
                    lambda *event: sent.append(event[2].split()[0]))
                writer = version_rows.Writer(connection, {'left', 'right'})
                writer.heads = set(after)
                writer.flush()
                self.assertEqual(after, {row[0] for row in (
                    connection.exec_driver_sql(
                        'SELECT version_num FROM alembic_version'))})
                connection.rollback()
            self.assertEqual(statements, sent[:len(statements)], after)


class _FakeMerge:
    """A merge step of left and right, as Alembic would decide it."""

    def should_delete_branch(self, heads):
        return False

    def should_create_branch(self, heads):
        return False

    def should_merge_branches(self, heads):
        return True

    def merge_branch_idents(self, heads):
        return ['right'], 'left', 'merged'
