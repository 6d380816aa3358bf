"""Autogenerate split by phase: additions to expand, removals to contract.

``webdemo-manage db revision --expand --autogenerate`` keeps, of what
Alembic found between the models and the database, only what adds;
``--contract`` only what removes or narrows. What a revision leaves out
is reported, so the developer writes the other phase's revision next.
env.py hands Alembic's process_revision_directives hook to keep_phase().
Pure: it rewrites Alembic's operation objects, nothing else.
"""

from alembic.operations import ops

from webdemo.db.history import phases

_ADDING = (ops.CreateTableOp, ops.AddColumnOp, ops.CreateIndexOp,
           ops.AddConstraintOp, ops.CreateTableCommentOp)


def phase_of(operation):
    """phases.EXPAND for an operation that only adds, else CONTRACT.

    A column made nullable is widened (expand); any other change to a
    column may narrow it, and is left to contract.
    """
    if isinstance(operation, _ADDING):
        return phases.EXPAND
    if isinstance(operation, ops.AlterColumnOp):
        widening = (operation.modify_nullable is True and
                    operation.modify_type is None and
                    operation.modify_name is None)
        return phases.EXPAND if widening else phases.CONTRACT
    return phases.CONTRACT


def keep_phase(upgrade_ops, phase):
    """Drop from upgrade_ops (in place) what belongs to the other phase.

    :returns: the operations dropped, described for the developer
    """
    left_out = []
    for container in [upgrade_ops] + [
            op for op in upgrade_ops.ops if isinstance(op, ops.OpContainer)]:
        kept = []
        for operation in container.ops:
            if (isinstance(operation, ops.OpContainer) or
                    phase_of(operation) == phase):
                kept.append(operation)
            else:
                left_out.append(describe(operation))
        container.ops = kept
    upgrade_ops.ops = [op for op in upgrade_ops.ops
                       if not isinstance(op, ops.OpContainer) or op.ops]
    return left_out


def describe(operation):
    """An operation in a few words: 'DropColumn user.name'."""
    column = getattr(operation, 'column', None)
    item = (getattr(operation, 'column_name', None) or
            getattr(column, 'name', None) or
            getattr(operation, 'index_name', None) or
            getattr(operation, 'constraint_name', None))
    where = '.'.join(str(part) for part in (
        getattr(operation, 'table_name', None), item) if part)
    return f'{type(operation).__name__.removesuffix("Op")} {where}'.strip()


def revision_directives_hook(phase, left_out):
    """An Alembic process_revision_directives keeping phase's operations.

    :param left_out: a list the hook extends with what it dropped
    """
    def hook(context, revision, directives):
        for script in directives:
            left_out.extend(keep_phase(script.upgrade_ops, phase))
            script.downgrade_ops = script.upgrade_ops.reverse()
    return hook
