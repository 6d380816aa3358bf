"""A revision's DDL statements, counted as they run, and replayed (MySQL).

On MySQL/MariaDB every DDL statement commits by itself, so a revision
that dies half-way is half-applied. The journal knows, at every moment,
how many of its statements have started and finished: the revision's
row, committed before the revision runs, already counts its first
statement as started, and the Tracker records the counts just before
each statement after it. When the next run replays the revision,
Replay decides, statement by statement: skip those the dead run
finished; for the one statement whose fate is unknown (started, not seen
to finish) run it and accept only the errors that say its effect is
already there; run the rest as usual. PostgreSQL and SQLite run a
revision in one transaction and need none of this
(backends/run_strategies.py).

Counting a fresh run's first statement as started before it is saves,
for each revision, a write and the commit MySQL makes of it before the
DDL (doc/source/performance.rst). What it costs: a run killed after its
row was written and before that statement leaves the statement "of
unknown fate" though it never ran, and the replay runs it accepting the
errors that say its effect is there. Had the object been there before
the revision ever ran (a schema changed by hand), that replay takes it
for the revision's own instead of failing. A replay of an earlier run
counts nothing in advance: after a failed statement, the error it met
may be exactly such a conflict.
"""

import enum
import logging

from webdemo.db import errors
from webdemo.db.execution.journal import Counts
from webdemo.db import sql_text

LOG = logging.getLogger(__name__)

# What runs instead of a statement that must not run again.
_SKIP = 'SELECT 1'


class Action(enum.Enum):
    RUN = 'run'
    SKIP = 'skip: finished by the earlier run'
    RUN_UNLESS_APPLIED = 'run, tolerating "already applied"'


class Replay:
    """Which of a revision's DDL statements to run: a pure decision.

    :param carried: the journal.Counts of the earlier unfinished run of
        the same revision and direction (journal.carried_counts): after a
        failed run the failing statement counts as not started, after an
        abandoned one it is the statement of unknown fate
    """

    def __init__(self, carried):
        self.finished = carried.done
        self._unknown = carried.started > carried.done

    def action(self, number):
        """The Action for the number-th DDL statement (from 1)."""
        if number <= self.finished:
            return Action.SKIP
        if number == self.finished + 1 and self._unknown:
            return Action.RUN_UNLESS_APPLIED
        return Action.RUN


class Tracker:
    """Counts one revision's DDL, records the counts, replays (MySQL).

    :param replay: the Replay of this run
    :param carried: the journal.Counts this run starts from
    :param record: called as record(cursor, counts) just before a DDL
        statement runs, with the cursor that will run it, unless the
        journal row says so already (declared). MySQL commits what
        record writes there together with the statement, since DDL
        commits the open transaction before it starts: so the journal
        always knows which statement may have been cut short, at no
        commit of its own. That a statement finished is recorded with
        the next one, or with the run's outcome.
    :ivar declared: the Counts the run's journal row starts with: for
        a fresh run, its first statement counted as started; for a
        replay, what it carried over
    :ivar counts: the Counts as they are, for the run's outcome
    """

    def __init__(self, replay, carried, record):
        self._replay = replay
        self._record = record
        self._count = 0
        self.counts = carried
        self.declared = Counts(1, 0) if carried == Counts() else carried
        self._recorded = self.declared.started

    def before(self, conn, cursor, statement, parameters, context, many):
        if not sql_text.is_revision_ddl(statement):
            return statement, parameters
        self._count += 1
        action = self._replay.action(self._count)
        if action == Action.SKIP:
            LOG.debug('skipping DDL statement %d, done before: %s',
                      self._count, statement)
            return _SKIP, ()
        self.counts = Counts(self._count, self.counts.done)
        if self._count > self._recorded:
            self._record(cursor, self.counts)
            self._recorded = self._count
        if action == Action.RUN_UNLESS_APPLIED:
            run_unless_applied(cursor, statement, parameters)
            self.counts = Counts(self._count, self._count)
            return _SKIP, ()
        return statement, parameters

    def after(self, conn, cursor, statement, parameters, context, many):
        if sql_text.is_revision_ddl(statement):
            self.counts = Counts(self._count, self._count)


def run_unless_applied(cursor, statement, parameters):
    """Run statement; an error saying its effect is there is no error."""
    try:
        cursor.execute(statement, parameters)
    except Exception as error:
        if errors.kind_of(error) != errors.Kind.ALREADY_APPLIED:
            raise
        LOG.debug('DDL statement already applied before the interruption '
                  '(%s): %s', error, statement)
