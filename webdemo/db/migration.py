"""The db commands that change the database: where ``db sync`` is.

sync (and its --sql), downgrade, stamp and online_data_migrations are
one short function each here; the commands that only read are in
inspection.py, the developers' in authoring.py. The command line only
parses arguments, renders results and maps outcomes to exit codes. The
work is done by the modules each function calls
(doc/source/architecture.rst draws them):

- scripts.py: the revision graph and the plans over it;
- held.py: how every changing command starts (the migration lock taken,
  the state read and judged under it);
- upgrade.py: the rest of a db sync once it holds the lock and has its
  plan (expand, the data, the contract gate, contract);
- runner.py runs a plan, one journalled revision at a time.

Every command that changes the database plans against the revision
scripts on the state held.py read under the lock, before any statement
runs, so that bad input is refused having changed nothing (MySQL
commits each DDL statement at once).
"""

import functools

from webdemo.db import backends
from webdemo.db.execution.journal import Direction
from webdemo.db.execution import lock_wait
from webdemo.db.execution import offline
from webdemo.db.execution import runner
from webdemo.db.history import checkpoint_plan
from webdemo.db.history import checkpoints
from webdemo.db.history import phases
from webdemo.db.history import revisions
from webdemo.db.history import scripts as scripts_module
from webdemo.db.locking import lock
from webdemo.db.rolling import contract_gate
from webdemo.db.rolling import online_migrations
from webdemo.db.rolling import upgrade
from webdemo.db.state import held as held_module
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import reader
from webdemo.db.state import refusals
from webdemo.db.state import status
from webdemo import exception

DEFAULT_LOCK = lock.Settings()
DEFAULT_DDL_GUARD = lock_wait.Settings()


def _holding(engine, command, lock_settings, report, first_look=None):
    """held.holding, with the scripts loaded once for the command.

    :param first_look: the held.FirstLook of a whole db sync, or None
    """
    graph, lock_engine = (first_look.graph, first_look.engine) if (
        first_look is not None) else (None, None)
    return held_module.holding(engine, command, lock_settings, report,
                               scripts_module.Scripts.load(graph=graph),
                               lock_engine)


def _check_sync(state, scripts, target):
    refusals.check_can_migrate(state)
    refusals.check_not_interrupted(state, Direction.UPGRADE)
    return scripts.upgrade_plan(target, judge.starting_point(state))


def sync(engine, revision=None, phase=None, report=print,
         lock_settings=DEFAULT_LOCK, ddl_guard=DEFAULT_DDL_GUARD,
         data_settings=None, progress=online_migrations.NoProgress(),
         checkpoint=True, first_look=None):
    """Upgrade the database: every phase, one phase, or to a revision.

    Idempotent: on a database already there it changes nothing. A
    revision an earlier run left half-done is completed first; a legacy
    sqlalchemy-migrate database is first stamped with its revision.
    Contract revisions run only once the expand phase is complete and
    the online data migrations have no rows left (phases.py).

    :param engine: the database's engine
    :param revision: the target revision; None means the head(s)
    :param phase: phases.EXPAND or phases.CONTRACT: upgrade that phase to
        its head. Neither, and no revision: expand, then the online data
        migrations, then contract (the offline upgrade)
    :param report: called with one line of progress at a time
    :param lock_settings: a lock.Settings: how long to wait for another
        migration, and the lease on Galera
    :param ddl_guard: a lock_wait.Settings: how long a statement may wait
        for a table lock, and how often to retry
    :param data_settings: an online_migrations.Settings, for the online data
        migrations the whole upgrade runs
    :param progress: shows them moving the data (online_migrations.run)
    :param checkpoint: an empty database starts from the newest
        checkpoint at or below the target (history/checkpoints.py);
        False replays every revision
    :param first_look: what held.work_to_sync found, if the caller
        asked it: the revision graph it read, and the engine it
        connected, which then holds the lock; None
    :returns: the DatabaseState after the upgrade
    :raises webdemo.exception.WebdemoError: the subclass names why it
        refused (unknown revision, unversioned, invalid target, lock
        timeout, interrupted downgrade, contract not ready) or that a
        revision failed
    """
    whole = _is_whole(phase, revision)
    target = phases.target(phase) if phase else revision or 'heads'
    with _holding(engine, 'db sync', lock_settings, report,
                  first_look) as held:
        plan = _from_checkpoint(
            held.state, _check_sync(held.state, held.graph, target),
            checkpoint, held.graph)
        return upgrade.run(
            engine, held, phases.split(plan, held.graph.sides),
            upgrade.Options(report, ddl_guard,
                            _data_to_move(whole, data_settings), progress))


def _from_checkpoint(state, plan, allowed, graph):
    """plan, from a checkpoint where it may (checkpoint_plan)."""
    return checkpoint_plan.for_upgrade(state, plan, checkpoints.load,
                                       allowed, graph)


