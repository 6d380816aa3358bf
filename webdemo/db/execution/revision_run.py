"""One revision, applied or reverted: its journal row, its counts, its end.

A RevisionRun owns everything about one revision: its journal row, the
statement counts it carries over from an unfinished earlier run, its
statement tracking (MySQL, backends/run_strategies.py) and how it ended:

- succeeded: the row says so, with its duration;
- failed: the database refused a statement, which did not take effect;
  a MigrationError names the revision;
- abandoned: the run stopped without knowing the fate of its last
  statement (connection lost, Ctrl-C); the next run completes it. A run
  killed outright leaves its row 'running', which the next run, under
  the lock, marks abandoned.
"""

import time

from webdemo.db import errors
from webdemo.db.execution import journal as journal_module
from webdemo.db.execution.journal import Direction
from webdemo.db.execution.journal import Outcome
from webdemo.db.history import revisions


class RevisionRun:
    """One revision, applied or reverted.

    :param script: the revision's script (script_index.IndexedScript)
    :param direction: a journal.Direction
    :param previous: the revision's unfinished journal.Entry, or None
    :param strategy: the backend's run strategy (run_strategies.py)
    """

    def __init__(self, script, direction, previous, strategy):
        self.script = script
        self.direction = direction
        if previous is not None and previous.direction != direction:
            previous = None
        self.carried = journal_module.carried_counts(previous)
        self._failed_before = journal_module.failure(previous)
        self.entry = None
        self.duration = None
        self.tracker = strategy.tracker_for(self)
        self._began = None
        self._started_at = None
        self._finished_at = None

    @property
    def counts(self):
        return self.tracker.counts if self.tracker else self.carried

    def journal_run(self):
        """What this run's journal row says of it from the start."""
        return journal_module.Run(
            self.script.revision, self.direction, self.script.checksum,
            self.tracker.declared if self.tracker else self.carried)

    def start(self, journal):
        """Write this run's journal row (in the open transaction)."""
        self.entry = journal.start(self.journal_run())

    def begin(self):
        self._began = time.monotonic()
        self._started_at = journal_module.now()

    def end(self):
        """The revision ran; its row is written with its commit's."""
        self.duration = self.elapsed()
        self._finished_at = journal_module.now()

    def succeeded(self):
        """The journal.Succeeded rows of a run that end() ended.

        Its own; after a checkpoint's, one for each revision it stands
        for, marked as built by it, with the checksum of the script it
        was cut from: the journal then reads as a replay's would.
        """
        own = journal_module.Succeeded(
            self.journal_run(), self._started_at, self._finished_at,
            self.duration, self.counts)
        covered = getattr(self.script, 'checkpoint', None)
        if covered is None:
            return [own]
        return [own] + [journal_module.Succeeded(
            journal_module.Run(revision.revision, self.direction,
                               revision.checksum, journal_module.Counts(),
                               checkpoint=self.script.revision),
            self._started_at, self._finished_at, 0.0,
            journal_module.Counts()) for revision in covered.covered]

    def elapsed(self):
        return None if self._began is None else time.monotonic() - self._began

    def fail(self, journal, error):
        """Finish the journal row as failed by error."""
        journal.finish(self.entry, self.outcome_of(error), self.elapsed(),
                       self.counts, str(error))

    def fails_as_before(self, error):
        """Did the database refuse the last run with this same error?"""
        return (self._failed_before is not None and errors.fate_known(error)
                and journal_module.error_line(error) == self._failed_before)

    def outcome_of(self, error):
        """failed or abandoned, for the error that stopped this run."""
        return (Outcome.FAILED if errors.fate_known(error)
                else Outcome.ABANDONED)

    def report_line(self):
        verb = 'Applied' if self.direction == Direction.UPGRADE else (
            'Reverted')
        return (f'{verb} {self.script.revision} '
                f'({revisions.title(self.script)}) in {self.duration:.3f}s')
