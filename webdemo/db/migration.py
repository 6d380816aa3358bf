"""The core of webdemo's database lifecycle ("db sync").

Every ``webdemo-manage db`` command is a function here that takes an
engine (where it needs a database) and returns or reports its outcome;
the command line only parses arguments, renders results and maps
outcomes to exit codes. Alembic runs the revisions in
webdemo/db/sqlalchemy/alembic/versions; the engine's connection is handed
to its env.py through Config.attributes, never through alembic.ini.

Every command that changes the database first plans what it will do
against the revision scripts, so that bad input is refused before any
statement runs (MySQL commits each DDL statement at once).
"""

import contextlib
import dataclasses
import logging
import os
import time

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic.runtime import environment as alembic_environment
from alembic import script as alembic_script
from alembic import util as alembic_util
from oslo_db import exception as db_exc
import sqlalchemy
from sqlalchemy import exc as sa_exc

from webdemo.conf import database as database_conf
from webdemo.db import api
from webdemo.db import journal
from webdemo.db import legacy
from webdemo.db import lock
from webdemo.db import revisions
from webdemo.db import schema_check
from webdemo.db import statements
from webdemo import exception

LOG = logging.getLogger(__name__)

ALEMBIC_INI = os.path.join(os.path.dirname(__file__), 'sqlalchemy',
                           'alembic.ini')

# The states a database can be in, as get_state reports them. They are
# part of the JSON output: keep them stable.
EMPTY = 'empty'
UPGRADE_PENDING = 'upgrade_pending'
AT_HEAD = 'at_head'
UNKNOWN_REVISION = 'unknown_revision'
UNVERSIONED = 'unversioned'
LEGACY = 'legacy'
INTERRUPTED = 'interrupted'
TAMPERED = 'tampered'

UPGRADE = 'upgrade'
DOWNGRADE = 'downgrade'

DEFAULT_LOCK_TIMEOUT = database_conf.DEFAULT_MIGRATION_LOCK_TIMEOUT


@dataclasses.dataclass(frozen=True)
class DatabaseState:
    """Where a database stands against this code's migrations.

    The field names are part of the JSON output: keep them stable.

    :ivar current: the revisions recorded in the database (may be empty)
    :ivar heads: this code's head revisions
    :ivar status: one of EMPTY, UPGRADE_PENDING, AT_HEAD,
        UNKNOWN_REVISION, UNVERSIONED, LEGACY, INTERRUPTED, TAMPERED
    :ivar unknown: the recorded revisions this code does not know
    :ivar legacy_version: the sqlalchemy-migrate version, for LEGACY
    :ivar legacy_revision: the revision legacy_version maps to, or None
    :ivar interrupted: revisions whose upgrade died or failed half-way;
        the next db sync completes them
    :ivar interrupted_downgrades: revisions whose downgrade died or
        failed half-way; running that db downgrade again completes them
    :ivar tampered: applied revisions whose script changed since
    """
    current: tuple
    heads: tuple
    status: str
    unknown: tuple = ()
    legacy_version: int = None
    legacy_revision: str = None
    interrupted: tuple = ()
    interrupted_downgrades: tuple = ()
    tampered: tuple = ()


def alembic_config_for(connection=None, **attributes):
    """Return an Alembic Config for webdemo's migrations.

    :param connection: a SQLAlchemy connection for env.py to run on
    :param attributes: further Config.attributes for env.py ('url')
    """
    config = alembic_config.Config(ALEMBIC_INI)
    if connection is not None:
        config.attributes['connection'] = connection
    config.attributes.update(attributes)
    return config


def script_directory():
    """Return the Alembic ScriptDirectory of webdemo's revisions."""
    return alembic_script.ScriptDirectory.from_config(alembic_config_for())


# -- Reading the database's state --------------------------------------


def get_state(engine, locked=False):
    """Read the database's revisions and compare them with this code's.

    :param engine: the database's engine
    :param locked: this process holds the migration lock, so any run the
        journal shows as running is dead
    :returns: a DatabaseState
    """
    return _read_state(engine, locked)[0]