def build(engine, revision=None, report=print):
    """Build an empty scratch database up to revision (default: heads).

    For db checkpoint, which reads back what the history builds. Below
    the contract gate, which guards a deployment's running services: a
    scratch database has none, and a checkpoint may stand at any
    revision. It starts from the newest checkpoint the plan covers, the
    only way past revisions this release retired.

    :raises webdemo.exception.ConfigurationError: the database is not
        empty
    """
    with _holding(engine, 'db checkpoint', DEFAULT_LOCK, report) as held:
        if held.state.status != Status.EMPTY:
            raise exception.ConfigurationError(
                'db checkpoint replays the history on an empty database; '
                f'{engine.url.render_as_string(hide_password=True)} is at '
                f'{judge.describe(held.state)}: give an empty one.')
        plan = _from_checkpoint(
            held.state, _check_sync(held.state, held.graph,
                                    revision or 'heads'), True, held.graph)
        held_module.begin_changes(engine, held)
        runner.run_plan(held.backend, held.graph, plan, Direction.UPGRADE,
                        held.entries, report)


def _data_to_move(whole, data_settings):
    """The settings to move the data with; None for a partial sync."""
    if not whole:
        return None
    return data_settings or online_migrations.Settings()


def _is_whole(phase, revision):
    """Is this the whole upgrade: expand, data, contract in one go?"""
    return phase is None and revision in (None, 'heads')


def upgrade_sql(engine, revision=None, phase=None, out=None,
                checkpoint=True, lock_settings=DEFAULT_LOCK, report=print):
    """Write the SQL an upgrade would run, from the database's revision.

    Nothing is run. Unlike Alembic's own --sql, which starts from base,
    this starts where the database is; a revision an earlier run left
    with statements applied is refused (refusals.check_sql_can_start), as
    its SQL would run them again. While another command holds the
    migration lock it waits, as db sync does, so that the SQL starts
    where that run ended; on Galera, a run that takes the lease during
    the read is refused (refusals.check_sql_unlocked). The contract
    part, if any, comes last, after a comment saying to run the online
    data migrations first; it is refused as db sync would refuse it.

    :param engine: the database's engine (read, never written)
    :param revision: the target revision; None means the head(s)
    :param phase: phases.EXPAND or phases.CONTRACT, as for sync
    :param out: a text stream for the SQL
    :param checkpoint: as for sync
    :param lock_settings: how long to wait for the migration lock
    :param report: called with a line when it has to wait
    :raises webdemo.exception.MigrationLockTimeout: another command held
        the lock for longer than lock_settings.timeout
    """
    scripts = scripts_module.Scripts.load()
    seen = reader.observe_unlocked(engine, functools.partial(
        lock.probe_when_free, settings=lock_settings, report=report))
    refusals.check_sql_unlocked(seen)
    state = judge.classify(seen, scripts)
    target = phases.target(phase) if phase else revision or 'heads'
    plan = _check_sync(state, scripts, target)
    refusals.check_sql_can_start(state, seen.entries)
    plan = _from_checkpoint(state, plan, checkpoint, scripts)
    expand, contract = phases.split(plan, scripts.sides)
    if contract:
        # As db sync asks (upgrade.run): only the whole upgrade runs
        # expand first and moves the data before it counts.
        whole = _is_whole(phase, revision)
        contract_gate.require_ready(contract_gate.Question(
            engine, state, scripts, contract,
            planned=expand if whole else (), count_data=not whole))
    if state.status == Status.LEGACY:
        out.write(f"-- Legacy database: run 'webdemo-manage db stamp "
                  f"{state.legacy_revision}' before this SQL.\n")
    offline.write_upgrade_sql(
        scripts, engine.url.render_as_string(hide_password=False),
        judge.starting_point(state), (expand, contract), out)


def upgrade_sql_for(dialect, revision=None, phase=None, out=None,
                    checkpoint=True):
    """Write the SQL of an upgrade for a kind of database, reading none.

    Alembic's offline mode, for SQL to be run by hand where webdemo
    cannot connect: from START, taken as applied, to END. No database
    says where it stands, so nothing is checked: the contract part comes
    after the same comment as upgrade_sql() writes, and running it
    before the online data migrations is the reader's to avoid.

    :param dialect: a name of backends.DIALECTS
    :param revision: 'END' or 'START:END', in any form Alembic accepts;
        START 'base' or left out: an empty database; END left out: the
        heads
    :param phase: phases.EXPAND or phases.CONTRACT, instead of END
    :param out: a text stream for the SQL
    :param checkpoint: from an empty database, start from the newest
        checkpoint at or below END (as sync does)
    """
    scripts = scripts_module.Scripts.load()
    start, _, end = (revision or '').rpartition(':')
    start = (() if start in ('', 'base') else tuple(
        script.revision for script in scripts.resolve(start, 'start from')))
    plan = _from_checkpoint(
        judge.DatabaseState(start, scripts.heads, Status.UPGRADE_PENDING
                            if start else Status.EMPTY),
        scripts.upgrade_plan(
            phases.target(phase) if phase else end or 'heads', start),
        checkpoint, scripts)
    offline.write_upgrade_sql(scripts, backends.offline_url(dialect), start,
                              phases.split(plan, scripts.sides), out)


