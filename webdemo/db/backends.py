"""What differs between backends when a revision runs: one strategy each.

- Transactional (PostgreSQL, SQLite): a revision and its alembic_version
  update are one transaction (oslo.db takes transaction control away
  from pysqlite, so SQLite DDL is transactional too). A run that dies is
  rolled back whole; the next run simply applies the revision again.
- StatementReplay (MySQL/MariaDB): every DDL statement commits by itself.
  Each statement is journalled as it starts and finishes, a replay
  skips what an earlier run finished (statements.py), and an interrupted
  statement is cancelled on the server, which would otherwise finish it
  after the client has gone.

for_engine() chooses once per command.
"""

import logging

from webdemo.db import errors
from webdemo.db import statements

LOG = logging.getLogger(__name__)


class Transactional:
    """A revision is all or nothing: nothing to track, replay or cancel."""

    def prepare(self, connection, replay, note):
        """Get connection ready to run one revision.

        :returns: a token of the server session, for cancel()
        """
        return None

    def cancel(self, engine, session):
        """Stop the statement the server may still run for session."""
        # Closing the connection rolls the revision back.


class StatementReplay:
    """MySQL/MariaDB: DDL commits statement by statement."""

    def prepare(self, connection, replay, note):
        statements.Tracker(replay, note).attach(connection)
        # Taken now: after an interrupt the connection is invalidated and
        # would report a new session's id.
        session = connection.exec_driver_sql('SELECT CONNECTION_ID()').scalar()
        # End the transaction the query began: Alembic treats a connection
        # already in one as managed by its caller, and would not commit
        # each revision as it goes.
        connection.rollback()
        return session

    def cancel(self, engine, session):
        # A DDL waiting for a lock would otherwise run after an
        # interrupted command, applying half a revision.
        try:
            with engine.connect() as other:
                other.exec_driver_sql(f'KILL QUERY {int(session)}')
        except errors.DATABASE_ERRORS:
            LOG.warning('could not cancel the interrupted statement',
                        exc_info=True)


def for_engine(engine):
    """The strategy for engine's backend."""
    if engine.dialect.name == 'mysql':
        return StatementReplay()
    return Transactional()
