"""Engines for webdemo's database, and why a connection failed.

Two kinds of engine, one URL and one set of error explanations:

- create_engine(): oslo.db's, for everything that changes the database
  and for the API service (its pool, MySQL sql_mode, SQLite transaction
  control, connection retries); for the db commands, on SQLite, each
  transaction takes the write lock as it begins;
- create_reading_engine(): SQLAlchemy's own, with oslo.db's error
  translation and the same connection retries, for db version and the
  question every db sync asks first (is there anything to do?). oslo.db's
  engine module imports SQLAlchemy's ORM, a fifth of the process floor
  these commands are held to (doc/source/performance.rst), for pooling
  and session features one read does not use.
"""

import logging
import time

from oslo_db import exception as db_exc
from oslo_db import options as db_options
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy
from sqlalchemy.engine import make_url
from sqlalchemy import exc as sa_exc

from webdemo.db import errors
from webdemo.db import galera
from webdemo.db import library_internals
from webdemo.db import preflight
from webdemo.db import url as db_url
from webdemo import exception

LOG = logging.getLogger(__name__)

# What to pip install when a dialect's driver module is missing.
_DRIVER_PACKAGES = {
    'pymysql': "PyMySQL (pip install 'webdemo[mysql]')",
    'MySQLdb': 'mysqlclient, or use mysql+pymysql:// with PyMySQL',
    'psycopg2': "psycopg2 (pip install 'webdemo[postgresql]')",
    'psycopg': 'psycopg, or use postgresql+psycopg2://',
}

_OSLO_DB_OPTIONS = frozenset(opt.dest for opt in db_options.database_opts)


def create_engine(conf, immediate=False):
    """Return an engine for conf's [database] connection.

    oslo.db connects once before returning, retrying per
    [database] max_retries and retry_interval, so a returned engine has
    reached the server.

    :param conf: a loaded ConfigOpts with webdemo's options registered
    :param immediate: on SQLite, each transaction takes the file's write
        lock as it begins (_begin_immediately): for the commands that
        change the database while the service may be writing to it
    :raises webdemo.exception.ConfigurationError: the URL is empty or
        malformed, the dialect is unknown or its driver missing
    :raises webdemo.exception.DatabaseConnectionError: the server could
        not be reached or refused the connection
    """
    # Imported here: the reading commands never need it.
    from oslo_db.sqlalchemy import enginefacade

    connection = _connection(conf)
    options = {name: value for name, value in conf.database.items()
               if name in _OSLO_DB_OPTIONS}
    try:
        options['connection'] = _with_full_unicode(connection)
        context = enginefacade.transaction_context()
        context.configure(**options)
        engine = context.writer.get_engine()
    except Exception as error:
        raise explain_failure(connection, error) from error
    galera.read_causally(engine, conf.database.mysql_wsrep_sync_wait)
    # oslo.db's engine takes transaction control away from pysqlite on
    # SQLite, so there too a revision's DDL is one transaction.
    if immediate and engine.dialect.name == 'sqlite':
        _begin_immediately(engine)
    return engine


def _begin_immediately(engine):
    """SQLite: each transaction takes the write lock as it begins.

    A default (deferred) transaction reads under a shared lock and asks
    for the write lock at its first write. When another connection (the
    service's heartbeat, a request) holds the write lock and waits for
    the shared locks to go so that it can commit, neither can wait for
    the other, and SQLite fails the request for the write lock at once
    with "database is locked", whatever the busy timeout. A transaction
    that takes the write lock first only ever waits for it.
    """
    @sqlalchemy.event.listens_for(engine, 'engine_connect')
    def connected(conn):
        # On the connection, whose listeners run before the engine's:
        # ahead of oslo.db's own (insert=True does not put one there).
        sqlalchemy.event.listen(conn, 'begin', _begin_immediate)


def _begin_immediate(conn):
    # oslo.db's listener then emits no plain BEGIN: its mark says a
    # transaction is open, and its commit and rollback listeners clear it.
    if not library_internals.sqlite_transaction_marked(conn):
        conn.exec_driver_sql('BEGIN IMMEDIATE')
        library_internals.mark_sqlite_transaction(conn)


