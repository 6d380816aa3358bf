"""The db commands for developers: write a revision, merge heads, cut a
checkpoint.

db revision writes a new revision at the head of the expand or the
contract branch (with --autogenerate, from the differences between the
models and a database at head, keeping the one phase's operations:
autogenerate.py); db merge writes a revision merging heads. Both go
through alembic.command, loaded only here. db checkpoint replays the
history on empty databases and writes what it built as a checkpoint
(history/checkpoints.py, history/checkpoint_file.py).
"""

import os

from webdemo.db import backends
from webdemo.db.history import checkpoint_file
from webdemo.db.history import checkpoints
from webdemo.db.history import phases
from webdemo.db.history import scripts as scripts_module
from webdemo.db import migration
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import snapshot
from webdemo.db.state import status
from webdemo import exception
from webdemo import release as webdemo_release


def new_revision(message, phase=None, autogenerate=False, engine=None,
                 report=print):
    """Write a new revision file at the head of one phase's branch.

    :param message: the revision's title
    :param phase: phases.EXPAND or phases.CONTRACT; needed once the
        history has the two branches. A contract revision depends on
        expand@head: it may remove only what that made unused
    :param autogenerate: fill it in from the differences between the
        models and the database behind engine, which must be at head;
        only the phase's kind of change is kept (autogenerate.py), and
        the rest reported
    :returns: the new file's path
    :raises webdemo.exception.UpgradePending: autogenerate on a database
        that is not at head
    :raises webdemo.exception.InvalidRevision: no phase where one is
        needed, or the history has several heads (merge them first)
    """
    scripts = scripts_module.Scripts.load()
    options = _phase_options(scripts, phase)
    # Imported here: only developers' commands pay for alembic.operations.
    from webdemo.db import autogenerate as autogenerate_module

    left_out = []
    connection = None
    if autogenerate:
        state = status.get_state(engine)
        if state.status != Status.AT_HEAD:
            raise exception.UpgradePending(judge.describe(state))
        connection = engine
    config = scripts_module.alembic_config(
        connection, process_revision_directives=(
            autogenerate_module.revision_directives_hook(phase, left_out)
            if autogenerate and phase else None))
    with scripts_module.revision_errors('write a revision after',
                                        options.get('head', 'head')):
        write = scripts_module.alembic_command('revision')
        path = write(config, message=message, autogenerate=autogenerate,
                     **options).path
    if left_out:
        report(f'Left out, for the other phase\'s revision: '
               f'{"; ".join(left_out)}')
    return path


def _phase_options(scripts, phase):
    if not scripts.sides.contract:
        return {}
    if phase is None:
        raise exception.InvalidRevision(
            'the history has two branches, expand and contract: write the '
            'revision with --expand (it only adds) or --contract (it '
            'removes what the previous release used); see '
            'doc/source/rolling-upgrades.rst.')
    options = {'head': phases.target(phase)}
    try:
        heads = scripts.resolve(options['head'], 'write a revision after')
    except exception.InvalidRevision:
        heads = ()
    if len(heads) != 1:
        raise exception.InvalidRevision(
            f'the {phase} branch has several heads '
            f'({", ".join(sorted(scripts.heads))} in all): merge them '
            "first with 'webdemo-manage db merge'.")
    if phase == phases.CONTRACT:
        options['depends_on'] = [script.revision for script in
                                 scripts.resolve(phases.target(phases.EXPAND),
                                                 'depend on')]
    return options


def merge(revisions_to_merge, message):
    """Write a revision that merges several heads; returns its path."""
    with scripts_module.revision_errors('merge', ' '.join(revisions_to_merge)):
        merge_heads = scripts_module.alembic_command('merge')
        return merge_heads(scripts_module.alembic_config(),
                           list(revisions_to_merge), message=message).path


def checkpoint(engine, revision=None, others=(), report=print,
               directory=checkpoints.DIRECTORY, release=None):
    """Write a checkpoint of the history at revision; returns its path.

    :param engine: an empty SQLite database, which the history is
        replayed on and read back from
    :param revision: where the checkpoint stands: a revision, or None
        for the heads
    :param others: engines of empty databases of other backends, replayed
        too, for what SQLite cannot hold (a column's collation)
    :param release: the release it is cut at (default: this webdemo's
        version), which an operator upgrades an older database with once
        a later release retires these revisions
    :raises webdemo.exception.InvalidRevision: revision is unknown
    :raises webdemo.exception.ConfigurationError: a database is not
        empty
    """
    scripts = scripts_module.Scripts.load()
    covered = tuple(
        _covered(scripts, script.revision)
        for script in scripts.upgrade_plan(revision or 'heads', ()))
    replayed = _replayed(engine, revision, report)
    # The version rows the replay left (a head that another revision
    # depends on has none).
    heads = status.get_state(engine).current
    text = checkpoint_file.render(
        replayed, heads, covered, checkpoint_file.variants(replayed, {
            backends.kind_of_dialect(other.dialect).name: _replayed(
                other, revision, report) for other in others}),
        release or webdemo_release.NAME)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, '_'.join(heads) + '.py')
    with open(path, 'w', encoding='utf-8') as written:
        written.write(text)
    return path


def _covered(scripts, revision):
    entry = scripts.graph.entries[revision]
    facts = entry.facts
    return checkpoints.Covered(revision, facts.down_revision,
                               facts.branch_labels, facts.depends_on,
                               facts.doc, entry.checksum, facts.replaces)


def _replayed(engine, revision, report):
    """The Snapshot of engine's empty database, the history replayed."""
    report('Replaying the history on '
           f'{engine.url.render_as_string(hide_password=True)}.')
    migration.build(engine, revision, report=lambda line: None)
    with engine.connect() as connection:
        return snapshot.take(connection)
