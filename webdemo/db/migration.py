"""The core of webdemo's database lifecycle ("db sync").

Every ``webdemo-manage db`` command is a function here that takes an
engine and returns or reports its outcome; the command line only parses
arguments and maps outcomes to exit codes. Alembic runs the revisions in
webdemo/db/sqlalchemy/alembic/versions; the engine's connection is handed
to its env.py through Config.attributes, never through alembic.ini.
"""

import dataclasses
import os
import time

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from alembic import util as alembic_util
from oslo_db import exception as db_exc
import sqlalchemy
from sqlalchemy import exc as sa_exc

from webdemo import exception

ALEMBIC_INI = os.path.join(os.path.dirname(__file__), 'sqlalchemy',
                           'alembic.ini')
VERSION_TABLE = 'alembic_version'

# The states a database can be in, as get_state reports them.
EMPTY = 'empty'
UPGRADE_PENDING = 'upgrade pending'
AT_HEAD = 'at head'
UNKNOWN_REVISION = 'unknown revision'
UNVERSIONED = 'unversioned'


@dataclasses.dataclass(frozen=True)
class DatabaseState:
    """Where a database stands against this code's migrations.

    :ivar current: the revisions recorded in the database (may be empty)
    :ivar heads: this code's head revisions
    :ivar status: one of EMPTY, UPGRADE_PENDING, AT_HEAD,
        UNKNOWN_REVISION, UNVERSIONED
    :ivar unknown: the recorded revisions this code does not know
    """
    current: tuple
    heads: tuple
    status: str
    unknown: tuple = ()


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


def get_state(engine):
    """Read the database's revisions and compare them with this code's.

    :param engine: the database's engine
    :returns: a DatabaseState
    """
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        current = tuple(sorted(context.get_current_heads()))
        tables = set(sqlalchemy.inspect(connection).get_table_names())
    script = script_directory()
    heads = tuple(sorted(script.get_heads()))
    unknown = tuple(rev for rev in current if not _is_known(script, rev))
    if not current:
        status = UNVERSIONED if tables - {VERSION_TABLE} else EMPTY
    elif unknown:
        status = UNKNOWN_REVISION
    elif current == heads:
        status = AT_HEAD
    else:
        status = UPGRADE_PENDING
    return DatabaseState(current, heads, status, unknown)


def _is_known(script, revision):
    try:
        return script.get_revision(revision) is not None
    except alembic_util.CommandError:
        return False


def check_can_migrate(state):
    """Raise unless migrations can safely run on a database in state.

    :raises webdemo.exception.UnknownDatabaseRevision: the database is at
        a revision this code does not know
    :raises webdemo.exception.UnversionedDatabase: the database has
        tables but no version information
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
            f'({VERSION_TABLE} is missing): it was not created by '
            'webdemo-manage db sync. Point [database] connection at an '
            'empty database, or at the one webdemo created.')


class _ProgressReport:
    """Alembic on_version_apply callback: one line per applied revision."""

    def __init__(self, report):
        self._report = report
        self._since = time.monotonic()
        self.applied = []

    def __call__(self, ctx, step, heads, run_args):
        now = time.monotonic()
        revision = step.up_revision
        self.applied.append(revision.revision)
        self._report(f'Applied {revision.revision} '
                     f'({_summary(revision)}) in {now - self._since:.3f}s')
        self._since = now


def _summary(revision):
    lines = (revision.doc or '').strip().splitlines()
    return lines[0] if lines else ''


def plan_upgrade(revision, current):
    """Return the revisions an upgrade from current to revision applies.

    Nothing touches the database: the plan is how a bad target is refused
    before any DDL runs (MySQL commits each DDL statement at once).

    :param revision: the target, in any form Alembic accepts (head,
        heads, full or partial id, +N, label@head)
    :param current: the revisions the database is at
    :returns: the revision ids, in the order they would run
    :raises webdemo.exception.InvalidRevision: the target is unknown,
        ambiguous or not ahead of current
    """
    try:
        # The planner `alembic upgrade` itself uses; Alembic has no
        # public name for it.
        steps = script_directory()._upgrade_revs(revision, current)
    except alembic_util.CommandError as error:
        raise exception.InvalidRevision(
            f'cannot upgrade to {revision!r}: {error}. Name a revision '
            'ahead of the database (see the versions directory), or omit '
            'it to upgrade to the head.') from error
    return [step.revision for step in steps]


def sync(engine, revision=None, report=print):
    """Upgrade the database to revision, or to the head.

    Idempotent: on a database already there it changes nothing.

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
    if not plan_upgrade(target, state.current):
        report(f'Nothing to do: the database is at {describe(state)}.')
        return state
    progress = _ProgressReport(report)
    _run_upgrade(engine, target, progress)
    final = get_state(engine)
    report(f'Database is at {describe(final)}.')
    return final


def _run_upgrade(engine, target, progress):
    with engine.connect() as connection:
        config = alembic_config_for(connection, on_version_apply=progress)
        try:
            alembic_command.upgrade(config, target)
            connection.commit()
        except (sa_exc.SQLAlchemyError, db_exc.DBError) as error:
            raise _migration_failed(progress.applied, error) from error


def _migration_failed(applied, error):
    reason = ' '.join(str(getattr(error, 'orig', None) or error).split())
    done = ', '.join(applied) if applied else 'none'
    return exception.MigrationError(
        f'a migration failed: {reason} (revisions applied before the '
        f'failure: {done}). Fix the cause and run db sync again.')


def describe(state):
    """Say in a few words where a database stands, for operators."""
    current = ', '.join(state.current) or 'no revision'
    return f'{current} ({state.status})'
