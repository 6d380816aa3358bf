"""The [database] group: oslo.db's options with webdemo's defaults."""

from oslo_config import cfg
from oslo_db import options as db_options

# The embedded default: a SQLite file in state_path, so that a bare
# `webdemo-manage db sync` works with no configuration at all.
DEFAULT_CONNECTION = 'sqlite:///$state_path/webdemo.db'


# Seconds a migration waits for another's lock, unless configured.
DEFAULT_MIGRATION_LOCK_TIMEOUT = 300
# A DDL statement's wait for a table lock: seconds, and retries.
DEFAULT_DDL_LOCK_TIMEOUT = 5
DEFAULT_DDL_LOCK_RETRIES = 3
# Seconds a Galera lock holder may go unheard before others take over.
DEFAULT_MIGRATION_LOCK_LEASE = 30

_MIGRATION_OPTS = [
    cfg.IntOpt(
        'migration_lock_timeout',
        default=DEFAULT_MIGRATION_LOCK_TIMEOUT, min=0,
        help='Seconds that db sync, db stamp and db downgrade wait for '
             'another of them, running against the same database, to '
             'finish before giving up with exit code 5. 0 means do not '
             'wait.'),
    cfg.IntOpt(
        'migration_lock_lease',
        default=DEFAULT_MIGRATION_LOCK_LEASE, min=3,
        help='Galera only: seconds after which the migration lock of a '
             'holder that stopped renewing it (killed, stalled, cut off) '
             'is free for another db sync, db stamp or db downgrade. The '
             'holder renews it every sixth of that; if it cannot for half '
             'of it, it stops before its next statement (exit code 8). '
             'Elsewhere the lock dies with its holder\'s session.'),
    cfg.IntOpt(
        'ddl_lock_timeout',
        default=DEFAULT_DDL_LOCK_TIMEOUT, min=1,
        help='Seconds a migration statement may wait for a table lock '
             'that another session holds (PostgreSQL lock_timeout, MySQL '
             'lock_wait_timeout and innodb_lock_wait_timeout, set on the '
             'migration\'s own session). Queries on that table queue '
             'behind a waiting DDL statement, so this bounds how long '
             'the application can stall.'),
    cfg.IntOpt(
        'ddl_lock_retries',
        default=DEFAULT_DDL_LOCK_RETRIES, min=0,
        help='How many times a revision whose statement gave up waiting '
             'for a table lock is tried again, after 1, 2, 4... seconds, '
             'before db sync or db downgrade exits 10 naming the session '
             'that held the lock.'),
]


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
    conf.register_opts(_MIGRATION_OPTS, group='database')


def list_opts():
    return _MIGRATION_OPTS


def set_lib_defaults():
    """Make oslo.db's own option objects carry webdemo's default.

    Only oslo-config-generator needs this: it lists oslo.db's option
    objects directly, so a per-ConfigOpts default would not reach the
    sample file.
    """
    cfg.set_defaults(db_options.database_opts,
                     connection=DEFAULT_CONNECTION)
