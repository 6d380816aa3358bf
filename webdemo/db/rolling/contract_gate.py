"""The contract gate: may contract revisions run now? Read once, decided once.

Contract revisions remove what the previous release used, so they may
run only when no expand revision is pending (beyond those the command
runs first), the online data migrations have no rows left to move, and
no live API service is of a release too old to run after them
(services.py). read() gathers those facts in one place;
phases.check_contract_ready, a pure function, decides on them;
require_ready() asks both.

db sync asks twice: before it changes anything, so that a refusal has
changed nothing, and again after the expand phase, just before the
contract, since the data moved meanwhile and a service of the old
release may have started.
"""

import dataclasses

from webdemo.db.history import checkpoint_plan
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


@dataclasses.dataclass(frozen=True)
class Question:
    """May contract run on the database in state, and what to read.

    :ivar engine: the database's engine
    :ivar state: the state.DatabaseState, read under the lock
    :ivar graph: the scripts.Scripts the state was judged against
    :ivar contract: the contract scripts the command would run
    :ivar planned: the expand scripts the command runs before them
    :ivar count_data: count the rows left to move; a whole db sync,
        which moves them itself after expand, does not before it
    :ivar data_left: the rows left as already counted (the data
        migrations' run, or this command's first question); None counts
    """
    engine: object
    state: object
    graph: object
    contract: tuple
    planned: tuple = ()
    count_data: bool = True
    data_left: dict = None


def require_ready(question, expanded=False):
    """Read the facts for question, and refuse as they call for.

    :param expanded: the command applied the expand phase just before
    :returns: the Facts, when they allow the contract
    :raises webdemo.exception.ContractNotReady: the contract may not run
    """
    facts = read(question)
    phases.check_contract_ready(facts.expand_pending, facts.data_left,
                                expanded, facts.services)
    return facts


def read(question):
    """The Facts for a Question."""
    graph, state = question.graph, question.state
    applied = graph.applied(judge.starting_point(state))
    ahead = checkpoint_plan.revisions_run(question.planned)
    pending = tuple(revision for revision in
                    phases.pending(graph.sides, applied)[0]
                    if revision not in ahead)
    data = question.data_left
    if data is None:
        data = (status.data_left(question.engine, state, graph)
                if question.count_data and not pending else {})
    return Facts(pending, data, tuple(
        services.too_old_for(question.engine, question.contract)))
