"""Whether a revision's statements reached beyond the tables its group made.

On PostgreSQL revisions may share one commit (runner.py,
backends/run_strategies.py).
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

from webdemo.db import sql_text


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
        created, used = sql_text.tables_of(statement)
        if used is None or not used <= self._created | {created}:
            self.touched = True
        if created is not None:
            self._created.add(created)

    def new_group(self):
        """The group committed: its tables are everybody's now."""
        self._created.clear()
        self.touched = False
