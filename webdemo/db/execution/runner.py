"""Running a plan of revisions: one connection, one Alembic environment,
one journalled RevisionRun per revision.

The caller holds the migration lock and has created the bookkeeping
tables. The whole plan runs on one connection through one run of
env.py, so that nothing per revision (loading the environment, checking
for the version table, opening a connection) grows the cost of a sync
beyond the revisions' own statements. env.py configures Alembic; the
runner then runs the revisions itself (PlanRun.run_span): each
revision's function, its alembic_version rows (version_rows.py), its
journal row finished and the next one's started, in one transaction,
so that the journal never disagrees with alembic_version. Outside
groups each revision runs in the transaction Alembic's own loop would
give it, so that autocommit_block works as in Alembic; in a group
(backends/run_strategies.py says which backend groups, and how) the
revisions and their rows share the group's.

Each revision is a RevisionRun (revision_run.py); the plan's groups,
spans and commits are a PlanRun's (plan_run.py).
"""

import contextlib
import logging
import time

from webdemo.db import errors
from webdemo.db.execution import faults
from webdemo.db.execution import journal as journal_module
from webdemo.db.execution import lock_wait
from webdemo.db.execution import plan_run as plan_run_module
from webdemo.db.execution import revision_run
from webdemo.db.history import scripts as scripts_module
from webdemo.db.state import preflight
from webdemo.db.state import reader
from webdemo import exception

LOG = logging.getLogger(__name__)


def run_plan(database, scripts, plan, direction, entries, report,
             guard=lock_wait.Settings(), sleep=time.sleep):
    """Run each revision of plan in turn, each journalled.

    A revision whose statement gives up waiting for a table lock
    (guard.timeout) is recorded failed and tried again, with the rest of
    the plan, after a backoff, up to guard.retries times.

    :param database: the database's backend (backends.for_engine), chosen
        when the command took the lock
    :param plan: scripts in the order they run
    :param direction: a journal.Direction
    :param entries: the journal's newest entry of each revision, read
        under the lock the caller holds
    :param report: called with a line for each revision done
    :param guard: a lock_wait.Settings
    :raises webdemo.exception.MigrationError: the database refused a
        revision (or lost the connection)
    :raises webdemo.exception.DDLLockTimeout: still waiting for a table
        lock after the retries
    """
    attempt = 0
    while plan:
        done, waited = _run_once(database, scripts, plan, direction,
                                 entries, report, guard)
        if waited is None:
            return
        # Each revision has its own retries: count again after progress.
        attempt = attempt + 1 if done == 0 else 1
        revision, blocker = waited
        if attempt > guard.retries:
            raise exception.DDLLockTimeout(revision, guard.timeout,
                                           attempt, blocker)
        pause = guard.backoff(attempt - 1)
        report(f'Revision {revision} waited {guard.timeout}s for a table '
               f'lock held by {blocker or "another session"}; trying again '
               f'in {pause}s.')
        sleep(pause)
        plan = plan[done:]
        entries = _latest_entries(database)


def _run_once(database, scripts, plan, direction, entries, report, guard):
    """One attempt at plan.

    :returns: (how many revisions it finished, None), or, when a statement
        gave up waiting for a table lock, (..., (revision, blocker))
    """
    engine = database.engine
    strategy = database.run_strategy()
    runs = [revision_run.RevisionRun(script, direction,
                                     _unfinished(entries, script), strategy)
            for script in plan]
    plan_run = plan_run_module.PlanRun(runs, report, strategy,
                                       database=database)
    try:
        _run_on_one_connection(database, scripts, plan_run, strategy, guard)
    except exception.MigrationLockLost:
        # The fence stopped a commit: write nothing more (as below).
        raise
    except errors.DATABASE_ERRORS as error:
        inside = errors.raised_inside(error)
        if isinstance(inside, exception.MigrationLockLost):
            # Another run may own the journal now: write nothing more.
            raise inside from None
        waited = lock_wait.timed_out(error)
        # Read while the holder still holds it.
        blocker = lock_wait.blocker(database, error) if waited else None
        _record_end(engine, plan_run, error)
        if waited:
            return plan_run.position, (plan_run.current.script.revision,
                                       blocker)
        raise errors.as_migration_error(
            f'revision {plan_run.current.script.revision}', error,
            plan_run.current.fails_as_before(error)) from error
    except BaseException as error:
        _record_end(engine, plan_run, error)
        raise
    return len(runs), None


def _latest_entries(database):
    with database.engine.connect() as connection:
        return journal_module.latest_entries(connection)


def _unfinished(entries, script):
    entry = entries.get(script.revision)
    return entry if entry is not None and entry.unfinished else None


def _run_on_one_connection(database, scripts, plan_run, strategy, guard):
    with database.engine.connect() as connection:
        # Behind a load balancer this connection may reach another node
        # than the pre-flight checks did: check the one that migrates.
        preflight.check(reader.server_settings(connection,
                                               with_tables=False))
        with lock_wait.limited(connection, guard.timeout), \
                strategy.commits(connection):
            _run_steps(database, connection, scripts, plan_run, strategy,
                       guard.table_copy)


def _run_steps(database, connection, scripts, plan_run, strategy,
               table_copy):
    if not table_copy:
        # First: the replay (strategy.prepare) then runs, and counts,
        # the statements as the server receives them.
        database.refuse_table_copies(connection)
    session = strategy.prepare(connection, lambda: plan_run.current.tracker)
    faults.attach_if_requested(connection)
    plan_run.open(connection, strategy.scope_for(connection))
    try:
        _run_spans(plan_run, lambda grouped, start, stop: _run_span(
            connection, scripts, plan_run, grouped, start, stop))
    except KeyboardInterrupt:
        strategy.cancel(database.engine, session)
        raise


def _run_spans(plan_run, run_span):
    """Run each span of the plan with run_span(grouped, start, stop).

    After a failure in a group, the revisions before the failed one run
    again, one commit each.
    """
    try:
        for grouped, start, stop in plan_run.spans():
            run_span(grouped, start, stop)
    except Exception as error:
        again = plan_run.roll_back_group(error)
        if again is not None:
            # The failed revision stays current, for _record_end.
            failed = plan_run.position
            run_span(False, *again)
            plan_run.enter_span(failed)
        raise


def _run_span(connection, scripts, plan_run, grouped, start, stop):
    """Run revisions start to stop through one run of env.py."""
    plan_run.enter_span(start)
    if grouped and not connection.in_transaction():
        # Alembic leaves the commits to whoever opened one.
        connection.begin()
    scripts.run_env(
        scripts_module.alembic_config(connection),
        lambda heads, context: plan_run.run_span(scripts, context, heads,
                                                 grouped, start, stop))
    plan_run.end_span()


def _record_end(engine, plan_run, error):
    """Record how the current run ended, on a connection of its own.

    Best effort: with the database gone the row stays 'running', and the
    next run, under the lock, counts it as abandoned.
    """
    run = plan_run.current
    # A run that succeeded was committed, or was rolled back with its
    # transaction, leaving its row as a dead run's: either way there is
    # nothing true to add (an interrupt while reporting, a failed commit).
    # One in a group that was lost has no row of its own yet.
    if run.entry is None or run.duration is not None:
        return
    with contextlib.suppress(*errors.DATABASE_ERRORS):
        with engine.begin() as connection:
            run.fail(journal_module.Journal(connection), error)
