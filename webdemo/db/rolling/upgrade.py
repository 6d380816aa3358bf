"""One db sync's upgrade, once the lock is held and the plan is made.

migration.sync takes the migration lock, reads and judges the database
under it (state/held.py) and plans (history/scripts.py); run() does the
rest, in this order, each step one call down into the module that owns
it:

1. the contract gate, before anything changes, so that a refusal has
   changed nothing (contract_gate.py); the expand revisions' data
   checks (state/preconditions.py);
2. the server's settings judged, the bookkeeping tables made, the
   holder's card shown (held.begin_changes);
3. a legacy sqlalchemy-migrate database stamped with its revision;
4. the expand revisions (execution/runner.py);
5. the whole upgrade only: the online data migrations
   (online_migrations.py), whose last count is what the gate reads next;
6. the gate again, just before the contract: the data moved meanwhile,
   and a service of the old release may have started; then the contract
   revisions' data checks, on the data as moved;
7. the contract revisions;
8. the database read once more, for the state it ends in, with the
   rows left to move counted between the phases (status.counted): the
   last line says what runs next. An empty plan changes nothing (steps
   1 to 7 skipped) and says so.

Nothing is read between the steps: what the expand plan ran is known.
It applies no contract revision but those a checkpoint at its start
stands for (an empty database's), which the data step takes as applied:
the state read under the lock, and that, say which data migrations are
needed.
"""

import dataclasses

from webdemo.db.execution.journal import Direction
from webdemo.db.execution import lock_wait
from webdemo.db.execution import runner
from webdemo.db.history import checkpoint_plan
from webdemo.db.history import scripts as scripts_module
from webdemo.db.rolling import contract_gate
from webdemo.db.rolling import online_migrations
from webdemo.db.state import held as held_module
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import legacy
from webdemo.db.state import preconditions
from webdemo.db.state import reader
from webdemo.db.state import status


@dataclasses.dataclass(frozen=True)
class Options:
    """How the upgrade runs.

    :ivar report: called with one line of progress at a time
    :ivar ddl_guard: a lock_wait.Settings
    :ivar data: an online_migrations.Settings to move the data with
        between expand and contract: the whole upgrade (a plain db sync).
        None for any other sync, which moves none and refuses a contract
        while data is left
    :ivar progress: shows the data moving (online_migrations.NoProgress)
    """
    report: object = print
    ddl_guard: lock_wait.Settings = lock_wait.Settings()
    data: online_migrations.Settings = None
    progress: object = online_migrations.NoProgress()


def run(engine, held, plan, options):
    """Run plan, the (expand, contract) scripts, on the database held.

    An empty plan on a database that is not legacy changes nothing and
    says so; either way the last line says where the database is and,
    unless at head, what runs next.

    :param held: the held.Held its command holds
    :param options: an Options
    :returns: the DatabaseState after the upgrade
    :raises webdemo.exception.ContractNotReady: contract scripts may not
        run yet (before anything changed, or after expand)
    :raises webdemo.exception.DataCheckFailed: a revision's data check
        fails, before its phase ran any statement
    :raises webdemo.exception.WebdemoError: a revision failed
    """
    changes = any(plan) or held.state.status == Status.LEGACY
    if changes:
        _change(engine, held, plan, options)
    # Counted: a sync that stopped before the contract (--expand) says
    # whether the online data migrations or the contract come next.
    final = status.counted(
        engine, judge.classify(reader.observe(engine), held.graph),
        held.graph)
    options.report(f'Database is at {judge.where_next(final)}.' if changes
                   else f'Nothing to do: the database is at '
                   f'{judge.where_next(final)}.')
    return final


def _change(engine, held, plan, options):
    """Steps 1 to 7: the gate, the checks, expand, the data, contract."""
    expand, contract = plan
    state, graph, report = held.state, held.graph, options.report
    whole = options.data is not None
    first = contract_gate.require_ready(contract_gate.Question(
        engine, state, graph, contract, planned=expand if whole else (),
        count_data=not whole)) if contract else None
    preconditions.require(engine, expand)
    held_module.begin_changes(engine, held)
    if state.status == Status.LEGACY:
        scripts_module.run_alembic(engine, 'stamp', state.legacy_revision)
        report(f'Adopted the sqlalchemy-migrate database at version '
               f'{state.legacy_version} as revision {state.legacy_revision}'
               f'; its {legacy.TABLE} table is left as it was.')
    for line in judge.retrying(state):
        report(line)
    runner.run_plan(held.backend, graph, expand, Direction.UPGRADE,
                    held.entries, report, options.ddl_guard)
    if contract:
        _before_contract(engine, held, plan, options, first.data_left)
        runner.run_plan(held.backend, graph, contract, Direction.UPGRADE,
                        held.entries, report, options.ddl_guard)


def _before_contract(engine, held, plan, options, left):
    """Move the data (the whole upgrade only), then ask the gate again.

    The gate takes the rows left as the data migrations' run last
    counted them, after its last batch. A sync that moves no data takes
    the count of its first question: it ran no expand revision since
    (the gate refuses any other sync a contract while expand is
    pending), so no column it counts has changed. The services are read
    again: one may have started meanwhile.

    :param left: the rows left, as the first question counted them
    """
    expand, contract = plan
    if options.data is not None:
        results = online_migrations.run(
            online_migrations.Context(engine, options.data),
            status.needed_migrations(held.state, held.graph,
                                     checkpoint_plan.revisions_run(expand)),
            progress=options.progress)
        for result in results:
            if result.completed or result.error:
                options.report(result.summary())
        left = online_migrations.rows_left(results)
    contract_gate.require_ready(contract_gate.Question(
        engine, held.state, held.graph, contract, planned=expand,
        data_left=left), expanded=bool(expand))
    preconditions.require(engine, contract, expanded=bool(expand))
