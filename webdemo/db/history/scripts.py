"""webdemo's revision scripts, as Alembic loads them: the revision graph.

A command loads the scripts once (Scripts.load()) and asks this one
object everything about the graph: the heads, whether a revision is
known, which revisions a set of current ones implies, what an upgrade or
a downgrade would run, and the Alembic environment that runs one
revision. The graph comes from graph.py (script_index.py executes only
the revision files it has not seen), and a revision's code is loaded
only when it runs. Heads, applied revisions and phases are graph.py's
answers, the same ones the reading commands give without Alembic.
Planning goes through ScriptDirectory.iterate_revisions, the public
walk Alembic's own upgrade and downgrade are built on. What it uses of
Alembic below its public API (the revision map it plans over, the
MigrationStep that runs a revision) goes through library_internals.py.
"""

import contextlib
import os

from alembic import config as alembic_config_module
from alembic.runtime import environment as alembic_environment
from alembic import script as alembic_script
from alembic.script import revision as alembic_revision
from alembic import util as alembic_util

from webdemo.db.execution import journal
from webdemo.db.history import checkpoint_plan
from webdemo.db.history import graph as graph_module
from webdemo.db import library_internals
from webdemo.db.state import judge
from webdemo import exception

ALEMBIC_INI = graph_module.ALEMBIC_INI


class IndexedScript(alembic_revision.Revision):
    """A revision known from the index; its module loads on first use.

    It offers what webdemo and Alembic's migration steps use of an
    alembic.script.Script: revision, down_revision, branch_labels and
    dependencies, path, doc, module; and checksum, the sha256 of the
    file's content.
    """

    def __init__(self, entry):
        facts = entry.facts
        super().__init__(facts.revision, facts.down_revision or None,
                         dependencies=facts.depends_on or None,
                         branch_labels=facts.branch_labels)
        self.path = entry.path
        self.checksum = entry.checksum
        self.doc = facts.doc
        self.outside_transaction = facts.outside_transaction
        self.declares_data_checks = facts.data_checks
        # The release that retired it into a checkpoint; None while its
        # file is there. A retired revision never runs
        # (checkpoint_plan.require_kept).
        self.retired_in = facts.retired_in
        self._entry = entry

    @property
    def module(self):
        """The revision's module, loaded now (or handed over once).

        Not kept: a sync of a thousand revisions holds one module at a
        time, not a thousand.

        :raises webdemo.exception.InvalidRevision: it is retired: its
            file is gone (checkpoint_plan.require_kept refuses plans first)
        """
        if self.retired_in:
            raise exception.InvalidRevision(
                f'revision {self.revision} was retired into the checkpoint '
                f'of release {self.retired_in}: it has no script to run.')
        return self._entry.take_module()


def alembic_command(name):
    """One of alembic.command's functions (stamp, revision, merge).

    Imported when first needed: only stamp and the developers' commands
    use it, and it brings in Alembic's autogenerate.
    """
    from alembic import command

    return getattr(command, name)


def run_alembic(engine, name, target, **options):
    """Run one of alembic.command's functions on engine's database, committed.

    :param name: stamp (what the changing commands run through Alembic)
    """
    with engine.connect() as connection:
        alembic_command(name)(alembic_config(connection), target, **options)
        connection.commit()


def alembic_config(connection=None, **attributes):
    """Return an Alembic Config for webdemo's migrations.

    :param connection: a SQLAlchemy Connection (or Engine) for env.py to
        run on
    :param attributes: further Config.attributes for env.py ('url')
    """
    config = alembic_config_module.Config(ALEMBIC_INI)
    if connection is not None:
        config.attributes['connection'] = connection
    config.attributes.update(attributes)
    return config


@contextlib.contextmanager
def revision_errors(action, revision):
    """Turn Alembic's complaints about a revision into InvalidRevision.

    :param action: what was asked, e.g. 'upgrade to'
    :param revision: the revision (or range) it was asked for
    """
    try:
        yield
    except (alembic_util.CommandError,
            alembic_revision.RevisionError) as error:
        several = _multiple_heads(error)
        if several is not None:
            raise exception.InvalidRevision(
                f'cannot {action} {revision!r}: it names '
                f'{len(several.heads)} heads ({", ".join(several.heads)}). '
                'webdemo has two, its expand and contract branches: name '
                'one as expand@head or contract@head, or all as heads (db '
                'sync alone runs every phase; db sync --expand and '
                '--contract one each).') from error
        raise exception.InvalidRevision(
            f'cannot {action} {revision!r}: {error}. See '
            "'webdemo-manage db history' for the revisions.") from error


def _multiple_heads(error):
    """The MultipleHeads error behind error (alembic.command wraps it)."""
    while error is not None:
        if isinstance(error, alembic_revision.MultipleHeads):
            return error
        error = error.__cause__ or error.__context__
    return None


