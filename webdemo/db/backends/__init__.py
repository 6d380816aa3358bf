"""Everything that differs by database, one class per database.

- sqlite.SQLite: the embedded default;
- postgresql.PostgreSQL;
- mysql.MySQL: MySQL and MariaDB;
- galera.Galera: a MariaDB Galera cluster (MySQL with a replicated
  lease for the migration lock).

base.Backend states the protocol they follow. A backend is chosen once
per engine (for_engine, for_connection), from its dialect and, for
MySQL, from whether the server is a Galera node; this package is the
only place that asks which database this is. A new database gets a
module here and a line in _BY_DIALECT, and must pass the conformance
tests (webdemo/tests/functional/backend_conformance.py).
"""

import weakref

from webdemo.db.backends import galera
from webdemo.db.backends import galera_sessions
from webdemo.db.backends import mysql
from webdemo.db.backends import postgresql
from webdemo.db.backends import sqlite
from webdemo import exception

_BY_DIALECT = {
    'sqlite': sqlite.SQLite,
    'postgresql': postgresql.PostgreSQL,
    'mysql': mysql.MySQL,
}
# Dialects that name a database webdemo runs on otherwise: SQLAlchemy's
# mariadb dialect names itself so, and webdemo's MySQL ways (statement
# tracking, locks, Galera) and oslo.db's would all miss it.
_WRITTEN_AS = {'mariadb': 'mysql+pymysql://'}
_CHOSEN = weakref.WeakKeyDictionary()
# The kinds of database webdemo runs on, by their dialects' names.
DIALECTS = tuple(_BY_DIALECT)


def written_as(dialect_name):
    """How to write a URL of dialect_name so webdemo knows it, or None."""
    return _WRITTEN_AS.get(dialect_name)


def kind_of_dialect(dialect):
    """The backend class for a SQLAlchemy dialect (revisions, --sql)."""
    return kind_of(dialect.name)


def kind_of(dialect_name):
    """The backend class for a dialect's name (a URL's backend name).

    For what is decided before an engine exists (engine options, URL
    defaults, listeners): Galera is known only once connected, and
    shares these with MySQL.

    :raises webdemo.exception.ConfigurationError: not a database webdemo
        runs on
    """
    try:
        return _BY_DIALECT[dialect_name]
    except KeyError:
        raise exception.ConfigurationError(
            f'webdemo does not run on {dialect_name} databases: use '
            'sqlite:///, mysql+pymysql:// or postgresql+psycopg2://.'
        ) from None


def offline_url(dialect_name):
    """A URL of dialect_name naming no database, for SQL only written."""
    return kind_of(dialect_name).offline_url


def prepare_engine(engine, conf, immediate=False, set_by_oslo_db=True):
    """Add the listeners engine needs on its backend (base.Backend)."""
    kind_of(engine.dialect.name).prepare_engine(
        engine, conf, immediate=immediate, set_by_oslo_db=set_by_oslo_db)


def for_engine(engine):
    """engine's backend, chosen on first use (connecting, on MySQL)."""
    backend = _CHOSEN.get(engine)
    if backend is None:
        if engine.dialect.name == 'mysql':
            with engine.connect() as connection:
                return for_connection(connection)
        backend = _CHOSEN[engine] = kind_of(engine.dialect.name)(engine)
    return backend


def for_connection(connection):
    """The backend of connection's engine, chosen on first use."""
    engine = connection.engine
    backend = _CHOSEN.get(engine)
    if backend is None:
        kind = kind_of(engine.dialect.name)
        if kind is mysql.MySQL and galera_sessions.is_galera(connection):
            kind = galera.Galera
        backend = _CHOSEN[engine] = kind(engine)
    return backend
