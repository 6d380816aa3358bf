"""How db sync and db version scale with the length of the history.

For each kind of synthetic history (tools/synthetic_history.py: create,
each revision a new table; alter, revisions that mostly change the 50
tables the first ones create), each history length (revisions appended
to a temporary copy of the package, with a checkpoint cut at its head)
and each backend it can reach, this times, in child processes,
interleaved round by round so that machine noise hits all alike:

  sync          webdemo-manage db sync --no-checkpoint, from an empty
                database: every revision, the per-revision path
  cp_sync       webdemo-manage db sync from an empty database: built
                from the checkpoint
  cp_floor      the checkpoint's statements replayed over one
                connection by one Python process: the final schema's
                DDL floor
  cp_op_floor   the checkpoint's upgrade() run through Alembic's op, in
                one transaction, with no bookkeeping: what building the
                final schema through Alembic costs before any tool
                adds a word
  noop_sync     webdemo-manage db sync, at head
  version       webdemo-manage db version
  alembic_up    alembic upgrade heads, same env.py, from empty
  alembic_cur   alembic current
  ddl_floor     the same DDL statements replayed over one connection by
                one Python process, one commit per revision (what any
                tool that keeps each revision durable must pay)
  op_floor      each revision's upgrade() run through Alembic's op, in a
                transaction of its own, with no version table: what
                Alembic's loading and building of each revision costs
                before any tool writes a word of bookkeeping
  journal_floor MySQL only: the op floor plus each revision's version
                row and journal row, written as webdemo's runner writes
                them there, through the driver, and committed by the next
                revision's DDL: what webdemo's bookkeeping costs before
                any of its own Python
  proc_floor    Python start, oslo.config, SQLAlchemy import, connect,
                read the version row
  walk          the migration tests' walk (history_fixtures.Walker):
                every revision up, then down, one step at a time

and prints medians, ratios, the peak memory of a full sync and what
each revision adds to it.

    .tox/py3/bin/python tools/db_benchmark.py            # 10, 100, 1000
    .tox/py3/bin/python tools/db_benchmark.py --quick    # what CI runs
    .tox/py3/bin/python tools/db_benchmark.py \
        --save doc/source/figures/db_benchmark.json

--save writes the medians, the machine and the date as JSON; the
documentation's build draws its plots from that file
(doc/source/_exts/plots.py), so the pictures are this script's figures.

What the floors and the memory run execute in their child processes is
in db_benchmark_probes.py; the databases and the timing of a process,
which tools/api_benchmark.py shares, in benchmark_databases.py.

Run it with a Python that has webdemo's requirements installed. The
MariaDB and PostgreSQL runs use oslo.db's openstack_citest user
(tools/test-setup.sh); a server that cannot be reached is left out and
said so, unless --require-backends.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

from alembic import config as alembic_config
from alembic import script as alembic_script

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmark_databases as databases  # noqa: E402
import db_benchmark_probes as probes  # noqa: E402
import synthetic_history  # noqa: E402


class History:
    """One history: the package copy and how to run things on it.

    A checkpoint is cut at its head (db checkpoint, on SQLite) before
    anything is timed.
    """

    def __init__(self, count, workdir, kind='create'):
        self.count = count
        self.kind = kind
        self.root = synthetic_history.build(
            count, os.path.join(workdir, f'history-{kind}-{count}'), kind)
        self.alembic_dir = os.path.join(self.root, 'webdemo', 'db',
                                        'sqlalchemy')
        self.order_file = os.path.join(workdir, f'order-{kind}-{count}.txt')
        with open(self.order_file, 'w') as out:
            out.write('\n'.join(self.upgrade_order()))
        scratch = databases.Database('sqlite', workdir, f'cut-{kind}-{count}')
        scratch.empty()
        self.checkpoint_file = os.path.join(
            workdir, f'checkpoint-{kind}-{count}.txt')
        with open(self.checkpoint_file, 'w') as out:
            out.write(self.manage(scratch, 'db', 'checkpoint')[2].rsplit(
                'Wrote ', 1)[1].strip())

    def upgrade_order(self):
        """The copy's revision files, in the order an upgrade runs them."""
        directory = alembic_script.ScriptDirectory.from_config(
            alembic_config.Config(
                os.path.join(self.alembic_dir, 'alembic.ini')))
        paths = [script.path for script in directory.walk_revisions()]
        expected = self.count + synthetic_history.shipped_count()
        if len(paths) != expected:
            raise SystemExit(f'found {len(paths)} revisions, not {expected}')
        return reversed(paths)

    def env(self, database):
        # Bytecode as an installed package has it (pip compiles at install
        # time), for webdemo and plain Alembic alike.
        env = {name: value for name, value in os.environ.items()
               if not name.startswith('OS_')
               and name != 'PYTHONDONTWRITEBYTECODE'}
        env.update(PYTHONPATH=self.root, OS_DATABASE__CONNECTION=database.url,
                   OS_DATABASE__MAX_RETRIES='1', HOME=self.root)
        return env

    def manage(self, database, *args):
        # From the copy's root: python -m puts the working directory
        # first on sys.path, before PYTHONPATH.
        return databases.timed(
            [sys.executable, '-m', 'webdemo.cmd.manage', *args],
            self.env(database), cwd=self.root)

    def alembic(self, database, *args):
        return databases.timed([sys.executable, '-m', 'alembic', *args],
                               self.env(database), cwd=self.alembic_dir)

    def python(self, database, code, *args):
        return databases.timed(
            [sys.executable, '-c', code, database.url, *args],
            self.env(database), cwd=self.root)

    def check_at_head(self, database):
        """Fail unless db version reports this history's own heads."""
        head = synthetic_history.revision_id(self.count)
        out = self.manage(database, 'db', 'version')[2]
        if head not in out or 'Status: at head' not in out:
            raise SystemExit(f'expected the database at {head}:\n{out}')