def create_reading_engine(conf):
    """Return a plain SQLAlchemy engine for conf's [database] connection.

    For the commands that read, and take or probe the migration lock,
    but change no schema. Like create_engine() it has connected once,
    retrying per [database] max_retries and retry_interval, and its
    errors are oslo.db's classes, explained the same way.

    :raises webdemo.exception.ConfigurationError: as create_engine()
    :raises webdemo.exception.DatabaseConnectionError: as create_engine()
    """
    connection = _connection(conf)
    try:
        url = make_url(_with_full_unicode(connection))
        if conf.database.connection_parameters:
            # As oslo.db does: TLS options, sockets, timeouts live here.
            url = url.update_query_string(
                conf.database.connection_parameters, append=True)
        engine = sqlalchemy.create_engine(url, **_reading_options(url))
        exc_filters.register_engine(engine)
        _first_connect(engine, conf.database.max_retries,
                       conf.database.retry_interval)
    except Exception as error:
        raise explain_failure(connection, error) from error
    galera.read_causally(engine, conf.database.mysql_wsrep_sync_wait,
                         set_by_oslo_db=False)
    return engine


def _reading_options(url):
    if url.get_backend_name() == 'sqlite':
        # A file is opened afresh each time, as oslo.db does.
        return {'poolclass': sqlalchemy.pool.NullPool}
    if url.get_backend_name() == 'postgresql':
        return {'client_encoding': 'utf8'}
    return {}


def _first_connect(engine, max_retries, retry_interval, sleep=time.sleep):
    """Connect once, trying max_retries times in all (-1: for ever)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            engine.connect().close()
            return
        except db_exc.DBConnectionError:
            if max_retries != -1 and attempt >= max_retries:
                raise
            LOG.warning('cannot connect to the database yet; trying again '
                        'in %ss (attempt %d of %s)', retry_interval,
                        attempt, 'unlimited' if max_retries == -1
                        else max_retries)
            sleep(retry_interval)


def _connection(conf):
    connection = conf.database.connection
    if not connection or not connection.strip():
        raise exception.ConfigurationError(
            '[database] connection is empty: set it to a database URL, '
            'or remove it to use the embedded SQLite default.')
    try:
        backend = make_url(connection).get_backend_name()
    except sa_exc.ArgumentError:
        # Explained once the engine is made (explain_failure).
        return connection
    if backend == 'mariadb':
        # SQLAlchemy's mariadb dialect names itself so: webdemo's MySQL
        # strategies (statement tracking, locks, Galera) and oslo.db's
        # would all miss it.
        raise exception.ConfigurationError(
            f'[database] connection {db_url.display(connection)} uses the '
            'mariadb dialect: write it as mysql+pymysql://, the dialect '
            'webdemo and oslo.db drive MariaDB with.')
    return connection


def _with_full_unicode(connection):
    """Ask MySQL/MariaDB for utf8mb4 unless the URL names a charset.

    Without it PyMySQL talks utf8mb3, and 4-byte characters are refused
    even by utf8mb4 tables.
    """
    url = make_url(connection)
    if url.get_backend_name() != 'mysql' or 'charset' in url.query:
        return connection
    url = url.update_query_dict({'charset': 'utf8mb4'})
    return url.render_as_string(hide_password=False)


def explain_failure(connection, error):
    """Turn an error from creating an engine into a one-line WebdemoError."""
    where = db_url.display(connection)
    if isinstance(error, sa_exc.NoSuchModuleError):
        return exception.ConfigurationError(
            f'[database] connection {where} names an unknown database '
            'dialect: use sqlite:///, mysql+pymysql:// or '
            'postgresql+psycopg2://.')
    if isinstance(error, sa_exc.ArgumentError):
        return exception.ConfigurationError(
            f'[database] connection {where} is not a database URL: write '
            'it as dialect+driver://user:password@host[:port]/database.')
    if isinstance(error, ImportError):
        package = _DRIVER_PACKAGES.get(error.name, error.name)
        return exception.ConfigurationError(
            f'the database driver for {where} is not installed: install '
            f'{package}.')
    if errors.kind_of(error) == errors.Kind.NODE_NOT_READY:
        return exception.UnsafeServerSettings([preflight.NODE_NOT_READY])
    advice = _CONNECTION_ADVICE.get(errors.kind_of(error), _CHECK_SERVER)
    return exception.DatabaseConnectionError(
        f'cannot connect to the database at {where}: '
        f'{errors.message(error)}; {advice}.')


_CHECK_SERVER = ('check that the server is running and that the host and '
                 'port in [database] connection are right')
_CREDENTIALS = 'check the user and password in [database] connection'
_CONNECTION_ADVICE = {
    errors.Kind.NO_DATABASE: ('create the database, or correct its name or '
                              'path in [database] connection'),
    errors.Kind.AUTHENTICATION: _CREDENTIALS,
    errors.Kind.PERMISSION_DENIED: _CREDENTIALS,
}
