"""How every command that changes the database starts.

``db sync``, ``db downgrade`` and ``db stamp`` each take the migration
lock (lock.py), read the database under it (reader.py) and judge what
was read against the revision graph (judge.py) before any statement
that changes anything, so that every decision is made on a state no one
else is changing and bad input is refused having changed nothing. This
module is that moment, once, for all of them.

A whole ``db sync`` asks here first, under the lock, whether it has
anything to do (work_to_sync): on most deployments it has not, and
then it never loads Alembic. When the version rows, read without the
lock, already show revisions to apply, it does not ask: the lock and
the state would be taken and read twice (performance.rst).
"""

import contextlib
import dataclasses

from webdemo.db import backends
from webdemo.db import bookkeeping
from webdemo.db import errors
from webdemo.db.history import graph as graph_module
from webdemo.db.locking import lock
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import preflight
from webdemo.db.state import reader


@dataclasses.dataclass(frozen=True)
class Held:
    """What a changing command knows once it holds the migration lock.

    :ivar hold: the lock.Hold
    :ivar graph: the revision graph the state was judged against (a
        scripts.Scripts for a command that plans)
    :ivar state: the state.DatabaseState read under the lock
    :ivar entries: the journal's newest entry of each revision
    :ivar backend: the database's backends.Backend, whose lock is held:
        what the command runs its revisions on
    """
    hold: lock.Hold
    graph: object
    state: judge.DatabaseState
    entries: dict
    backend: object


@dataclasses.dataclass(frozen=True)
class FirstLook:
    """What a whole db sync's first look hands on to the sync.

    :ivar graph: the graph.Graph it judged against: the sync plans on it
        rather than read the revision files again
    :ivar engine: the reading engine it connected: the sync holds the
        migration lock on it, so that the lock, which keeps its
        connection to the end, costs no connection of its own
    """
    graph: object
    engine: object


@contextlib.contextmanager
def holding(engine, command, lock_settings, report, graph,
            lock_engine=None):
    """Hold the migration lock; yield a Held, the state read under it.

    A database error in the lock, the journal or the body of the with
    reads like a failing revision's, naming the command.

    :param command: what this process runs, shown to waiters
    :param lock_settings: a lock.Settings
    :param report: called with a line when the command has to wait
    :param graph: the revision graph (graph.Graph or scripts.Scripts)
    :param lock_engine: another engine of the same database to hold the
        lock on (lock.migration_lock), or None
    """
    try:
        # A node cut off from its cluster cannot even be locked: say so,
        # of the lock's connection too, which a load balancer may have
        # sent to another node.
        refuse_if_unsafe(engine, with_tables=False)
        if lock_engine is not None:
            refuse_if_unsafe(lock_engine, with_tables=False)
        with lock.migration_lock(engine, command, lock_settings, report,
                                 lock_engine) as hold:
            seen = reader.observe(engine)
            yield Held(hold, graph, judge.classify(seen, graph),
                       seen.entries, hold.backend)
    except errors.DATABASE_ERRORS as error:
        raise errors.as_migration_error(command, error) from error


def refuse_if_unsafe(engine, with_tables=True):
    """Refuse, before the first change, under unsafe server settings.

    :raises webdemo.exception.UnsafeServerSettings: preflight.py's
        judgement of the server's settings
    """
    # Only some servers have settings to judge: no connection otherwise.
    if not backends.for_engine(engine).checks_server_settings:
        return
    with engine.connect() as connection:
        preflight.check(reader.server_settings(connection, with_tables))


def begin_changes(engine, held):
    """What every changing command does before its first change.

    The server's settings judged (refuse_if_unsafe); webdemo's own
    tables made, so that the holder's card, shown now, has a table also
    on the very first sync.

    :param held: the Held the command holds
    """
    refuse_if_unsafe(engine)
    with engine.begin() as connection:
        bookkeeping.ensure_tables(connection)
    held.hold.announce()


def nothing_to_do(state, report):
    """Say that the command has nothing to do; return state."""
    report(f'Nothing to do: the database is at {judge.where_next(state)}.')
    return state


def work_to_sync(engine, lock_settings, report):
    """A FirstLook, if a whole db sync has work; None if not.

    Work, at once, when the version rows, read without the lock, already
    show revisions to apply (judge.surely_behind): migration.sync then
    takes the lock and decides everything afresh, and asking here too
    would take the lock and read the state twice. Otherwise decided
    under the migration lock, as migration.sync decides it, so that a
    sync started while another runs waits for it and then finds its work
    done (said, and None); when there is work, migration.sync takes the
    lock again.

    :param engine: a reading engine (engines.create_reading_engine),
        which the sync may go on holding the lock on (FirstLook)
    :param lock_settings: a lock.Settings
    :param report: called with "Nothing to do" or a line about waiting
    :returns: a FirstLook for migration.sync; None when there is
        nothing to do
    :raises webdemo.exception.WebdemoError: unsafe server settings, the
        lock not free in time, or a database error (naming db sync)
    """
    # Read before the lock: a graph not seen before executes revision
    # files, which need not hold up another process.
    graph = graph_module.load()
    if _surely_behind(engine, graph):
        return FirstLook(graph, engine)
    with holding(engine, 'db sync', lock_settings, report, graph) as held:
        state = held.state
    if state.status != Status.AT_HEAD or overlapping(state.current, graph):
        return FirstLook(graph, engine)
    nothing_to_do(state, report)
    return None


def _surely_behind(engine, graph):
    """judge.surely_behind of the version rows, read without the lock.

    Only a hint: a database that cannot be read now (a node cut off
    from its cluster, a file another writer holds) is left to the look
    under the lock, which checks the server first and says why.
    """
    try:
        return judge.surely_behind(reader.current(engine), graph)
    except errors.DATABASE_ERRORS:
        return False


def overlapping(current, graph):
    """Does the version table list a revision another one implies?

    Such a table is at head in every revision's sense, but Alembic
    refuses to plan from it: the whole path says so, not the shortcut.
    """
    return any(revision in graph.applied(
        [other for other in current if other != revision])
        for revision in current)
