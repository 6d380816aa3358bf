"""How fast online data migrations backfill, and how long a batch locks.

Brings a database to the expand head (the user table has both name and
username), fills it with ROWS users as the previous release writes them
(name only), then runs webdemo's own online data migration,
``user_username`` (webdemo/db/rolling/data_migrations.py), through webdemo's
runner (webdemo/db/rolling/online_migrations.py) while a writer thread keeps
inserting users the previous release's way, one per transaction. For
each backend and batch size it prints: rows migrated per second, the
longest and the 99th-percentile batch (a batch is one transaction: the
time it holds its row locks), and the writer's rows and slowest insert.

    .tox/py3/bin/python tools/odm_benchmark.py                # 1,000,000
    .tox/py3/bin/python tools/odm_benchmark.py --rows 100000 --batch 50

MariaDB and PostgreSQL are reached as oslo.db's openstack_citest user
(tools/test-setup.sh); every table in that database is dropped first.
"""

import argparse
import functools
import threading
import time

import sqlalchemy as sa

from webdemo.db.history import scripts
from webdemo.db.rolling import data_migrations
from webdemo.db.rolling import online_migrations

SERVERS = {
    'mysql': 'mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1/'
             'openstack_citest',
    'postgresql': 'postgresql+psycopg2://openstack_citest:openstack_citest'
                  '@127.0.0.1/openstack_citest',
}
# The previous release's view of the table.
USER = sa.table('user', sa.column('id'), sa.column('user_id'),
                sa.column('name'))
_FILL = {
    'postgresql': 'INSERT INTO "user" (id, user_id, name) '
                  "SELECT g, 'u-' || g, 'n' || g "
                  'FROM generate_series(1, {rows}) g',
    # MariaDB's SEQUENCE engine: seq_1_to_N is a table of 1..N.
    'mysql': "INSERT INTO user (id, user_id, name) SELECT seq, "
             "CONCAT('u-', seq), CONCAT('n', seq) FROM seq_1_to_{rows}",
}


def timed(migration, durations):
    """migration, recording how long each batch (not count) took."""
    @functools.wraps(migration)
    def batch(context, max_count):
        started = time.perf_counter()
        found = migration(context, max_count)
        if max_count:
            durations.append(time.perf_counter() - started)
        return found
    return batch


class Writer(threading.Thread):
    """The previous release, inserting users its way meanwhile."""

    def __init__(self, engine, first_id):
        super().__init__(daemon=True)
        self._engine = engine
        self._next = first_id
        self._done = threading.Event()
        self.latencies = []

    def run(self):
        while not self._done.is_set():
            started = time.perf_counter()
            with self._engine.begin() as connection:
                connection.execute(USER.insert().values(
                    id=self._next, user_id=f'u-{self._next}',
                    name=f'n{self._next}'))
            self.latencies.append(time.perf_counter() - started)
            self._next += 1
            time.sleep(0.001)

    def stop(self):
        self._done.set()
        self.join()


def prepare(engine, rows):
    """An expanded schema holding rows users of the previous release."""
    metadata = sa.MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        metadata.drop_all(connection)
    # Imported here: alembic.command is not needed for anything else.
    from alembic import command

    with engine.connect() as connection:
        command.upgrade(scripts.alembic_config(connection), 'expand@head')
        connection.commit()
    with engine.begin() as connection:
        connection.exec_driver_sql(
            _FILL[engine.dialect.name].format(rows=rows))
    if engine.dialect.name == 'postgresql':
        with engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as connection:
            connection.exec_driver_sql('ANALYZE "user"')


def measure(engine, rows, batch):
    prepare(engine, rows)
    durations = []
    writer = Writer(engine, rows + 1)
    writer.start()
    started = time.perf_counter()
    results = online_migrations.run(
        online_migrations.Context(engine),
        [timed(data_migrations.user_username, durations)],
        max_count=rows, batch_size=batch)
    elapsed = time.perf_counter() - started
    writer.stop()
    batches = sorted(durations)
    return {
        'migrated': results[0].completed,
        'seconds': elapsed,
        'rows_per_s': results[0].completed / elapsed,
        'longest_ms': batches[-1] * 1000,
        'p99_ms': batches[int(len(batches) * 0.99) - 1] * 1000,
        'writer_rows': len(writer.latencies),
        'writer_max_ms': max(writer.latencies) * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rows', type=int, default=1_000_000)
    parser.add_argument('--batch', type=int, action='append',
                        help='batch size (repeatable; default 50 and '
                             f'{online_migrations.DEFAULT_BATCH_SIZE} '
                             'and 1000)')
    parser.add_argument('--backend', action='append',
                        choices=sorted(SERVERS))
    args = parser.parse_args()
    batches = sorted(set(args.batch or [
        50, online_migrations.DEFAULT_BATCH_SIZE, 1000]))
    print(f'{"backend":11} {"batch":>6} {"rows":>9} {"s":>7} '
          f'{"rows/s":>8} {"longest":>9} {"p99":>8} {"writer":>7} '
          f'{"w. max":>8}')
    for name in args.backend or sorted(SERVERS):
        engine = sa.create_engine(SERVERS[name])
        try:
            for batch in batches:
                m = measure(engine, args.rows, batch)
                print(f'{name:11} {batch:6} {m["migrated"]:9} '
                      f'{m["seconds"]:7.1f} {m["rows_per_s"]:8.0f} '
                      f'{m["longest_ms"]:7.1f}ms {m["p99_ms"]:6.1f}ms '
                      f'{m["writer_rows"]:7} {m["writer_max_ms"]:6.1f}ms',
                      flush=True)
        finally:
            engine.dispose()


if __name__ == '__main__':
    main()
