"""What a revision's data must be before it runs: its data checks.

A revision can fail half-way on the rows it meets: a NULL where it sets
NOT NULL, two rows alike where it adds a unique index, a row pointing
nowhere where it adds a foreign key, rows in a table it drops as empty.
On MySQL each DDL statement commits by itself, so such a failure leaves
the revision half-done. A revision therefore declares, at module level,
what its data must satisfy::

    from webdemo.db.sqlalchemy import data_checks

    data_checks = (
        data_checks.no_nulls('user', 'username'),
        data_checks.no_duplicates('user', ['username']),
    )

db sync runs the checks of a phase's revisions before that phase's
first statement, under the migration lock, and refuses (exit 15) with
the revision, the check, how many rows fail, one of them, and what to
do; ``db check --data`` runs the checks of every pending revision and
changes nothing (state/preconditions.py runs them).

Each check counts, with one SELECT, the rows that would fail, and
reads one of them. A check over a table or a column the database does
not have yet passes: an earlier revision of the same plan creates it,
and whatever rows it then holds come from that revision, not from the
data the operator has.
"""

import dataclasses

import sqlalchemy as sa


@dataclasses.dataclass(frozen=True)
class Failing:
    """What a check found: rows that fail it, and one of them.

    :ivar rows: how many rows fail
    :ivar example: one failing row's key, as ``column=value`` words
    """
    rows: int
    example: str = None


@dataclasses.dataclass(frozen=True)
class NoNulls:
    """No row has NULL in table.column (before NOT NULL is set)."""
    table: str
    column: str
    key: tuple = ('id',)

    def needs(self):
        return {self.table: (self.column, *self.key)}

    def describe(self):
        return f'no NULL in {self.table}.{self.column}'

    def fix(self):
        return (f'set {self.table}.{self.column} on those rows, or delete '
                'them')

    def failing(self, connection):
        table = _table(self.table, self.column, *self.key)
        null = table.c[self.column].is_(None)
        return _counted(connection, table, null, self.key)


@dataclasses.dataclass(frozen=True)
class NoDuplicates:
    """No two rows share their values over columns (before unique).

    Rows with a NULL among the columns never clash, as in a unique index.
    Values compare as the column's collation compares them, as the index
    would.
    """
    table: str
    columns: tuple

    def needs(self):
        return {self.table: self.columns}

    def describe(self):
        return (f'no duplicate ({", ".join(self.columns)}) in '
                f'{self.table}')

    def fix(self):
        return 'change or delete all but one row of each duplicate'

    def failing(self, connection):
        table = _table(self.table, *self.columns)
        values = [table.c[name] for name in self.columns]
        groups = (sa.select(*values, sa.func.count().label('rows'))
                  .where(*(value.is_not(None) for value in values))
                  .group_by(*values)
                  .having(sa.func.count() > 1).subquery())
        rows = connection.execute(sa.select(
            sa.func.coalesce(sa.func.sum(groups.c.rows), 0))).scalar()
        if not rows:
            return Failing(0)
        example = connection.execute(
            sa.select(*(groups.c[name] for name in self.columns))
            .limit(1)).first()
        return Failing(int(rows), _words(self.columns, example))


@dataclasses.dataclass(frozen=True)
class NoOrphans:
    """Every row's columns match a row of parent (before a foreign key).

    A row with a NULL among the columns points nowhere and is allowed,
    as the foreign key allows it.
    """
    table: str
    columns: tuple
    parent: str
    parent_columns: tuple = ('id',)
    key: tuple = ('id',)

    def needs(self):
        return {self.table: (*self.columns, *self.key),
                self.parent: self.parent_columns}

    def describe(self):
        return (f'no {self.table} row whose ({", ".join(self.columns)}) '
                f'is missing from {self.parent}')

    def fix(self):
        return (f'add the missing {self.parent} rows, or correct or '
                f'delete those {self.table} rows')

    def failing(self, connection):
        child = _table(self.table, *self.columns, *self.key)
        parent = _table(self.parent, *self.parent_columns).alias('parent')
        orphan = sa.and_(
            *(child.c[name].is_not(None) for name in self.columns),
            ~sa.exists().where(*(
                parent.c[theirs] == child.c[ours] for ours, theirs in
                zip(self.columns, self.parent_columns))))
        return _counted(connection, child, orphan, self.key)


@dataclasses.dataclass(frozen=True)
class Empty:
    """The table has no rows (before it is dropped as unused)."""
    table: str
    key: tuple = ('id',)

    def needs(self):
        return {self.table: self.key}

    def describe(self):
        return f'{self.table} is empty'

    def fix(self):
        return (f'move or delete the rows of {self.table} (back it up '
                'first)')

    def failing(self, connection):
        return _counted(connection, _table(self.table, *self.key),
                        sa.true(), self.key)


@dataclasses.dataclass(frozen=True)
class CountIsZero:
    """A query of the revision's own counts no failing row.

    :ivar sql: a SELECT returning one number, the rows that fail
    :ivar words: what the check asks, for the refusal
    :ivar what_to_do: the fix, for the refusal
    :ivar table: the table it reads: the check passes while it is absent
    """
    sql: str
    words: str
    what_to_do: str
    table: str

    def needs(self):
        return {self.table: ()}

    def describe(self):
        return self.words

    def fix(self):
        return self.what_to_do

    def failing(self, connection):
        return Failing(int(connection.execute(sa.text(self.sql)).scalar()
                           or 0))


def no_nulls(table, column, key=('id',)):
    """table.column has no NULL: declare before setting NOT NULL."""
    return NoNulls(table, column, tuple(key))


def no_duplicates(table, columns):
    """No two rows of table share columns: declare before unique."""
    return NoDuplicates(table, tuple(columns))


def no_orphans(table, columns, parent, parent_columns=('id',),
               key=('id',)):
    """table's columns all match parent's: declare before a foreign key."""
    return NoOrphans(table, tuple(columns), parent, tuple(parent_columns),
                     tuple(key))


def empty(table, key=('id',)):
    """table has no rows: declare before dropping it as unused."""
    return Empty(table, tuple(key))


def count_is_zero(sql, words, what_to_do, table):
    """sql (a SELECT of one number) counts no failing row."""
    return CountIsZero(sql, words, what_to_do, table)


def _table(name, *columns):
    return sa.table(name, *(sa.column(column) for column in
                            dict.fromkeys(columns)))


def _counted(connection, table, failing, key):
    rows = connection.execute(
        sa.select(sa.func.count()).select_from(table).where(failing)
    ).scalar()
    if not rows:
        return Failing(0)
    example = connection.execute(
        sa.select(*(table.c[name] for name in key)).where(failing)
        .order_by(*(table.c[name] for name in key)).limit(1)).first()
    return Failing(int(rows), _words(key, example))


def _words(names, values):
    return ', '.join(f'{name}={value!r}' for name, value in
                     zip(names, values))
