"""Whether a revision's statements reached beyond the run's own tables.

On PostgreSQL revisions may share one commit (runner.py,
backends/run_strategies.py). A lock on a table the service uses stops
its queries until the commit. A table this run of the plan created is
used by no service: until its group commits no other session can see
it, and after that no service reads it before the run ends. A release's
services serve only once its expand phase is complete (the API's
schema guard), and run on the schema both before and after its
contract, so they need no table only a contract makes; an older
release's services do not know the newer release's tables. So a group
goes on while its revisions' statements touch nothing but the run's
own tables; after a revision that touched any other, the group commits
at once, and that table's lock is held no longer than if the revision
had committed alone.

A table of the run stops being its own once a statement links it to
any other table (a foreign key either way, or any statement naming
both): a later statement on it could then lock the other one too
(dropping the key locks both tables). Tables are known by name, so a
name in use when the run began (read from the catalog, run_strategies
.DeferredFlush.scope_for) is never the run's own, even once dropped or
renamed away and made again; renaming a table, or making one from or
into another (AS, LIKE, INHERITS, PARTITION OF, ATTACH), is not
recognised.

What this cannot see: a function or a trigger that reaches another
table (a statement calling a function in its values or conditions is
not recognised, but a default, a check or a trigger that calls one
is), and a service serving while its expand is pending because an
applied script changed (the schema guard serves then, db check tells
why).

Decided from the SQL text of each statement, as Alembic and SQLAlchemy
write it. Any statement not recognised here counts as touching, and
after it no table made before it counts as the run's own: a wrong guess
can only end a group early, never hold a lock longer.
"""

import contextlib

from webdemo.db import sql_text


class Scope:
    """The tables a run created, and whether a revision went beyond them.

    One per run of a plan, on its connection (run_strategies.py).

    :ivar touched: a statement since the last new_group() touched a
        table that is not the run's own (or could not be read)
    """

    def __init__(self, existing=()):
        # Names in use when the run began (tables, indexes, sequences,
        # views, in any schema): a table made under one of them again
        # (dropped, renamed away) may be one a service looks up by name.
        self._existing = frozenset(existing)
        # Tables created since the group began, and by the run's earlier
        # groups, that nothing has linked to another table.
        self._group = set()
        self._run = set()
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
        if used is None:
            self.touched = True
            self._group.clear()
            self._run.clear()
            return
        named = used | ({created} if created else set())
        if not used <= self._group | self._run:
            self.touched = True
            # Linked to a table that is not the run's: no longer its own.
            self._group -= named
            self._run -= named
        elif (created is not None
              and created.rsplit('.', 1)[-1] not in self._existing):
            self._group.add(created)

    def rolled_back(self):
        """The group was rolled back: its tables are gone, or not made.

        Nothing earlier is counted as the run's own either: the
        revisions before the failure run again, one commit each.
        """
        self._group.clear()
        self._run.clear()
        self.touched = False

    def new_group(self):
        """The group committed: its own tables stay the run's own."""
        self._run |= self._group
        self._group.clear()
        self.touched = False
