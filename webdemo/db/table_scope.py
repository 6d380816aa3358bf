"""Whether a revision's statements reached beyond the tables its group made.

On PostgreSQL revisions may share one commit (runner.py, backends.py).
A table created in that still-open transaction is invisible to every
other session, so its locks stop nobody; a lock on a table that was
there before stops the service's queries until the commit. So a group
goes on only while its revisions' statements touch nothing but the
tables the group created; after a revision that touched any other, the
group commits at once, and that table's lock is held no longer than if
the revision had committed alone.

Decided from the SQL text of each statement, as Alembic and SQLAlchemy
write it. Any statement not recognised here counts as touching: a wrong
guess can only end a group early, never hold a lock longer.
"""

import contextlib
import re

_NAME = r'(?P<name>(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)' \
        r'(?:\.(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))?)'

# A statement that makes a new object, touching no table's rows or locks
# beyond its REFERENCES.
_CREATE_TABLE = re.compile(
    r'^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?' + _NAME,
    re.IGNORECASE)
_NEW_OBJECT = re.compile(
    r'^\s*CREATE\s+(?:TYPE|SEQUENCE)\s', re.IGNORECASE)
# Statements on one table, harmless when that table is the group's own.
_ON_TABLE = re.compile(
    r'^\s*(?:ALTER\s+TABLE\s+(?:ONLY\s+)?|'
    r'CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?'
    r'(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+(?:ONLY\s+)?|'
    r'INSERT\s+INTO\s+|'
    r'COMMENT\s+ON\s+TABLE\s+)' + _NAME,
    re.IGNORECASE)
_COMMENT_ON_COLUMN = re.compile(
    r'^\s*COMMENT\s+ON\s+COLUMN\s+' + _NAME + r'\.[^.\s]+\s+IS\s',
    re.IGNORECASE)
_REFERENCES = re.compile(r'\bREFERENCES\s+' + _NAME, re.IGNORECASE)


def _normal(name):
    """A table name as PostgreSQL keeps it: unquoted parts folded."""
    return '.'.join(part[1:-1] if part.startswith('"') else part.lower()
                    for part in re.findall(r'"[^"]+"|[^.]+', name))


def tables_of(statement):
    """(created, used) for one statement.

    :returns: the table it creates (or None) and the set of tables it
        works on or refers to; used is None when the statement is not
        one recognised here (it may touch anything)
    """
    references = {_normal(match['name'])
                  for match in _REFERENCES.finditer(statement)}
    created = _CREATE_TABLE.match(statement)
    if created:
        return _normal(created['name']), references
    if _NEW_OBJECT.match(statement):
        return None, references
    on_table = (_ON_TABLE.match(statement)
                or _COMMENT_ON_COLUMN.match(statement))
    if on_table:
        return None, references | {_normal(on_table['name'])}
    return None, None


class Scope:
    """The tables a group created, and whether a revision went beyond them.

    :ivar touched: a statement since the last revision() touched a table
        the group did not create (or could not be read)
    """

    def __init__(self):
        self._created = set()
        self._watching = False
        self.touched = False

    @contextlib.contextmanager
    def watching(self):
        """While a revision runs: the statements seen are its own.

        The runner's bookkeeping, between revisions, touches its own
        tables, which the service does not use.
        """
        self._watching = True
        try:
            yield
        finally:
            self._watching = False

    def see(self, statement):
        """Take in one statement on the connection, before it runs."""
        if not self._watching:
            return
        created, used = tables_of(statement)
        if used is None or not used <= self._created | {created}:
            self.touched = True
        if created is not None:
            self._created.add(created)

    def new_group(self):
        """The group committed: its tables are everybody's now."""
        self._created.clear()
        self.touched = False
