"""How a plan's revisions commit, one strategy per kind of backend.

Each backend class (backends/) names its strategy (run_strategy()):

- Transactional (PostgreSQL, SQLite): a revision, its alembic_version
  update and its journal rows are one transaction (oslo.db takes
  transaction control away from pysqlite, so SQLite DDL is transactional
  too). A run that dies is rolled back whole; the next run simply
  applies the revision again. Revisions that follow each other within
  GROUP_SECONDS share one commit, and their bookkeeping rows are written
  once for them all (runner.py): a commit and the bookkeeping cost more
  than a small revision. On SQLite, which locks the whole file for any
  write, a longer transaction takes no lock a shorter one would not. On
  PostgreSQL a group goes on only while its revisions touch nothing but
  the tables the run created (table_scope.py), which no service uses
  yet: a revision that touched any other table ends its group, so that
  the lock is held no longer than if it committed alone (and while it
  waits for that lock, the revisions before it hold locks only on the
  run's new tables). PostgreSQL's commits do not wait for the disk
  (DeferredFlush); one more commit, after the plan, does.
- StatementReplay (MySQL/MariaDB): every DDL statement commits by itself.
  The journal counts each statement as started before it runs (a fresh
  run's first in the revision's row itself), a replay skips what an earlier
  run finished (statements.py), and a cancelled statement is killed on
  the server, which would otherwise finish it after the client has gone.
  A revision's version and journal rows are committed by the next DDL
  statement, which commits whatever is open before it runs, rather than
  by a commit of their own (CarriedCommit).
"""

import contextlib
import logging

import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db import errors
from webdemo.db.execution import statements
from webdemo.db.execution import table_scope
from webdemo.db import library_internals
from webdemo.db import sql_text
from webdemo import exception

LOG = logging.getLogger(__name__)


# How long revisions may share one commit: short enough that a writer
# waiting on SQLite's file (its busy timeout) hardly notices, and that a
# PostgreSQL transaction's new tables are everybody's soon after.
GROUP_SECONDS = 0.1


class Transactional:
    """A revision is all or nothing: nothing to track, replay or cancel.

    :param group_seconds: how long revisions may share one commit (0:
        each commits alone, as a group of one; None: in the transaction
        Alembic gives each revision, with no group)
    """

    def __init__(self, group_seconds=None):
        self.group_seconds = group_seconds

    def tracker_for(self, run):
        """The statements.Tracker of a RevisionRun, or None."""
        return None

    def prepare(self, connection, current_tracker):
        """Get the migration's connection ready.

        :param current_tracker: returns the Tracker of the revision
            running now
        :returns: a token of the server session, for cancel()
        """
        return None

    def commits(self, connection):
        """How the plan's commits reach the disk, for the plan's with."""
        return contextlib.nullcontext()

    def commit_group(self, connection):
        """Commit a group's revisions and their rows."""
        connection.commit()

    def end_span(self, connection):
        """A span of the plan ended; commit anything left open."""

    def scope_for(self, connection):
        """A table_scope.Scope of connection's statements, or None.

        None: a group ends only when its time is up.
        """
        return None

    def cancel(self, engine, session):
        """Stop the statement the server may still run for session."""
        # Closing the connection rolls the revision back.


class DeferredFlush(Transactional):
    """PostgreSQL: a revision's commit does not wait for the disk.

    Within a plan that wait buys nothing. Should the server crash, the
    revisions whose commits had not reached the disk are lost whole,
    with their alembic_version and journal rows, and the next run
    applies them again, as after a run killed mid-revision. What must be
    on disk when the command ends is all of it: after the plan, one
    commit that waits brings every commit before it to disk too, since
    the server writes its log in order; a plan that ended well and
    cannot make that commit fails. A revision's commit cost about
    0.35 ms waiting, 0.15 ms not (doc/source/performance.rst).

    Revisions share commits while they touch only the tables their
    run created (scope_for()).
    """

    def __init__(self, group_seconds=GROUP_SECONDS):
        super().__init__(group_seconds)

    # Every relation's name in every schema but the server's own: the
    # names a group may never count as the run's own (table_scope.py).
    _EXISTING = (
        "SELECT DISTINCT c.relname FROM pg_class c JOIN pg_namespace n ON "
        "n.oid = c.relnamespace WHERE n.nspname NOT IN "
        "('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%%'")

    def scope_for(self, connection):
        scope = table_scope.Scope(
            connection.exec_driver_sql(self._EXISTING).scalars().all())
        sqlalchemy.event.listen(
            connection, 'before_cursor_execute',
            lambda conn, cursor, statement, *rest: scope.see(statement))
        return scope

    @contextlib.contextmanager
    def commits(self, connection):
        connection.exec_driver_sql('SET synchronous_commit TO off')
        # Committed: a SET is rolled back with its transaction.
        connection.commit()
        try:
            yield
        except BaseException:
            # The error on its way out says more than one here would.
            with contextlib.suppress(*errors.DATABASE_ERRORS):
                _flush(connection)
            raise
        try:
            _flush(connection)
        except errors.DATABASE_ERRORS as error:
            raise exception.MigrationError(
                'the commit that brings the revisions to disk',
                f'{errors.message(error)} (the revisions reported applied '
                "may be lost if the server stops; 'webdemo-manage db "
                "version' shows where the database is)") from error