def measure_round(history, database, ddl_files):
    """One of each measurement, in a fixed order; {name: (s, MiB)}.

    :param ddl_files: (the revisions' SQL, the checkpoint's SQL)
    """
    ddl_file, checkpoint_file = ddl_files
    found = {}
    database.empty()
    found['sync'] = history.manage(database, 'db', 'sync',
                                   '--no-checkpoint')[:2]
    history.check_at_head(database)
    database.empty()
    found['cp_sync'] = history.manage(database, 'db', 'sync')[:2]
    history.check_at_head(database)
    found['noop_sync'] = history.manage(database, 'db', 'sync')[:2]
    found['version'] = history.manage(database, 'db', 'version')[:2]
    found['proc_floor'] = history.python(database, probes.FLOOR_PROCESS)[:2]
    database.empty()
    found['alembic_up'] = history.alembic(database, 'upgrade', 'heads')[:2]
    history.check_at_head(database)
    found['alembic_cur'] = history.alembic(database, 'current')[:2]
    if ddl_file is not None:
        database.empty()
        found['ddl_floor'] = history.python(database, probes.FLOOR_DDL,
                                            ddl_file)[:2]
    database.empty()
    found['cp_floor'] = history.python(database, probes.FLOOR_DDL,
                                       checkpoint_file)[:2]
    database.empty()
    found['cp_op_floor'] = history.python(database, probes.FLOOR_OP,
                                          history.checkpoint_file)[:2]
    database.empty()
    found['op_floor'] = history.python(database, probes.FLOOR_OP,
                                       history.order_file)[:2]
    if database.backend == 'mysql':
        database.empty()
        found['journal_floor'] = history.python(
            database, probes.FLOOR_JOURNAL, history.order_file)[:2]
    database.empty()
    seconds, peak, out = history.python(database, probes.WALK)
    found['walk_step'] = (float(out), peak)
    return found


def ddl_scripts(history, database, workdir):
    """The SQL for this backend, as db sync --sql writes it.

    The revisions' (--no-checkpoint), and the checkpoint's.
    From an empty database, for the backend's dialect: --dialect reads no
    database (a SQLite file that is not there is no longer made).
    """
    database.empty()
    paths = []
    for options, expected in (
            (['--no-checkpoint'],
             history.count + synthetic_history.shipped_count()),
            ([], 1)):
        if options and not offline_replay(history, database):
            paths.append(None)
            continue
        sql = history.manage(database, 'db', 'sync', '--sql', '--dialect',
                             database.backend, *options)[2]
        found = sql.count('-- Running upgrade')
        if found != expected:
            raise SystemExit(f'db sync --sql {" ".join(options)} wrote '
                             f'{found} revisions, not {expected}')
        paths.append(os.path.join(
            workdir, f'{database.backend}-{history.kind}-{history.count}-'
            f'{len(options)}.sql'))
        with open(paths[-1], 'w') as script:
            script.write(sql)
    return paths


def offline_replay(history, database):
    """Can the revisions' SQL be written without a database?

    Not the alter history's on SQLite: Alembic's batch mode must read a
    table to copy it, and --sql has none to read. That history has no
    per-revision DDL floor on SQLite.
    """
    return not (history.kind == 'alter' and database.backend == 'sqlite')


