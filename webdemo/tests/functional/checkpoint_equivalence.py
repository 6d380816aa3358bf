"""Every checkpoint builds exactly what its history builds: the check
every backend runs (test_checkpoints.py; Galera's in tests/galera).

For each checkpoint file, the history replayed to the checkpoint's
heads, revision by revision, and the checkpoint built, each on the same
emptied database, are compared whole by reflection (state/snapshot.py:
every column with its type, nullability and default, keys, constraints
and indexes with their names, table options, rows), and so are what the
commands read: the version rows, the journal's revisions with their
checksums, the state db version shows. A checkpoint that disagrees with
its history fails, naming each difference.
"""

import io

from webdemo.db import bookkeeping
from webdemo.db.execution.journal import Direction
from webdemo.db.execution import runner as execution
from webdemo.db.history import checkpoint_plan
from webdemo.db.history import checkpoints
from webdemo.db.history import scripts as scripts_module
from webdemo.db.locking import lock
from webdemo.db import migration
from webdemo.db.state import held
from webdemo.db.state import snapshot
from webdemo.db.state import status
from webdemo.tests.functional import manage_runner as runner


def _quiet(line):
    pass


class CheckpointEquivalence:

    def read_back(self):
        """(Snapshot, journal rows, state) of the database."""
        state = status.get_state(self.engine)
        with self.engine.connect() as connection:
            journal = sorted(
                (row.revision, row.direction, row.outcome, row.checksum)
                for row in connection.execute(bookkeeping.JOURNAL.select())
                if not checkpoints.is_key(row.revision))
            return snapshot.take(connection), journal, state

    def ran(self, plan):
        """Run plan on the emptied database, as db sync's runner does.

        Below the contract gate, which would refuse a partial sync
        into the contract phase of an empty database: what is compared
        is what the revisions build, whatever release ran them.
        """
        runner.drop_all_tables(self.engine)
        scripts = scripts_module.Scripts.load()
        with held.holding(self.engine, 'test', lock.Settings(), _quiet,
                          scripts) as holder:
            held.begin_changes(self.engine, holder)
            execution.run_plan(holder.backend, scripts, plan,
                               Direction.UPGRADE, {}, _quiet)
        return self.read_back()

    def test_each_checkpoint_builds_what_its_history_builds(self):
        found = checkpoints.load()
        self.assertNotEqual([], found, 'webdemo ships a checkpoint')
        scripts = scripts_module.Scripts.load()
        for checkpoint in found:
            plan = scripts.upgrade_plan(checkpoint.heads, ())
            replayed, replay_journal, replay_state = self.ran(plan)
            schema, journal, state = self.ran(
                checkpoint_plan.start_from(checkpoint, plan))
            differences = snapshot.differences(replayed, schema)
            self.assertEqual([], differences,
                             f'{checkpoint.path} disagrees with its '
                             'history:\n' + '\n'.join(differences))
            self.assertEqual(replay_journal, journal)
            self.assertEqual(replay_state, state)
            self.assertEqual(checkpoint.heads, state.current)

    def synced(self, checkpoint=True):
        runner.drop_all_tables(self.engine)
        lines = []
        migration.sync(self.engine, report=lines.append,
                       checkpoint=checkpoint)
        return '\n'.join(lines), self.read_back()

    def test_db_sync_of_an_empty_database_starts_from_the_newest(self):
        newest = checkpoints.load()[-1]
        said, built = self.synced()
        self.assertIn(f'Applied {newest.key} ', said)
        said, replayed = self.synced(checkpoint=False)
        self.assertNotIn(newest.key, said)
        self.assertEqual([], snapshot.differences(replayed[0], built[0]))
        self.assertEqual(replayed[1:], built[1:])

    def test_a_database_that_is_not_empty_replays(self):
        newest = checkpoints.load()[-1]
        first, second = newest.covered[0].revision, newest.covered[1].revision
        migration.sync(self.engine, first, report=_quiet)
        lines = []
        migration.sync(self.engine, report=lines.append)
        self.assertNotIn(newest.key, '\n'.join(lines))
        self.assertIn(f'Applied {second} ', '\n'.join(lines))

    def test_the_sql_of_an_empty_database_starts_from_the_checkpoint(self):
        newest = checkpoints.load()[-1]
        out = io.StringIO()
        migration.upgrade_sql(self.engine, out=out)
        written = out.getvalue()
        # One step, the checkpoint's, whose tables are created.
        self.assertEqual(1, written.count('-- Running upgrade'), written)
        self.assertIn(f'-> {newest.heads[0]}', written)
        self.assertRegex(written, r'CREATE TABLE "?account"? ')
        self.assertNotIn(newest.covered[0].revision, written)