def _read_state(engine, locked=False):
    """get_state, and the journal entries it judged by.

    :returns: (DatabaseState, the newest journal entry of each revision;
        {} while another process is migrating)
    """
    script = script_directory()
    # Hold the lock while reading, if it is free: then a journal row still
    # 'running' is certainly dead, and no run can finish meanwhile.
    with lock.probe(engine, locked) as free:
        with engine.connect() as connection:
            # Tables before versions: a revision committing in between
            # looks pending, never like tables without a version.
            tables = set(sqlalchemy.inspect(connection).get_table_names())
            context = alembic_migration.MigrationContext.configure(
                connection)
            current = tuple(sorted(context.get_current_heads()))
            legacy_version = (None if current
                              else legacy.read_version(connection))
            entries = journal.latest_entries(connection)
    heads = tuple(sorted(script.get_heads()))
    if legacy_version is not None:
        return DatabaseState(
            current, heads, LEGACY, legacy_version=legacy_version,
            legacy_revision=legacy.revision_for(legacy_version)), entries
    unknown = tuple(rev for rev in current if not _is_known(script, rev))
    if not free:
        # Another process is migrating: its rows are not leftovers, and on
        # MySQL its tables may show before its version does.
        entries = {}
        tables = tables & schema_check.IGNORED_TABLES
    applied = _applied(script, current) if not unknown else frozenset()
    upgrades, downgrades = _interrupted(entries, applied)
    tampered = () if unknown else _tampered(script, applied, entries)
    status = _status(current, heads, tables, unknown,
                     upgrades + downgrades, tampered)
    return DatabaseState(current, heads, status, unknown,
                         interrupted=upgrades,
                         interrupted_downgrades=downgrades,
                         tampered=tampered), entries


def _status(current, heads, tables, unknown, interrupted, tampered):
    if unknown:
        return UNKNOWN_REVISION
    if interrupted:
        return INTERRUPTED
    if not current:
        return UNVERSIONED if tables - schema_check.IGNORED_TABLES else EMPTY
    if tampered:
        return TAMPERED
    return AT_HEAD if current == heads else UPGRADE_PENDING


def _interrupted(entries, applied):
    """Unfinished journal rows that alembic_version contradicts.

    A row left 'running' by a run that died after its revision committed
    agrees with alembic_version: that revision is done, not interrupted.
    """
    unfinished = journal.unfinished(entries).values()
    upgrades = tuple(sorted(
        entry.revision for entry in unfinished
        if entry.direction == UPGRADE and entry.revision not in applied))
    downgrades = tuple(sorted(
        entry.revision for entry in unfinished
        if entry.direction == DOWNGRADE and entry.revision in applied))
    return upgrades, downgrades


def _tampered(script, applied, entries):
    return tuple(sorted(
        revision for revision, entry in entries.items()
        if revision in applied and entry.direction == UPGRADE
        and entry.outcome == journal.SUCCEEDED and entry.checksum
        and entry.checksum != journal.checksum(
            script.get_revision(revision).path)))


def _is_known(script, revision):
    try:
        return script.get_revision(revision) is not None
    except alembic_util.CommandError:
        return False


def describe(state):
    """Say in a few words where a database stands, for operators."""
    if state.status == LEGACY:
        return (f'sqlalchemy-migrate version {state.legacy_version} '
                '(legacy)')
    current = ', '.join(state.current) or 'no revision'
    return f'{current} ({state.status.replace("_", " ")})'