def run(kinds, sizes, rounds, backends, workdir):
    """{(backend, kind, count): {measurement: (median s, peak MiB)}}."""
    results = {}
    for kind in kinds:
        for count in sizes:
            history = History(count, workdir, kind)
            for backend in backends:
                results[backend, kind, count] = _measured(
                    history, backend, rounds, workdir)
                print(f'measured {backend}, {kind} history, {count} '
                      'revisions', flush=True)
    return results


def _measured(history, backend, rounds, workdir):
    database = databases.Database(
        backend, workdir, f'wd_bench_{history.kind}_{history.count}')
    ddl_files = ddl_scripts(history, database, workdir)
    samples = [measure_round(history, database, ddl_files)
               for _ in range(rounds)]
    found = {name: (statistics.median(s[name][0] for s in samples),
                    max(s[name][1] for s in samples))
             for name in samples[0]}
    database.empty()
    kept, peak, large, blocks, code = history.python(
        database, probes.MEMORY)[2].splitlines()[-1].split()
    if code != '0':
        raise SystemExit(f'the in-process sync exited {code}')
    if int(blocks) > 1:
        # Only the interned-string table is expected that large: what
        # else is must be looked at, not counted apart.
        raise SystemExit(f'{blocks} blocks of {probes.LARGE_BLOCK} bytes '
                         'or more left after the sync: look at them')
    found['memory'] = (int(kept), int(peak), int(large))
    database.drop()
    return found


def imports(history, database):
    """What --help, db version and db sync (at head) import.

    :returns: {command: (modules, import seconds, heaviest packages)}
    """
    found = {}
    for label, args in (('--help', ['--help']),
                        ('db version', ['db', 'version']),
                        ('db sync', ['db', 'sync'])):
        env = dict(history.env(database), PYTHONPROFILEIMPORTTIME='1')
        process = subprocess.run(
            [sys.executable, '-m', 'webdemo.cmd.manage', *args], env=env,
            cwd=history.root, capture_output=True, text=True)
        rows = [line.split('|') for line in process.stderr.splitlines()
                if line.startswith('import time:')
                and 'cumulative' not in line]
        # Each module's own time, summed by the package it belongs to.
        by_package = {}
        for own, _, name in rows:
            package = name.strip().split('.')[0]
            seconds = int(own.split(':')[1]) / 1e6
            by_package[package] = by_package.get(package, 0) + seconds
        found[label] = (len(rows), sum(by_package.values()), sorted(
            by_package.items(), key=lambda item: -item[1])[:6])
    return found


def report_imports(found):
    print('\ncommand | modules | import s | heaviest top-level imports (s)')
    for label, (modules, seconds, heaviest) in found.items():
        print(f'{label} | {modules} | {seconds:.2f} | ' + ', '.join(
            f'{name} {value:.2f}' for name, value in heaviest))


def report(results, sizes):
    """Print two tables: building a database, and reading its state."""
    building, reading = [], []
    for (backend, kind, count), found in sorted(results.items()):
        revisions = count + synthetic_history.shipped_count()
        seconds = {name: value[0] for name, value in found.items()}
        smallest = results[backend, kind, sizes[0]]
        floor = seconds.get('ddl_floor')
        building.append((
            backend, kind, revisions, seconds['sync'],
            *((seconds['sync'] / floor, seconds['op_floor'] / floor,
               seconds['alembic_up'] / floor) if floor else ('-',) * 3),
            seconds['sync'] / seconds['alembic_up'],
            *((seconds['sync'] / seconds['journal_floor'],
               seconds['journal_floor'] / seconds['alembic_up'])
              if 'journal_floor' in seconds else ('-',) * 2),
            seconds['cp_sync'], seconds['cp_sync'] / seconds['cp_floor'],
            seconds['cp_sync'] / seconds['cp_op_floor'],
            seconds['alembic_up'] / seconds['cp_sync'],
            seconds['alembic_up'] / seconds['cp_floor'],
            found['sync'][1],
            *_kib_per_revision(found, smallest, count, sizes[0])))
        reading.append((
            backend, kind, revisions, seconds['version'],
            seconds['version'] / seconds['proc_floor'],
            seconds['version'] / smallest['version'][0],
            seconds['noop_sync'] / seconds['proc_floor'],
            seconds['noop_sync'] / smallest['noop_sync'][0],
            seconds['alembic_cur'] / seconds['proc_floor'],
            seconds['walk_step'] * 1000))
    _table(('backend', 'history', 'revs', 'sync s', 'sync/floor',
            'op/floor', 'alembic/floor', 'sync/alembic', 'sync/journal',
            'journal/alembic', 'cp s',
            'cp/cp_floor', 'cp/cp_op', 'alembic/cp', 'alembic/cp_floor',
            'sync MiB',
            'kept KiB/rev', 'peak KiB/rev', 'large KiB/rev'), building)
    print()
    _table(('backend', 'history', 'revs', 'version s', 'version/proc',
            'version/smallest', 'noop/proc', 'noop/smallest',
            'alembic cur/proc', 'walk ms/step'), reading)
    print('\nmedians of each round; sync = every revision run '
          '(--no-checkpoint); floor = the same DDL replayed, one commit per '
          "revision; op = the revisions run through Alembic's op, no "
          'version table; journal = op plus the version and journal rows '
          'as written by the driver (MySQL); cp = db sync built from the '
          'checkpoint; cp_floor '
          "= the checkpoint's statements replayed over one connection; "
          "cp_op = the checkpoint run through Alembic's op alone; "
          'sync MiB = its peak RSS; kept and peak KiB/rev = what each '
          'revision adds to what a full sync holds when done and at most '
          '(tracemalloc, in process), against the smallest history; large '
          '= the one block of 256 KiB or more (the interned-string table, '
          'which doubles once: a step, not a cost per revision), left out '
          'of kept; proc = '
          'process floor; '
          'smallest = the same command at '
          f'{sizes[0] + synthetic_history.shipped_count()} revisions')


