"""The online data migration runner's rounds, budget and failures, over
migrations that move rows of an in-memory table; no database."""

from oslo_db import exception as db_exc
from oslotest import base

from webdemo.db.rolling import online_migrations


def mover(rows, name):
    """A migration that marks rows (a dict id -> migrated) as migrated."""
    def migrate(context, max_count):
        todo = sorted(key for key, done in rows.items() if not done)
        if max_count == 0:
            return len(todo), 0
        batch = todo[:max_count]
        for key in batch:
            rows[key] = True
        return len(batch), len(batch)
    migrate.__name__ = name
    return migrate


def broken(context, max_count):
    if max_count == 0:
        return 3, 0
    raise RuntimeError('cannot parse\nthe old value')


def table(count):
    return {key: False for key in range(count)}


class _Recorded:
    """A progress that keeps what it was told."""

    def __init__(self):
        self.batches = []
        self.over = False

    def batch(self, result, rows):
        self.batches.append((result.name, rows))

    def done(self):
        self.over = True


class TestRun(base.BaseTestCase):

    def run_all(self, migrations, **kwargs):
        progress = _Recorded()
        results = online_migrations.run(
            None, migrations, batch_size=50, progress=progress, **kwargs)
        self.assertTrue(progress.over)
        return results, progress.batches

    def test_each_result_knows_when_its_last_batch_ended(self):
        ticks = iter([10.0, 12.0, 13.5, 17.0])
        users, accounts = table(60), table(30)
        results, _ = self.run_all(
            [mover(users, 'users'), mover(accounts, 'accounts')],
            clock=lambda: next(ticks))
        # Started at 10; users' batches ended at 12 and 17, accounts' at
        # 13.5.
        self.assertEqual([7.0, 3.5], [r.seconds for r in results])
        self.assertEqual('Online data migration users: moved 60 rows in '
                         '7.0 s, 9 rows/s.', results[0].summary())

    def test_everything_in_batches(self):
        users, accounts = table(120), table(30)
        results, batches = self.run_all([mover(users, 'users'),
                                         mover(accounts, 'accounts')])
        self.assertTrue(all(users.values()) and all(accounts.values()))
        self.assertEqual([('users', 50), ('accounts', 30), ('users', 50),
                          ('users', 20)], batches)
        self.assertEqual([('users', 120, 120, 120, 0),
                          ('accounts', 30, 30, 30, 0)],
                         [(r.name, r.at_start, r.total_needed, r.completed,
                           r.left) for r in results])
        self.assertEqual('done', online_migrations.exit_status(results))

    def test_max_count_bounds_the_rows_in_all(self):
        users, accounts = table(120), table(30)
        results, batches = self.run_all(
            [mover(users, 'users'), mover(accounts, 'accounts')],
            max_count=70)
        self.assertEqual([('users', 50), ('accounts', 20)], batches)
        self.assertEqual([70, 10], [r.left for r in results])
        self.assertEqual('more', online_migrations.exit_status(results))

    def test_a_failing_migration_does_not_stop_the_others(self):
        users = table(60)
        results, _ = self.run_all([broken, mover(users, 'users')])
        self.assertTrue(all(users.values()))
        self.assertEqual('RuntimeError: cannot parse the old value',
                         results[0].error)
        self.assertIsNone(results[1].error)
        self.assertEqual('failed', online_migrations.exit_status(results))

    def test_nothing_to_do(self):
        results, batches = self.run_all([mover(table(0), 'users')])
        self.assertEqual([], batches)
        self.assertEqual('done', online_migrations.exit_status(results))
        self.assertEqual('done', online_migrations.exit_status([]))

    def test_a_second_run_finds_only_new_rows(self):
        users = table(10)
        migrations = [mover(users, 'users')]
        self.run_all(migrations)
        users.update({10: False, 11: False})
        results, batches = self.run_all(migrations)
        self.assertEqual([('users', 2)], batches)
        self.assertEqual(2, results[0].at_start)


class TestLeft(base.BaseTestCase):

    def test_a_deadlocked_count_is_counted_again(self):
        calls = []

        def counted(context, max_count):
            calls.append(max_count)
            if len(calls) == 1:
                raise db_exc.DBDeadlock()
            return 7, 0
        self.assertEqual({'counted': 7}, online_migrations.left(
            online_migrations.Context(None), [counted]))
        self.assertEqual([0, 0], calls)

    def test_other_errors_are_not_guessed_away(self):
        def failing(context, max_count):
            raise RuntimeError('cannot count')
        self.assertRaises(RuntimeError, online_migrations.left,
                          online_migrations.Context(None), [failing])
