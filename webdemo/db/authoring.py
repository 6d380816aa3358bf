"""The db commands for developers: write a revision, merge heads.

db revision writes a new revision at the head of the expand or the
contract branch (with --autogenerate, from the differences between the
models and a database at head, keeping the one phase's operations:
autogenerate.py); db merge writes a revision merging heads. Both go
through alembic.command, loaded only here.
"""

from webdemo.db.history import phases
from webdemo.db.history import scripts as scripts_module
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import status
from webdemo import exception


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
