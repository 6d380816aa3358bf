"""Running a plan of revisions, one journalled RevisionRun at a time.

The caller holds the migration lock and has created the bookkeeping
tables. A RevisionRun owns everything about one revision applied or
reverted: the journal row it writes before it starts and finishes after,
the statement counts it carries over from an unfinished earlier run, the
backend strategy's tracking (backends.py), and how it ended:

- succeeded: the row says so, with its duration;
- failed: the database refused a statement, which did not take effect;
  the row says failed, and a MigrationError names the revision;
- abandoned: the run stopped without knowing the fate of its last
  statement (connection lost, Ctrl-C, a kill); the next run under the
  lock completes it.
"""

import contextlib
import time

from webdemo.db import backends
from webdemo.db import errors
from webdemo.db import faults
from webdemo.db import journal as journal_module
from webdemo.db.journal import Outcome
from webdemo.db import revisions
from webdemo.db import scripts as scripts_module
from webdemo.db import statements


class RevisionRun:
    """One revision, applied or reverted.

    :param scripts: the loaded scripts.Scripts
    :param script: the Alembic Script of the revision
    :param direction: a journal.Direction
    :param previous: the revision's unfinished journal.Entry, or None
    :param journal: the journal.Journal to write to
    :param backend: the backends strategy
    """

    def __init__(self, scripts, script, direction, previous, journal,
                 backend):
        self._scripts = scripts
        self.script = script
        self.direction = direction
        if previous is not None and previous.direction != direction:
            previous = None
        self.counts = journal_module.carried_counts(previous)
        self._journal = journal
        self._backend = backend

    def execute(self, engine):
        """Run the revision; returns the seconds it took.

        :raises webdemo.exception.MigrationError: the database refused it
        """
        entry = self._journal.start(self.script.revision, self.direction,
                                    self.script.path, self.counts)
        started = time.monotonic()
        try:
            self._run_step(engine, entry)
        except errors.DATABASE_ERRORS as error:
            lost = errors.kind_of(error) == errors.Kind.CONNECTION_LOST
            self._finish_quietly(entry, Outcome.ABANDONED if lost
                                 else Outcome.FAILED, started, error)
            raise errors.as_migration_error(
                f'revision {self.script.revision}', error) from error
        except BaseException as error:
            # A bug in the revision fails it; Ctrl-C or a signal leaves
            # its last statement's fate unknown.
            self._finish_quietly(entry, Outcome.FAILED if isinstance(
                error, Exception) else Outcome.ABANDONED, started, error)
            raise
        duration = time.monotonic() - started
        self._journal.finish(entry, Outcome.SUCCEEDED, duration)
        return duration

    def _run_step(self, engine, entry):
        def note(started=None, done=None):
            self._journal.count_statement(entry, started, done)

        with engine.connect() as connection:
            session = self._backend.prepare(
                connection, statements.Replay(self.counts), note)
            faults.attach_if_requested(connection)
            try:
                self._scripts.run_step(
                    scripts_module.alembic_config(connection),
                    self._scripts.step(self.script, self.direction))
                connection.commit()
            except KeyboardInterrupt:
                self._backend.cancel(engine, session)
                raise

    def _finish_quietly(self, entry, outcome, started, error):
        # Best effort: with the connection lost the row stays 'running',
        # and the next run, under the lock, counts it as abandoned.
        with contextlib.suppress(*errors.DATABASE_ERRORS):
            self._journal.finish(entry, outcome, time.monotonic() - started,
                                 str(error))


def run_plan(engine, scripts, plan, direction, entries, report):
    """Run each revision of plan in turn, each journalled.

    :param plan: Alembic Scripts in the order they run
    :param direction: a journal.Direction
    :param entries: the journal's newest entry of each revision, read
        under the lock the caller holds
    :param report: called with a line for each revision done
    """
    backend = backends.for_engine(engine)
    verb = ('Applied' if direction == journal_module.Direction.UPGRADE
            else 'Reverted')
    with contextlib.closing(journal_module.Journal(engine)) as journal:
        journal.mark_dead_runs()
        for script in plan:
            previous = entries.get(script.revision)
            run = RevisionRun(scripts, script, direction,
                              previous if previous and previous.unfinished
                              else None, journal, backend)
            duration = run.execute(engine)
            report(f'{verb} {script.revision} ({revisions.title(script)}) '
                   f'in {duration:.3f}s')
