"""Compare a live database schema with webdemo's models.

What sqlalchemy-migrate called compare_model_to_db: drift such as a
hand-made hotfix shows up as a difference. Alembic's autogenerate
comparison does the work; this module names each difference in words.
"""

import dataclasses

from alembic import migration as alembic_migration

from webdemo.db import bookkeeping
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
    """
    kind: str
    object: str
    name: str
    detail: str


def compare(connection):
    """Return every Difference between the database and the models."""
    # Imported here: only db check compares, and the commands that only
    # report a revision's state should not pay for autogenerate.
    from alembic import autogenerate

    context = alembic_migration.MigrationContext.configure(
        connection, opts={'compare_type': True,
                          'include_object': bookkeeping.include_object})
    raw = autogenerate.compare_metadata(context, models.BASE.metadata)
    return [difference for entry in raw for difference in _explain(entry)]


def _explain(entry):
    if isinstance(entry, list):
        return [_explain_modification(change) for change in entry]
    kind = entry[0]
    action, _, what = kind.partition('_')
    if what == 'column':
        table, column = entry[2], entry[3]
        return [_difference(kind, 'column', f'{table}.{column.name}', action)]
    target = entry[1]
    label = {'table': 'table', 'index': 'index', 'fk': 'foreign key',
             'constraint': 'unique constraint'}.get(what, what)
    name = target.name if what == 'table' else (
        f'{target.name} on {target.table.name}')
    return [_difference(kind, label, name, action)]


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


def _difference(kind, label, name, action):
    where = _WHERE.get(action, action)
    return Difference(kind, label, name, f'{label} {name}: {where}')


def _explain_modification(change):
    kind, _, table, column, _existing, in_db, in_models = change
    aspect = kind.partition('_')[2]
    return Difference(
        kind, 'column', f'{table}.{column}',
        f'column {table}.{column}: {aspect} is {in_db!r} in the database, '
        f'{in_models!r} in the models')
