"""What a checkpoint file (history/checkpoints.py) calls besides op.

A checkpoint inserts the rows earlier revisions left with their ids, as
they are; a backend whose autoincrement counter does not follow such
rows by itself (PostgreSQL's sequences) has it moved past them, so the
next row the service writes gets the id a replayed history would give.
"""

from alembic import op
import sqlalchemy as sa

from webdemo.db import backends


def insert_rows(table, columns, rows, counted=()):
    """Insert rows (tuples in columns' order) into table.

    :param counted: the columns an autoincrement counter fills
    """
    op.bulk_insert(sa.table(table, *(
        sa.column(name, _type_of(row[position] for row in rows))
        for position, name in enumerate(columns))),
        [dict(zip(columns, row)) for row in rows])
    kind = backends.kind_of_dialect(op.get_context().dialect)
    for column in counted:
        statement = kind.counter_catch_up(table, column)
        if statement is not None:
            op.execute(statement)


def _type_of(values):
    """The SQL type of a column's values, as SQLAlchemy takes a value's.

    db sync --sql writes the rows as literals, which needs a type.
    """
    for value in values:
        if value is not None:
            return sa.literal(value).type
    return sa.String()