def _flush(connection):
    """Restore the session's setting; commit once, waiting for the disk.

    The connection is closed instead of going back to the pool, still
    set so, if any of this fails (Ctrl-C included).
    """
    try:
        connection.rollback()
        # The session's own setting, whatever gave it (the server, the
        # role, the database, the URL's options).
        connection.exec_driver_sql('RESET synchronous_commit')
        # A transaction that writes nothing does not wait for the log;
        # one given a transaction id does, up to its commit.
        connection.exec_driver_sql('SELECT txid_current()')
        connection.commit()
    except BaseException:
        connection.invalidate()
        raise


class StatementReplay:
    """MySQL/MariaDB: DDL commits statement by statement.

    Each revision is a group of its own, whose commit the next DDL
    statement makes (CarriedCommit).
    """

    group_seconds = 0

    def __init__(self):
        self._carried = CarriedCommit()

    @contextlib.contextmanager
    def commits(self, connection):
        try:
            yield
        except Exception as error:
            self._carried.commit_after(connection, error)
            raise

    def commit_group(self, connection):
        self._carried.pending = True

    def end_span(self, connection):
        # The next span may need Alembic's own transactions.
        self._carried.commit(connection)

    def scope_for(self, connection):
        return None

    # Run on the DBAPI cursor, just before a DDL statement that commits
    # it; %s is the placeholder of both MySQL drivers.
    _RECORD_COUNTS = (
        f'UPDATE {bookkeeping.JOURNAL.name} SET statements_started = %s, '
        'statements_done = %s WHERE id = %s')

    def tracker_for(self, run):
        def record(cursor, counts):
            cursor.execute(self._RECORD_COUNTS,
                           (counts.started, counts.done, run.entry))

        return statements.Tracker(statements.Replay(run.carried),
                                  run.carried, record)

    def prepare(self, connection, current_tracker):
        def before(*event):
            self._carried.before(*event[:3])
            return current_tracker().before(*event)

        def after(*event):
            self._carried.after(event[2])
            current_tracker().after(*event)

        sqlalchemy.event.listen(connection, 'before_cursor_execute', before,
                                retval=True)
        sqlalchemy.event.listen(connection, 'after_cursor_execute', after)
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


class CarriedCommit:
    """Rows whose commit the next DDL statement carries (MySQL).

    A revision's version and journal rows are written after its last
    statement. MySQL commits them before the next revision's first DDL
    statement, as part of it; a commit of their own cost 0.6 ms a
    revision more (doc/source/performance.rst), though either writes the
    server's log once. Before any other statement they are
    committed first, so that they are never committed with, or rolled
    back with, a revision's changes to data. A run that dies before the
    next DDL loses them: the revision's row, committed with its last
    statement's counts, still says running, and the next run replays
    that statement, accepting that its effect is there (statements.py).

    :ivar pending: rows are written and not yet committed
    """

    def __init__(self):
        self.pending = False

    def before(self, conn, cursor, statement):
        if self.pending and not sql_text.commits_before(statement):
            # What Connection.commit() does, which cannot run inside an
            # execution: its listeners first (the migration lock's fence).
            library_internals.commit_inside_execution(conn, cursor)
            self.pending = False

    def after(self, statement):
        if sql_text.commits_before(statement):
            self.pending = False

    def commit(self, connection):
        if self.pending:
            connection.commit()
            self.pending = False

    def commit_after(self, connection, error):
        """After a failure: commit the rows written before it, if any.

        Not after a lost connection or a lost lock, when nothing more
        can or may be written.
        """
        if errors.leaves_connection_usable(error):
            with contextlib.suppress(*errors.DATABASE_ERRORS):
                self.commit(connection)
