"""The [database] group: oslo.db's options with webdemo's defaults."""

from oslo_config import cfg
from oslo_db import options as db_options

# The embedded default: a SQLite file in state_path, so that a bare
# `webdemo-manage db sync` works with no configuration at all.
DEFAULT_CONNECTION = 'sqlite:///$state_path/webdemo.db'


# Seconds a migration waits for another's lock, unless configured.
DEFAULT_MIGRATION_LOCK_TIMEOUT = 300
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
