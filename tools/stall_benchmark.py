"""How long the service's writes stall while an upgrade runs on big tables.

The expand and contract phases are meant to take no long lock on a table
the service writes (doc/source/rolling-upgrades.rst). This measures it,
per backend it reaches, on a scratch database:

- the history up to 948ccd040506 (the first release's schema), with
  ``--rows`` users (a million by default) and as many accounts;
- a writer that, one statement after another, inserts a user and
  updates a random one, each timed, with the columns the running
  release writes (the first release's until expand is done; then both
  name and username, and a project; username alone once contract has
  dropped name);
- the upgrade in its three steps: ``db sync --expand``,
  ``db online_data_migrations``, ``db sync --contract``.

It prints, for each step, how long it took, the writer's statements,
its longest stall and its 99th percentile, against the target: no
stall over one second (--target). A write that failed is counted and
named; a step that fails stops the run.

    .tox/functional/bin/python tools/stall_benchmark.py [--rows 1000000]
"""

import argparse
import random
import re
import statistics
import sys
import threading
import time

import sqlalchemy

import lock_wait_benchmark as scratch

START = '948ccd040506'
# MariaDB: Unknown column 'name'; PostgreSQL: column "name" ... not exist.
_NAME_GONE = re.compile(r'''column ['"]name['"]''', re.I)
PROJECT = 'default-project'
STEPS = (('expand', ('db', 'sync', '--expand')),
         ('data', ('db', 'online_data_migrations')),
         ('contract', ('db', 'sync', '--contract')))


class Writer(threading.Thread):
    """Inserts and updates users, one statement at a time, each timed."""

    def __init__(self, engine, rows):
        super().__init__(daemon=True)
        self._engine = engine
        self._rows = rows
        self._done = threading.Event()
        self.step = 'before'
        self.expanded = False
        self.name_dropped = False
        self.latencies = {}
        self.failures = {}

    def run(self):
        serial = 0
        with self._engine.connect() as connection:
            while not self._done.is_set():
                serial += 1
                for statement, values in self._statements(serial):
                    self._timed(connection, statement, values)

    def _statements(self, serial):
        row = {'user_id': f'writer-{serial}', 'name': f'writer-{serial}',
               'username': f'writer-{serial}', 'email': 'w@example.com',
               'project_id': PROJECT}
        columns = ['user_id', 'email', *self._columns()]
        insert = (f'INSERT INTO {self._user} ({", ".join(columns)}) '
                  f'VALUES ({", ".join(":" + name for name in columns)})')
        update = f'UPDATE {self._user} SET email = :email WHERE id = :id'
        return ((insert, {name: row[name] for name in columns}),
                (update, {'email': f'u{serial}@example.com',
                          'id': random.randint(1, self._rows)}))

    def _columns(self):
        if not self.expanded:
            return ['name']
        return ['username', 'project_id'] + (
            [] if self.name_dropped else ['name'])

    @property
    def _user(self):
        return self._engine.dialect.identifier_preparer.quote('user')

    def _timed(self, connection, statement, values):
        started = time.monotonic()
        try:
            connection.execute(sqlalchemy.text(statement), values)
            connection.commit()
        except sqlalchemy.exc.DBAPIError as error:
            connection.rollback()
            if _NAME_GONE.search(str(error.orig)) and self.expanded:
                # Contract dropped name: the release writes username only.
                self.name_dropped = True
            self.failures.setdefault(self.step, []).append(
                str(error.orig).splitlines()[0][:120])
        self.latencies.setdefault(self.step, []).append(
            time.monotonic() - started)

    def stop(self):
        self._done.set()
        self.join()


def load(url, rows):
    """The first release's schema, with rows users and accounts."""
    result = scratch.manage(url, 'db', 'sync', START)
    if result.returncode:
        raise SystemExit(f'db sync {START} failed: {result.stderr}')
    engine = sqlalchemy.create_engine(url)
    user = engine.dialect.identifier_preparer.quote('user')
    series = ('generate_series(1, :rows) AS n' if engine.dialect.name ==
              'postgresql' else 'seq_1_to_{rows} AS s')
    number = 'n' if engine.dialect.name == 'postgresql' else 's.seq'
    with engine.begin() as connection:
        for statement in (
                f"INSERT INTO {user} (user_id, name, email) SELECT "
                f"CONCAT('u', {number}), CONCAT('name-', {number}), "
                f"'x@example.com' FROM {series.format(rows=rows)}",
                f"INSERT INTO account (name, email) SELECT "
                f"CONCAT('a', {number}), 'x@example.com' FROM "
                f"{series.format(rows=rows)}"):
            connection.execute(sqlalchemy.text(statement), {'rows': rows})
    return engine


def measure(url, rows):
    """[(step, seconds, latencies, failures)] for one upgrade."""
    engine = load(url, rows)
    writer = Writer(engine, rows)
    writer.start()
    figures = []
    try:
        for step, command in STEPS:
            writer.step = step
            started = time.monotonic()
            result = scratch.manage(url, *command, timeout=3600,
                                    OS_API__DEFAULT_PROJECT_ID=PROJECT)
            took = time.monotonic() - started
            if result.returncode:
                raise SystemExit(f'{step} failed ({result.returncode}): '
                                 f'{result.stderr.strip()}')
            writer.expanded = True
            figures.append((step, took))
    finally:
        writer.stop()
        engine.dispose()
    return [(step, took, writer.latencies.get(step, []),
             writer.failures.get(step, [])) for step, took in figures]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rows', type=int, default=1_000_000)
    parser.add_argument('--target', type=float, default=1.0)
    parser.add_argument('--backend', choices=sorted(scratch.SERVERS),
                        action='append', help='only these (default: all)')
    args = parser.parse_args()
    print(f'{args.rows} users and accounts; writer: one insert and one '
          f'update of user at a time; target: no stall over '
          f'{args.target}s')
    print(f'{"backend":<11} {"step":<9} {"step s":>7} {"writes":>7} '
          f'{"longest s":>10} {"p99 s":>7} {"failed":>7}  verdict')
    missed = False
    for backend, server in scratch.SERVERS.items():
        if args.backend and backend not in args.backend:
            continue
        for step, took, latencies, failures in scratch.in_scratch_database(
                server, lambda url: measure(url, args.rows)):
            longest = max(latencies, default=0.0)
            p99 = (statistics.quantiles(latencies, n=100)[98]
                   if len(latencies) > 1 else longest)
            verdict = 'ok' if longest <= args.target else 'OVER'
            missed = missed or verdict != 'ok'
            print(f'{backend:<11} {step:<9} {took:7.1f} {len(latencies):7d} '
                  f'{longest:10.3f} {p99:7.3f} {len(failures):7d}  '
                  f'{verdict}')
            for failure in sorted(set(failures)):
                print(f'{"":<11} failed write: {failure}')
    sys.exit(1 if missed else 0)


if __name__ == '__main__':
    main()
