"""alembic_version's rows, written as each revision runs.

Alembic keeps one row per head of the applied history: a revision's
step updates its parent's row to itself, inserts a row for a new branch,
deletes the other parents' rows at a merge, and the reverse going down.
Which of these a step does is Alembic's own decision, asked of its
migration step (change_for() calls nothing else). The runner writes the
rows itself, with three statements built once, because Alembic writes
each one with the revision ids as literals: every revision then compiles
a new statement and fills SQLAlchemy's statement cache
(performance.rst). Each is compiled once per Writer and handed to the
driver as its SQL, which costs less than running it as a SQLAlchemy
statement (performance.rst, "MariaDB's per-revision path").
"""

import dataclasses

import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db.execution import journal
from webdemo.db import library_internals
from webdemo import exception

_VERSION = sqlalchemy.table(bookkeeping.VERSION_TABLE,
                            sqlalchemy.column('version_num'))
_NUM = _VERSION.c.version_num
_INSERT = _VERSION.insert().values(version_num=sqlalchemy.bindparam('new'))
_DELETE = _VERSION.delete().where(_NUM == sqlalchemy.bindparam('old'))
_UPDATE = _VERSION.update().where(
    _NUM == sqlalchemy.bindparam('old')).values(
        version_num=sqlalchemy.bindparam('new'))


@dataclasses.dataclass(frozen=True)
class Change:
    """What one step does to the version rows."""
    deletes: tuple = ()
    inserts: tuple = ()
    # (old, new): the row old becomes new.
    update: tuple = None

    def applied_to(self, heads):
        """The set of rows once this change is made to heads."""
        after = set(heads).difference(self.deletes).union(self.inserts)
        if self.update is not None:
            after.discard(self.update[0])
            after.add(self.update[1])
        return after


def change_for(step, heads):
    """The Change an Alembic migration step makes to the rows heads.

    The same decisions, in the same order, as Alembic's own writer of the
    version table (its HeadMaintainer), asked of the step.
    """
    return Change(*library_internals.version_row_change(step, set(heads)))


class Writer:
    """Writes the version rows of each step on one connection.

    Either each step as it runs (write()), or, for revisions sharing a
    commit, only where the steps since the last write() or flush() left
    the rows (note(), then flush()): a group of revisions costs a
    statement or two, not one per revision.

    :param connection: the migration's connection; nothing is committed
    :param heads: the rows as they are now
    """

    def __init__(self, connection, heads):
        self._connection = connection
        self.heads = set(heads)
        # The rows as the open transaction has them.
        self._written = set(heads)
        self._compiled = {}

    def write(self, step):
        """Make step's Change to the rows (in the open transaction)."""
        change = change_for(step, self.heads)
        self._make(change)
        self.heads = self._written = change.applied_to(self.heads)

    def note(self, step):
        """Take step's Change, to be written by flush()."""
        self.heads = change_for(step, self.heads).applied_to(self.heads)

    def flush(self):
        """Make the rows what the steps noted since the last write left."""
        gone = tuple(sorted(self._written - self.heads))
        new = tuple(sorted(self.heads - self._written))
        self._make(Change(update=gone + new)
                   if len(gone) == 1 and len(new) == 1
                   else Change(deletes=gone, inserts=new))
        self._written = set(self.heads)

    def _make(self, change):
        """Run change's statements, in Alembic's order."""
        for old in change.deletes:
            self._one(_DELETE, {'old': old}, f'delete {old}')
        for new in change.inserts:
            self._execute(_INSERT, {'new': new})
        if change.update is not None:
            old, new = change.update
            self._one(_UPDATE, {'old': old, 'new': new},
                      f'update {old} to {new}')

    def _execute(self, statement, parameters):
        compiled = self._compiled.get(statement)
        if compiled is None:
            compiled = self._compiled[statement] = statement.compile(
                dialect=self._connection.dialect)
        return self._connection.exec_driver_sql(
            *journal.driver_call(compiled, parameters))

    def _one(self, statement, parameters, what):
        result = self._execute(statement, parameters)
        # As Alembic checks: the lock keeps every other writer out, so a
        # row that is not there was changed by hand under the lock.
        if (self._connection.dialect.supports_sane_rowcount
                and result.rowcount != 1):
            raise exception.MigrationError(
                f'{bookkeeping.VERSION_TABLE} {what}',
                f'{result.rowcount} rows matched, not 1: the table was '
                'changed while the migration lock was held; run '
                "'webdemo-manage db version' to see the database's state")
