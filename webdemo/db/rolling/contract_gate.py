"""The contract gate: may contract revisions run now? Read once, decided once.

Contract revisions remove what the previous release used, so they may
run only when no expand revision is pending (beyond those the command
runs first), the online data migrations have no rows left to move, and
no live API service is of a release too old to run after them
(services.py). read() gathers those facts in one place;
phases.check_contract_ready, a pure function, decides on them.

db sync asks twice: before it changes anything, so that a refusal has
changed nothing, and again after the expand phase, just before the
contract, since the data moved meanwhile and a service of the old
release may have started.
"""

import dataclasses

from webdemo.db.history import phases
from webdemo.db.rolling import services
from webdemo.db.state import judge
from webdemo.db.state import status


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the contract phase waits for, as read.

    :ivar expand_pending: expand revisions neither applied nor run by the
        command before the contract
    :ivar data_left: rows each needed online data migration has left to
        move, by name (not counted while expand is pending, when its
        columns may not exist yet)
    :ivar services: live services.Service rows too old for the contract
    """
    expand_pending: tuple = ()
    data_left: dict = dataclasses.field(default_factory=dict)
    services: tuple = ()


def read(engine, state, graph, contract, planned=(), count_data=True):
    """The Facts for running contract on the database in state.

    :param state: the state.DatabaseState, read under the lock
    :param graph: the scripts.Scripts the state was judged against
    :param contract: the contract scripts the command would run
    :param planned: the expand scripts the command runs before them
    :param count_data: count the rows left to move; a whole db sync,
        which moves them itself after expand, does not before it
    """
    applied = graph.applied(judge.starting_point(state))
    ahead = {script.revision for script in planned}
    pending = tuple(revision for revision in
                    phases.pending(graph.sides, applied)[0]
                    if revision not in ahead)
    data = (status.data_left(engine, state, graph)
            if count_data and not pending else {})
    return Facts(pending, data, tuple(blocking(engine, contract)))


def check(facts, expanded=False):
    """Raise the refusal the facts call for, if any.

    :param expanded: the command applied the expand phase just before
    :raises webdemo.exception.ContractNotReady: the contract may not run
    """
    phases.check_contract_ready(facts.expand_pending, facts.data_left,
                                expanded, facts.services)


def blocking(engine, contract):
    """Live services too old to run after the contract scripts."""
    with engine.connect() as connection:
        return services.blocking(services.read(connection),
                                 services.level_needed(contract))
