"""webdemo-manage's exit codes: the contract scripts and monitoring
rely on. Documented in --help (HELP below) and README; keep all three in
step, and add new codes without renumbering old ones.
"""

from webdemo import exception

OK = 0
ERROR = 1
UPGRADE_PENDING = 2
UNKNOWN_REVISION = 3
UNVERSIONED = 4
LOCK_TIMEOUT = 5
CHANGED_SCRIPT = 6
INTERRUPTED = 7
LOCK_LOST = 8
UNSAFE_SERVER = 9
DDL_LOCK_TIMEOUT = 10
SCHEMA_BEHIND = 11
CONTRACT_NOT_READY = 12
DATA_MIGRATIONS_PENDING = 13
CONTRACT_PENDING = 14
DATA_CHECK_FAILED = 15
TABLE_COPY_REFUSED = 16
RETIRED_REVISION = 17
# db online_data_migrations's own outcomes (as in OpenStack's services).
DATA_MIGRATED = 0
DATA_LEFT = 1
DATA_MIGRATION_FAILED = 2
INVALID_INPUT = 127
# Ctrl-C: 128 + SIGINT, as shells report it.
CANCELLED = 130
# SIGTERM (a service manager stopping the job): 128 + SIGTERM.
TERMINATED = 143

HELP = f"""\
exit codes:
  {OK}    success; for --check: the database is at head
  {ERROR}    operational error: configuration, connection,
       authentication, a failed migration
  {UPGRADE_PENDING}    --check: an upgrade is pending: expand revisions are
       not applied, so this release cannot run yet (also an empty
       database); db check: the schema differs from the models
       (beyond what a pending contract changes)
  {UNKNOWN_REVISION}    the database is at a revision this webdemo does
       not know (a newer webdemo migrated it, or history diverged)
  {UNVERSIONED}    the database has tables but no version information, or
       a legacy sqlalchemy-migrate version with no matching revision
  {LOCK_TIMEOUT}    another db sync, stamp or downgrade held the migration
       lock for longer than [database] migration_lock_timeout (db sync
       --sql waits for it too; on Galera, also: one took it during the
       read)
  {CHANGED_SCRIPT}    --check, db check: an applied revision's script
       changed since it was applied
  {INTERRUPTED}    --check: a migration was interrupted half-way
       (db sync completes an upgrade, the same db downgrade a downgrade);
       db sync, downgrade or stamp: refused until that is done;
       db sync --sql: refused while an upgrade left statements applied
  {LOCK_LOST}    the migration lock's lease (Galera) lapsed while this
       command ran, because it stalled or lost the database; it stopped
       before its next statement
  {UNSAFE_SERVER}    MySQL/MariaDB (mostly Galera): a server setting or table
       makes migrating unsafe (node not Synced, cluster not Primary,
       wsrep_OSU_method not TOI, binlog_format not ROW, a table without
       a primary key or not InnoDB); db sync and downgrade (stamp: for
       the node and cluster state) refuse, changing nothing; db check
       reports it
  {DDL_LOCK_TIMEOUT}   a revision's statement waited for a table lock
       [database] ddl_lock_timeout seconds, [database] ddl_lock_retries
       more times; the session holding it is named
  {SCHEMA_BEHIND}   db online_data_migrations: expand is pending (run
       db sync --expand first); nothing was changed
  {CONTRACT_NOT_READY}   db sync --contract (or a sync reaching a contract
       revision): expand is pending or online data migrations have rows
       to move; the line says which to run first. Nothing of the
       contract ran
  {DATA_MIGRATIONS_PENDING}   --check: expanded; online data migrations have
       rows to move (db online_data_migrations)
  {CONTRACT_PENDING}   --check: expanded, data moved; contract revisions are
       not applied (db sync --contract, once no previous release runs)
  {DATA_CHECK_FAILED}   db sync: a revision's data check fails on the rows the
       database holds (a NULL where it sets NOT NULL, duplicates where
       it adds a unique index, ...); the line names the revision, the
       check, the rows and what to do. Nothing of that phase ran.
       db check --data: a pending revision's data check fails
  {TABLE_COPY_REFUSED}   db sync, downgrade (MySQL/MariaDB): the server could
       make a revision's change only by copying the table, stopping its
       writes meanwhile; refused before anything was copied. Run it
       again with --allow-table-copy once the writes are stopped
  {RETIRED_REVISION}   db sync, downgrade: the database is older than every
       revision this release keeps (a release retired the revisions
       below a checkpoint); the line names the release to upgrade it
       with first. Also an empty database that only a replay of the
       retired revisions could reach (--no-checkpoint, or a target no
       checkpoint stops at). Nothing was changed
  {INVALID_INPUT}  invalid input: bad arguments, unknown or ambiguous
       revision, multiple heads where one is needed, a data-losing
       downgrade without --yes
  {CANCELLED}  cancelled with Ctrl-C
  {TERMINATED}  stopped by SIGTERM, as Ctrl-C stops it (the statement in
       flight cancelled on the server, the run journalled)

db online_data_migrations has its own outcomes:
  {DATA_MIGRATED}    nothing is left to migrate
  {DATA_LEFT}    rows are left (--max-count was reached, or the previous
       release wrote more during the run): run it again
  {DATA_MIGRATION_FAILED}    a migration raised (its error is printed; the
       others still ran)
"""

# Most specific first: the first class an error is an instance of wins.
_FOR_ERROR = (
    (exception.UnknownDatabaseRevision, UNKNOWN_REVISION),
    (exception.UnversionedDatabase, UNVERSIONED),
    (exception.UpgradePending, UPGRADE_PENDING),
    (exception.MigrationLockTimeout, LOCK_TIMEOUT),
    # db sync --sql: the lock, free when it looked, taken during its read.
    (exception.MigrationInProgress, LOCK_TIMEOUT),
    (exception.MigrationLockLost, LOCK_LOST),
    (exception.UnsafeServerSettings, UNSAFE_SERVER),
    (exception.DDLLockTimeout, DDL_LOCK_TIMEOUT),
    (exception.SchemaBehind, SCHEMA_BEHIND),
    (exception.ContractNotReady, CONTRACT_NOT_READY),
    (exception.DataCheckFailed, DATA_CHECK_FAILED),
    (exception.TableCopyRefused, TABLE_COPY_REFUSED),
    (exception.RetiredRevision, RETIRED_REVISION),
    (exception.InterruptedMigration, INTERRUPTED),
    (exception.InvalidRevision, INVALID_INPUT),
    (exception.ConfirmationRequired, INVALID_INPUT),
)


def for_error(error):
    """The exit code for an exception raised by a command."""
    for error_class, code in _FOR_ERROR:
        if isinstance(error, error_class):
            return code
    return ERROR
