"""The protocol every backend class follows, with what most share.

A backend class owns everything that differs by database, so that no
other module asks which database this is:

- engine_options(), with_defaults(), prepare_engine(): how an engine for
  its URLs is made (class-level: no engine exists yet); missing(): a
  database file a reading command must not create;
- run_strategy(): how a plan's revisions commit (run_strategies.py);
- refuse_table_copies(): make a migration's DDL fail rather than copy a
  table with its writes stopped (MySQL);
- migration_lock(): the lock db sync, stamp and downgrade take;
- lock_wait_limits and blocker_queries: how long a statement may wait
  for a table lock, and how to name who holds it (lock_wait.py);
- finish_and_start(), started_id(): the journal's one-statement step
  (journal.py), where the backend has an upsert worth a round trip;
- utc_now(): the server's clock, in UTC;
- statement_may_fail(): what guards one statement whose failure is
  handled (bookkeeping.py's columns added);
- counter_catch_up(): an autoincrement counter moved past rows
  inserted with their ids (checkpoint_ops.py);
- checks_server_settings: whether its server has settings that make
  migrating unsafe (preflight.py reads them).

Cancelling a statement the server may go on running belongs to the run
strategy (cancel()).
"""

import weakref

import sqlalchemy

from webdemo.db.backends import run_strategies


class Backend:
    """One database's ways; see the module docstring for the protocol.

    :param engine: the engine this backend was chosen for
    """

    name = None
    # The SQLAlchemy dialects a type's variant for this backend names
    # (with_variant; checkpoint_file.py).
    dialect_names = ()
    # A URL of the dialect naming no database (db sync --sql --dialect).
    offline_url = None
    # (SET statement with {seconds}, the statement that resets it), or
    # None where no statement waits for another session's table lock.
    lock_wait_limits = None
    # ((query, certain, needs_table), ...): how to find the session that
    # holds a lock, tried in turn (lock_wait.blocker).
    blocker_queries = ()
    checks_server_settings = False
    # Several nodes behind one URL (Galera).
    cluster = False
    # CREATE INDEX blocks writes to the table unless it is built
    # CONCURRENTLY, outside a transaction (PostgreSQL; InnoDB builds
    # online by itself, SQLite's writers wait anyway): online_ddl.py.
    index_built_concurrently = False
    # The collation that compares text by its code points, where the
    # database's default does not (MySQL's folds case and accents):
    # None where text already compares so.
    exact_collation = None

    @classmethod
    def counter_catch_up(cls, table, column):
        """SQL that moves column's counter past rows given their values.

        A checkpoint inserts its rows with their ids (checkpoint_ops.py).
        None where nothing needs it: MySQL's AUTO_INCREMENT and SQLite's
        rowid follow the largest value by themselves; a PostgreSQL
        sequence does not.
        """
        return None

    def __init__(self, engine):
        # Weakly: backends.for_engine keeps a backend for as long as its
        # engine lives, which a strong reference here would be forever.
        self._engine = weakref.ref(engine)
        self._compiled = {}

    @property
    def engine(self):
        return self._engine()

    @classmethod
    def engine_options(cls, url):
        """Extra sqlalchemy.create_engine() options for a reading engine."""
        return {}

    @classmethod
    def with_defaults(cls, url):
        """The URL (a sqlalchemy URL) with the options webdemo needs."""
        return url

    @classmethod
    def missing(cls, url):
        """What of url's database is not there, for a command that reads.

        None: there, or known only once connected (a server says).
        """
        return None

    @classmethod
    def with_connect_timeout(cls, url, seconds):
        """The URL giving up a connection attempt after seconds.

        PyMySQL and psycopg2 both read connect_timeout; a URL that sets
        its own keeps it.
        """
        if 'connect_timeout' in url.query:
            return url
        return url.update_query_dict({'connect_timeout': str(seconds)})

    @classmethod
    def prepare_engine(cls, engine, conf, immediate=False,
                       set_by_oslo_db=True):
        """Add the listeners engine needs on this backend.

        :param conf: the loaded ConfigOpts
        :param immediate: the engine changes the database (SQLite takes
            its write lock as each transaction begins)
        :param set_by_oslo_db: engine is oslo.db's
        """

    def run_strategy(self):
        """A new run_strategies object for one attempt at a plan."""
        return run_strategies.Transactional()

    # The reflected table options that say how a table is stored
    # (state/snapshot.py compares them).
    table_options = ()

    @staticmethod
    def reflected_default(default):
        """A reflected server default; None if it only says how it counts.

        (state/snapshot.py)
        """
        return default

    @staticmethod
    def statement_may_fail(connection):
        """A with block around one statement whose failure is handled.

        A savepoint, where DDL is transactional (SQLite, PostgreSQL): a
        failed statement would otherwise spoil the transaction around it.
        """
        return connection.begin_nested()

    def refuse_table_copies(self, target):
        """Make DDL sent through target refuse to copy a table.

        :param target: a Connection (or Engine) that runs migrations
        """
        # Elsewhere no DDL copies a table behind the service's back:
        # PostgreSQL's revisions say how they lock (online_ddl.py), and
        # SQLite's writers wait for any change anyway.

    def migration_lock(self, lease):
        """The migration lock (backends/locks.py) of this database.

        :param lease: seconds a Galera lease lasts without renewal
        """
        raise NotImplementedError

    def finish_and_start(self, table, finished):
        """The compiled statement that finishes a row and starts the next.

        None: the journal writes the two as two statements. Compiled once
        per backend: SQLAlchemy caches no statement that inserts several
        rows, and compiling one for every revision would cost more than
        the round trip it saves.

        :param table: the journal's table
        :param finished: the columns finishing a row writes
        """
        key = (table, finished)
        if key not in self._compiled:
            statement = self._upsert(table, finished, *self._both_rows(table))
            self._compiled[key] = (None if statement is None else
                                   statement.compile(
                                       dialect=self.engine.dialect))
        return self._compiled[key]

    def _upsert(self, table, finished, first, second):
        """The backend's upsert of the two rows, or None without one.

        An insert of first and second in which first, there already by
        its id, only updates the finished columns.
        """
        return None

    def started_id(self, result, entry_id):
        """The new row's id, from finish_and_start()'s result."""
        raise NotImplementedError

    @staticmethod
    def _both_rows(table):
        """Bound values of the two rows finish_and_start() inserts.

        f_<column> for the row finished (there already, by its id), and
        s_<column> for the row started; the journal fills them in.
        """
        names = [column.name for column in table.c]
        return ({name: sqlalchemy.bindparam(f'f_{name}') for name in names},
                {name: sqlalchemy.bindparam(f's_{name}') for name in names})

    def utc_now(self):
        """The database's clock in UTC, as a zone-less timestamp."""
        # SQLite's CURRENT_TIMESTAMP is UTC already.
        return sqlalchemy.func.current_timestamp()
