"""How fast online data migrations backfill, and how long a batch locks.

Fills a table with ROWS rows whose ``new`` column is NULL, then runs a
backfill migration (copy ``old`` into ``new``) through webdemo's own
runner (webdemo/db/online_migrations.py) while a writer thread keeps
inserting rows the old way, one per transaction. For each backend and
batch size it prints: rows migrated per second, the longest and the
99th-percentile batch (a batch is one transaction: the time it holds
its row locks), and the writer's rows and slowest insert.

    .tox/py3/bin/python tools/odm_benchmark.py                # 1,000,000
    .tox/py3/bin/python tools/odm_benchmark.py --rows 100000 --batch 50

The migration finds its rows as real ones should: ``WHERE new IS NULL
ORDER BY id LIMIT n`` over an index on (new, id), so each batch costs
the same however many rows are done. MariaDB and PostgreSQL are reached
as oslo.db's openstack_citest user (tools/test-setup.sh).
"""

import argparse
import threading
import time

import sqlalchemy as sa

from webdemo.db import online_migrations

SERVERS = {
    'mysql': 'mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1/'
             'openstack_citest',
    'postgresql': 'postgresql+psycopg2://openstack_citest:openstack_citest'
                  '@127.0.0.1/openstack_citest',
}
TABLE = sa.table('odm_bench', sa.column('id'), sa.column('old'),
                 sa.column('new'))
_FILL = {
    'postgresql': "INSERT INTO odm_bench SELECT g, 'v' || g, NULL "
                  'FROM generate_series(1, {rows}) g',
    # MariaDB's SEQUENCE engine: seq_1_to_N is a table of 1..N.
    'mysql': "INSERT INTO odm_bench SELECT seq, CONCAT('v', seq), NULL "
             'FROM seq_1_to_{rows}',
}


def backfill(durations):
    """The migration under test; records each batch's duration."""
    def copy_old_to_new(context, max_count):
        started = time.perf_counter()
        with context.begin() as connection:
            todo = sa.select(TABLE.c.id).where(TABLE.c.new.is_(None))
            if max_count == 0:
                count = sa.select(sa.func.count()).select_from(
                    todo.subquery())
                return connection.execute(count).scalar(), 0
            ids = connection.execute(
                todo.order_by(TABLE.c.id).limit(max_count)).scalars().all()
            if ids:
                connection.execute(TABLE.update().where(
                    TABLE.c.id.in_(ids)).values(new=TABLE.c.old))
        durations.append(time.perf_counter() - started)
        return len(ids), len(ids)
    return copy_old_to_new


class Writer(threading.Thread):
    """The previous release, inserting rows the old way meanwhile."""

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
                connection.execute(TABLE.insert().values(
                    id=self._next, old=f'v{self._next}'))
            self.latencies.append(time.perf_counter() - started)
            self._next += 1
            time.sleep(0.001)

    def stop(self):
        self._done.set()
        self.join()


def prepare(engine, rows):
    with engine.begin() as connection:
        connection.exec_driver_sql('DROP TABLE IF EXISTS odm_bench')
        connection.exec_driver_sql(
            'CREATE TABLE odm_bench (id BIGINT PRIMARY KEY, '
            'old VARCHAR(32) NOT NULL, new VARCHAR(32))')
        connection.exec_driver_sql(
            _FILL[engine.dialect.name].format(rows=rows))
        connection.exec_driver_sql(
            'CREATE INDEX ix_odm_bench_new ON odm_bench (new, id)')
    if engine.dialect.name == 'postgresql':
        with engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as connection:
            connection.exec_driver_sql('ANALYZE odm_bench')


def measure(engine, rows, batch):
    prepare(engine, rows)
    durations = []
    writer = Writer(engine, rows + 1)
    writer.start()
    started = time.perf_counter()
    results = online_migrations.run(
        online_migrations.Context(engine), [backfill(durations)],
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
            with engine.begin() as connection:
                connection.exec_driver_sql('DROP TABLE odm_bench')
        finally:
            engine.dispose()


if __name__ == '__main__':
    main()
