"""PostgreSQL: transactional DDL, advisory locks, commits that need not wait.

- The migration lock is a session-level advisory lock, scoped to the
  database already.
- A revision, its version row and its journal rows are one transaction;
  revisions share a commit while they touch only the tables their run
  created, and commits do not wait for the disk until the plan's last
  (run_strategies.DeferredFlush).
- A statement waits for a table lock at most lock_timeout; the blocker
  is read from pg_locks, or else the oldest open transaction.
"""

import sqlalchemy

from webdemo.db.backends import base
from webdemo.db.backends import locks
from webdemo.db.backends import run_strategies

# pg_advisory_lock takes a number: a fixed one, "webdemo" in ASCII.
_ADVISORY_KEY = 0x776562646d6f

_BLOCKER_COLUMNS = """
    SELECT a.pid, a.usename, host(a.client_addr), a.state,
           EXTRACT(EPOCH FROM now() - COALESCE(a.xact_start,
                                               a.backend_start))::int
"""
_HOLDING = sqlalchemy.text(_BLOCKER_COLUMNS + """
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.granted
      AND l.relation = to_regclass(:table)
      AND a.pid <> pg_backend_pid()
    ORDER BY a.xact_start LIMIT 1""")
_OLDEST = sqlalchemy.text(_BLOCKER_COLUMNS + """
    FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
      AND a.xact_start IS NOT NULL
    ORDER BY a.xact_start LIMIT 1""")


class PostgreSQL(base.Backend):

    name = 'postgresql'
    dialect_names = ('postgresql',)
    offline_url = 'postgresql+psycopg2://'
    index_built_concurrently = True
    lock_wait_limits = ("SET lock_timeout = '{seconds}s'",
                        'RESET lock_timeout')
    blocker_queries = ((_HOLDING, True, True), (_OLDEST, False, False))

    @staticmethod
    def reflected_default(default):
        # A serial column shows its sequence's nextval() as its default:
        # how it counts, not a default anyone wrote.
        return None if 'nextval(' in default else default

    @classmethod
    def counter_catch_up(cls, table, column):
        # Quoted as identifiers inside the name pg_get_serial_sequence
        # parses; a column with no sequence gives NULL, and setval(NULL)
        # does nothing.
        name = '"' + table.replace('"', '""') + '"'
        quoted = '"' + column.replace('"', '""') + '"'
        return (f"SELECT setval(pg_get_serial_sequence('{name}', "
                f"'{column}'), (SELECT max({quoted}) FROM {name}))")

    @classmethod
    def engine_options(cls, url):
        return {'client_encoding': 'utf8'}

    def run_strategy(self):
        return run_strategies.DeferredFlush()

    def migration_lock(self, lease):
        return AdvisoryLock(self.engine)

    def _upsert(self, table, finished, first, second):
        # Imported here: only a plan's journal needs the dialect's insert.
        from sqlalchemy.dialects import postgresql

        # PostgreSQL takes its sequence's next value only for DEFAULT.
        second['id'] = sqlalchemy.literal_column('DEFAULT')
        insert = postgresql.insert(table).values([first, second])
        return insert.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={name: insert.excluded[name] for name in finished}
        ).returning(table.c.id)

    def started_id(self, result, entry_id):
        new = [row.id for row in result.all() if row.id != entry_id]
        if len(new) != 1:
            raise RuntimeError(f'the journal wrote {len(new)} new rows '
                               'for one revision, not 1')
        return new[0]

    def utc_now(self):
        return sqlalchemy.func.timezone('UTC', sqlalchemy.func.now())


class AdvisoryLock(locks.ServerLock):
    """Advisory locks are scoped to the current database already."""

    def try_acquire(self):
        return self._scalar(f'SELECT pg_try_advisory_lock({_ADVISORY_KEY})')

    def _unlock(self):
        self._scalar(f'SELECT pg_advisory_unlock({_ADVISORY_KEY})')
