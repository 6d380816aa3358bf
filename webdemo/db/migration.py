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

from webdemo.db import api
from webdemo.db import legacy
from webdemo.db import revisions
from webdemo.db import schema_check
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


@dataclasses.dataclass(frozen=True)
class DatabaseState:
    """Where a database stands against this code's migrations.

    The field names are part of the JSON output: keep them stable.

    :ivar current: the revisions recorded in the database (may be empty)
    :ivar heads: this code's head revisions
    :ivar status: one of EMPTY, UPGRADE_PENDING, AT_HEAD,
        UNKNOWN_REVISION, UNVERSIONED, LEGACY
    :ivar unknown: the recorded revisions this code does not know
    :ivar legacy_version: the sqlalchemy-migrate version, for LEGACY
    :ivar legacy_revision: the revision legacy_version maps to, or None
    """
    current: tuple
    heads: tuple
    status: str
    unknown: tuple = ()
    legacy_version: int = None
    legacy_revision: str = None


def alembic_config_for(connection=None, **attributes):
    """Return an Alembic Config for webdemo's migrations.

    :param connection: a SQLAlchemy connection for env.py to run on
    :param attributes: further Config.attributes for env.py ('url',
        'on_version_apply')
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


def get_state(engine):
    """Read the database's revisions and compare them with this code's.

    :param engine: the database's engine
    :returns: a DatabaseState
    """
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        current = tuple(sorted(context.get_current_heads()))
        tables = set(sqlalchemy.inspect(connection).get_table_names())
        legacy_version = None if current else legacy.read_version(connection)
    script = script_directory()
    heads = tuple(sorted(script.get_heads()))
    if legacy_version is not None:
        return DatabaseState(
            current, heads, LEGACY, legacy_version=legacy_version,
            legacy_revision=legacy.revision_for(legacy_version))
    unknown = tuple(rev for rev in current if not _is_known(script, rev))
    return DatabaseState(current, heads,
                         _status(current, heads, unknown, tables), unknown)


def _status(current, heads, unknown, tables):
    if not current:
        return UNVERSIONED if tables - schema_check.IGNORED_TABLES else EMPTY
    if unknown:
        return UNKNOWN_REVISION
    return AT_HEAD if current == heads else UPGRADE_PENDING


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


class _ProgressReport:
    """Alembic on_version_apply callback: one line per revision run."""

    def __init__(self, report):
        self._report = report
        self._since = time.monotonic()
        self.done = []

    def __call__(self, ctx, step, heads, run_args):
        now = time.monotonic()
        if not step.is_stamp:
            script = step.up_revision
            verb = 'Applied' if step.is_upgrade else 'Reverted'
            self.done.append(script.revision)
            self._report(f'{verb} {script.revision} '
                         f'({revisions.title(script)}) in '
                         f'{now - self._since:.3f}s')
        self._since = now


def sync(engine, revision=None, report=print):
    """Upgrade the database to revision, or to the head.

    Idempotent: on a database already there it changes nothing. A legacy
    sqlalchemy-migrate database is first stamped with its matching
    revision.

    :param engine: the database's engine
    :param revision: the target revision; None means the head(s)
    :param report: called with one line of progress at a time
    :returns: the DatabaseState after the upgrade
    :raises webdemo.exception.UnknownDatabaseRevision: see
        check_can_migrate
    :raises webdemo.exception.UnversionedDatabase: see check_can_migrate
    :raises webdemo.exception.InvalidRevision: revision is unknown,
        ambiguous or not ahead of the database
    :raises webdemo.exception.MigrationError: a revision failed
    """
    state = get_state(engine)
    check_can_migrate(state)
    target = revision or 'heads'
    plan = plan_upgrade(target, _starting_point(state))
    if state.status == LEGACY:
        _adopt_legacy(engine, state, report)
    elif not plan:
        report(f'Nothing to do: the database is at {describe(state)}.')
        return state
    _run(engine, alembic_command.upgrade, target, report)
    final = get_state(engine)
    report(f'Database is at {describe(final)}.')
    return final


def _adopt_legacy(engine, state, report):
    _run(engine, alembic_command.stamp, state.legacy_revision, report)
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
    check_can_migrate(state)
    start = _starting_point(state)
    target = revision or 'heads'
    plan_upgrade(target, start)
    if state.status == LEGACY:
        out.write(f"-- Legacy database: run 'webdemo-manage db stamp "
                  f"{state.legacy_revision}' before this SQL.\n")
    _write_sql(engine, start, target, out)


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


def downgrade(engine, revision, confirmed=False, report=print):
    """Undo revisions down to revision.

    It reports the revisions it will undo first, and refuses to run
    without confirmation when any of them drops a table or a column.

    :param engine: the database's engine
    :param revision: the target: a revision, base, or -N
    :param confirmed: the operator accepted losing dropped data (--yes)
    :param report: called with one line of progress at a time
    :returns: the DatabaseState after the downgrade
    :raises webdemo.exception.ConfirmationRequired: data would be lost
        and confirmed is false
    """
    state = get_state(engine)
    check_can_migrate(state)
    if state.status == LEGACY:
        raise exception.InvalidRevision(
            'the database is a legacy sqlalchemy-migrate database; adopt '
            "it with 'webdemo-manage db sync' before downgrading.")
    plan = plan_downgrade(revision, state.current)
    if not plan:
        report(f'Nothing to do: the database is at {describe(state)}.')
        return state
    for script in plan:
        report(f'Will undo {script.revision} ({revisions.title(script)})')
    _require_confirmation(plan, confirmed)
    _run(engine, alembic_command.downgrade, revision, report)
    final = get_state(engine)
    report(f'Database is at {describe(final)}.')
    return final


def _require_confirmation(plan, confirmed):
    drops = [drop for script in plan
             for drop in revisions.downgrade_drops(script.path)]
    if drops and not confirmed:
        raise exception.ConfirmationRequired(
            f'this downgrade drops {", ".join(drops)} and the data in '
            'them: take a backup, then rerun with --yes.')


def stamp(engine, revision, purge=False, report=print):
    """Record revision as the database's revision, running nothing.

    :param engine: the database's engine
    :param revision: the revision to record (or base, heads)
    :param purge: first delete whatever revisions are recorded, also
        ones this code does not know
    :param report: called with one line of progress at a time
    :returns: the DatabaseState after stamping
    :raises webdemo.exception.InvalidRevision: revision is unknown or
        ambiguous
    :raises webdemo.exception.UnknownDatabaseRevision: the database's
        revision is unknown and purge is false
    """
    state = get_state(engine)
    with _revision_errors('stamp', revision):
        script_directory().get_revisions(revision)
    if state.status == UNKNOWN_REVISION and not purge:
        raise exception.UnknownDatabaseRevision(
            f'the database is at revision {", ".join(state.unknown)}, '
            'which this webdemo does not know: add --purge to replace it.')
    _run(engine, alembic_command.stamp, revision, report, purge=purge)
    final = get_state(engine)
    report(f'Stamped: the database is at {describe(final)}, was '
           f'{describe(state)}.')
    return final


def _run(engine, command, target, report, **options):
    progress = _ProgressReport(report)
    with engine.connect() as connection:
        config = alembic_config_for(connection, on_version_apply=progress)
        # Taken now: after an interrupt the connection is invalidated and
        # would report a new session's id.
        session = _mysql_session_id(engine, connection)
        try:
            command(config, target, **options)
            connection.commit()
        except (sa_exc.SQLAlchemyError, db_exc.DBError) as error:
            raise _migration_failed(progress.done, error) from error
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


def _migration_failed(done, error):
    reason = api.driver_message(error)
    denied = any(word in reason.lower() for word in _PERMISSION_DENIED)
    advice = ("grant the user in [database] connection the right to create "
              'and alter tables' if denied else 'fix the cause')
    return exception.MigrationError(
        f'a migration failed: {reason} (revisions completed before the '
        f'failure: {", ".join(done) or "none"}); {advice}, then run the '
        'command again.')


_PERMISSION_DENIED = ('command denied', 'permission denied',
                      'access denied', 'insufficient privilege')


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
    state = get_state(engine)
    script = script_directory()
    base, head = _parse_range(revision_range, state)
    applied = _applied(script, _starting_point(state), state)
    with _revision_errors('show history for', revision_range):
        walked = list(script.walk_revisions(base, head))
    return state, [revisions.info(rev, applied) for rev in walked]


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


def _applied(script, current, state):
    if state.status == UNKNOWN_REVISION:
        return frozenset()
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
    """Compare the live schema with the models.

    :returns: a list of schema_check.Difference; empty when they match
    """
    with engine.connect() as connection:
        return schema_check.compare(connection)


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
