"""Which data checks a revision must declare, read from its upgrade().

A change that the rows in the database can make fail needs a data check
(webdemo/db/sqlalchemy/data_checks.py), so that db sync refuses before
the phase runs rather than failing half-way:

- NOT NULL set on a column (``alter_column(..., nullable=False)``,
  ``online_ddl.set_not_null``): ``no_nulls`` on that column;
- a unique index or constraint: ``no_duplicates`` over its columns;
- a foreign key: ``no_orphans`` over its columns;
- a NOT NULL column added without a server default: ``empty`` on its
  table.

A column or table the same upgrade() adds has no rows the operator
wrote: no check is needed for it. Pure: a revision file's text and the
checks it declares in, what is missing out (the history-shape test in
tests/functional/test_migrations.py runs it on every revision).
"""

import ast
import dataclasses


@dataclasses.dataclass(frozen=True)
class Needed:
    """A check a revision's upgrade() needs.

    :ivar kind: the data_checks function that makes it
    :ivar table: the table, or None when upgrade() names it through a
        batch or a variable
    :ivar columns: the columns, in order
    """
    kind: str
    table: str
    columns: tuple

    def covered_by(self, check):
        if type(check).__name__ != _CLASSES[self.kind]:
            return False
        if self.table is not None and check.table != self.table:
            return False
        return set(self.columns) <= set(_columns_of(check))

    def fix(self, revision):
        table = self.table or '<table>'
        columns = (repr(self.columns[0]) if self.kind == 'no_nulls' else
                   repr(list(self.columns)))
        args = {'no_nulls': f'{table!r}, {columns}',
                'no_duplicates': f'{table!r}, {columns}',
                'no_orphans': f"{table!r}, {columns}, '<parent table>'",
                'empty': f'{table!r}'}[self.kind]
        return (f'revision {revision}: its upgrade() {_WHY[self.kind]}; '
                f'declare data_checks.{self.kind}({args}) in its '
                'data_checks (webdemo/db/sqlalchemy/data_checks.py)')


_CLASSES = {'no_nulls': 'NoNulls', 'no_duplicates': 'NoDuplicates',
            'no_orphans': 'NoOrphans', 'empty': 'Empty'}
_WHY = {'no_nulls': 'sets NOT NULL, which a NULL row fails',
        'no_duplicates': 'adds a unique index or constraint, which two '
                         'alike rows fail',
        'no_orphans': 'adds a foreign key, which a row pointing nowhere '
                      'fails',
        'empty': 'adds a NOT NULL column without a server default, which '
                 'any row fails'}


def _columns_of(check):
    column = getattr(check, 'column', None)
    return (column,) if column else getattr(check, 'columns', ())


def missing(text, declared, revision):
    """The fix-it lines for the checks upgrade() needs and lacks."""
    return [needed.fix(revision) for needed in needed_by(text)
            if not any(needed.covered_by(check) for check in declared)]


def needed_by(text):
    """The Needed checks of the upgrade() in a revision file's text."""
    upgrade = next((node for node in ast.parse(text).body
                    if isinstance(node, ast.FunctionDef)
                    and node.name == 'upgrade'), None)
    if upgrade is None:
        return []
    calls = [node for node in ast.walk(upgrade)
             if isinstance(node, ast.Call)]
    new_tables, new_columns = _made_here(calls)
    found = [needed for call in calls for needed in _needs(call)]
    return [needed for needed in found
            if needed.table not in new_tables
            and not (needed.columns and set(needed.columns) <= new_columns)]


def _made_here(calls):
    """(tables created, columns added) by these calls."""
    tables, columns = set(), set()
    for call in calls:
        name = _name(call)
        if name == 'create_table' and _strings(call.args[:1]):
            tables.add(_strings(call.args[:1])[0])
        if name == 'add_column':
            columns.update(_column_name(arg) for arg in call.args
                           if _column_name(arg))
    return tables, columns


def _needs(call):
    name, args = _name(call), call.args
    batch = _is_batch(call)
    if name == 'alter_column' and _keyword(call, 'nullable') is False:
        table, column = (None, args[0]) if batch else (args[0], args[1])
        return [Needed('no_nulls', _string(table), (_string(column),))]
    if name == 'set_not_null':
        return [Needed('no_nulls', _string(spec.elts[0]),
                       (_string(spec.elts[1]),))
                for spec in ast.walk(call) if isinstance(spec, ast.Tuple)
                and len(spec.elts) > 1 and _string(spec.elts[1])]
    if name == 'create_unique_constraint' or (
            name == 'create_index' and _keyword(call, 'unique') is True):
        table, columns = (None, args[1]) if batch else (args[1], args[2])
        return [Needed('no_duplicates', _string(table), _strings([columns]))]
    if name == 'create_foreign_key':
        table, columns = (None, args[2]) if batch else (args[1], args[3])
        return [Needed('no_orphans', _string(table), _strings([columns]))]
    if name == 'add_column':
        return [Needed('empty', None if batch else _string(args[0]), ())
                for column in args if _not_null_without_default(column)]
    return []


def _name(call):
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else (
        function.id if isinstance(function, ast.Name) else None)


def _is_batch(call):
    """Is it a batch operation (batch.op(...)), not op.op(...)?"""
    owner = getattr(call.func, 'value', None)
    return not (isinstance(owner, ast.Name) and owner.id in ('op',
                                                             'online_ddl'))


def _keyword(call, name):
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def _string(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _strings(nodes):
    """The string constants in nodes, lists and tuples opened."""
    found = []
    for node in nodes:
        if isinstance(node, (ast.List, ast.Tuple)):
            found.extend(_strings(node.elts))
        elif _string(node) is not None:
            found.append(_string(node))
    return tuple(found)


def _column_name(node):
    """'x' for sa.Column('x', ...), else None."""
    if isinstance(node, ast.Call) and _name(node) == 'Column':
        return _string(node.args[0]) if node.args else None
    return None


def _not_null_without_default(node):
    return (_column_name(node) is not None
            and _keyword(node, 'nullable') is False
            and not any(keyword.arg == 'server_default'
                        for keyword in node.keywords))