def check_can_migrate(state):
    """Raise unless migrations can safely run on a database in state.

    :raises webdemo.exception.UnknownDatabaseRevision: the database is at
        a revision this code does not know
    :raises webdemo.exception.UnversionedDatabase: the database has
        tables but no version information, or a legacy version that
        maps to no revision
    """
    if state.status == UNKNOWN_REVISION:
        raise exception.UnknownDatabaseRevision(
            f'the database is at revision {", ".join(state.unknown)}, '
            'which this webdemo does not know: a newer webdemo migrated '
            'it, or its history diverged. Run the webdemo release that '
            'migrated it, or restore a backup taken before.')
    if state.status == UNVERSIONED:
        raise exception.UnversionedDatabase(
            'the database has tables but no version information '
            f'({schema_check.VERSION_TABLE} is missing): it was not '
            'created by webdemo-manage db sync. If you know which revision '
            "its schema matches, record it with 'webdemo-manage db stamp "
            "REVISION'; otherwise point [database] connection at an empty "
            'database.')
    if state.status == LEGACY and state.legacy_revision is None:
        known = ', '.join(map(str, sorted(legacy.REVISIONS)))
        raise exception.UnversionedDatabase(
            'the database is at sqlalchemy-migrate version '
            f'{state.legacy_version}, which matches no revision of this '
            f'webdemo (known legacy versions: {known}). Upgrade it with '
            'the webdemo release that last used sqlalchemy-migrate, or '
            "record its revision with 'webdemo-manage db stamp'.")


def check_not_interrupted(state, direction):
    """Raise if a run in the other direction was left half-done.

    :raises webdemo.exception.InterruptedMigration: it was
    """
    if direction == UPGRADE and state.interrupted_downgrades:
        revisions_ = ', '.join(state.interrupted_downgrades)
        raise exception.InterruptedMigration(
            f'a db downgrade of {revisions_} was interrupted half-way: run '
            'the same db downgrade again to complete it, then db sync.')
    if direction != UPGRADE and state.interrupted:
        raise exception.InterruptedMigration(
            f'an upgrade of {", ".join(state.interrupted)} was interrupted '
            'half-way: run db sync to complete it first.')


def _starting_point(state):
    """The revisions a migration starts from: legacy ones mapped."""
    if state.status == LEGACY:
        return (state.legacy_revision,)
    return state.current


# -- Plans: what a command would do, without touching the database -----


def plan_upgrade(revision, current):
    """Return the revisions an upgrade from current to revision applies.

    :param revision: the target, in any form Alembic accepts (head,
        heads, full or partial id, +N, label@head)
    :param current: the revisions the database is at
    :returns: the Alembic Script of each revision, in the order they run
    :raises webdemo.exception.InvalidRevision: the target is unknown,
        ambiguous or not ahead of current
    """
    with _revision_errors('upgrade to', revision):
        # The planner `alembic upgrade` itself uses; Alembic has no
        # public name for it.
        steps = script_directory()._upgrade_revs(revision, current)
    return [step.revision for step in steps]


def plan_downgrade(revision, current):
    """Return the revisions a downgrade from current to revision undoes.

    :param revision: the target: a revision, base, or -N
    :param current: the revisions the database is at
    :returns: the Alembic Script of each revision, in the order undone
    :raises webdemo.exception.InvalidRevision: the target is unknown,
        ambiguous, or not behind current
    """
    with _revision_errors('downgrade to', revision):
        steps = script_directory()._downgrade_revs(revision, current)
    return [step.revision for step in steps]


class _revision_errors:
    """Turn Alembic's complaints about a revision into InvalidRevision."""

    def __init__(self, action, revision):
        self._what = f'{action} {revision!r}'

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, alembic_util.CommandError):
            raise exception.InvalidRevision(
                f'cannot {self._what}: {error}. See '
                "'webdemo-manage db history' for the revisions.") from error
        return False


# -- Commands that change the database -----------------------------------


def _check_sync(state, target):
    check_can_migrate(state)
    check_not_interrupted(state, UPGRADE)
    return plan_upgrade(target, _starting_point(state))


