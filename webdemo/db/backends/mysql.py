"""MySQL and MariaDB: DDL that commits statement by statement.

- The migration lock is a named lock (GET_LOCK), named after the
  database, since GET_LOCK names are server-wide.
- Every DDL statement commits by itself: the journal counts a revision's
  statements and a replay completes what a dead run left half-done; a
  revision's rows are committed by the next DDL statement
  (run_strategies.StatementReplay, CarriedCommit).
- A statement waits for a table lock at most lock_wait_timeout (metadata
  locks) and innodb_lock_wait_timeout (row locks); the blocker is read
  from performance_schema, or else the oldest InnoDB transaction.
- A migration's ALTER TABLE and CREATE INDEX say ALGORITHM=INPLACE,
  LOCK=NONE (refuse_table_copies): InnoDB could otherwise copy a table
  without a word, stopping its writes for as long as the copy takes.
  MariaDB still adds a column instantly under INPLACE ("in place or
  better"); a change only a copy could make is refused at once (exit
  16) unless the operator allowed copies for the run
  (--allow-table-copy). On MySQL proper INPLACE means exactly in place:
  a column MySQL 8 would add instantly is rebuilt online instead.
- Server settings can make migrating unsafe (preflight.py).
- PyMySQL speaks utf8mb4 only when asked.

A Galera cluster is a MySQL server with a cluster behind it
(galera.py's Galera).
"""

import contextlib
import hashlib

import sqlalchemy

from webdemo.db.backends import base
from webdemo.db.backends import galera_sessions
from webdemo.db.backends import locks
from webdemo.db.backends import run_strategies
from webdemo.db import sql_text

_HOLDING = sqlalchemy.text("""
    SELECT t.PROCESSLIST_ID, t.PROCESSLIST_USER, t.PROCESSLIST_HOST,
           t.PROCESSLIST_STATE, t.PROCESSLIST_TIME
    FROM performance_schema.metadata_locks m
    JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
    WHERE m.OBJECT_SCHEMA = DATABASE() AND m.OBJECT_NAME = :table
      AND m.LOCK_STATUS = 'GRANTED'
      AND t.PROCESSLIST_ID <> CONNECTION_ID()
    LIMIT 1""")
_OLDEST = sqlalchemy.text("""
    SELECT p.ID, p.USER, p.HOST, p.COMMAND,
           TIMESTAMPDIFF(SECOND, x.trx_started, NOW())
    FROM information_schema.INNODB_TRX x
    JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
    WHERE p.ID <> CONNECTION_ID()
    ORDER BY x.trx_started LIMIT 1""")


class MySQL(base.Backend):

    name = 'mysql'
    dialect_names = ('mysql', 'mariadb')
    table_options = ('mysql_engine', 'mysql_default charset',
                     'mysql_collate')
    offline_url = 'mysql+pymysql://'
    exact_collation = 'utf8mb4_bin'
    lock_wait_limits = ('SET SESSION lock_wait_timeout = {seconds}, '
                        'innodb_lock_wait_timeout = {seconds}',
                        'SET SESSION lock_wait_timeout = DEFAULT, '
                        'innodb_lock_wait_timeout = DEFAULT')
    blocker_queries = ((_HOLDING, True, True), (_OLDEST, False, False))
    checks_server_settings = True

    @staticmethod
    def statement_may_fail(connection):
        # Each DDL statement commits what is open, a savepoint with it.
        return contextlib.nullcontext()

    @classmethod
    def with_defaults(cls, url):
        """Ask for utf8mb4 unless the URL names a charset.

        Without it PyMySQL talks utf8mb3, and 4-byte characters are
        refused even by utf8mb4 tables.
        """
        if 'charset' in url.query:
            return url
        return url.update_query_dict({'charset': 'utf8mb4'})

    @classmethod
    def prepare_engine(cls, engine, conf, immediate=False,
                       set_by_oslo_db=True):
        # Any MySQL server may turn out to be a Galera node.
        galera_sessions.read_causally(
            engine, conf.database.mysql_wsrep_sync_wait, set_by_oslo_db)

    def run_strategy(self):
        return run_strategies.StatementReplay()

    def refuse_table_copies(self, target):
        if not sqlalchemy.event.contains(target, 'before_cursor_execute',
                                         _in_place):
            sqlalchemy.event.listen(target, 'before_cursor_execute',
                                    _in_place, retval=True)

    def migration_lock(self, lease):
        return NamedLock(self.engine)

    def _upsert(self, table, finished, first, second):
        # Imported here: only a plan's journal needs the dialect's insert.
        from sqlalchemy.dialects import mysql

        second['id'] = sqlalchemy.null()
        insert = mysql.insert(table).values([first, second])
        return insert.on_duplicate_key_update(
            {name: insert.inserted[name] for name in finished})

    def started_id(self, result, entry_id):
        # MySQL numbers a NULL id; lastrowid is then the new row's.
        return result.lastrowid

    def utc_now(self):
        return sqlalchemy.func.utc_timestamp()


def _in_place(conn, cursor, statement, parameters, context, executemany):
    return sql_text.in_place(statement), parameters


class NamedLock(locks.ServerLock):
    """A named lock whose name carries the database's.

    GET_LOCK names are server-wide; two databases on one server must not
    share a lock.
    """

    def __enter__(self):
        super().__enter__()
        database = self._scalar('SELECT DATABASE()')
        # At most 64 characters, and no quoting trouble: a digest.
        digest = hashlib.sha256(database.encode()).hexdigest()[:40]
        self._name = f'{locks.NAME}_{digest}'
        return self

    def try_acquire(self):
        return self._scalar(f"SELECT GET_LOCK('{self._name}', 0)") == 1

    def _unlock(self):
        self._scalar(f"SELECT RELEASE_LOCK('{self._name}')")