def _kib_per_revision(found, smallest, count, smallest_count):
    """What each revision adds to a sync's memory: kept, peak, large.

    In KiB, against the smallest history: tracemalloc's count of what
    the sync still holds when done (but the interpreter's large tables),
    of the most it held, and of those tables (probes.MEMORY).
    """
    if count == smallest_count:
        return '-', '-', '-'
    kept, peak, large = (mine - theirs for mine, theirs in zip(
        found['memory'], smallest['memory']))
    return tuple(value / 1024 / (count - smallest_count)
                 for value in (kept - large, peak, large))


def _table(header, rows):
    print(' | '.join(header))
    for row in rows:
        print(' | '.join(f'{value:.2f}' if isinstance(value, float)
                         else str(value) for value in row))


def save(results, rounds, path):
    """Write results as JSON at path, with the machine and the date.

    Per backend and history length: each measurement's median seconds.
    """
    document = {
        'command': 'tools/db_benchmark.py ' + ' '.join(sys.argv[1:]),
        'date': datetime.date.today().isoformat(),
        'machine': f'{platform.machine()}, {os.cpu_count()} CPUs, '
                   f'{platform.system()} {platform.release()}, Python '
                   f'{platform.python_version()}',
        'rounds': rounds,
        'results': [{'backend': backend, 'history': kind,
                     'revisions': count + synthetic_history.shipped_count(),
                     'seconds': {name: value[0]
                                 for name, value in found.items()
                                 if name != 'memory'},
                     'sync_mib': found['sync'][1],
                     'memory_bytes': dict(zip(('kept', 'peak', 'large'),
                                              found['memory']))}
                    for (backend, kind, count), found
                    in sorted(results.items())]}
    with open(path, 'w') as out:
        json.dump(document, out, indent=1, sort_keys=True)
        out.write('\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', default='10,100,1000',
                        help='synthetic revisions to append, comma-separated')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--quick', action='store_true',
                        help='10 and 100 revisions, one round (CI)')
    parser.add_argument('--backends', default='sqlite,mysql,postgresql')
    parser.add_argument('--histories', default='create,alter',
                        help='the kinds of synthetic history, '
                             'comma-separated (create, alter)')
    parser.add_argument('--require-backends', action='store_true',
                        help='fail when a server cannot be reached')
    parser.add_argument('--save', metavar='PATH',
                        help='also write the medians as JSON, for the '
                             "documentation's plots")
    args = parser.parse_args()
    sizes = [10, 100] if args.quick else [
        int(size) for size in args.sizes.split(',')]
    rounds = 1 if args.quick else args.rounds
    backends = databases.reachable_backends(args.backends,
                                            args.require_backends)
    with tempfile.TemporaryDirectory(prefix='webdemo-bench-') as workdir:
        results = run(args.histories.split(','), sizes, rounds, backends,
                      workdir)
        report(results, sizes)
        if args.save:
            save(results, rounds, args.save)
        history = History(sizes[0], os.path.join(workdir, 'imports'))
        database = databases.Database('sqlite', workdir, 'wd_bench_imports')
        database.empty()
        history.manage(database, 'db', 'sync')
        report_imports(imports(history, database))


if __name__ == '__main__':
    main()
