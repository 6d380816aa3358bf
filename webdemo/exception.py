"""webdemo's exception hierarchy.

Every error an operator can meet is a WebdemoError whose message is one
line naming the problem and what to do about it. Errors that describe a
situation carry its facts as fields (the revisions, the setting) and
build that line once, from them. The command line maps each class to an
exit code (webdemo/cmd/exit_codes.py).
"""


class WebdemoError(Exception):
    """Base of every webdemo error."""


class Terminated(KeyboardInterrupt):
    """SIGTERM reached webdemo-manage: stopped as Ctrl-C stops it.

    A KeyboardInterrupt, so that everything that answers Ctrl-C (the
    statement cancelled on the server, the run journalled) answers it.
    """


class ConfigurationError(WebdemoError):
    """The configuration is missing, unreadable or invalid."""


class DatabaseConnectionError(WebdemoError):
    """The database cannot be reached, or refused us."""


class MigrationError(WebdemoError):
    """A revision, or the bookkeeping around it, failed while running.

    :ivar what: 'revision <id>', or the command whose bookkeeping (the
        lock, the journal) failed
    :ivar reason: the database's own words, on one line
    :ivar permission_denied: the database refused for lack of rights
    :ivar again: the revision's last run failed with the same error, so
        running the command again alone will not get past it
    """

    def __init__(self, what, reason, permission_denied=False, again=False):
        self.what = what
        self.reason = reason
        self.permission_denied = permission_denied
        self.again = again
        advice = ('grant the user in [database] connection the right to '
                  'create and alter tables' if permission_denied
                  else 'fix the cause')
        if again:
            advice = ('it failed the same way in its last run, so running '
                      f'the command again will not help: {advice} (if the '
                      'revision itself is at fault, report this line)')
        super().__init__(f'{what} failed: {reason}; {advice}, then run the '
                         'command again.')


class UnknownDatabaseRevision(WebdemoError):
    """The database is at a revision this code does not know.

    :ivar revisions: the recorded revisions this code does not know
    :ivar fix: what to do about it, for the command that met it
    """

    RUN_THE_NEWER_RELEASE = (
        'a newer webdemo migrated it, or its history diverged. Run the '
        'webdemo release that migrated it, or restore a backup taken '
        'before.')
    ADD_PURGE = 'add --purge to replace it.'

    def __init__(self, revisions, fix=RUN_THE_NEWER_RELEASE):
        self.revisions = tuple(revisions)
        self.fix = fix
        super().__init__(f'the database is at revision '
                         f'{", ".join(self.revisions)}, which this webdemo '
                         f'does not know: {fix}')


class UnversionedDatabase(WebdemoError):
    """The database has tables but no version information.

    :ivar version_table: the table whose absence this is
    """

    def __init__(self, version_table):
        self.version_table = version_table
        super().__init__(
            'the database has tables but no version information '
            f'({version_table} is missing): it was not created by '
            'webdemo-manage db sync. If you know which revision its schema '
            "matches, record it with 'webdemo-manage db stamp REVISION'; "
            'otherwise point [database] connection at an empty database.')


class UnmappedLegacyVersion(UnversionedDatabase):
    """A sqlalchemy-migrate version that maps to no revision.

    :ivar version: the legacy version recorded in the database
    :ivar known: the legacy versions this code can adopt
    """

    def __init__(self, version, known):
        self.version = version
        self.known = tuple(known)
        WebdemoError.__init__(
            self, 'the database is at sqlalchemy-migrate version '
            f'{version}, which matches no revision of this webdemo (known '
            f'legacy versions: {", ".join(map(str, self.known))}). Upgrade '
            'it with the webdemo release that last used sqlalchemy-migrate, '
            "or record its revision with 'webdemo-manage db stamp'.")


class InvalidRevision(WebdemoError):
    """A revision given on the command line cannot be used.

    It is unknown, ambiguous, or not a target for what was asked.
    """


class ConfirmationRequired(WebdemoError):
    """The command would lose data and the operator has not confirmed.

    :ivar drops: what would be lost ('table x', 'column x.y')
    """

    def __init__(self, drops):
        self.drops = tuple(drops)
        super().__init__(f'this downgrade drops {", ".join(self.drops)} and '
                         'the data in them: take a backup, then rerun with '
                         '--yes.')


class UpgradePending(WebdemoError):
    """The database must be at head for this and is not.

    :ivar where: where the database is, in words
    """

    def __init__(self, where):
        self.where = where
        super().__init__('autogenerate compares the models with a database '
                         f'at head; this one is at {where}: run db sync '
                         'first.')


