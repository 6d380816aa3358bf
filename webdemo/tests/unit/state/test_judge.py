"""state.classify and refusals.py, in memory: no database, no files."""

import datetime

from oslotest import base
import testscenarios

from webdemo.db.execution.journal import Counts
from webdemo.db.execution.journal import Direction
from webdemo.db.execution.journal import Entry
from webdemo.db.execution.journal import Outcome
from webdemo.db.history import phases
from webdemo.db.state import judge as state
from webdemo.db.state.judge import Observation
from webdemo.db.state.judge import Status
from webdemo.db.state import refusals
from webdemo.db.state import status as status_module
from webdemo import exception

UP, DOWN = Direction.UPGRADE, Direction.DOWNGRADE


class Graph:
    """A revision graph a -> b -> c, with c the head; 'c' was edited.

    'b' was fixed after its release, and says so (replaces_checksums).
    """

    heads = ('c',)
    _parents = {'a': None, 'b': 'a', 'c': 'b'}
    _checksums = {'a': 'sum-a', 'b': 'sum-b', 'c': 'sum-c-edited'}
    _replaces = {'b': ('sum-b-released',)}

    def is_known(self, revision):
        return revision in self._parents

    def applied(self, current):
        found = set()
        for revision in current:
            while revision:
                found.add(revision)
                revision = self._parents[revision]
        return frozenset(found)

    def accepts(self, revision, checksum):
        return (checksum == self._checksums[revision]
                or checksum in self._replaces.get(revision, ()))

    @property
    def sides(self):
        # No phases: every revision is on the expand side.
        return phases.Sides(frozenset(self._parents))


def entry(revision, direction=UP, outcome=Outcome.SUCCEEDED,
          checksum=None, error=None, counts=Counts()):
    return Entry(1, revision, direction, outcome,
                 datetime.datetime(2026, 1, 1), 0.1,
                 checksum or f'sum-{revision}', counts, error)


def seen(current=(), tables=('user',), legacy=None, entries=(),
         lock_free=True):
    tables = frozenset(tables) | ({'alembic_version'} if current else set())
    return Observation(tables, tuple(current), legacy,
                       {e.revision: e for e in entries}, lock_free)


# Each: what was read, and the state it must be judged to be.
_CASES = [
    ('empty', dict(seen=seen(tables=()), status=Status.EMPTY)),
    ('empty_but_for_bookkeeping', dict(
        seen=seen(tables=('webdemo_migration_journal',)),
        status=Status.EMPTY)),
    ('behind', dict(seen=seen(['b']), status=Status.UPGRADE_PENDING)),
    ('at_head', dict(seen=seen(['c'], entries=[entry('a')]),
                     status=Status.AT_HEAD)),
    ('unknown', dict(seen=seen(['zz']), status=Status.UNKNOWN_REVISION,
                     unknown=('zz',))),
    ('unversioned', dict(seen=seen(tables=('user', 'stray')),
                         status=Status.UNVERSIONED)),
    ('legacy_mapped', dict(seen=seen(legacy=2), status=Status.LEGACY,
                           legacy_revision='fac0847f78ff')),
    ('legacy_unmapped', dict(seen=seen(legacy=9), status=Status.LEGACY,
                             legacy_revision=None)),
    ('upgrade_died_before_commit', dict(
        seen=seen(['a'], entries=[entry('b', outcome=Outcome.RUNNING)]),
        status=Status.INTERRUPTED, interrupted=('b',))),
    ('upgrade_died_after_commit_is_done', dict(
        seen=seen(['b'], entries=[entry('b', outcome=Outcome.RUNNING)]),
        status=Status.UPGRADE_PENDING)),
    ('upgrade_failed', dict(
        seen=seen(['a'], entries=[entry('b', outcome=Outcome.FAILED)]),
        status=Status.INTERRUPTED, interrupted=('b',))),
    ('downgrade_abandoned_still_applied', dict(
        seen=seen(['b'], entries=[entry('b', DOWN, Outcome.ABANDONED)]),
        status=Status.INTERRUPTED, interrupted_downgrades=('b',))),
    ('downgrade_abandoned_after_commit_is_done', dict(
        seen=seen(['a'], entries=[entry('b', DOWN, Outcome.ABANDONED)]),
        status=Status.UPGRADE_PENDING)),
    ('first_upgrade_died_leaving_tables', dict(
        seen=seen((), tables=('user',),
                  entries=[entry('a', outcome=Outcome.RUNNING)]),
        status=Status.INTERRUPTED, interrupted=('a',))),
    ('changed_script', dict(
        seen=seen(['c'], entries=[entry('c')]),
        status=Status.CHANGED_SCRIPT, changed_scripts=('c',))),
    ('released_version_of_a_fixed_script_is_no_change', dict(
        seen=seen(['c'], entries=[entry('b', checksum='sum-b-released')]),
        status=Status.AT_HEAD)),
    ('unreleased_version_of_a_fixed_script_is_a_change', dict(
        seen=seen(['c'], entries=[entry('b', checksum='sum-b-draft')]),
        status=Status.CHANGED_SCRIPT, changed_scripts=('b',))),
    ('changed_script_of_a_failed_run_is_no_change', dict(
        seen=seen(['b'], entries=[entry('c', outcome=Outcome.FAILED)]),
        status=Status.INTERRUPTED, interrupted=('c',))),
    ('unknown_wins_over_interrupted', dict(
        seen=seen(['zz'], entries=[entry('b', outcome=Outcome.RUNNING)]),
        status=Status.UNKNOWN_REVISION, unknown=('zz',),
        interrupted=('b',))),
    ('interrupted_wins_over_changed_script', dict(
        seen=seen(['b'], entries=[entry('c', outcome=Outcome.RUNNING),
                                  entry('b', checksum='old')]),
        status=Status.INTERRUPTED, interrupted=('c',),
        changed_scripts=('b',))),
    # Another process holds the lock: its running rows are live and its
    # first tables may show before its version row does.
    ('tables_without_version_while_another_migrates', dict(
        seen=seen((), tables=('user', 'account'),
                  entries=[entry('a', outcome=Outcome.RUNNING)],
                  lock_free=False),
        status=Status.EMPTY)),
    # A build from a checkpoint that died: half-built (MySQL) or rolled
    # back, no version row; the same checkpoint completes it.
    ('checkpoint_build_died', dict(
        seen=seen((), tables=('user',),
                  entries=[entry('checkpoint c', outcome=Outcome.RUNNING)]),
        status=Status.INTERRUPTED, interrupted=('checkpoint c',))),
    # Once a revision is recorded the database was built, by it or not.
    ('checkpoint_row_left_behind_a_built_database', dict(
        seen=seen(['c'], entries=[
            entry('checkpoint b', outcome=Outcome.ABANDONED),
            entry('a', checksum='sum-a')]),
        status=Status.AT_HEAD)),
    ('running_row_of_a_live_run_is_not_interrupted', dict(
        seen=seen(['a'], entries=[entry('b', outcome=Outcome.RUNNING)],
                  lock_free=False),
        status=Status.UPGRADE_PENDING)),
]


