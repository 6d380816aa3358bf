"""The revision graph drawn: Graphviz DOT, SVG, Mermaid, or JSON.

``db history`` lists revisions; this draws how they hang together: each
revision with its title, the edges to the revisions it follows (solid)
and those it depends on across branches (dashed), branch points and
merges, the expand and contract phases (a box each), and, when a
database was read, which revisions it has applied, which are pending
and which a run left interrupted.

drawing() builds the picture from loaded scripts; dot(), mermaid() and
as_json() write it; svg() hands DOT to Graphviz's ``dot`` command, the
one step that needs a program outside Python. Pure but svg().
"""

import dataclasses
import shutil
import subprocess

from alembic import util as alembic_util

from webdemo.db.history import revisions
from webdemo import exception

# What a database says of a revision (None when none was read).
APPLIED = 'applied'
PENDING = 'pending'
INTERRUPTED = 'interrupted'

# The phases: the history before expand and contract split, then each.
BEFORE = 'before the split'
EXPAND = 'expand'
CONTRACT = 'contract'


@dataclasses.dataclass(frozen=True)
class Node:
    """One revision; the field names are part of the JSON output."""
    revision: str
    message: str
    phase: str
    state: str = None
    head: bool = False
    base: bool = False
    branch_point: bool = False
    merge_point: bool = False


@dataclasses.dataclass(frozen=True)
class Edge:
    """parent comes before child: 'follows' (down_revision) or 'depends'."""
    parent: str
    child: str
    kind: str


@dataclasses.dataclass(frozen=True)
class Drawing:
    nodes: tuple
    edges: tuple


def drawing(scripts, applied=None, interrupted=()):
    """The Drawing of scripts (a scripts.Scripts), oldest first.

    :param applied: the revisions a database has applied; None when no
        database was read (no states drawn)
    :param interrupted: the revisions a run left half-done
    """
    walked = list(reversed(scripts.walk()))
    before = _before_the_split(walked, scripts.sides.contract)
    nodes, edges = [], []
    for script in walked:
        nodes.append(Node(
            script.revision, revisions.title(script),
            _phase(script.revision, before, scripts.sides.contract),
            _state(script.revision, applied, interrupted),
            script.is_head, script.is_base, script.is_branch_point,
            script.is_merge_point))
        edges.extend(Edge(parent, script.revision, 'follows') for parent in
                     alembic_util.to_tuple(script.down_revision, ()))
        edges.extend(Edge(parent.revision, script.revision, 'depends')
                     for parent in scripts.resolve(alembic_util.to_tuple(
                         script.dependencies, ()), 'draw'))
    return Drawing(tuple(nodes), tuple(edges))


def _before_the_split(walked, contract):
    """The history both phases share: what contract follows, not needs."""
    parents = {script.revision:
               alembic_util.to_tuple(script.down_revision, ())
               for script in walked}
    shared, todo = set(), [parent for revision in contract
                           for parent in parents[revision]]
    while todo:
        revision = todo.pop()
        if revision not in shared and revision not in contract:
            shared.add(revision)
            todo.extend(parents[revision])
    return shared


def _phase(revision, before, contract):
    if revision in contract:
        return CONTRACT
    return BEFORE if revision in before else EXPAND


def _state(revision, applied, interrupted):
    if applied is None:
        return None
    if revision in interrupted:
        return INTERRUPTED
    return APPLIED if revision in applied else PENDING


# How each state looks in DOT: the fill colour.
_FILL = {APPLIED: '#c8e6c9', PENDING: '#ffffff', INTERRUPTED: '#ffcdd2',
         None: '#ffffff'}


def dot(picture):
    """Graphviz DOT: oldest at the top, one box per phase."""
    lines = ['digraph revisions {', '  rankdir=TB;',
             '  node [shape=box, style="rounded,filled", fontname="sans"];']
    lines += [f'  {_dot_node(node)}' for node in picture.nodes
              if node.phase == BEFORE]
    for phase in (EXPAND, CONTRACT):
        lines += [f'  subgraph cluster_{phase} {{',
                  f'    label="{phase}"; style=dashed;']
        lines += [f'    {_dot_node(node)}' for node in picture.nodes
                  if node.phase == phase]
        lines.append('  }')
    for edge in picture.edges:
        style = ' [style=dashed, label="depends on"]' if (
            edge.kind == 'depends') else ''
        lines.append(f'  "{edge.parent}" -> "{edge.child}"{style};')
    lines.append('}')
    return '\n'.join(lines) + '\n'


def _dot_node(node):
    label = _escape(f'{node.revision}\\n{node.message}'
                    + ''.join(f'\\n({mark})' for mark in _marks(node)))
    shape = ', peripheries=2' if node.merge_point or node.branch_point else ''
    return (f'"{node.revision}" [label="{label}", '
            f'fillcolor="{_FILL[node.state]}"{shape}];')


def _marks(node):
    return [mark for mark, on in (
        ('head', node.head), ('branch point', node.branch_point),
        ('merge', node.merge_point), (node.state, node.state is not None))
        if on]


def _escape(text):
    return text.replace('"', '\\"')


def mermaid(picture):
    """A Mermaid flowchart, for Markdown."""
    lines = ['flowchart TB']
    lines += [f'  {_mermaid_node(node)}' for node in picture.nodes
              if node.phase == BEFORE]
    for phase in (EXPAND, CONTRACT):
        lines.append(f'  subgraph {phase}')
        lines += [f'    {_mermaid_node(node)}' for node in picture.nodes
                  if node.phase == phase]
        lines.append('  end')
    for edge in picture.edges:
        arrow = '-. depends on .->' if edge.kind == 'depends' else '-->'
        lines.append(f'  r{edge.parent} {arrow} r{edge.child}')
    for state in (APPLIED, INTERRUPTED):
        chosen = [f'r{node.revision}' for node in picture.nodes
                  if node.state == state]
        if chosen:
            lines.append(f'  classDef {state} fill:{_FILL[state]}')
            lines.append(f'  class {",".join(chosen)} {state}')
    return '\n'.join(lines) + '\n'


def _mermaid_node(node):
    text = '<br/>'.join([node.revision, node.message.replace('"', "'")]
                        + [f'({mark})' for mark in _marks(node)])
    return f'r{node.revision}["{text}"]'


def as_json(picture):
    """A dict of nodes and edges, for tools."""
    return {'nodes': [dataclasses.asdict(node) for node in picture.nodes],
            'edges': [dataclasses.asdict(edge) for edge in picture.edges]}


def svg(dot_text):
    """The SVG Graphviz draws from dot_text.

    :raises webdemo.exception.ConfigurationError: Graphviz is missing
    """
    program = shutil.which('dot')
    if program is None:
        raise exception.ConfigurationError(
            "drawing SVG needs Graphviz's dot command, which is not "
            'installed: install Graphviz (apt install graphviz, dnf install '
            'graphviz, brew install graphviz), or use --format dot or '
            'mermaid.')
    return subprocess.run([program, '-Tsvg'], input=dot_text, text=True,
                          capture_output=True, check=True,
                          timeout=60).stdout