def sync(engine, revision=None, report=print,
         lock_timeout=DEFAULT_LOCK_TIMEOUT):
    """Upgrade the database to revision, or to the head.

    Idempotent: on a database already there it changes nothing. It holds
    the migration lock throughout; a revision an earlier run left
    half-done is completed first. A legacy sqlalchemy-migrate database is
    first stamped with its matching revision.

    :param engine: the database's engine
    :param revision: the target revision; None means the head(s)
    :param report: called with one line of progress at a time
    :param lock_timeout: seconds to wait for another migration
    :returns: the DatabaseState after the upgrade
    :raises webdemo.exception.UnknownDatabaseRevision: see
        check_can_migrate
    :raises webdemo.exception.UnversionedDatabase: see check_can_migrate
    :raises webdemo.exception.InvalidRevision: revision is unknown,
        ambiguous or not ahead of the database
    :raises webdemo.exception.MigrationLockTimeout: another migration
        held the lock for longer than lock_timeout
    :raises webdemo.exception.MigrationError: a revision failed
    """
    target = revision or 'heads'
    # Everything is decided under the lock, on a state no one else is
    # changing; nothing is written before the first revision runs.
    with _database_errors('db sync'), lock.migration_lock(
            engine, 'db sync', lock_timeout, report):
        state, entries = _read_state(engine, locked=True)
        plan = _check_sync(state, target)
        if state.status == LEGACY:
            _adopt_legacy(engine, state, report)
        elif not plan:
            return _nothing_to_do(state, report)
        _report_recovery(state, report)
        return _migrate(engine, plan, UPGRADE, report, entries)


@contextlib.contextmanager
def _database_errors(command):
    """Report a database failure in the bookkeeping as one line.

    The lock and the journal talk to the database too; their failures
    read like a failing revision's.
    """
    try:
        yield
    except (sa_exc.SQLAlchemyError, db_exc.DBError) as error:
        raise _migration_failed(command, error) from error


def _nothing_to_do(state, report):
    report(f'Nothing to do: the database is at {describe(state)}.')
    return state


def _report_recovery(state, report):
    if state.interrupted:
        report(f'Completing {", ".join(state.interrupted)}, left unfinished '
               'by an earlier run.')


def _adopt_legacy(engine, state, report):
    _run(engine, alembic_command.stamp, state.legacy_revision)
    report(f'Adopted the sqlalchemy-migrate database at version '
           f'{state.legacy_version} as revision {state.legacy_revision}; '
           f'its {legacy.TABLE} table is left as it was.')


def upgrade_sql(engine, revision=None, out=None):
    """Write the SQL an upgrade would run, from the database's revision.

    Nothing is run. Unlike Alembic's own --sql, which starts from base,
    this starts where the database is.

    :param engine: the database's engine (read, never written)
    :param revision: the target revision; None means the head(s)
    :param out: a text stream for the SQL
    """
    state = get_state(engine)
    target = revision or 'heads'
    _check_sync(state, target)
    if state.status == LEGACY:
        out.write(f"-- Legacy database: run 'webdemo-manage db stamp "
                  f"{state.legacy_revision}' before this SQL.\n")
    _write_sql(engine, _starting_point(state), target, out)


def _write_sql(engine, start, target, out):
    config = alembic_config_for(
        url=engine.url.render_as_string(hide_password=False))
    config.output_buffer = out
    script = alembic_script.ScriptDirectory.from_config(config)

    def upgrade(current, context):
        return script._upgrade_revs(target, current)

    with alembic_environment.EnvironmentContext(
            config, script, fn=upgrade, as_sql=True,
            starting_rev=start or None, destination_rev=target):
        script.run_env()


def _check_downgrade(state, revision):
    check_can_migrate(state)
    check_not_interrupted(state, DOWNGRADE)
    if state.status == LEGACY:
        raise exception.InvalidRevision(
            'the database is a legacy sqlalchemy-migrate database; adopt '
            "it with 'webdemo-manage db sync' before downgrading.")
    return plan_downgrade(revision, state.current)


