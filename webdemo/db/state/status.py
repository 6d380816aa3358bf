"""Where a database stands, read without loading Alembic.

``db version`` (which monitoring runs all day), the API's schema guard
and ``webdemo-status`` only read: the version table and the journal
(reader.py), judged against the revision graph (graph.py, whose answers
are cached), plus, between expand and contract, the rows the online data
migrations have left. None of that needs Alembic, whose import alone
costs a third of the process floor (doc/source/performance.rst).

Commands that change the database read it under the migration lock
instead (held.py).
"""

import dataclasses

from webdemo.db.history import graph as graph_module
from webdemo.db.history import phases
from webdemo.db.rolling import data_migrations
from webdemo.db.rolling import online_migrations
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import reader


def get_state(engine, count_data=True):
    """Where the database stands: a state.DatabaseState (db version).

    Between expand and contract it counts the rows the online data
    migrations have left to move, unless count_data is false (the API's
    schema guard, which reads the state every few seconds, needs none).
    """
    graph = graph_module.load()
    state = unlocked_state(engine, graph)
    return counted(engine, state, graph) if count_data else state


def counted(engine, state, graph):
    """state, with the rows left to move counted between the phases.

    Between expand and contract, whether the online data migrations or
    the contract come next depends on the rows they have left.
    """
    if state.status != Status.CONTRACT_PENDING:
        return state
    return with_data_left(state, data_left(engine, state, graph))


def with_data_left(state, left):
    """state, with the rows online data migrations have left to move.

    :param left: rows by migration name (online_migrations.left)
    """
    status = state.status
    if status == Status.CONTRACT_PENDING and any(left.values()):
        status = Status.DATA_MIGRATIONS_PENDING
    return dataclasses.replace(state, status=status,
                               data_migrations=dict(left))


def unlocked_state(engine, graph):
    """The DatabaseState of engine's database, read without the lock."""
    return judge.classify(reader.observe_unlocked(engine), graph)


def needed_migrations(state, graph, ran=frozenset()):
    """The online data migrations state's database still needs.

    A legacy database counts from the revision it is adopted at.

    :param ran: revisions the command applied since state was read (a
        checkpoint's, which may include contract revisions: their data
        migrations must not run on the schema they left)
    """
    applied = graph.applied(judge.starting_point(state)) | ran
    return [registered.function for registered in phases.still_needed(
        data_migrations.MIGRATIONS, applied)]


def data_left(engine, state, graph):
    """Rows each online data migration still needed has left to move."""
    needed = needed_migrations(state, graph)
    return online_migrations.left(online_migrations.Context(engine), needed)
