"""Constraints and indexes found by what they cover, for revisions.

A revision that drops or alters a constraint or an index must not assume
the name the history gave it. A database adopted from sqlalchemy-migrate
(webdemo/db/state/legacy.py) was created by that tool, and its backend chose
the names of what a column's ``unique=True`` made: MariaDB names the
unique key after the column (``name``), PostgreSQL ``<table>_<column>_key``
(``user_name_key``), SQLite leaves it unnamed. So a revision asks here,
by table and columns, and gets the name the live database uses.

Two cases have no live database to read, and take the name webdemo's
naming convention gives (the name the history itself chose, since every
revision follows it): ``--sql``, which writes SQL for a database it
cannot see, and an unnamed constraint (SQLite), to which
``batch_alter_table`` gives that same conventional name as it reflects
the table: pass it webdemo's naming convention (naming.py), as
``batch_alter_table`` below does.
"""

import dataclasses

from alembic import op
import sqlalchemy as sa

from webdemo.db.sqlalchemy import naming


@dataclasses.dataclass(frozen=True)
class Unique:
    """A unique constraint, or a unique index, as the database has it.

    :ivar name: its name in the database
    :ivar is_index: a unique index rather than a constraint (PostgreSQL
        and SQLite tell the two apart; MySQL's unique keys are both, and
        read as constraints)
    """
    name: str
    is_index: bool = False


def conventional_unique_name(table, columns):
    """The name the naming convention gives a unique constraint."""
    return naming.NAMING_CONVENTION['uq'] % {
        'table_name': table, 'column_0_N_name': '_'.join(columns)}


def find_unique(found_constraints, found_indexes, table, columns):
    """The Unique over exactly columns, among what reflection found.

    Pure: the arguments are what SQLAlchemy's Inspector returned for
    table (get_unique_constraints, get_indexes).

    :returns: a Unique, or None when nothing unique covers exactly
        columns (it was dropped already)
    """
    wanted = list(columns)
    for constraint in found_constraints:
        if list(constraint['column_names']) == wanted:
            return Unique(constraint['name'] or
                          conventional_unique_name(table, wanted))
    for index in found_indexes:
        # An index behind a constraint was found above, by that name.
        if (index.get('unique') and list(index['column_names']) == wanted
                and not index.get('duplicates_constraint')):
            return Unique(index['name'], is_index=True)
    return None


def unique_over(table, columns):
    """The unique constraint or index over exactly columns of table.

    Read from the live database.

    :returns: a Unique, or None when there is none, or nothing to read
        (``--sql``)
    """
    if op.get_context().as_sql:
        return None
    inspector = sa.inspect(op.get_bind())
    return find_unique(inspector.get_unique_constraints(table),
                       inspector.get_indexes(table), table, columns)


def drop_unique(batch, table, columns):
    """Drop whatever makes columns of table unique, by its live name.

    Always exactly one statement: on MySQL a revision that died half-way
    is replayed statement by statement, by position (statements.py), so
    its statements must not depend on what the dead run already did.
    When nothing unique covers the columns (a replay after this drop ran,
    a database that never had it, or ``--sql``, which reads nothing), the
    conventional name is dropped:
    a replay skips that statement or accepts "it is not there"; a first
    run fails on it, as on any schema this history does not know.

    :param batch: the BatchOperations of a batch_alter_table on table
        (batch_alter_table below, so that SQLite's unnamed constraints
        get the conventional name)
    """
    found = unique_over(table, columns) or Unique(
        conventional_unique_name(table, list(columns)))
    if found.is_index:
        batch.drop_index(found.name)
    else:
        batch.drop_constraint(found.name, type_='unique')


def batch_alter_table(table, offline_copy):
    """op.batch_alter_table on the live table, or on offline_copy().

    SQLite's batch mode rebuilds the table. Online it reflects the live
    table, so that the names it drops are the database's own; with
    ``--sql`` there is nothing to reflect, and offline_copy() (the
    table as the history left it) stands in.

    :param offline_copy: a callable returning the sqlalchemy.Table
    """
    copy_from = None
    if op.get_context().as_sql:
        copy_from = _with_later_additions(offline_copy())
    return op.batch_alter_table(table, copy_from=copy_from,
                                naming_convention=naming.NAMING_CONVENTION)


def _with_later_additions(table):
    """table, with what revisions that ran before this one added to it.

    A revision's offline copy is the table as its own history left it;
    an expand revision written later may have run first (expand runs
    before contract). Such a revision declares what it adds
    (``offline_additions(table) -> (columns, [(index, columns)])``), so
    that the copy, which SQLite's batch mode rebuilds the table from,
    keeps it.
    """
    ran = op.get_context().config.attributes.get('webdemo.offline_ran', ())
    for script in ran:
        additions = getattr(script.module, 'offline_additions', None)
        columns, indexes = additions(table.name) if additions else ((), ())
        for column in columns:
            if column.name not in table.c:
                table.append_column(column)
        for name, names in indexes:
            if name not in {index.name for index in table.indexes}:
                sa.Index(name, *(table.c[column] for column in names))
    return table
