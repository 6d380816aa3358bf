"""How long a revision blocked on a table lock stalls the service's reads.

A revision's ALTER TABLE that waits for another session's lock on the
table also makes every later query of that table wait behind it (on
PostgreSQL and MariaDB alike). The DDL lock-wait guard bounds that wait
to [database] ddl_lock_timeout seconds a try (doc/source/migration-
safety.rst). This measures it, per backend it reaches:

- a scratch database at revision fac0847f78ff (the account table);
- a session that read account in a transaction it keeps open (the
  blocker), and a thread reading account in short queries meanwhile;
- webdemo-manage db sync with the guard set, which must give up (exit
  10) naming the blocker.

It prints how long the sync took against the guard's own bound (each
try's wait, the backoffs, and a process start), and the slowest read
against the guard: the figures the functional test
test_lock_wait.LockWaitGuard no longer bounds, since a functional test
asserts behaviour, not time.

    .tox/functional/bin/python tools/lock_wait_benchmark.py [--rounds 3]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import sqlalchemy

SERVERS = {
    'mysql': 'mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1/',
    'postgresql': 'postgresql+psycopg2://openstack_citest:openstack_citest'
                  '@127.0.0.1/postgres',
}
ACCOUNT_TABLE = 'fac0847f78ff'
# A process start and the run around the waits (connect, lock, plan).
START_ALLOWANCE = 5


class Readers(threading.Thread):
    """Short reads of account, one after another, each timed."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self._engine = engine
        self._done = threading.Event()
        self.latencies = []

    def run(self):
        while not self._done.is_set():
            started = time.monotonic()
            with self._engine.connect() as connection:
                connection.exec_driver_sql('SELECT count(*) FROM account')
            self.latencies.append(time.monotonic() - started)
            time.sleep(0.05)

    def stop(self):
        self._done.set()
        self.join()


def manage(url, *args, timeout=300, **env):
    command = shutil.which('webdemo-manage',
                           path=os.path.dirname(sys.executable))
    with tempfile.NamedTemporaryFile('w', suffix='.conf') as empty:
        environment = {name: value for name, value in os.environ.items()
                       if not name.startswith('OS_')}
        environment.update(OS_DATABASE__CONNECTION=url, **env)
        return subprocess.run([command, '--config-file', empty.name, *args],
                              env=environment, capture_output=True,
                              text=True, timeout=timeout)


def in_scratch_database(server, measure):
    """measure(URL) on a new database on server, dropped after."""
    admin = sqlalchemy.create_engine(server, isolation_level='AUTOCOMMIT')
    name = f'lockwait_{uuid.uuid4().hex[:10]}'
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE {name}')
    url = sqlalchemy.engine.make_url(server).set(database=name)
    try:
        return measure(url.render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE {name}')
        admin.dispose()


def one_round(url, guard, retries):
    """(seconds the sync took, slowest read, reads) for one blocked sync."""
    if manage(url, 'db', 'sync', ACCOUNT_TABLE).returncode:
        raise SystemExit(f'db sync {ACCOUNT_TABLE} failed on {url}')
    engine = sqlalchemy.create_engine(url)
    try:
        blocker = engine.connect()
        blocker.exec_driver_sql('SELECT count(*) FROM account').all()
        readers = Readers(engine)
        readers.start()
        started = time.monotonic()
        result = manage(url, 'db', 'sync',
                        OS_DATABASE__DDL_LOCK_TIMEOUT=str(guard),
                        OS_DATABASE__DDL_LOCK_RETRIES=str(retries))
        took = time.monotonic() - started
        readers.stop()
        blocker.rollback()
        blocker.close()
        if result.returncode != 10:
            raise SystemExit(f'db sync exited {result.returncode}, not 10: '
                             f'{result.stderr.strip()}')
        return took, max(readers.latencies), len(readers.latencies)
    finally:
        engine.dispose()


def bound(guard, retries):
    """The guard's own bound on a sync that gives up: waits, backoffs."""
    backoffs = sum(min(2 ** attempt, 30) for attempt in range(retries))
    return (retries + 1) * guard + backoffs + START_ALLOWANCE


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--guard', type=int, default=2)
    parser.add_argument('--retries', type=int, default=1)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    print(f'guard {args.guard}s, {args.retries} retry(ies), '
          f'{args.rounds} rounds; medians')
    print(f'{"backend":<11} {"sync s":>7} {"bound s":>8} {"sync/bound":>11} '
          f'{"worst read s":>13} {"read/guard":>11} {"reads":>6}')
    for backend, server in SERVERS.items():
        rounds = [in_scratch_database(server, lambda url: one_round(
            url, args.guard, args.retries)) for _ in range(args.rounds)]
        took, worst, reads = (statistics.median(column)
                              for column in zip(*rounds))
        limit = bound(args.guard, args.retries)
        print(f'{backend:<11} {took:7.2f} {limit:8.1f} {took / limit:11.2f} '
              f'{worst:13.2f} {worst / args.guard:11.2f} {reads:6.0f}')


if __name__ == '__main__':
    main()
