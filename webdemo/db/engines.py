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

from webdemo.db import backends
from webdemo.db import errors
from webdemo.db.state import preflight
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
# The commands monitoring calls (db version, history, check) try once,
# and give a connection attempt this long: a down database is reported
# within it, not after [database] max_retries times retry_interval.
ONE_ATTEMPT_TIMEOUT = 10


def create_engine(conf, immediate=False, once=False, existing=False):
    """Return an engine for conf's [database] connection.

    oslo.db connects once before returning, retrying per
    [database] max_retries and retry_interval, so a returned engine has
    reached the server.

    :param conf: a loaded ConfigOpts with webdemo's options registered
    :param immediate: on SQLite, each transaction takes the file's write
        lock as it begins (backends/sqlite.py): for the commands that
        change the database while the service may be writing to it
    :param once: one attempt, of ONE_ATTEMPT_TIMEOUT seconds at most,
        whatever [database] max_retries says (the reading commands)
    :param existing: the database must be there already: a command that
        only reads makes none (SQLite would make an empty file)
    :raises webdemo.exception.ConfigurationError: the URL is empty or
        malformed, the dialect is unknown or its driver missing
    :raises webdemo.exception.DatabaseConnectionError: the server could
        not be reached or refused the connection
    """
    # Imported here: the reading commands never need it.
    from oslo_db.sqlalchemy import enginefacade

    connection = _connection(conf, existing)
    options = {name: value for name, value in conf.database.items()
               if name in _OSLO_DB_OPTIONS}
    if once:
        options['max_retries'] = 1
    # oslo.db's sleep(0) at each connection checkin lets eventlet's
    # greenthreads run; webdemo has none (gunicorn's sync workers, plain
    # threads), so it only gave the CPU away once per request.
    options['thread_checkin'] = False
    try:
        options['connection'] = _with_defaults(connection, once)
        context = enginefacade.transaction_context()
        context.configure(**options)
        engine = context.writer.get_engine()
    except Exception as error:
        raise explain_failure(connection, error) from error
    # oslo.db's engine takes transaction control away from pysqlite on
    # SQLite, so there too a revision's DDL is one transaction.
    backends.prepare_engine(engine, conf, immediate=immediate)
    return engine


def create_reading_engine(conf, once=False, existing=False):
    """Return a plain SQLAlchemy engine for conf's [database] connection.

    For the commands that read, and take or probe the migration lock,
    but change no schema. Like create_engine() it has connected once,
    retrying per [database] max_retries and retry_interval, and its
    errors are oslo.db's classes, explained the same way.

    :param once: as for create_engine()
    :param existing: as for create_engine()
    :raises webdemo.exception.ConfigurationError: as create_engine()
    :raises webdemo.exception.DatabaseConnectionError: as create_engine()
    """
    connection = _connection(conf, existing)
    try:
        url = make_url(_with_defaults(connection, once))
        if conf.database.connection_parameters:
            # As oslo.db does: TLS options, sockets, timeouts live here.
            url = url.update_query_string(
                conf.database.connection_parameters, append=True)
        kind = _kind(url)
        # Pinged before reuse, as oslo.db's are: a whole db sync goes on
        # to hold the migration lock on the connection its first look
        # left in the pool (held.FirstLook), which the server may have
        # closed meanwhile.
        engine = sqlalchemy.create_engine(
            url, pool_pre_ping=True,
            **(kind.engine_options(url) if kind else {}))
        exc_filters.register_engine(engine)
        _first_connect(engine, 1 if once else conf.database.max_retries,
                       conf.database.retry_interval)
    except Exception as error:
        raise explain_failure(connection, error) from error
    backends.prepare_engine(engine, conf, set_by_oslo_db=False)
    return engine


def _kind(url):
    """The backend class of url, or None for a dialect webdemo lacks.

    A missing or unknown dialect is explained once the engine is made
    (explain_failure), as SQLAlchemy's own error.
    """
    try:
        return backends.kind_of(url.get_backend_name())
    except exception.ConfigurationError:
        return None


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


def _connection(conf, existing=False):
    connection = conf.database.connection
    if not connection or not connection.strip():
        raise exception.ConfigurationError(
            '[database] connection is empty: set it to a database URL, '
            'or remove it to use the embedded SQLite default.')
    misread = db_url.misread(connection)
    if misread:
        raise exception.ConfigurationError(
            f'[database] connection is not a database URL webdemo can '
            f'read: {misread}.')
    try:
        url = make_url(connection)
    except sa_exc.ArgumentError:
        # Explained once the engine is made (explain_failure).
        return connection
    backend = url.get_backend_name()
    instead = backends.written_as(backend)
    if instead:
        raise exception.ConfigurationError(
            f'[database] connection {db_url.display(connection)} uses the '
            f'{backend} dialect: write it as {instead}, the dialect '
            'webdemo and oslo.db drive that database with.')
    kind = _kind(url)
    missing = kind.missing(url) if existing and kind else None
    if missing:
        raise exception.DatabaseConnectionError(
            f'cannot connect to the database at '
            f'{db_url.display(connection)}: the file {missing} does not '
            'exist; run webdemo-manage db sync to create it, or correct '
            'its path in [database] connection.')
    return connection


def _with_defaults(connection, once=False):
    """The URL with the options its backend needs (utf8mb4 on MySQL).

    :param once: also bound a connection attempt (ONE_ATTEMPT_TIMEOUT)
    """
    url = make_url(connection)
    kind = _kind(url)
    if kind is None:
        return connection
    url = kind.with_defaults(url)
    if once:
        url = kind.with_connect_timeout(url, ONE_ATTEMPT_TIMEOUT)
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
