"""Knowing a Galera node when connected to one, and reading causally on it.

A Galera cluster looks like any MariaDB/MySQL server to a client, and a
load balancer may hand each new connection to another node. Two things
differ for webdemo (doc/source/migration-safety.rst):

- the migration lock must be a lease row (lease.py), because GET_LOCK
  is local to one node: is_galera() tells backends.for_engine() to
  choose the Galera backend;
- a read on one node must see what was committed on another, so every
  session sets ``wsrep_sync_wait`` (oslo.db's ``[database]
  mysql_wsrep_sync_wait``; when that is unset, webdemo sets it to 1,
  causal reads, on Galera nodes only: MySQL without Galera refuses the
  variable).

Every connection is looked at once, when the pool first hands it out, and
what was found is kept in its ``Connection.info``.
"""

import sqlalchemy

_INFO_KEY = 'webdemo.galera'
# wsrep_sync_wait bit 1: reads (SELECT, SHOW, BEGIN) wait until the node
# has applied every transaction committed in the cluster before them.
CAUSAL_READS = 1


def read_causally(engine, sync_wait=None, set_by_oslo_db=True):
    """Have each session of engine on a Galera node read causally.

    :param sync_wait: [database] mysql_wsrep_sync_wait; None means
        causal reads
    :param set_by_oslo_db: engine is oslo.db's, which sets a configured
        sync_wait on every session itself (it is then left alone)
    """
    if sync_wait is None:
        level = CAUSAL_READS
    else:
        level = None if set_by_oslo_db else sync_wait

    # checkout, not connect: oslo.db's engine holds one connection in its
    # pool already, made before this listener existed.
    @sqlalchemy.event.listens_for(engine, 'checkout')
    def _on_checkout(dbapi_connection, record, proxy):
        if _INFO_KEY in record.info:
            return
        cursor = dbapi_connection.cursor()
        try:
            on_galera = _wsrep_on(cursor)
            # A node that is not ready (outside the primary component,
            # joining) fails every causal read, SHOW included: leave it
            # plain, so that the pre-flight checks can read and say why.
            if on_galera and level is not None and _ready(cursor):
                cursor.execute('SET SESSION wsrep_sync_wait = %s', [level])
        finally:
            cursor.close()
        record.info[_INFO_KEY] = on_galera


_SHOW_WSREP_ON = "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'"


def _wsrep_on(cursor):
    cursor.execute(_SHOW_WSREP_ON)
    return _is_on(cursor.fetchone())


def _ready(cursor):
    cursor.execute("SHOW GLOBAL STATUS LIKE 'wsrep_ready'")
    return _is_on(cursor.fetchone())


def _is_on(row):
    # MySQL without Galera has no such variable: no row.
    return row is not None and str(row[1]).upper() == 'ON'


def is_galera(connection):
    """Whether connection (a Connection to MySQL) is to a Galera node."""
    known = connection.info.get(_INFO_KEY)
    if known is None:
        row = connection.exec_driver_sql(_SHOW_WSREP_ON).first()
        known = connection.info[_INFO_KEY] = _is_on(row)
    return known