class TestClassify(testscenarios.WithScenarios, base.BaseTestCase):

    scenarios = _CASES
    unknown = interrupted = interrupted_downgrades = changed_scripts = ()
    legacy_revision = None

    def test_judged(self):
        judged = state.classify(self.seen, Graph())
        self.assertEqual(
            (self.status, self.unknown, self.interrupted,
             self.interrupted_downgrades, self.changed_scripts),
            (judged.status, judged.unknown, judged.interrupted,
             judged.interrupted_downgrades, judged.changed_scripts))
        self.assertEqual(('c',), judged.heads)
        self.assertEqual(self.seen.current, judged.current)
        if self.status == Status.LEGACY:
            self.assertEqual(self.legacy_revision, judged.legacy_revision)


class TestFailed(base.BaseTestCase):
    """A run the database refused is told apart from one cut short."""

    REFUSED = '(1091, "Can\'t DROP INDEX uq_user_name")\n[SQL: DROP INDEX]'

    def test_a_refused_run_keeps_its_error_and_advice(self):
        judged = state.classify(seen(['a'], entries=[entry(
            'b', outcome=Outcome.FAILED, error=self.REFUSED)]), Graph())
        self.assertEqual((Status.INTERRUPTED, ('b',)),
                         (judged.status, judged.interrupted))
        self.assertEqual({'b': '(1091, "Can\'t DROP INDEX uq_user_name")'},
                         judged.failed)
        self.assertIn('fix what made b fail', state.next_step(judged))

    def test_a_run_cut_short_is_completed_by_the_next(self):
        judged = state.classify(seen(['a'], entries=[entry(
            'b', outcome=Outcome.ABANDONED, error='lost')]), Graph())
        self.assertEqual({}, judged.failed)
        self.assertIn('to complete it', state.next_step(judged))

    def test_a_refused_downgrade(self):
        judged = state.classify(seen(['b'], entries=[entry(
            'b', DOWN, Outcome.FAILED, error='no')]), Graph())
        self.assertEqual((('b',), {'b': 'no'}),
                         (judged.interrupted_downgrades, judged.failed))


