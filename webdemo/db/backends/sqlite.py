"""SQLite: the embedded default, one file, one writer at a time.

- The migration lock is an flock() on a file beside the database file,
  with the holder's card inside (oslo.concurrency's external lock takes
  POSIX record locks, which a process loses as soon as it closes any
  descriptor of the file, as reading the card would).
- oslo.db takes transaction control away from pysqlite, so a revision's
  DDL is one transaction; the commands that change the database begin
  each transaction with BEGIN IMMEDIATE.
- Revisions within run_strategies.GROUP_SECONDS share a commit: SQLite
  locks the whole file for any write, so a longer transaction takes no
  lock a shorter one would not.
"""

import dataclasses
import fcntl
import json
import logging
import os

import sqlalchemy

from webdemo.db.backends import base
from webdemo.db.backends import locks
from webdemo.db.backends import run_strategies
from webdemo.db import library_internals
from webdemo.db.locking.holder import Holder
from webdemo import exception

LOG = logging.getLogger(__name__)


class SQLite(base.Backend):

    name = 'sqlite'
    dialect_names = ('sqlite',)
    offline_url = 'sqlite://'

    @classmethod
    def engine_options(cls, url):
        # A file is opened afresh each time, as oslo.db does.
        return {'poolclass': sqlalchemy.pool.NullPool}

    @classmethod
    def missing(cls, url):
        # Opening a file that is not there makes an empty database.
        path = url.database
        if path and path != ':memory:' and not path.startswith('file:') \
                and not os.path.exists(path):
            return path
        return None

    @classmethod
    def with_connect_timeout(cls, url, seconds):
        # A file opens or fails at once.
        return url

    @classmethod
    def prepare_engine(cls, engine, conf, immediate=False,
                       set_by_oslo_db=True):
        if immediate:
            _begin_immediately(engine)

    def run_strategy(self):
        return run_strategies.Transactional(run_strategies.GROUP_SECONDS)

    def migration_lock(self, lease):
        return FileLock(self.engine.url.database)


def _begin_immediately(engine):
    """Each transaction takes the write lock as it begins.

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


class FileLock(locks.PeekAndGuard):
    """flock() on '<database file>.migration-lock'; the card inside.

    Only taking the lock makes the file: a peek (the reading commands)
    finds no file nobody could hold, and leaves none behind, also on a
    read-only file system.
    """

    def __init__(self, database_path):
        # An in-memory database lives in one process: nothing to share.
        self._path = (f'{database_path}.migration-lock'
                      if database_path and database_path != ':memory:'
                      else None)
        self._create = True

    def __enter__(self):
        self._fd = None
        return self

    def __exit__(self, *exc_info):
        if self._fd is not None:
            os.close(self._fd)

    def peek(self):
        self._create = False
        return super().peek()

    def _open(self):
        try:
            self._fd = os.open(
                self._path, os.O_RDWR | (os.O_CREAT if self._create else 0),
                0o600)
        except OSError as error:
            if self._create:
                raise exception.DatabaseConnectionError(
                    f'cannot write the migration lock {self._path}: '
                    f'{error.strerror}; a command that changes the '
                    'database writes this file beside it: make its '
                    'directory writable.') from error
            # A reader without write access beside the database (or on
            # a read-only file system) cannot lock, and needs not.
            LOG.debug('cannot open %s', self._path, exc_info=True)

    def try_acquire(self):
        if self._path and self._fd is None:
            self._open()
        if self._fd is None:
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def holder(self):
        try:
            with open(self._path) as card:
                return Holder(**json.load(card))
        except (OSError, ValueError, TypeError):
            return None

    def record(self, holder):
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(dataclasses.asdict(holder)).encode(),
                  0)

    def release(self, clear_card):
        if self._fd is not None:
            if clear_card:
                os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