def downgrade(engine, revision, confirmed=False, report=print,
              lock_settings=DEFAULT_LOCK, ddl_guard=DEFAULT_DDL_GUARD):
    """Undo revisions down to revision, holding the migration lock.

    It reports the revisions it will undo first, and refuses to run
    without confirmation when any of them drops a table or a column.

    :param engine: the database's engine
    :param revision: the target: a revision, base, or -N
    :param confirmed: the operator accepted losing dropped data (--yes)
    :param report: called with one line of progress at a time
    :param lock_settings: a lock.Settings: how long to wait for another
        migration, and the lease on Galera
    :param ddl_guard: a lock_wait.Settings, as for sync
    :returns: the DatabaseState after the downgrade
    :raises webdemo.exception.ConfirmationRequired: data would be lost
        and confirmed is false
    """
    with _holding(engine, 'db downgrade', lock_settings, report) as held:
        plan = _check_downgrade(held.state, held.graph, revision)
        if not plan:
            return held_module.nothing_to_do(held.state, report)
        for script in plan:
            report(f'Will undo {script.revision} '
                   f'({revisions.title(script)})')
        drops = [drop for script in plan
                 for drop in revisions.downgrade_drops(script.path)]
        if drops and not confirmed:
            raise exception.ConfirmationRequired(drops)
        held_module.begin_changes(engine, held)
        runner.run_plan(held.backend, held.graph, plan, Direction.DOWNGRADE,
                        held.entries, report, ddl_guard)
        final = judge.classify(reader.observe(engine), held.graph)
        report(f'Database is at {judge.describe(final)}.')
        return final


def _check_downgrade(state, scripts, revision):
    refusals.check_can_migrate(state)
    refusals.check_not_interrupted(state, Direction.DOWNGRADE)
    if state.status == Status.LEGACY:
        raise exception.InvalidRevision(
            'the database is a legacy sqlalchemy-migrate database; adopt '
            "it with 'webdemo-manage db sync' before downgrading.")
    plan = scripts.downgrade_plan(revision, state.current)
    checkpoint_plan.require_kept(plan, state,
                                 exception.RetiredRevision.DOWNGRADE)
    return plan


def stamp(engine, revision, purge=False, report=print,
          lock_settings=DEFAULT_LOCK):
    """Record revision as the database's revision, running nothing.

    :param engine: the database's engine
    :param revision: the revision to record (or base, heads)
    :param purge: first delete whatever revisions are recorded, also
        ones this code does not know
    :param report: called with one line of progress at a time
    :param lock_settings: a lock.Settings: how long to wait for another
        migration, and the lease on Galera
    :returns: the DatabaseState after stamping
    :raises webdemo.exception.InvalidRevision: revision is unknown or
        ambiguous
    :raises webdemo.exception.UnknownDatabaseRevision: the database's
        revision is unknown and purge is false
    """
    with _holding(engine, 'db stamp', lock_settings, report) as held:
        before = held.state
        refusals.check_not_interrupted(before, Direction.DOWNGRADE)
        held.graph.resolve(revision, 'stamp')
        if before.status == Status.UNKNOWN_REVISION and not purge:
            unknown = exception.UnknownDatabaseRevision
            raise unknown(before.unknown, fix=unknown.ADD_PURGE)
        scripts_module.run_alembic(engine, 'stamp', revision, purge=purge)
        final = judge.classify(reader.observe(engine), held.graph)
    report(f'Stamped: the database is at {judge.describe(final)}, '
           f'was {judge.describe(before)}.')
    return final


def online_data_migrations(engine, max_count=None,
                           batch_size=online_migrations.DEFAULT_BATCH_SIZE,
                           progress=online_migrations.NoProgress(),
                           settings=None):
    """Run the online data migrations (data_migrations.MIGRATIONS).

    No migration lock: each batch is its own short transaction, and the
    migrations are idempotent, so two runs at once only share the work.
    A migration whose contract revision has run is not asked.

    :param max_count: at most this many rows in all; None for no bound
    :param progress: told of each batch (online_migrations.run)
    :param settings: an online_migrations.Settings
    :returns: a list of online_migrations.Result
    :raises webdemo.exception.SchemaBehind: expand is pending
    """
    scripts = scripts_module.Scripts.load()
    state = status.unlocked_state(engine, scripts)
    if state.status not in judge.EXPANDED:
        raise exception.SchemaBehind('db online_data_migrations',
                                     judge.describe(state))
    return online_migrations.run(
        online_migrations.Context(engine, settings),
        status.needed_migrations(state, scripts),
        max_count, batch_size, progress)
