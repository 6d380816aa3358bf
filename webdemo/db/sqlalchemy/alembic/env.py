"""The Alembic environment for webdemo's database.

webdemo-manage hands the database over through Config.attributes: a
'connection' (online: a SQLAlchemy Connection, or an Engine, as Alembic's
cookbook and third-party test tools hand over), or a 'url' (offline,
--sql). Run from the bare
``alembic`` command instead, this reads [database] connection from
webdemo's configuration, exactly as webdemo-manage would; pass
``-x config-file=PATH`` or ``-x config-dir=PATH`` to choose the files.
"""

import logging

from alembic import context
from alembic import util
from oslo_config import cfg
import sqlalchemy
from sqlalchemy import pool

from webdemo import conf as webdemo_conf
from webdemo.db import bookkeeping
from webdemo.db.sqlalchemy import models

config = context.config


def _url_from_webdemo_config():
    args = []
    for name, value in context.get_x_argument(as_dictionary=True).items():
        if name in ('config-file', 'config-dir'):
            args += [f'--{name}', value]
    conf = cfg.ConfigOpts()
    webdemo_conf.load(conf, args)
    return conf.database.connection


def _database_url():
    return config.attributes.get('url') or _url_from_webdemo_config()


def _context_options():
    return {
        'target_metadata': models.BASE.metadata,
        'render_as_batch': True,
        'compare_type': True,
        'include_object': bookkeeping.include_object,
        'transaction_per_migration': True,
        # db revision --expand/--contract --autogenerate keeps one phase.
        'process_revision_directives': config.attributes.get(
            'process_revision_directives'),
    }


# Where Alembic's own error about several heads reaches a user of the
# bare `alembic` command.
_TWO_HEADS = (
    "webdemo's history has two heads, its expand and contract branches "
    '(doc/source/rolling-upgrades.rst): `alembic upgrade heads` runs both; '
    '`webdemo-manage db sync --expand`, then `db online_data_migrations`, '
    'then `db sync --contract` runs them in a rolling upgrade, guarded.')


def _run_migrations():
    try:
        with context.begin_transaction():
            context.run_migrations()
    except util.CommandError as error:
        if 'head' in str(error) and 'Multiple' in str(error):
            raise util.CommandError(f'{error}. {_TWO_HEADS}') from error
        raise


def run_migrations_offline():
    context.configure(url=_database_url(), literal_binds=True,
                      **_context_options())
    _run_migrations()


def _run_on(connection):
    context.configure(connection=connection, **_context_options())
    _run_migrations()


def _engine_or_connection():
    given = config.attributes.get('connection')
    if given is not None:
        return given
    return sqlalchemy.create_engine(_database_url(), poolclass=pool.NullPool)


def run_migrations_online():
    given = _engine_or_connection()
    if isinstance(given, sqlalchemy.engine.Connection):
        _run_on(given)
        return
    with given.connect() as connection:
        _run_on(connection)


if 'connection' not in config.attributes and not logging.getLogger().handlers:
    # Bare `alembic` CLI: show its progress as Alembic's own template does.
    logging.basicConfig(level=logging.INFO,
                        format='%(levelname)-5.5s [%(name)s] %(message)s')

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
