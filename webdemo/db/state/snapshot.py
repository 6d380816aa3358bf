"""A database's whole schema and rows, read by reflection: a Snapshot.

Two jobs read it. ``db checkpoint`` writes a checkpoint from the
snapshot of a replayed history (history/checkpoint_file.py), and the
checkpoint equivalence test compares the snapshot of a database built
from a checkpoint with that of one built by replaying the revisions it
stands for, on the same backend: differences() names every item that
disagrees. What it holds is what a checkpoint promises to rebuild:
tables with their columns (type, nullability, server default), primary
key, foreign keys, unique and check constraints and indexes with their
names, the table's options where the backend has some (MySQL's engine
and charset), and the rows. webdemo's own tables (bookkeeping.py) are
left out: a checkpoint does not build them.
"""

import dataclasses

import sqlalchemy

from webdemo.db import backends
from webdemo.db import bookkeeping


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    # The reflected SQLAlchemy type, as the backend has it.
    type: object
    nullable: bool
    default: str = None
    # Whether the backend counts it up by itself (MySQL, PostgreSQL say).
    autoincrement: bool = None

    def described(self):
        """The column as text, for comparing two snapshots."""
        collation = getattr(self.type, 'collation', None)
        return (f'{self.type!r}'
                + (f' COLLATE {collation}' if collation else '')
                + ('' if self.nullable else ' NOT NULL')
                + (f' DEFAULT {self.default}' if self.default else '')
                + (' AUTOINCREMENT' if self.autoincrement else ''))


@dataclasses.dataclass(frozen=True)
class Table:
    """One table as reflected; every list sorted by name."""
    name: str
    columns: tuple
    primary_key: tuple
    foreign_keys: tuple = ()
    uniques: tuple = ()
    indexes: tuple = ()
    checks: tuple = ()
    options: tuple = ()
    rows: tuple = ()

    def described(self):
        """Each item of the table as (what, how it is), for comparing."""
        items = [(f'column {column.name}', column.described())
                 for column in self.columns]
        items.append(('primary key', self.primary_key))
        items += [(f'foreign key {name}', rest)
                  for name, *rest in self.foreign_keys]
        items += [(f'unique constraint {name}', columns)
                  for name, columns in self.uniques]
        items += [(f'index {name}', rest) for name, *rest in self.indexes]
        items += [(f'check constraint {name}', text)
                  for name, text in self.checks]
        items += [(f'option {name}', value) for name, value in self.options]
        items.append(('rows', self.rows))
        return items


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Every table of a database but webdemo's own, by name."""
    tables: dict


def take(connection):
    """The Snapshot of the database behind connection."""
    inspector = sqlalchemy.inspect(connection)
    kind = backends.kind_of_dialect(connection.dialect)
    names = sorted(set(inspector.get_table_names())
                   - bookkeeping.NOT_MODELLED)
    return Snapshot({name: _table(connection, inspector, kind, name)
                     for name in names})


def _table(connection, inspector, kind, name):
    columns = tuple(
        Column(found['name'], found['type'], found['nullable'],
               _default(kind, found), found.get('autoincrement') is True)
        for found in inspector.get_columns(name))
    primary = inspector.get_pk_constraint(name)
    options = inspector.get_table_options(name)
    return Table(
        name, columns,
        (primary.get('name'), tuple(primary['constrained_columns'])),
        foreign_keys=tuple(sorted(
            (key['name'], tuple(key['constrained_columns']),
             key['referred_table'], tuple(key['referred_columns']),
             tuple(sorted((key.get('options') or {}).items())))
            for key in inspector.get_foreign_keys(name))),
        uniques=tuple(sorted(
            (unique['name'], tuple(unique['column_names']))
            for unique in inspector.get_unique_constraints(name)
            # MySQL lists a unique index as a constraint too.
            if not unique.get('duplicates_index'))),
        indexes=tuple(sorted(
            (index['name'], tuple(index['column_names']),
             bool(index['unique']))
            for index in inspector.get_indexes(name))),
        checks=tuple(sorted(
            (check['name'], check['sqltext'])
            for check in _checks(inspector, name))),
        options=tuple(sorted((key, options[key])
                             for key in kind.table_options if key in options)),
        rows=_rows(connection, name, [column.name for column in columns]))


def _default(kind, found):
    """The server default as text, unless it is how the column counts."""
    default = found.get('default')
    return None if default is None else kind.reflected_default(str(default))


def _checks(inspector, name):
    try:
        return inspector.get_check_constraints(name)
    except NotImplementedError:
        return ()


def _rows(connection, name, columns):
    """Every row, as tuples in column order, sorted."""
    table = sqlalchemy.table(name, *map(sqlalchemy.column, columns))
    rows = connection.execute(sqlalchemy.select(table)).all()
    return tuple(sorted((tuple(row) for row in rows), key=repr))


def differences(expected, found):
    """Lines naming each item where found differs from expected.

    :param expected: the Snapshot taken as right (the replayed history)
    :param found: the Snapshot compared with it (the checkpoint's)
    """
    lines = []
    for name in sorted(set(expected.tables) | set(found.tables)):
        if name not in found.tables:
            lines.append(f'table {name}: missing')
        elif name not in expected.tables:
            lines.append(f'table {name}: not in the replayed history')
        else:
            lines += [f'table {name}: {line}' for line in _table_differences(
                expected.tables[name], found.tables[name])]
    return lines


def _table_differences(expected, found):
    wanted, seen = dict(expected.described()), dict(found.described())
    lines = []
    for item in sorted(set(wanted) | set(seen)):
        if wanted.get(item) != seen.get(item):
            lines.append(f'{item}: {_shown(wanted.get(item))} in the '
                         f'history, {_shown(seen.get(item))} in the '
                         'checkpoint')
    if [column.name for column in expected.columns] != [
            column.name for column in found.columns]:
        lines.append('column order differs')
    return lines


def _shown(value):
    return 'absent' if value is None else repr(value)
