"""Which checkpoint a plan starts from, and the plan that does: pure.

``db sync`` on an empty database starts from the newest checkpoint at
or below its target (for_upgrade(), choose()) and runs only the
revisions after it: the runner runs the checkpoint as the plan's first
step (Script), which writes the heads' version rows and a journal row
for each revision it stands for, marked as built by it. A database that
is not empty never uses one (fits()). A plan that still needs a
revision this release retired is refused (require_kept()). Nothing here
touches a database or a file but the checkpoint's module, loaded when
it runs, and the checkpoint files, read through the loader the caller
passes (for_upgrade()); the decisions are unit-tested in memory.
"""

from webdemo.db.history import checkpoints
from webdemo.db.history import script_index
from webdemo.db.state import judge
from webdemo import exception


def for_upgrade(state, plan, load, allowed=True, graph=None):
    """The plan an upgrade runs, from a checkpoint where it may.

    An empty database starts from the newest checkpoint the plan covers
    (unless not allowed: --no-checkpoint); one whose build from a
    checkpoint was interrupted is completed by that checkpoint, which
    --no-checkpoint could not replay over. Revisions this release retired
    are refused wherever they are left in the plan.

    :param state: where the database is (judge.DatabaseState)
    :param plan: the scripts the upgrade would run without a checkpoint
    :param load: returns the Checkpoints there are (checkpoints.load);
        called only for a database that may be built from one, since
        reading them costs what a sync at head should not pay
    :param allowed: False for --no-checkpoint
    :param graph: the revision graph, to leave stale checkpoints out
    :raises webdemo.exception.InterruptedMigration: a checkpoint's build
        to complete, and not allowed (or its file gone)
    :raises webdemo.exception.RetiredRevision: the plan still needs a
        retired revision
    """
    fit = fits(state)
    if fit and state.interrupted:
        plan = _completing(state, plan, load(), allowed)
    elif fit and allowed:
        chosen = choose(load(), [script.revision for script in plan], graph)
        plan = plan if chosen is None else start_from(chosen, plan)
    retired = exception.RetiredRevision
    require_kept(plan, state, (retired.UPGRADE if not fit else
                               retired.PARTIAL if allowed else retired.REPLAY))
    return plan


def _completing(state, plan, found, allowed):
    """plan from the checkpoint whose interrupted build it completes."""
    chosen = {checkpoint.key: checkpoint
              for checkpoint in found}.get(state.interrupted[0])
    if not allowed or chosen is None or not chosen.revisions <= {
            script.revision for script in plan}:
        raise exception.InterruptedMigration('upgrade', state.interrupted)
    return start_from(chosen, plan)


def fits(state):
    """May a database in state be built from a checkpoint?

    Only an empty one, or one whose build from a checkpoint was left
    unfinished (nothing else interrupted, no revision recorded): the
    same checkpoint completes it.

    :param state: a judge.DatabaseState
    """
    if state.current:
        return False
    if state.status == judge.Status.EMPTY:
        return True
    return (state.status == judge.Status.INTERRUPTED
            and not state.interrupted_downgrades
            and all(checkpoints.is_key(revision)
                    for revision in state.interrupted))


def choose(found, plan, graph=None):
    """The checkpoint an upgrade of an empty database starts from.

    The one that stands for the most revisions among those whose every
    revision is in the plan (at or below its target) and that are not
    stale (stale()); None if none is.

    :param found: Checkpoints (checkpoints.load())
    :param plan: the revision ids the upgrade from empty would apply
    :param graph: the revision graph, to leave stale checkpoints out
    """
    planned = frozenset(plan)
    usable = [checkpoint for checkpoint in found
              if checkpoint.revisions <= planned
              and (graph is None or not stale(checkpoint, graph))]
    return max(usable, key=lambda checkpoint: len(checkpoint.covered),
               default=None)


def stale(checkpoint, graph):
    """Why checkpoint no longer stands for the history; [] if it does.

    It must stand for exactly the revisions its heads imply (a revision
    added below it would be left out), each with the script that runs
    today (or one it declares equivalent, replaces_checksums).

    :param graph: a graph.Graph of the revision files
    """
    problems = [f'its head {head} is not a revision'
                for head in checkpoint.heads if not graph.is_known(head)]
    if problems:
        return problems
    implied = graph.applied(checkpoint.heads)
    problems += [f'revision {revision} is below its heads but not in it'
                 for revision in sorted(implied - checkpoint.revisions)]
    problems += [f'revision {revision} is in it but not below its heads'
                 for revision in sorted(checkpoint.revisions - implied)]
    problems += [
        f'revision {covered.revision} changed since it was cut'
        for covered in checkpoint.covered
        if covered.revision in implied
        and not graph.accepts(covered.revision, covered.checksum)]
    return problems


def start_from(checkpoint, plan):
    """The plan with the revisions checkpoint stands for replaced by it.

    :param plan: the scripts an upgrade from empty applies, in order
    """
    covered = checkpoint.revisions
    return [Script(checkpoint)] + [
        script for script in plan if script.revision not in covered]


def revisions_run(plan):
    """The revision ids a plan applies, a checkpoint's included."""
    found = set()
    for script in plan:
        checkpoint = getattr(script, 'checkpoint', None)
        found |= (checkpoint.revisions if checkpoint is not None
                  else {script.revision})
    return found


def require_kept(plan, state, action):
    """Refuse a plan that would run a retired revision.

    :param plan: the scripts the command would run
    :param state: where the database is (judge.DatabaseState)
    :param action: an exception.RetiredRevision action
    :raises webdemo.exception.RetiredRevision: it would
    """
    gone = [script for script in plan
            if getattr(script, 'retired_in', None)]
    if gone:
        raise exception.RetiredRevision(
            [script.revision for script in gone], gone[0].retired_in,
            judge.describe(state), action)


class Script:
    """A checkpoint as the first step of a plan (runner.py).

    It offers what the runner uses of a revision's script (revision,
    checksum, doc, outside_transaction, module) and what the journal
    needs of the revisions it stands for.
    """

    outside_transaction = False
    declares_data_checks = False

    def __init__(self, checkpoint):
        self.checkpoint = checkpoint
        self.revision = checkpoint.key
        self.checksum = checkpoint.checksum
        self.path = checkpoint.path
        self.heads = checkpoint.heads
        self.doc = (f'checkpoint of {len(checkpoint.covered)} revisions, '
                    f'at {", ".join(checkpoint.heads)}')

    @property
    def module(self):
        return script_index.load_module(self.path)