def parse_range(revision_range, state):
    """The (base, head) of a history range 'START:END'.

    Either end may be empty (the whole way) or 'current' (the revision
    the database in state is at); None means the whole history.

    :raises webdemo.exception.InvalidRevision: malformed, or 'current'
        for a database not at exactly one revision
    """
    if revision_range is None:
        return 'base', 'heads'
    if revision_range.count(':') != 1:
        raise exception.InvalidRevision(
            f'history range {revision_range!r} is malformed: write it as '
            'START:END, e.g. base:head or current:heads.')
    start, end = (_range_end(name, state)
                  for name in revision_range.split(':'))
    return start or 'base', end or 'heads'


def _range_end(name, state):
    if name != 'current':
        return name
    if len(state.current) != 1:
        raise exception.InvalidRevision(
            "'current' in a range needs a database at exactly one "
            f'revision; it is at {judge.describe(state)}.')
    return state.current[0]


def version_directories(directory):
    """The directories alembic.ini lists revisions in (version_locations)."""
    return [os.fspath(location) for location in
            directory.version_locations or [directory.versions]]


class Scripts:
    """The revision graph of one ScriptDirectory, loaded once.

    :ivar graph: the graph.Graph the reading commands use; heads,
        is_known, applied, sides, checksum and accepts are its answers
    """

    def __init__(self, directory, graph):
        self.directory = directory
        self.graph = graph
        self.heads = graph.heads
        self.is_known = graph.is_known
        self.applied = graph.applied
        self.sides = graph.sides
        self.checksum = graph.checksum
        self.accepts = graph.accepts

    @classmethod
    def load(cls, directory=None, graph=None):
        """Read the revision scripts, through the index.

        :param directory: an Alembic ScriptDirectory; webdemo's by default
        :param graph: the graph.Graph of directory's revision files, read
            already by the command (held.work_to_sync reads webdemo's);
            None reads it
        """
        directory = directory or alembic_script.ScriptDirectory.from_config(
            alembic_config())
        graph = graph or graph_module.load(version_directories(directory))
        indexed = [IndexedScript(entry) for entry in graph.entries.values()]
        library_internals.use_revision_map(directory, lambda: indexed)
        return cls(directory, graph)

    def get(self, revision):
        """The script_index.IndexedScript of one known revision id."""
        return self.directory.get_revision(revision)

    def resolve(self, names, action):
        """The Scripts that names (any form Alembic accepts) denote.

        :raises webdemo.exception.InvalidRevision: unknown or ambiguous
        """
        with revision_errors(action, names):
            return self.directory.get_revisions(names)

    def walk(self, base='base', head='heads'):
        """Revisions from head down to base, newest first."""
        return list(self.directory.walk_revisions(base, head))

    def upgrade_plan(self, target, current):
        """The revisions an upgrade from current to target applies.

        :param target: any form Alembic accepts (head, heads, full or
            partial id, +N, label@head)
        :returns: Alembic Scripts, in the order they run
        :raises webdemo.exception.InvalidRevision: the target is unknown,
            ambiguous or not ahead of current
        """
        with revision_errors('upgrade to', target):
            return list(reversed(list(self.directory.iterate_revisions(
                target, current, implicit_base=True))))

    def downgrade_plan(self, target, current):
        """The revisions a downgrade from current to target undoes.

        :param target: a revision, base, or -N
        :returns: Alembic Scripts, in the order they are undone
        :raises webdemo.exception.InvalidRevision: the target is unknown,
            ambiguous, or not behind current
        """
        with revision_errors('downgrade to', target):
            return list(self.directory.iterate_revisions(
                current, target, select_for_downgrade=True))

    def step(self, script, direction):
        """The Alembic migration step that runs one revision."""
        return library_internals.migration_step(
            self.directory.revision_map, script,
            upgrade=direction == journal.Direction.UPGRADE)

    def steps(self, script, direction):
        """The Alembic steps that run one script.

        A revision's one step; a checkpoint's (checkpoint_plan.Script,
        upgrade only) its operations with its first head's row, then a
        row for each other head.
        """
        if not isinstance(script, checkpoint_plan.Script):
            return [self.step(script, direction)]
        first, *rest = script.heads
        revision_map = self.directory.revision_map
        return [library_internals.stamp_step(revision_map, first,
                                             script.module.upgrade)] + [
            library_internals.stamp_step(revision_map, head)
            for head in rest]

    def applied_by(self, script):
        """The revision scripts script applied, a checkpoint's kept ones.

        (offline.py: what ran before a revision written for --sql.)
        """
        checkpoint = getattr(script, 'checkpoint', None)
        if checkpoint is None:
            return [script]
        return [found for found in map(self.get, sorted(
            checkpoint.revisions)) if not found.retired_in]

    def run_env(self, config, steps):
        """Run env.py once, with config, so that it runs steps.

        :param steps: called by Alembic as steps(heads, context), with the
            version rows it read and its MigrationContext, from inside
            env.py; returns the Alembic migration steps (step()) for
            Alembic to run, taken one at a time as it runs them
        """
        with alembic_environment.EnvironmentContext(
                config, self.directory, fn=steps):
            self.directory.run_env()