class TestPublishedForm(base.BaseTestCase):

    def test_json_keeps_the_first_release_names(self):
        judged = state.classify(seen(['c'], entries=[entry('c')]), Graph())
        self.assertEqual(
            {'current': ('c',), 'heads': ('c',), 'status': 'tampered',
             'unknown': (), 'legacy_version': None, 'legacy_revision': None,
             'interrupted': (), 'interrupted_downgrades': (), 'failed': {},
             'tampered': ('c',), 'expand_pending': (),
             'contract_pending': (), 'data_migrations': {}},
            judged.as_json())

    def test_describe(self):
        self.assertEqual('b (upgrade pending)',
                         state.describe(state.classify(seen(['b']), Graph())))
        self.assertEqual('no revision (empty)',
                         state.describe(state.classify(seen(tables=()),
                                                       Graph())))
        self.assertEqual('sqlalchemy-migrate version 2 (legacy)',
                         state.describe(state.classify(seen(legacy=2),
                                                       Graph())))

    def test_a_legacy_database_starts_from_its_mapped_revision(self):
        legacy = state.classify(seen(legacy=1), Graph())
        self.assertEqual(('7dc0a5261bc4',), state.starting_point(legacy))
        self.assertEqual(('b',), state.starting_point(
            state.classify(seen(['b']), Graph())))


class TestBesideANewerRelease(base.BaseTestCase):
    """A later release's revisions recorded beside this code's."""

    def judged(self, current):
        return state.classify(seen(current), Graph())

    def test_this_codes_whole_history_beneath_them(self):
        judged = self.judged(['c', 'zz'])
        self.assertEqual((Status.UNKNOWN_REVISION, ('zz',), True),
                         (judged.status, judged.unknown,
                          judged.known_expanded))

    def test_part_of_this_codes_history_missing(self):
        for current in (['b', 'zz'], ['zz']):
            self.assertFalse(self.judged(current).known_expanded, current)

    def test_without_unknown_revisions_it_is_not_said(self):
        self.assertFalse(self.judged(['c']).known_expanded)

    def test_not_published(self):
        self.assertNotIn('known_expanded',
                         self.judged(['c', 'zz']).as_json())


class TestSurelyBehind(base.BaseTestCase):
    """What a whole sync reads without the lock, before asking under it."""

    def test_revisions_left_to_apply(self):
        for current in ((), ('a',), ('b',)):
            self.assertTrue(state.surely_behind(current, Graph()), current)

    def test_only_the_whole_judgement_can_tell(self):
        for current in (('c',), ('zz',), ('b', 'zz'), ('c', 'zz')):
            self.assertFalse(state.surely_behind(current, Graph()), current)

    def test_the_contract_left_to_apply(self):
        class Phased(Graph):
            sides = phases.Sides(frozenset('ab'), frozenset('c'))

        self.assertTrue(state.surely_behind(('b',), Phased()))
        self.assertFalse(state.surely_behind(('c',), Phased()))

    def test_never_said_of_a_database_at_head(self):
        for current in ((), ('a',), ('b',), ('c',), ('zz',), ('c', 'zz')):
            if state.surely_behind(current, Graph()):
                self.assertNotEqual(
                    Status.AT_HEAD,
                    state.classify(seen(current), Graph()).status, current)


class TestRefusals(base.BaseTestCase):

    def judged(self, **kwargs):
        return state.classify(seen(**kwargs), Graph())

    def test_unknown_revision_names_it(self):
        error = self.assertRaises(exception.UnknownDatabaseRevision,
                                  refusals.check_can_migrate,
                                  self.judged(current=['zz']))
        self.assertEqual(('zz',), error.revisions)
        self.assertIn('which this webdemo does not know', str(error))

    def test_unversioned_names_the_version_table(self):
        error = self.assertRaises(exception.UnversionedDatabase,
                                  refusals.check_can_migrate,
                                  self.judged(tables=('stray',)))
        self.assertEqual('alembic_version', error.version_table)

    def test_unmapped_legacy_version_lists_the_known_ones(self):
        error = self.assertRaises(exception.UnmappedLegacyVersion,
                                  refusals.check_can_migrate,
                                  self.judged(legacy=9))
        self.assertEqual((9, (1, 2)), (error.version, error.known))
        self.assertIsInstance(error, exception.UnversionedDatabase)

    def test_migratable_states_pass(self):
        for judged in (self.judged(tables=()), self.judged(current=['b']),
                       self.judged(legacy=2)):
            refusals.check_can_migrate(judged)

    def test_half_done_downgrade_blocks_upgrades_only(self):
        judged = self.judged(current=['b'], entries=[
            entry('b', DOWN, Outcome.ABANDONED)])
        error = self.assertRaises(exception.InterruptedMigration,
                                  refusals.check_not_interrupted, judged, UP)
        self.assertEqual(('downgrade', ('b',)),
                         (error.direction, error.revisions))
        self.assertIn('run the same db downgrade again', str(error))
        refusals.check_not_interrupted(judged, DOWN)

    def test_half_done_upgrade_blocks_downgrades_only(self):
        judged = self.judged(current=['a'], entries=[
            entry('b', UP, Outcome.RUNNING)])
        error = self.assertRaises(exception.InterruptedMigration,
                                  refusals.check_not_interrupted, judged, DOWN)
        self.assertIn('run db sync to complete it first', str(error))
        refusals.check_not_interrupted(judged, UP)


