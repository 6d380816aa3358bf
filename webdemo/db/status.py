"""Where a database stands, read without loading Alembic.

``db version`` (which monitoring runs all day), the API's schema guard
and ``webdemo-status`` only read: the version table and the journal
(reader.py), judged against the revision graph (graph.py, whose answers
are cached), plus, between expand and contract, the rows the online data
migrations have left. None of that needs Alembic, whose import alone
costs a third of the process floor (doc/source/performance.rst).

A whole db sync asks here first, under the migration lock, whether it
has anything to do (nothing_to_sync): on most deployments it has not,
and then it never loads Alembic either.
"""

import contextlib
import dataclasses

from webdemo.db import data_migrations
from webdemo.db import errors
from webdemo.db import graph as graph_module
from webdemo.db import lock
from webdemo.db import online_migrations
from webdemo.db import phases
from webdemo.db import preflight
from webdemo.db import reader
from webdemo.db import state as state_module
from webdemo.db.state import Status


def get_state(engine, count_data=True):
    """Where the database stands: a state.DatabaseState (db version).

    Between expand and contract it counts the rows the online data
    migrations have left to move, unless count_data is false (the API's
    schema guard, which reads the state every few seconds, needs none).
    """
    graph = graph_module.load()
    state = classify(engine, graph)
    if state.status != Status.CONTRACT_PENDING or not count_data:
        return state
    return state_module.with_data_left(state, data_left(engine, state, graph))


def classify(engine, graph):
    """The DatabaseState of engine's database, read without the lock."""
    return state_module.classify(reader.observe_unlocked(engine), graph)


def needed_migrations(state, graph):
    """The online data migrations state's database still needs."""
    applied = graph.applied(state.current)
    return [registered.function for registered in phases.still_needed(
        data_migrations.MIGRATIONS, applied)]


def data_left(engine, state, graph):
    """Rows each online data migration still needed has left to move."""
    return online_migrations.left(online_migrations.Context(engine),
                                  needed_migrations(state, graph))


def nothing_to_do(state, report):
    """Say that db sync has nothing to do; return state."""
    report(f'Nothing to do: the database is at '
           f'{state_module.describe(state)}.')
    return state


def nothing_to_sync(engine, lock_settings, report):
    """Whether a whole db sync has nothing to do; said if so.

    Decided under the migration lock, as migration.sync decides it, so
    that a sync started while another runs waits for it and then finds
    its work done. When the answer is no, migration.sync takes the lock
    again and decides everything afresh: this is only the shortcut.

    :param lock_settings: a lock.Settings
    :raises webdemo.exception.WebdemoError: unsafe server settings, the
        lock not free in time, or a database error (naming db sync)
    """
    # Read before the lock: a graph not seen before executes revision
    # files, which need not hold up another process.
    graph = graph_module.load()
    with locked(engine, 'db sync', lock_settings, report, graph) as held:
        state = held.state
    if state.status != Status.AT_HEAD or _overlapping(state.current, graph):
        return False
    nothing_to_do(state, report)
    return True


@dataclasses.dataclass(frozen=True)
class Held:
    """What a command knows once it holds the migration lock."""
    hold: lock.Hold
    state: state_module.DatabaseState
    entries: dict


@contextlib.contextmanager
def locked(engine, command, lock_settings, report, graph):
    """Hold the migration lock; yield a Held, the state read under it.

    Everything is decided on a state no one else is changing. A
    database error in the lock, the journal or the body of the with
    reads like a failing revision's, naming the command.

    :param graph: the revision graph (graph.Graph or scripts.Scripts)
    """
    try:
        # A node cut off from its cluster cannot even be locked: say so.
        refuse_if_unsafe(engine, with_tables=False)
        with lock.migration_lock(engine, command, lock_settings,
                                 report) as hold:
            seen = reader.observe(engine)
            yield Held(hold, state_module.classify(seen, graph),
                       seen.entries)
    except errors.DATABASE_ERRORS as error:
        raise errors.as_migration_error(command, error) from error


def _overlapping(current, graph):
    """Does the version table list a revision another one implies?

    Such a table is at head in every revision's sense, but Alembic
    refuses to plan from it: the whole path says so, not the shortcut.
    """
    return any(revision in graph.applied(
        [other for other in current if other != revision])
        for revision in current)


def refuse_if_unsafe(engine, with_tables=True):
    """Refuse, before the first change, under unsafe server settings.

    :raises webdemo.exception.UnsafeServerSettings: preflight.py's
        judgement of the server's settings
    """
    if engine.dialect.name != 'mysql':
        return
    with engine.connect() as connection:
        preflight.check(reader.server_settings(connection, with_tables))
