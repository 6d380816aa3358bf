"""A revision's DDL statements, counted as they run.

On MySQL/MariaDB every DDL statement commits by itself, so a revision
that dies half-way is half-applied. The tracker journals each statement
as started and as finished; when the next run replays the revision it
skips the statements the dead run finished and, for the one statement
whose fate is unknown (started, not seen to finish), accepts only the
errors that say its effect is already there. PostgreSQL and SQLite run a
revision in one transaction and need none of this.

Tests set WEBDEMO_TEST_KILL_AFTER_DDL=k to have the process SIGKILL
itself right after the k-th DDL statement of a run, before the journal
hears of it: the worst moment.
"""

import logging
import os
import re
import signal

import sqlalchemy

from webdemo.db import journal as journal_module

LOG = logging.getLogger(__name__)

KILL_AFTER_ENV = 'WEBDEMO_TEST_KILL_AFTER_DDL'

_DDL = re.compile(r'\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b', re.IGNORECASE)

# MySQL errors that mean "what this statement does is already done":
# table exists, unknown table, duplicate column, duplicate key name,
# can't drop (missing), duplicate key, duplicate foreign key.
_ALREADY_APPLIED = frozenset({1050, 1051, 1060, 1061, 1091, 1022, 1826})

_SKIP = 'SELECT 1'


def _is_revision_ddl(statement):
    # Alembic's own version table is not part of any revision: on a
    # replay it already exists, and counting it would shift the count.
    return bool(_DDL.match(statement)) and 'alembic_version' not in statement


class _RunCounter:
    """DDL statements executed by this process, for fault injection."""

    executed = 0
    kill_after = int(os.environ.get(KILL_AFTER_ENV, '0') or 0)

    @classmethod
    def one_more(cls):
        cls.executed += 1
        if cls.executed == cls.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)


class Tracker:
    """Counts (and on MySQL journals and replays) one revision's DDL.

    :param journal: a journal.Journal, or None where DDL is transactional
    :param entry_id: this run's journal row
    :param previous: the journal.Entry of an earlier run of the same
        revision and direction that did not finish, or None; after a
        failed run the failing statement is run again as usual, after a
        dead one it is the statement whose fate is unknown
    """

    def __init__(self, journal, entry_id, previous=None):
        self._journal = journal
        self._entry = entry_id
        started, done = (journal_module.carried_counts(previous)
                         if journal is not None else (0, 0))
        self._finished = done
        self._unknown = started > done
        self._count = 0

    def attach(self, connection):
        sqlalchemy.event.listen(connection, 'before_cursor_execute',
                                self._before, retval=True)
        sqlalchemy.event.listen(connection, 'after_cursor_execute',
                                self._after)

    def _note(self, column, number):
        if self._journal is not None:
            self._journal.count_statement(self._entry, column, number)

    def _before(self, conn, cursor, statement, parameters, context, many):
        if not _is_revision_ddl(statement):
            return statement, parameters
        self._count += 1
        number = self._count
        if number <= self._finished:
            # The journal row carried this count over already: noting it
            # again would only lower it.
            LOG.debug('skipping DDL statement %d, done before: %s', number,
                      statement)
            return _SKIP, ()
        self._note('statements_started', number)
        if number == self._finished + 1 and self._unknown:
            self._run_unless_applied(cursor, statement, parameters)
            self._note('statements_done', number)
            return _SKIP, ()
        return statement, parameters

    def _after(self, conn, cursor, statement, parameters, context, many):
        if _is_revision_ddl(statement):
            _RunCounter.one_more()
            self._note('statements_done', self._count)

    @staticmethod
    def _run_unless_applied(cursor, statement, parameters):
        try:
            cursor.execute(statement, parameters)
        except Exception as error:
            code = error.args[0] if error.args else None
            if code not in _ALREADY_APPLIED:
                raise
            LOG.debug('DDL statement already applied before the '
                      'interruption (%s): %s', error, statement)
