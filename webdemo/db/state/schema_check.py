"""Compare a live database schema with webdemo's models.

What sqlalchemy-migrate called compare_model_to_db: drift such as a
hand-made hotfix shows up as a difference. Alembic's autogenerate
comparison does the work; this module names each difference in words.

Between expand and contract the models are already the contract's
schema: what the pending contract will remove or narrow differs from
them, and is no drift. compare() is given the SQL that contract would
run (written, not run) and marks a difference pending_contract when a
statement of it changes that table and names that column, constraint or
index (or, for a constraint or index, all of its columns), or copies the
whole table (SQLite). Matched by table and name from the SQL's text: a
hand-made change to an object the contract changes anyway is not told
apart until the contract ran.
"""

import dataclasses

from alembic import migration as alembic_migration

from webdemo.db import bookkeeping
from webdemo.db import sql_text
from webdemo.db.sqlalchemy import models

CHANGED_SCRIPT = 'changed_script'
UNSAFE_SETTING = 'unsafe_setting'
FAILING_DATA_CHECK = 'failing_data_check'

_WHERE = {
    'add': 'in the models but missing from the database',
    'remove': 'in the database but not in the models',
}


@dataclasses.dataclass(frozen=True)
class Difference:
    """One difference; the field names are part of the JSON output.

    :ivar kind: Alembic's name for it (add_table, remove_column,
        modify_type, ...), from the database's point of view: what an
        upgrade would have to do to match the models
    :ivar object: table, column, index, unique constraint, foreign key
    :ivar name: the object's name (table.column for columns)
    :ivar detail: one line for operators
    :ivar pending_contract: the contract revisions not yet run will make
        it match the models (not drift)
    """
    kind: str
    object: str
    name: str
    detail: str
    pending_contract: bool = False


def compare(connection, contract_sql=()):
    """Return every Difference between the database and the models.

    :param contract_sql: the statements of the contract revisions not
        yet run, as db sync --contract would send them
    """
    # Imported here: only db check compares, and the commands that only
    # report a revision's state should not pay for autogenerate.
    from alembic import autogenerate

    context = alembic_migration.MigrationContext.configure(
        connection, opts={'compare_type': True,
                          'include_object': bookkeeping.include_object})
    raw = autogenerate.compare_metadata(context, models.BASE.metadata)
    changed = [found for found in map(sql_text.names_on_table, contract_sql)
               if found is not None]
    return [difference for entry in raw
            for difference in _explain(entry, changed)]


def _explain(entry, changed):
    if isinstance(entry, list):
        return [_explain_modification(change, changed) for change in entry]
    kind = entry[0]
    action, _, what = kind.partition('_')
    if what == 'column':
        table, column = entry[2], entry[3]
        return [_difference(kind, 'column', f'{table}.{column.name}', action,
                            _pending(changed, action, table, column.name))]
    target = entry[1]
    label = {'table': 'table', 'index': 'index', 'fk': 'foreign key',
             'constraint': 'unique constraint'}.get(what, what)
    if what == 'table':
        return [_difference(kind, label, target.name, action,
                            _pending(changed, action, target.name))]
    columns = [column.name for column in getattr(target, 'columns', ())]
    return [_difference(
        kind, label, f'{target.name} on {target.table.name}', action,
        _pending(changed, action, target.table.name, target.name, columns))]


def _pending(changed, action, table, name=None, columns=()):
    """Whether the pending contract changes this (a pure decision).

    :param changed: sql_text.names_on_table() of its statements
    :param action: 'add', 'remove' or 'modify': a contract adds nothing
    """
    if action == 'add':
        return False
    for on_table, names, copied in changed:
        if on_table != table:
            continue
        if copied or name is None or name in names or (
                columns and set(columns) <= names):
            return True
    return False


def changed_script(revision):
    """The Difference for an applied revision whose script changed."""
    return Difference(
        CHANGED_SCRIPT, 'revision', revision,
        f'revision {revision}: its script changed after it was applied '
        '(checksum differs from the journal): restore the released file, '
        'or find out who edited it and why.')


def unsafe_setting(problem):
    """The Difference for a preflight.Problem."""
    return Difference(UNSAFE_SETTING, 'setting', problem.setting,
                      str(problem))


def failing_data_check(finding):
    """The Difference for a preconditions.Finding (db check --data)."""
    return Difference(
        FAILING_DATA_CHECK, 'revision', finding.revision,
        f'revision {finding.revision}: {finding.failure()}: db sync would '
        f'refuse it. {finding.remedy()} first.')


_PENDING = '; the pending contract changes it (db sync --contract)'


def _difference(kind, label, name, action, pending):
    where = _WHERE.get(action, action)
    return Difference(kind, label, name,
                      f'{label} {name}: {where}{_PENDING if pending else ""}',
                      pending)


def _explain_modification(change, changed):
    kind, _, table, column, _existing, in_db, in_models = change
    aspect = kind.partition('_')[2]
    pending = _pending(changed, 'modify', table, column)
    return Difference(
        kind, 'column', f'{table}.{column}',
        f'column {table}.{column}: {aspect} is {in_db!r} in the database, '
        f'{in_models!r} in the models{_PENDING if pending else ""}',
        pending)
