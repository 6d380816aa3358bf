"""A checkpoint file's text, written from a snapshot: pure.

``db checkpoint`` replays the history to the checkpoint's heads on a
scratch SQLite database and hands the snapshot here; render() writes it
as Alembic operations (one create_table per table, in an order where a
table comes after those it refers to, then its indexes, then its rows)
that any backend runs. Types are written as SQLAlchemy's generic types
(String, Integer, DateTime), which each backend compiles as the
revisions' own types compile. What SQLite cannot hold, a column's
collation on MySQL, comes from a replay on that backend too: such a
column's type gets a variant for it (variants()), as models.py writes
it. The checkpoint equivalence test proves the result on every backend.
"""

import decimal

from sqlalchemy.sql import sqltypes

from webdemo.db import backends
from webdemo.db.sqlalchemy import models

_HEADER = '''"""Checkpoint: the schema at {heads_text}.

Written by `webdemo-manage db checkpoint` from a replay of the {count}
revisions below; do not edit it. `db sync` builds an empty database
from it, then runs the revisions after it
(doc/source/revision-history.rst says when to cut one, and how to
retire the revisions it stands for).
"""

import datetime  # noqa: F401 (rows may hold dates and decimals)
import decimal  # noqa: F401

from alembic import op
import sqlalchemy as sa

from webdemo.db.sqlalchemy import checkpoint_ops  # noqa: F401 (rows)

# The version rows the checkpoint leaves.
heads = {heads!r}

# The release it was cut at: it still has every revision below, for a
# database older than the revisions a later release keeps.
release = {release!r}

# Each revision it stands for, in the order the history applies them:
# (revision, down revisions, branch labels, depends on, title, sha256 of
# its script when the checkpoint was cut).
revisions = (
{covered}
)

# The released versions of their scripts some of them declare
# equivalent (replaces_checksums), by revision.
replaced = {replaced}


def upgrade():
'''


def render(snapshot, heads, covered, variants=None, release=None):
    """The checkpoint file's text.

    :param snapshot: the snapshot.Snapshot of the history replayed to
        heads on SQLite
    :param heads: the version rows at the checkpoint
    :param covered: checkpoints.Covered of every revision, in order
    :param variants: {(table, column): {dialect names: type}}, the
        types other backends give columns (variants())
    :param release: the release it is cut at
    """
    variants = variants or {}
    body = []
    tables = ordered(snapshot.tables)
    for table in tables:
        body += _create_table(table, variants)
        for index in table.indexes:
            body += _create_index(table.name, index)
    # The rows last, after every DDL statement: on MySQL each DDL
    # statement commits what is open, and rows committed by a later
    # one would be inserted again by a run that completes a build
    # killed half-way (it skips only the DDL that ran). Last, they
    # commit with the checkpoint's version and journal rows.
    for table in tables:
        if table.rows:
            body += _insert_rows(table)
    if not body:
        body = ['    pass']
    return _HEADER.format(
        heads_text=', '.join(heads), count=len(covered),
        heads=tuple(heads), release=release,
        replaced=_replaced(covered),
        covered='\n'.join(
            line for entry in covered for line in _revision_entry(entry))
    ) + '\n'.join(body) + '\n'


def ordered(tables):
    """The snapshot's tables, each after the tables it refers to.

    :raises ValueError: foreign keys refer round in a cycle
    """
    done, result = set(), []
    waiting = dict(tables)
    while waiting:
        ready = sorted(
            name for name, table in waiting.items()
            if all(key[2] in done or key[2] == name
                   for key in table.foreign_keys))
        if not ready:
            raise ValueError('foreign keys refer round in a cycle among '
                             f'{", ".join(sorted(waiting))}')
        for name in ready:
            result.append(waiting.pop(name))
            done.add(name)
    return result


def variants(sqlite_snapshot, others):
    """The column types another backend's replay gives differently.

    Only what the generic type carries counts (a collation): the rest,
    VARCHAR against TEXT-like spellings, each backend compiles alike.

    :param others: {backend name: that backend's Snapshot}
    :returns: {(table, column): {dialect names: generic type}}
    """
    found = {}
    for dialect, other in sorted(others.items()):
        names = backends.kind_of(dialect).dialect_names
        for table in sqlite_snapshot.tables.values():
            theirs = {column.name: column for column in
                      other.tables[table.name].columns}
            for column in table.columns:
                mine = generic(column.type)
                their = generic(theirs[column.name].type)
                if getattr(their, 'collation', None) and repr(
                        their) != repr(mine):
                    found.setdefault((table.name, column.name), {})[
                        names] = their
    return found


def generic(type_):
    """The generic SQLAlchemy type for a reflected one."""
    try:
        return type_.as_generic()
    except NotImplementedError:
        return type_