class TestSqlFromAHalfDoneUpgrade(base.BaseTestCase):
    """db sync --sql writes a revision whole: never one partly applied."""

    def check(self, outcome, counts):
        entries = [entry('b', UP, outcome, counts=Counts(*counts))]
        refusals.check_sql_can_start(
            state.classify(seen(current=['a'], entries=entries), Graph()),
            {e.revision: e for e in entries})

    def test_a_statement_done_or_perhaps_done_is_refused(self):
        # (statements started, done) as the journal row has them (MySQL).
        for outcome, counts in ((Outcome.ABANDONED, (1, 0)),
                                (Outcome.RUNNING, (2, 1)),
                                (Outcome.FAILED, (2, 1))):
            error = self.assertRaises(exception.InterruptedMigration,
                                      self.check, outcome, counts)
            self.assertEqual(('upgrade', ('b',)),
                             (error.direction, error.revisions))
            self.assertIn('run db sync to complete it first', str(error))

    def test_nothing_applied_is_written_whole(self):
        # Refused by the server at its first statement (MySQL); rolled
        # back whole, its row counting no statement (SQLite, PostgreSQL).
        for outcome, counts in ((Outcome.FAILED, (1, 0)),
                                (Outcome.RUNNING, (0, 0)),
                                (Outcome.ABANDONED, (0, 0))):
            self.check(outcome, counts)

    def test_a_database_read_while_another_run_migrates_is_refused(self):
        error = self.assertRaises(exception.MigrationInProgress,
                                  refusals.check_sql_unlocked,
                                  seen(current=['a'], lock_free=False))
        self.assertIn('took the migration lock while the database was read',
                      str(error))
        self.assertIn('run db sync --sql again', str(error))
        refusals.check_sql_unlocked(seen(current=['a']))


class Branched(Graph):
    """a, then expand b and contract c (which depends on b)."""

    heads = ('b', 'c')
    _parents = {'a': None, 'b': 'a', 'c': 'a'}
    _checksums = {'a': 'sum-a', 'b': 'sum-b', 'c': 'sum-c'}

    def applied(self, current):
        found = super().applied(current)
        return found | {'b'} if 'c' in found else found

    @property
    def sides(self):
        return phases.Sides(frozenset({'a', 'b'}), frozenset({'c'}))


class TestPhases(base.BaseTestCase):

    def judge(self, current, left=None):
        judged = state.classify(seen(current), Branched())
        if left is not None:
            judged = status_module.with_data_left(judged, left)
        return judged

    def test_before_expand_an_upgrade_is_pending(self):
        judged = self.judge(['a'])
        self.assertEqual(Status.UPGRADE_PENDING, judged.status)
        self.assertEqual(('b',), judged.expand_pending)
        self.assertEqual(('c',), judged.contract_pending)

    def test_expanded_with_rows_left_data_migrations_are_pending(self):
        judged = self.judge(['b'], {'user_username': 3})
        self.assertEqual(Status.DATA_MIGRATIONS_PENDING, judged.status)
        self.assertEqual({'user_username': 3}, judged.data_migrations)

    def test_expanded_with_no_rows_left_contract_is_pending(self):
        self.assertEqual(Status.CONTRACT_PENDING, self.judge(['b']).status)
        self.assertEqual(Status.CONTRACT_PENDING,
                         self.judge(['b'], {'user_username': 0}).status)

    def test_contract_head_alone_is_at_head(self):
        # Alembic records only the contract head: it depends on b.
        judged = self.judge(['c'])
        self.assertEqual(Status.AT_HEAD, judged.status)
        self.assertEqual(((), ()), (judged.expand_pending,
                                    judged.contract_pending))

    def test_counts_never_hide_a_worse_status(self):
        self.assertEqual(Status.UPGRADE_PENDING,
                         self.judge(['a'], {'user_username': 3}).status)


class TestNextStep(base.BaseTestCase):

    def test_every_status_says_what_to_run(self):
        for status in Status:
            step = state.next_step(state.DatabaseState((), (), status))
            self.assertTrue(step, status)
        self.assertIn('db sync --contract', state.next_step(
            state.DatabaseState((), (), Status.CONTRACT_PENDING)))
