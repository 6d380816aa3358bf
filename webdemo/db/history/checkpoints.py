"""Checkpoints: the files, read.

A checkpoint is a file in alembic/checkpoints/ (beside versions/), which
``webdemo-manage db checkpoint`` writes from a replay of the history
(checkpoint_file.py): Alembic operations that build every table as the
revisions up to its heads leave it, and the rows they inserted. It names
its heads (the version rows it leaves), the release it was cut at, and
every revision it stands for, each with the sha256 of its script when
the checkpoint was cut. This module reads them (as literals: nothing is
executed) and makes stand-ins for the revisions a release retired
(graph.py takes them); checkpoint_plan.py decides which one a plan
starts from.
"""

import ast
import dataclasses
import os

from webdemo.db.history import script_index

# webdemo/db/sqlalchemy/alembic/checkpoints, beside versions/.
DIRECTORY_NAME = 'checkpoints'
DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                         'sqlalchemy', 'alembic', DIRECTORY_NAME)
# The journal's revision for a checkpoint's own row.
KEY_PREFIX = 'checkpoint '


@dataclasses.dataclass(frozen=True)
class Covered:
    """A revision a checkpoint stands for, as it was when cut."""
    revision: str
    down_revision: tuple
    branch_labels: tuple
    depends_on: tuple
    doc: str
    checksum: str
    # The released versions of its script it declares equivalent
    # (replaces_checksums), still accepted once it is retired.
    replaces: tuple = ()


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
                and node.targets[0].id in ('heads', 'revisions', 'release',
                                           'replaced')):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    replaced = found.get('replaced', {})
    return Checkpoint(
        path, script_index.checksum(content), tuple(sorted(found['heads'])),
        tuple(Covered(revision, tuple(down), tuple(labels), tuple(depends),
                      doc, sha256, tuple(replaced.get(revision, ())))
              for revision, down, labels, depends, doc, sha256
              in found['revisions']),
        found.get('release'))


def retired(checkpoints, present):
    """script_index.Entry stand-ins for the revisions whose files are gone.

    A release may delete the revisions below a checkpoint: the graph
    still needs them (the kept revisions name them as parents, and a
    database records them), and each checkpoint says what they were.

    :param checkpoints: oldest first (load()): a revision two of them
        stand for keeps the older's release, which still has its file
    :param present: the revision ids that have a file
    :returns: {revision: Entry}, its path the checkpoint's
    """
    found = {}
    for checkpoint in checkpoints:
        for covered in checkpoint.covered:
            if covered.revision not in present and (
                    covered.revision not in found):
                found[covered.revision] = script_index.Entry(
                    checkpoint.path, covered.checksum, script_index.Facts(
                        covered.revision, covered.down_revision,
                        covered.branch_labels, covered.depends_on,
                        covered.doc, replaces=covered.replaces,
                        retired_in=checkpoint.release or 'unknown'))
    return found


def is_key(revision):
    """Is revision a journal row's key for a checkpoint's own run?"""
    return revision.startswith(KEY_PREFIX)
