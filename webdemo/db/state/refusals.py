"""What a changing command refuses, given a judged DatabaseState: pure.

judge.py says where a database stands; each check here raises, naming
the cause and the fix, when a command must not go on from there: a
revision this code does not know, tables without a version, a run left
half-done in the other direction, or (db sync --sql) an upgrade whose
SQL would repeat what an earlier run applied or start where a running
one has got to. migration.py asks them before any statement runs; they
are unit-tested in memory with judge.py (tests/unit/state/test_judge.py).
"""

from webdemo.db import bookkeeping
from webdemo.db.execution import journal
from webdemo.db.execution.journal import Direction
from webdemo.db.state.judge import Status
from webdemo.db.state import legacy
from webdemo import exception


def check_can_migrate(state):
    """Raise unless migrations can safely run on a database in state.

    :raises webdemo.exception.UnknownDatabaseRevision: the database is at
        a revision this code does not know
    :raises webdemo.exception.UnversionedDatabase: the database has
        tables but no version information, or a legacy version that
        maps to no revision
    """
    if state.status == Status.UNKNOWN_REVISION:
        raise exception.UnknownDatabaseRevision(state.unknown)
    if state.status == Status.UNVERSIONED:
        raise exception.UnversionedDatabase(bookkeeping.VERSION_TABLE)
    if state.status == Status.LEGACY and state.legacy_revision is None:
        raise exception.UnmappedLegacyVersion(state.legacy_version,
                                              sorted(legacy.REVISIONS))


def check_sql_can_start(state, entries):
    """Raise if an upgrade's SQL would run statements already applied.

    The SQL of each revision is written whole. A revision an earlier run
    left with a DDL statement done, or perhaps done (MySQL, where each
    DDL statement commits by itself), would have it run twice by hand;
    db sync completes the revision, skipping what is done
    (statements.py). A run that failed on its first DDL statement, or
    that left nothing (SQLite and PostgreSQL roll a revision back
    whole), is written whole. Statements that change rows are not
    counted, here as in db sync's replay.

    :param state: the DatabaseState read without the lock; while a run
        holds it, its rows are that run's, and none is interrupted
    :param entries: the journal's newest entry of each revision
    :raises webdemo.exception.InterruptedMigration: such a revision
    """
    partly = tuple(revision for revision in state.interrupted
                   if journal.carried_counts(entries[revision]).started)
    if partly:
        raise exception.InterruptedMigration(Direction.UPGRADE.value,
                                             partly)


def check_not_interrupted(state, direction):
    """Raise if a run in the other direction was left half-done.

    :raises webdemo.exception.InterruptedMigration: it was
    """
    if direction == Direction.UPGRADE and state.interrupted_downgrades:
        raise exception.InterruptedMigration(Direction.DOWNGRADE.value,
                                             state.interrupted_downgrades)
    if direction == Direction.DOWNGRADE and state.interrupted:
        raise exception.InterruptedMigration(Direction.UPGRADE.value,
                                             state.interrupted)


def check_sql_unlocked(seen):
    """Raise if another command held the migration lock as seen was read.

    db sync --sql waits for the lock to be free and reads under a probe
    (lock.probe_when_free), which on Galera only reads the lease: a run
    may take it during the read. The version rows then move under it,
    and SQL written from them would start wherever that run had got to:
    run by hand after it, it would repeat what the run applied.

    :param seen: the state.Observation read by reader.observe_unlocked
    :raises webdemo.exception.MigrationInProgress: another command took
        the lock during the read
    """
    if not seen.lock_free:
        raise exception.MigrationInProgress()