def downgrade(engine, revision, confirmed=False, report=print,
              lock_timeout=DEFAULT_LOCK_TIMEOUT):
    """Undo revisions down to revision, holding the migration lock.

    It reports the revisions it will undo first, and refuses to run
    without confirmation when any of them drops a table or a column.

    :param engine: the database's engine
    :param revision: the target: a revision, base, or -N
    :param confirmed: the operator accepted losing dropped data (--yes)
    :param report: called with one line of progress at a time
    :param lock_timeout: seconds to wait for another migration
    :returns: the DatabaseState after the downgrade
    :raises webdemo.exception.ConfirmationRequired: data would be lost
        and confirmed is false
    """
    with _database_errors('db downgrade'), lock.migration_lock(
            engine, 'db downgrade', lock_timeout, report):
        state, entries = _read_state(engine, locked=True)
        plan = _check_downgrade(state, revision)
        if not plan:
            return _nothing_to_do(state, report)
        _report_plan(plan, report)
        _require_confirmation(plan, confirmed)
        return _migrate(engine, plan, DOWNGRADE, report, entries)


def _report_plan(plan, report):
    for script in plan:
        report(f'Will undo {script.revision} ({revisions.title(script)})')


def _require_confirmation(plan, confirmed):
    drops = [drop for script in plan
             for drop in revisions.downgrade_drops(script.path)]
    if drops and not confirmed:
        raise exception.ConfirmationRequired(
            f'this downgrade drops {", ".join(drops)} and the data in '
            'them: take a backup, then rerun with --yes.')


def _check_stamp(state, revision, purge):
    check_not_interrupted(state, DOWNGRADE)
    with _revision_errors('stamp', revision):
        script_directory().get_revisions(revision)
    if state.status == UNKNOWN_REVISION and not purge:
        raise exception.UnknownDatabaseRevision(
            f'the database is at revision {", ".join(state.unknown)}, '
            'which this webdemo does not know: add --purge to replace it.')


def stamp(engine, revision, purge=False, report=print,
          lock_timeout=DEFAULT_LOCK_TIMEOUT):
    """Record revision as the database's revision, running nothing.

    :param engine: the database's engine
    :param revision: the revision to record (or base, heads)
    :param purge: first delete whatever revisions are recorded, also
        ones this code does not know
    :param report: called with one line of progress at a time
    :param lock_timeout: seconds to wait for another migration
    :returns: the DatabaseState after stamping
    :raises webdemo.exception.InvalidRevision: revision is unknown or
        ambiguous
    :raises webdemo.exception.UnknownDatabaseRevision: the database's
        revision is unknown and purge is false
    """
    with _database_errors('db stamp'), lock.migration_lock(
            engine, 'db stamp', lock_timeout, report):
        state = get_state(engine, locked=True)
        _check_stamp(state, revision, purge)
        _run(engine, alembic_command.stamp, revision, purge=purge)
        final = get_state(engine, locked=True)
    report(f'Stamped: the database is at {describe(final)}, was '
           f'{describe(state)}.')
    return final


def undo_target(script):
    """The Alembic target that undoes one revision, while it is a head."""
    parents = alembic_util.to_tuple(script.down_revision)
    if not parents:
        return 'base'
    if len(parents) > 1:
        # Down to one parent undoes just the merge; both parents stay.
        return parents[0]
    # '<rev>@-1' steps down that revision's own branch only, also while a
    # sibling branch is applied.
    return f'{script.revision}@-1'


def _migrate(engine, plan, direction, report, entries):
    """Run the plan one revision at a time, each journalled.

    :param entries: the journal's newest entry of each revision, read
        under the lock this caller holds
    :returns: the DatabaseState after the plan ran
    """
    unfinished = journal.unfinished(entries)
    with contextlib.closing(journal.Journal(engine)) as log:
        log.mark_dead_runs()
        for script in plan:
            _migrate_one(engine, script, direction, report, log,
                         unfinished.get(script.revision))
    final = get_state(engine, locked=True)
    report(f'Database is at {describe(final)}.')
    return final


