"""Facts about webdemo's revision scripts, read without a database."""

import ast
import dataclasses

from alembic import util as alembic_util

# Alembic operations whose downgrade loses data, and what they drop.
_DROPPING_OPERATIONS = {'drop_table': 'table', 'drop_column': 'column'}


@dataclasses.dataclass(frozen=True)
class RevisionInfo:
    """One revision as the history, heads and show commands report it.

    The field names are part of the JSON output: keep them stable.
    """
    revision: str
    down_revisions: tuple
    message: str
    path: str
    branch_labels: tuple
    is_head: bool
    is_base: bool
    is_branch_point: bool
    is_merge_point: bool
    applied: bool
    downgrade_drops: tuple
    applied_at: str = None
    duration: float = None
    # The release that retired it into a checkpoint (its path is the
    # checkpoint's), or None.
    retired_in: str = None


def title(script):
    """The first line of a revision's message."""
    lines = (script.doc or '').strip().splitlines()
    return lines[0] if lines else ''


def info(script, applied=frozenset(), entry=None):
    """Describe an Alembic Script as a RevisionInfo.

    :param script: an alembic.script.Script
    :param applied: ids of the revisions applied to the database
    :param entry: the revision's latest journal.Entry, if any; when and
        how long it ran are reported for an applied revision
    """
    ran = entry if (script.revision in applied and entry is not None
                    and entry.direction == 'upgrade') else None
    return RevisionInfo(
        revision=script.revision,
        down_revisions=alembic_util.to_tuple(script.down_revision, ()),
        message=title(script),
        path=script.path,
        branch_labels=tuple(sorted(script.branch_labels)),
        is_head=script.is_head,
        is_base=script.is_base,
        is_branch_point=script.is_branch_point,
        is_merge_point=script.is_merge_point,
        applied=script.revision in applied,
        # A retired revision's path is its checkpoint's: no downgrade.
        downgrade_drops=(() if getattr(script, 'retired_in', None)
                         else tuple(downgrade_drops(script.path))),
        applied_at=(ran.started_at.isoformat(sep=' ', timespec='seconds')
                    if ran else None),
        duration=ran.duration if ran else None,
        retired_in=getattr(script, 'retired_in', None))


def downgrade_drops(path):
    """List what the downgrade() in the revision file at path drops."""
    with open(path, encoding='utf-8') as source:
        return drops_in_source(source.read(), path)


def drops_in_source(source, filename='<revision>'):
    """List what the downgrade() in a revision's source drops.

    Read from the source, so nothing runs: each entry reads
    'table NAME' or 'column TABLE.NAME' ('?' where a name is not a
    literal).
    """
    tree = ast.parse(source, filename)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == 'downgrade':
            return list(_drops_in(node, table=None))
    return []


def _drops_in(node, table):
    if isinstance(node, ast.With):
        table = _batch_table(node) or table
    if isinstance(node, ast.Call):
        drop = _describe_drop(node, table)
        if drop:
            yield drop
    for child in ast.iter_child_nodes(node):
        yield from _drops_in(child, table)


def _batch_table(with_node):
    """The table of a `with op.batch_alter_table(NAME)` block, if one."""
    for item in with_node.items:
        call = item.context_expr
        if (isinstance(call, ast.Call) and _called_name(call) ==
                'batch_alter_table' and call.args):
            return _literal(call.args[0])
    return None


def _describe_drop(call, batch_table):
    kind = _DROPPING_OPERATIONS.get(_called_name(call))
    if kind is None:
        return None
    names = [_literal(arg) for arg in call.args]
    if kind == 'table':
        return f'table {names[0] if names else "?"}'
    if len(names) >= 2:
        return f'column {names[0]}.{names[1]}'
    return f'column {batch_table or "?"}.{names[0] if names else "?"}'


def _called_name(call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else None


def _literal(node):
    return node.value if isinstance(node, ast.Constant) else '?'