class Call:
    """A call (or, with no name, a tuple) written within 79 columns.

    On one line if it fits, else one argument a line, indented: the
    file is read in review like any revision, and pep8 holds it.
    """

    def __init__(self, name, *args, closing=''):
        self.name = name
        self.args = args
        self.closing = closing

    def inline(self):
        return (f'{self.name}(' + ', '.join(
            arg.inline() if isinstance(arg, Call) else arg
            for arg in self.args) + self._trailing() + ')' + self.closing)

    def _trailing(self):
        # A tuple of one keeps its comma.
        return ',' if not self.name and len(self.args) == 1 else ''

    def lines(self, indent, suffix=''):
        one = ' ' * indent + self.inline() + suffix
        if len(one) <= WIDTH or not self.args:
            return [one if len(one) <= WIDTH else one + '  # noqa: E501']
        lines = [' ' * indent + f'{self.name}(']
        for position, arg in enumerate(self.args):
            end = ',' if position < len(self.args) - 1 else (
                self._trailing() + ')' + self.closing + suffix)
            if isinstance(arg, Call):
                lines += arg.lines(indent + 4, end)
            else:
                line = ' ' * (indent + 4) + arg + end
                lines.append(line if len(line) <= WIDTH
                             else line + '  # noqa: E501')
        return lines


WIDTH = 79


def _type(table, column, variants):
    """The column's type, with a variant for each backend that differs."""
    written = f'sa.{generic(column.type)!r}'
    for names, other in variants.get((table, column.name), {}).items():
        written = Call(f'{_inline(written)}.with_variant',
                       f'sa.{other!r}',
                       ', '.join(repr(name) for name in names))
    return written


def _inline(written):
    return written.inline() if isinstance(written, Call) else written


def _create_table(table, variants):
    args = [repr(table.name)]
    for column in table.columns:
        extra = [] if column.nullable else ['nullable=False']
        if column.default is not None:
            extra.append(f'server_default=sa.text({column.default!r})')
        args.append(Call('sa.Column', repr(column.name),
                         _type(table.name, column, variants), *extra))
    name, columns = table.primary_key
    if columns:
        args.append(Call('sa.PrimaryKeyConstraint', *map(repr, columns),
                         f'name={name!r}'))
    for name, columns, referred, referred_columns, options in (
            table.foreign_keys):
        targets = (f'{referred}.{column}' for column in referred_columns)
        args.append(Call(
            'sa.ForeignKeyConstraint', f'[{_names(columns)}]',
            f'[{_names(targets)}]', f'name={name!r}',
            *(f'{key}={value!r}' for key, value in options)))
    for name, columns in table.uniques:
        args.append(Call('sa.UniqueConstraint', *map(repr, columns),
                         f'name={name!r}'))
    for name, text in table.checks:
        args.append(Call('sa.CheckConstraint', repr(text), f'name={name!r}'))
    args += [f'{key}={value!r}'
             for key, value in models.MYSQL_TABLE_ARGS.items()]
    return Call('op.create_table', *args).lines(4)


def _create_index(table, index):
    name, columns, unique = index
    return Call('op.create_index', repr(name), repr(table),
                f'[{_names(columns)}]', f'unique={unique}').lines(4)


def _insert_rows(table):
    columns = [column.name for column in table.columns]
    # An integer primary key of its own is what backends count up.
    counted = [column.name for column in table.columns
               if table.primary_key[1] == (column.name,)
               and isinstance(generic(column.type), sqltypes.Integer)]
    rows = Call('', *(Call('', *map(_value, row)) for row in table.rows))
    extra = [f'counted=({_names(counted)},)'] if counted else []
    return Call('checkpoint_ops.insert_rows', repr(table.name),
                f'[{_names(columns)}]', rows,
                *extra).lines(4)


def _value(value):
    # repr() writes datetime.datetime(...) and Decimal('...'), which
    # the file's imports read back.
    if isinstance(value, decimal.Decimal):
        return f'decimal.{value!r}'
    return repr(value)


def _names(names):
    return ', '.join(repr(name) for name in names)


def _replaced(covered):
    found = {entry.revision: entry.replaces
             for entry in covered if entry.replaces}
    if not found:
        return '{}'
    return '{\n' + ''.join(
        f'    {revision!r}: (\n' + ''.join(
            f'        {checksum!r},\n' for checksum in checksums) + '    ),\n'
        for revision, checksums in found.items()) + '}'


def _revision_entry(covered):
    """Three lines: the graph's facts, the title, the sha256."""
    lines = ['    (' + ', '.join(map(repr, (
        covered.revision, covered.down_revision, covered.branch_labels,
        covered.depends_on))) + ',',
        f'     {covered.doc!r},', f'     {covered.checksum!r}),']
    return [line if len(line) <= WIDTH else line + '  # noqa: E501'
            for line in lines]