def _migrate_one(engine, script, direction, report, log, previous):
    if previous is not None and previous.direction != direction:
        previous = None
    entry = log.start(script, direction, previous)
    tracker = statements.Tracker(
        log if engine.dialect.name == 'mysql' else None, entry, previous)
    started = time.monotonic()
    upgrading = direction == UPGRADE
    try:
        _run(engine,
             alembic_command.upgrade if upgrading
             else alembic_command.downgrade,
             script.revision if upgrading else undo_target(script),
             tracker=tracker)
    except BaseException as error:
        outcome = (journal.FAILED if isinstance(error, Exception)
                   and not _connection_lost(error) else journal.INTERRUPTED)
        # Best effort: with the connection lost, the row stays 'running'
        # and the next run, under the lock, counts it as interrupted.
        with contextlib.suppress(sa_exc.SQLAlchemyError, db_exc.DBError):
            log.finish(entry, outcome, time.monotonic() - started,
                       str(error))
        raise
    duration = time.monotonic() - started
    log.finish(entry, journal.SUCCEEDED, duration)
    report(f'{"Applied" if upgrading else "Reverted"} {script.revision} '
           f'({revisions.title(script)}) in {duration:.3f}s')


def _connection_lost(error):
    """Whether error, or what caused it, is a dropped connection.

    The server may have finished the statement it was running: its fate
    is unknown, as after a crash, not known-failed.
    """
    while error is not None:
        if isinstance(error, db_exc.DBConnectionError) or getattr(
                error, 'connection_invalidated', False):
            return True
        error = error.__cause__ or getattr(error, 'inner_exception', None)
    return False


def _run(engine, command, target, tracker=None, **options):
    with engine.connect() as connection:
        config = alembic_config_for(connection)
        # Taken now: after an interrupt the connection is invalidated and
        # would report a new session's id.
        session = _mysql_session_id(engine, connection)
        if tracker is not None:
            tracker.attach(connection)
        try:
            command(config, target, **options)
            connection.commit()
        except (sa_exc.SQLAlchemyError, db_exc.DBError) as error:
            raise _migration_failed(f'revision {target}', error) from error
        except KeyboardInterrupt:
            _cancel_statement(engine, session)
            raise


def _mysql_session_id(engine, connection):
    if engine.dialect.name != 'mysql':
        return None
    session = connection.exec_driver_sql('SELECT CONNECTION_ID()').scalar()
    # End the transaction the query began: Alembic treats a connection
    # already in one as managed by its caller, and would not commit each
    # revision as it goes.
    connection.rollback()
    return session


def _cancel_statement(engine, session):
    """Stop the statement the server may still be running for us.

    MySQL goes on with a statement whose client has gone; a DDL waiting
    for a lock would then run after an interrupted command, applying half
    a revision. PostgreSQL and SQLite roll the revision's transaction back
    when the connection closes, so only MySQL needs this.
    """
    if session is None:
        return
    try:
        with engine.connect() as other:
            other.exec_driver_sql(f'KILL QUERY {int(session)}')
    except (sa_exc.SQLAlchemyError, db_exc.DBError):
        LOG.warning('could not cancel the interrupted statement',
                    exc_info=True)


_PERMISSION_DENIED = ('command denied', 'permission denied',
                      'access denied', 'insufficient privilege')


def _migration_failed(what, error):
    """The one-line MigrationError for a database error while `what` ran.

    :param what: 'revision <id>', or the command whose bookkeeping (the
        lock, the journal) failed
    """
    reason = api.driver_message(error)
    denied = any(word in reason.lower() for word in _PERMISSION_DENIED)
    advice = ("grant the user in [database] connection the right to create "
              'and alter tables' if denied else 'fix the cause')
    return exception.MigrationError(
        f'{what} failed: {reason}; {advice}, then run the command again.')


# -- Commands that only read ---------------------------------------------


