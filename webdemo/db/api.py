"""Engines for webdemo's database, and why a connection failed."""

from oslo_db import options as db_options
from oslo_db.sqlalchemy import enginefacade
from sqlalchemy.engine import make_url
from sqlalchemy import exc as sa_exc

from webdemo.db import errors
from webdemo.db import galera
from webdemo.db import preflight
from webdemo.db import url as db_url
from webdemo import exception

# What to pip install when a dialect's driver module is missing.
_DRIVER_PACKAGES = {
    'pymysql': "PyMySQL (pip install 'webdemo[mysql]')",
    'MySQLdb': 'mysqlclient, or use mysql+pymysql:// with PyMySQL',
    'psycopg2': "psycopg2 (pip install 'webdemo[postgresql]')",
    'psycopg': 'psycopg, or use postgresql+psycopg2://',
}

_OSLO_DB_OPTIONS = frozenset(opt.dest for opt in db_options.database_opts)


def create_engine(conf):
    """Return an engine for conf's [database] connection.

    oslo.db connects once before returning, retrying per
    [database] max_retries and retry_interval, so a returned engine has
    reached the server.

    :param conf: a loaded ConfigOpts with webdemo's options registered
    :raises webdemo.exception.ConfigurationError: the URL is empty or
        malformed, the dialect is unknown or its driver missing
    :raises webdemo.exception.DatabaseConnectionError: the server could
        not be reached or refused the connection
    """
    connection = conf.database.connection
    if not connection or not connection.strip():
        raise exception.ConfigurationError(
            '[database] connection is empty: set it to a database URL, '
            'or remove it to use the embedded SQLite default.')
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
    return engine


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