class MigrationLockTimeout(WebdemoError):
    """Another migration held the lock for longer than we would wait.

    :ivar timeout: the seconds waited ([database] migration_lock_timeout)
    :ivar holder: who held the lock, as far as known (or None)
    """

    def __init__(self, timeout, holder):
        self.timeout = timeout
        self.holder = holder
        super().__init__(
            f'gave up after {timeout}s waiting for the migration lock, held '
            f'by {holder or "another process"}: let that command finish and '
            'run again, or raise [database] migration_lock_timeout. Nothing '
            'was changed.')


class MigrationInProgress(WebdemoError):
    """Another command took the migration lock as the database was read.

    For db sync --sql on Galera, whose look at the lock only reads the
    lease: the SQL would start from wherever that run had got to.
    """

    def __init__(self):
        super().__init__(
            'another command took the migration lock while the database '
            'was read, so the SQL would start from wherever that run has '
            'got to: let it finish (db version shows where the database '
            'is), then run db sync --sql again. Nothing was written.')


class UnsafeServerSettings(WebdemoError):
    """The server's settings make migrating unsafe (preflight.py).

    :ivar problems: the preflight.Problem found, each naming the setting
        and the fix
    """

    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            'refusing to migrate: ' + '; '.join(map(str, problems)) +
            '. Nothing was changed.')


class DDLLockTimeout(WebdemoError):
    """A revision's statement kept waiting for a table lock.

    :ivar revision: the revision that could not run
    :ivar timeout: seconds each attempt waited ([database]
        ddl_lock_timeout)
    :ivar attempts: how many times it was tried
    :ivar blocker: a lock_wait.Blocker, or None when none could be read
    """

    def __init__(self, revision, timeout, attempts, blocker):
        self.revision = revision
        self.timeout = timeout
        self.attempts = attempts
        self.blocker = blocker
        super().__init__(
            f'revision {revision} waited {timeout}s for a table lock '
            f'{attempts} times, held by {blocker or "another session"}: '
            'end that transaction, then run the command again, which '
            'completes the revision (or raise [database] ddl_lock_timeout).')


class TableCopyRefused(WebdemoError):
    """MySQL could make a revision's change only by copying a table.

    The statement said ALGORITHM=INPLACE, LOCK=NONE (backends/mysql.py)
    and the server refused it before copying anything: the copy would
    stop the table's writes for as long as it takes.

    :ivar what: 'revision <id>'
    :ivar reason: the server's own words, on one line
    :ivar table: the table, or None when the statement did not say
    """

    def __init__(self, what, reason, table=None):
        self.what = what
        self.reason = reason
        self.table = table
        table = f'table {table}' if table else 'its table'
        super().__init__(
            f'{what} failed: {reason}; the server could make this change '
            f'only by copying {table}, which stops its writes until the '
            'copy is done, so nothing of it ran. Stop the service\'s '
            'writes (a maintenance window), then run the command again '
            'with --allow-table-copy.')


class RetiredRevision(WebdemoError):
    """A command would run revisions this release retired.

    A release may delete the revisions below a checkpoint: an empty
    database is built from the checkpoint, and no database older than
    the oldest revision kept can be upgraded by this release.

    :ivar revisions: the retired revisions the command would run
    :ivar release: the release that cut the checkpoint, which still has
        them
    :ivar where: where the database is, in a few words
    :ivar action: UPGRADE (the database is too old), REPLAY (db sync
        --no-checkpoint on an empty database), PARTIAL (an empty
        database synced to a target no checkpoint stops at) or DOWNGRADE
    """

    UPGRADE, REPLAY, PARTIAL, DOWNGRADE = (
        'upgrade', 'replay', 'partial', 'downgrade')

    def __init__(self, revisions, release, where, action=UPGRADE):
        self.revisions = tuple(revisions)
        self.release = release
        self.where = where
        self.action = action
        shown = ', '.join(self.revisions[:3]) + (
            f' and {len(self.revisions) - 3} more'
            if len(self.revisions) > 3 else '')
        retired = (f'{shown}, which this release retired into a '
                   f'checkpoint (cut at release {release})')
        super().__init__({
            self.UPGRADE: (
                f'the database is at {where}, older than every revision '
                f'this release keeps: it needs {retired}. Upgrade it with '
                f'webdemo {release} first, then with this release.'),
            self.REPLAY: (
                f'--no-checkpoint would replay {retired}: run db sync '
                'without it, which builds the database from the '
                'checkpoint.'),
            self.PARTIAL: (
                f'the target needs {retired}, and no checkpoint stops at '
                'it: build the empty database with a whole db sync, which '
                'starts from the checkpoint.'),
            self.DOWNGRADE: (
                f'the downgrade would undo {retired}: downgrade to a '
                'revision this release keeps, or use webdemo '
                f'{release}.')}[action] + ' Nothing was changed.')