def history(engine, revision_range=None):
    """Every revision in revision_range, newest first, applied marked.

    :param engine: the database's engine, to mark applied revisions
    :param revision_range: 'START:END' (either may be empty, or
        'current'); None means the whole history
    :returns: (DatabaseState, list of revisions.RevisionInfo)
    :raises webdemo.exception.InvalidRevision: a malformed range or an
        unknown revision in it
    """
    state, entries = _read_state(engine)
    script = script_directory()
    base, head = _parse_range(revision_range, state)
    applied = (frozenset() if state.status == UNKNOWN_REVISION
               else _applied(script, _starting_point(state)))
    with _revision_errors('show history for', revision_range):
        walked = list(script.walk_revisions(base, head))
    return state, [revisions.info(rev, applied, entries.get(rev.revision))
                   for rev in walked]


def _parse_range(revision_range, state):
    if revision_range is None:
        return 'base', 'heads'
    if revision_range.count(':') != 1:
        raise exception.InvalidRevision(
            f'history range {revision_range!r} is malformed: write it as '
            'START:END, e.g. base:head or current:heads.')
    start, end = revision_range.split(':')
    return (_range_end(start, state) or 'base',
            _range_end(end, state) or 'heads')


def _range_end(name, state):
    if name != 'current':
        return name
    if len(state.current) != 1:
        raise exception.InvalidRevision(
            "'current' in a range needs a database at exactly one "
            f'revision; it is at {describe(state)}.')
    return state.current[0]


def _applied(script, current):
    return frozenset(rev.revision for head in current if head
                     for rev in script.walk_revisions('base', head))


def heads():
    """This code's head revisions, as RevisionInfo."""
    script = script_directory()
    return [revisions.info(script.get_revision(head))
            for head in script.get_heads()]


def branches():
    """The revisions that more than one revision builds on."""
    return [revisions.info(rev) for rev in script_directory()
            .walk_revisions() if rev.is_branch_point]


def show(revision):
    """One revision, by any name Alembic accepts, as RevisionInfo.

    :raises webdemo.exception.InvalidRevision: unknown or ambiguous
    """
    with _revision_errors('show', revision):
        found = script_directory().get_revisions(revision)
    if len(found) != 1:
        raise exception.InvalidRevision(
            f'{revision!r} names {len(found)} revisions; name one.')
    return revisions.info(found[0])


def check(engine):
    """Compare the live schema with the models, and scripts with journal.

    An applied revision whose script changed since it ran is reported
    as a difference of its own kind (schema_check.CHANGED_SCRIPT).

    :returns: a list of schema_check.Difference; empty when all match
    """
    state = get_state(engine)
    with engine.connect() as connection:
        found = schema_check.compare(connection)
    return [schema_check.changed_script(revision)
            for revision in state.tampered] + found


# -- Commands for developers ---------------------------------------------


def new_revision(message, autogenerate=False, engine=None):
    """Write a new revision file into the package's versions directory.

    :param message: the revision's title
    :param autogenerate: fill it in from the differences between the
        models and the database behind engine, which must be at head
    :returns: the new file's path
    :raises webdemo.exception.UpgradePending: autogenerate on a database
        that is not at head
    :raises webdemo.exception.InvalidRevision: the history has several
        heads (merge them first)
    """
    if not autogenerate:
        with _revision_errors('write a revision after', 'head'):
            return alembic_command.revision(alembic_config_for(),
                                            message=message).path
    state = get_state(engine)
    if state.status != AT_HEAD:
        raise exception.UpgradePending(
            f'autogenerate compares the models with a database at head; '
            f'this one is at {describe(state)}: run db sync first.')
    with engine.connect() as connection, _revision_errors(
            'write a revision after', 'head'):
        return alembic_command.revision(alembic_config_for(connection),
                                        message=message,
                                        autogenerate=True).path


def merge(revisions_to_merge, message):
    """Write a revision that merges several heads; returns its path."""
    with _revision_errors('merge', ' '.join(revisions_to_merge)):
        return alembic_command.merge(alembic_config_for(),
                                     list(revisions_to_merge),
                                     message=message).path
