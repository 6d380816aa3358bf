"""Checkpoints: the whole schema at some revisions, built in one go.

A checkpoint is a file in alembic/checkpoints/ (beside versions/), which
``webdemo-manage db checkpoint`` writes from a replay of the history
(checkpoint_file.py): Alembic operations that build every table as the
revisions up to its heads leave it, and the rows they inserted. It names
its heads (the version rows it leaves) and every revision it stands for,
each with the sha256 of its script when the checkpoint was cut.

``db sync`` on an empty database starts from the newest checkpoint at or
below its target (choose()) and runs only the revisions after it: the
runner runs the checkpoint as the plan's first step (Script), which
writes the heads' version rows and a journal row for each revision it
stands for, marked as built by it. A database that is not empty never
uses one. Nothing here touches a database; choose() and stale() are
pure and unit-tested in memory.
"""

import ast
import dataclasses
import os

from webdemo.db.history import script_index
from webdemo.db.state import judge
from webdemo import exception

# webdemo/db/sqlalchemy/alembic/checkpoints, beside versions/.
DIRECTORY_NAME = 'checkpoints'
DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                         'sqlalchemy', 'alembic', DIRECTORY_NAME)
# The journal's revision for a checkpoint's own row.
KEY_PREFIX = judge.CHECKPOINT_KEY


@dataclasses.dataclass(frozen=True)
class Covered:
    """A revision a checkpoint stands for, as it was when cut."""
    revision: str
    down_revision: tuple
    branch_labels: tuple
    depends_on: tuple
    doc: str
    checksum: str


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """One checkpoint file.

    :ivar path: the file
    :ivar checksum: the sha256 of its content, as a revision's
    :ivar heads: the version rows it leaves, sorted
    :ivar covered: a Covered for each revision it stands for, in the
        order the history applies them
    :ivar release: the release it was cut at, which has every revision
        it stands for: the one to upgrade an older database with once a
        later release retires them
    """
    path: str
    checksum: str
    heads: tuple
    covered: tuple
    release: str = None

    @property
    def key(self):
        """Its journal row's revision: 'checkpoint' and its heads."""
        return KEY_PREFIX + ','.join(self.heads)

    @property
    def revisions(self):
        return frozenset(covered.revision for covered in self.covered)


def load(directory=DIRECTORY):
    """Every Checkpoint in directory, oldest (fewest revisions) first."""
    if not os.path.isdir(directory):
        return []
    found = []
    for name in sorted(os.listdir(directory)):
        if name.endswith('.py') and not name.startswith('__'):
            found.append(read(os.path.join(directory, name)))
    return sorted(found, key=lambda checkpoint: len(checkpoint.covered))


def read(path):
    """The Checkpoint of one file, read as text: nothing is executed.

    The reading commands build the graph from it once its revisions are
    retired, and must not import Alembic (script_index.py); the file's
    facts are literals, which ast reads without running the file. Only
    what comes before upgrade() is parsed: the operations after it are
    most of a large checkpoint, and none of its facts.
    """
    with open(path, 'rb') as source:
        content = source.read()
    found = {}
    facts = content.split(b'\ndef upgrade(', 1)[0]
    for node in ast.parse(facts, path).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in ('heads', 'revisions', 'release')):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return Checkpoint(
        path, script_index.checksum(content), tuple(sorted(found['heads'])),
        tuple(Covered(revision, tuple(down), tuple(labels), tuple(depends),
                      doc, sha256)
              for revision, down, labels, depends, doc, sha256
              in found['revisions']),
        found.get('release'))


def retired(checkpoints, present):
    """script_index.Entry stand-ins for the revisions whose files are gone.

    A release may delete the revisions below a checkpoint: the graph
    still needs them (the kept revisions name them as parents, and a
    database records them), and each checkpoint says what they were.

    :param present: the revision ids that have a file
    :returns: {revision: Entry}, its path the checkpoint's
    """
    found = {}
    for checkpoint in checkpoints:
        for covered in checkpoint.covered:
            if covered.revision not in present:
                found[covered.revision] = script_index.Entry(
                    checkpoint.path, covered.checksum, script_index.Facts(
                        covered.revision, covered.down_revision,
                        covered.branch_labels, covered.depends_on,
                        covered.doc,
                        retired_in=checkpoint.release or 'unknown'))
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


def choose(checkpoints, plan):
    """The checkpoint an upgrade of an empty database starts from.

    The one that stands for the most revisions among those whose every
    revision is in the plan (at or below its target); None if none is.

    :param checkpoints: Checkpoints (load())
    :param plan: the revision ids the upgrade from empty would apply
    """
    planned = frozenset(plan)
    usable = [checkpoint for checkpoint in checkpoints
              if checkpoint.revisions <= planned]
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
            and all(is_key(revision) for revision in state.interrupted))


def is_key(revision):
    """Is revision a journal row's key for a checkpoint's own run?"""
    return revision.startswith(KEY_PREFIX)


def revisions_run(plan):
    """The revision ids a plan applies, a checkpoint's included."""
    found = set()
    for script in plan:
        checkpoint = getattr(script, 'checkpoint', None)
        found |= (checkpoint.revisions if checkpoint is not None
                  else {script.revision})
    return found


def start_from(checkpoint, plan):
    """The plan with the revisions checkpoint stands for replaced by it.

    :param plan: the scripts an upgrade from empty applies, in order
    """
    covered = checkpoint.revisions
    return [Script(checkpoint)] + [
        script for script in plan if script.revision not in covered]