class SchemaBehind(WebdemoError):
    """A command needs the expanded schema, and the database is behind.

    :ivar where: the database's state, described
    """

    def __init__(self, command, where):
        self.where = where
        super().__init__(
            f'{command} needs the expanded schema, and the database is at '
            f'{where}: run webdemo-manage db sync --expand first. Nothing '
            'was changed.')


class ContractNotReady(WebdemoError):
    """Contract revisions may not run yet; nothing was changed.

    :ivar expand_pending: expand revisions not applied yet
    :ivar data_left: rows each online data migration still has to move
    :ivar expanded: this command applied the expand phase before it
        refused the contract
    :ivar services: live services.Service rows whose release is too old
        to run after the contract
    """

    def __init__(self, expand_pending=(), data_left=None, expanded=False,
                 services=()):
        self.expand_pending = tuple(expand_pending)
        self.data_left = dict(data_left or {})
        self.services = tuple(services)
        if self.services:
            first = ('a service of a release too old for the contract is '
                     'running: '
                     f'{"; ".join(service.describe() for service in services)}'
                     '. Stop it (upgrade it to this release) first')
        elif self.expand_pending:
            first = ('expand revisions are pending '
                     f'({", ".join(self.expand_pending)}): run '
                     'webdemo-manage db sync --expand first')
        else:
            rows = ', '.join(f'{name}: {count}'
                             for name, count in self.data_left.items())
            first = (f'online data migrations still have rows to move '
                     f'({rows}): run webdemo-manage db '
                     'online_data_migrations until it exits 0 first')
        self.expanded = expanded
        super().__init__(f'the contract phase cannot run yet: {first}. '
                         f'{_changed(expanded)}')


class DataCheckFailed(WebdemoError):
    """A revision's data check fails: it would fail on the rows it meets.

    Raised before the revision's phase runs any statement
    (webdemo/db/state/preconditions.py).

    :ivar revision: the revision declaring the check
    :ivar rows: how many rows fail it
    :ivar expanded: this command applied the expand phase before it
        refused the contract's
    """

    def __init__(self, revision, rows, failure, remedy, expanded=False):
        """Say what fails (failure) and what to do (remedy).

        :param failure: what fails, in words (preconditions.Finding)
        :param remedy: what to do, as the start of a sentence
        """
        self.revision = revision
        self.rows = rows
        self.expanded = expanded
        super().__init__(f'revision {revision} cannot run: {failure}. '
                         f'{remedy}, then run the command again. '
                         f'{_changed(expanded)}')


class MigrationLockLost(WebdemoError):
    """This process stopped holding the migration lock while it ran.

    On a Galera cluster the lock is a lease; a holder that stalled past
    it (stopped, frozen, cut off from the database) was taken over, and
    must not run another statement.

    :ivar lease: the lease, in seconds ([database] migration_lock_lease)
    """

    def __init__(self, lease):
        self.lease = lease
        super().__init__(
            f'lost the migration lock: this process could not renew its '
            f'{lease}s lease (it stalled or lost the database), so another '
            'db sync may have taken over; it stopped before its next '
            'statement. Run db version to see where the database is, then '
            'run the command again if needed.')


class InterruptedMigration(WebdemoError):
    """A migration was left half-done, and this command cannot go on.

    A run in the other direction, or (db sync --sql) an upgrade whose
    SQL would repeat what it applied.

    :ivar direction: 'upgrade' or 'downgrade', the one left half-done
    :ivar revisions: the revisions it left half-done
    """

    def __init__(self, direction, revisions):
        self.direction = direction
        self.revisions = tuple(revisions)
        names = ', '.join(self.revisions)
        super().__init__(
            f'a db downgrade of {names} was interrupted half-way: run the '
            'same db downgrade again to complete it, then db sync.'
            if direction == 'downgrade' else
            f'an upgrade of {names} was interrupted half-way: run db sync '
            'to complete it first.')


def _changed(expanded):
    """What a refusal of the contract phase left changed."""
    return ('The expand phase was applied; no contract revision ran.'
            if expanded else 'Nothing was changed.')
